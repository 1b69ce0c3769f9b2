package kube

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	clientset "k8s.io/client-go/kubernetes"
)

// PodStartError says why a test pod did not become Ready: at once when the
// pod cannot start (its image cannot be had, it failed), else at the timeout
// with the last thing that held it back.
type PodStartError struct {
	Namespace, Pod, Node string
	Reason               string
	Waited               time.Duration
	Final                bool // the pod cannot start; the suite did not wait for the timeout
}

func (e *PodStartError) Error() string {
	if e.Final {
		return fmt.Sprintf("pod %s/%s on %s cannot start after %s: %s", e.Namespace, e.Pod, e.Node, e.Waited.Round(time.Second), e.Reason)
	}
	return fmt.Sprintf("pod %s/%s on %s not Ready within %s: %s", e.Namespace, e.Pod, e.Node, e.Waited.Round(time.Second), e.Reason)
}

// Container waiting reasons after which the pod will not start by itself.
// ErrImagePull alone may be a registry's hiccup; the kubelet's back-off after
// it, or an image it may not pull at all, is not.
var finalWaiting = map[string]string{
	"ImagePullBackOff":           "the image cannot be pulled",
	"ErrImageNeverPull":          "the image is not on the node and the pod may not pull it",
	"InvalidImageName":           "the image name is invalid",
	"CreateContainerConfigError": "the container's configuration is invalid",
	"CreateContainerError":       "the runtime could not create the container",
	"CrashLoopBackOff":           "the container keeps exiting",
	"RunContainerError":          "the runtime could not start the container",
}

// waitPodReady polls the pod every second until it is Ready, it cannot start,
// or timeout passes.
func waitPodReady(ctx context.Context, c clientset.Interface, ns, name, node, image string, timeout time.Duration) error {
	start := time.Now()
	last, seen := "not created yet", false
	var final *PodStartError
	err := wait.PollUntilContextTimeout(ctx, time.Second, timeout, true, func(ctx context.Context) (bool, error) {
		pod, err := c.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			// The API server may be briefly away: keep polling, and keep the
			// last state seen as the reason.
			if !seen {
				last = "get: " + err.Error()
			}
			return false, nil
		}
		seen = true
		ready, why, isFinal := podState(pod, image)
		last = why
		if isFinal {
			final = &PodStartError{Namespace: ns, Pod: name, Node: node, Reason: why, Waited: time.Since(start), Final: true}
			return false, final
		}
		return ready, nil
	})
	switch {
	case err == nil:
		return nil
	case final != nil:
		return final
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return fmt.Errorf("waiting for pod %s/%s: %w", ns, name, ctx.Err())
	}
	return &PodStartError{Namespace: ns, Pod: name, Node: node, Reason: last, Waited: time.Since(start)}
}

// podState says whether the pod is Ready, and if not, why not in one line and
// whether it will ever be.
func podState(pod *v1.Pod, image string) (ready bool, why string, final bool) {
	switch pod.Status.Phase {
	case v1.PodFailed, v1.PodSucceeded:
		return false, fmt.Sprintf("the pod ended (phase %s%s)", pod.Status.Phase, oneLineSuffix(pod.Status.Message)), true
	}
	for _, cs := range pod.Status.ContainerStatuses {
		if w := cs.State.Waiting; w != nil {
			if what, ok := finalWaiting[w.Reason]; ok {
				why := fmt.Sprintf("%s (%s%s)", what, w.Reason, oneLineSuffix(w.Message))
				if strings.Contains(w.Reason, "Image") {
					why += fmt.Sprintf("; image %s must be on every node: load it (kind load image-archive, or scripts/kind-offline) or pass --image", image)
				}
				return false, why, true
			}
		}
		if t := cs.State.Terminated; t != nil {
			return false, fmt.Sprintf("container %s exited %d (%s%s)", cs.Name, t.ExitCode, t.Reason, oneLineSuffix(t.Message)), true
		}
	}
	for _, cond := range pod.Status.Conditions {
		if cond.Type == v1.PodScheduled && cond.Status != v1.ConditionTrue {
			return false, "not scheduled: " + oneLine(cond.Reason+": "+cond.Message), false
		}
	}
	for _, cond := range pod.Status.Conditions {
		if cond.Type == v1.PodReady {
			if cond.Status == v1.ConditionTrue {
				return true, "Ready", false
			}
			return false, "not Ready" + oneLineSuffix(cond.Reason+" "+cond.Message), false
		}
	}
	return false, "phase " + string(pod.Status.Phase), false
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func oneLineSuffix(s string) string {
	if s = oneLine(s); s != "" {
		return ": " + s
	}
	return ""
}
