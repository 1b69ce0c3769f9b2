package kube

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	e2epod "k8s.io/kubernetes/test/e2e/framework/pod"
	"k8s.io/utils/ptr"
)

// Teardown waits, bounded, until the last spec's namespaces (which its
// framework deletes) are gone, so that a run started next finds clean nodes.
func (t *Target) Teardown(ctx context.Context) error {
	t.waitNamespacesGone(ctx, t.spentNamespaces(), namespaceGoneTimeout)
	return nil
}

// Close deletes the pair's pods and waits until they are gone, so that the
// next spec's hostNetwork netserver finds its port free.
func (p *pair) Close(ctx context.Context) error {
	var errs []error
	for _, name := range []string{p.serverName, p.clientName} {
		// A grace period of 0 would be a forced deletion: the object vanishes at once
		// while the container still runs and holds its host port. With 1 s the
		// object stays until the kubelet has stopped the container.
		err := p.t.c.CoreV1().Pods(p.ns).Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](1)})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("delete pod %s/%s: %w", p.ns, name, err))
			continue
		}
		if err := e2epod.WaitForPodNotFoundInNamespace(ctx, p.t.c, name, p.ns, time.Minute); err != nil {
			errs = append(errs, fmt.Errorf("wait for pod %s/%s to be deleted: %w", p.ns, name, err))
		}
	}
	return errors.Join(errs...)
}
