package kube

import (
	"context"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// namespaceGoneTimeout bounds the wait for a spec's namespaces to be deleted.
// On the offline kind cluster they were gone about 15 s after a spec ended.
const namespaceGoneTimeout = 2 * time.Minute

// waitNamespacesGone waits until the namespaces are gone, for at most
// timeout, so that the next spec's Guaranteed pods (and a back-to-back run)
// start on nodes the last spec has left. Namespaces still Terminating at
// the end are logged, not failed: the measurement does not depend on them.
func (t *Target) waitNamespacesGone(ctx context.Context, names []string, timeout time.Duration) {
	if len(names) == 0 {
		return
	}
	start := time.Now()
	left := slices.Clone(names)
	err := wait.PollUntilContextTimeout(ctx, time.Second, timeout, true, func(ctx context.Context) (bool, error) {
		still := left[:0]
		for _, ns := range left {
			_, err := t.c.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
			if !apierrors.IsNotFound(err) {
				still = append(still, ns)
			}
		}
		left = still
		return len(left) == 0, nil
	})
	if err != nil {
		t.logf("WARNING: namespaces %s still present %s after the spec (%v): the next pods may share the nodes with their pods",
			strings.Join(left, ", "), time.Since(start).Round(time.Second), err)
		return
	}
	t.logf("namespaces %s gone in %s", strings.Join(names, ", "), time.Since(start).Round(100*time.Millisecond))
}

// spentNamespaces returns the namespaces of the last bound spec, which its
// framework deletes when the spec ends, and forgets them.
func (t *Target) spentNamespaces() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := t.specNamespaces
	t.specNamespaces = nil
	return out
}
