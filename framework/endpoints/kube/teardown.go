package kube

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Teardown waits, bounded, until the last spec's namespaces (which its
// framework deletes) are gone, so that a run started next finds clean nodes,
// and then gives up the run's lease on the cluster.
func (t *Target) Teardown(ctx context.Context) error {
	t.waitNamespacesGone(ctx, t.spentNamespaces(), namespaceGoneTimeout)
	return t.lease.release(ctx)
}

// Close deletes the pair's Service and pods and waits until the pods are
// gone, so that the next spec's hostNetwork netserver finds its port free.
func (p *pair) Close(ctx context.Context) error {
	var errs []error
	if p.service != "" {
		err := p.t.c.CoreV1().Services(p.ns).Delete(ctx, p.service, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("delete Service %s/%s: %w", p.ns, p.service, err))
		}
	}
	for _, name := range []string{p.serverName, p.clientName} {
		node := p.info.ClientNode
		if name == p.serverName {
			node = p.info.ServerNode
		}
		if err := deletePod(ctx, p.t.c, p.ns, name, node, p.t.logf); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
