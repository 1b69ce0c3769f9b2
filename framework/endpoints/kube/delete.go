package kube

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	clientset "k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

// podGoneTimeout bounds the wait for one deleted test pod.
const podGoneTimeout = time.Minute

// deletePod deletes a test pod and waits until it is gone. A grace period of
// 0 would be a forced deletion: the object vanishes at once while the
// container still runs and holds its host port; with 1 s the object stays
// until the kubelet has stopped the container. Only when the pod's node is
// not Ready (its kubelet will not confirm anything) is the pod force-deleted,
// as the node lifecycle controller would after its eviction timeout; logf
// says so.
func deletePod(ctx context.Context, c clientset.Interface, ns, name, node string, logf func(string, ...any)) error {
	err := c.CoreV1().Pods(ns).Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](1)})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete pod %s/%s: %w", ns, name, err)
	}
	forced := false
	err = wait.PollUntilContextTimeout(ctx, time.Second, podGoneTimeout, true, func(ctx context.Context) (bool, error) {
		_, err := c.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		if err != nil || forced {
			return false, nil
		}
		var notReady *NodeNotReadyError
		if nerr := nodeReady(ctx, c, node); errors.As(nerr, &notReady) {
			forced = true
			logf("WARNING: force-deleting pod %s/%s: node %s is not Ready (%s); its container runs on until the node's kubelet is back",
				ns, name, notReady.Node, notReady.Reason)
			if err := c.CoreV1().Pods(ns).Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}); err != nil && !apierrors.IsNotFound(err) {
				return false, fmt.Errorf("force-delete pod %s/%s: %w", ns, name, err)
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("wait for pod %s/%s to be deleted: %w", ns, name, err)
	}
	return nil
}
