package kube

import (
	"context"
	"fmt"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientset "k8s.io/client-go/kubernetes"
	resourcehelper "k8s.io/component-helpers/resource"

	"podperf/framework/endpoints"
)

// cpuAllowance turns a CPU request into millicores that fit on both nodes
// beside the other pair (both pairs live at once so samples can interleave).
func (t *Target) cpuAllowance(ctx context.Context, want int, info *endpoints.PairInfo) (int64, error) {
	return t.cpuAllowanceOn(ctx, want, t.client, t.server, 2, info)
}

// cpuAllowanceOn is cpuAllowance for the pods of a pair on client and server
// when share pods of the allowance live on the busier node at once (two:
// the measured pair's and the reference pair's; three on the client node of
// the same-node path).
func (t *Target) cpuAllowanceOn(ctx context.Context, want int, client, server *v1.Node, share int64, info *endpoints.PairInfo) (int64, error) {
	if want <= 0 {
		info.CPUsGranted = int(client.Status.Allocatable.Cpu().Value())
		info.Notes = append(info.Notes, "CPU not limited (as in the published runs): BestEffort pods")
		return 0, nil
	}
	// Every path of a spec gets the allowance its first path got: a
	// comparison of two paths is fair only at equal CPU, and the first path's
	// pods are already counted in what the nodes have left.
	t.mu.Lock()
	got, ok := t.granted[want]
	t.mu.Unlock()
	if ok {
		info.CPUsGranted = int((got + 999) / 1000)
		info.CPUSet = fmt.Sprintf("%dm per pod (Guaranteed QoS), as the spec's first path", got)
		return got, nil
	}
	free := int64(1 << 62)
	for _, n := range []*v1.Node{client, server} {
		used, err := requestedMilli(ctx, t.c, n.Name)
		if err != nil {
			return 0, err
		}
		free = min(free, n.Status.Allocatable.Cpu().MilliValue()-used)
	}
	fit := free / share / 100 * 100
	got = min(int64(want)*1000, fit)
	count, times := fmt.Sprint(share), fmt.Sprintf("%d times", share)
	switch share {
	case 2:
		count, times = "two", "twice"
	case 3:
		count, times = "three", "three times"
	}
	if got < 100 {
		return 0, fmt.Errorf("the nodes have %dm CPU free, too little for %s %d-CPU pods each: free CPU on %s and %s", free, count, want, client.Name, server.Name)
	}
	t.mu.Lock()
	if t.granted == nil {
		t.granted = map[int]int64{}
	}
	t.granted[want] = got
	t.mu.Unlock()
	info.CPUsGranted = int((got + 999) / 1000)
	info.CPUSet = fmt.Sprintf("%dm per pod (Guaranteed QoS)", got)
	if got < int64(want)*1000 {
		info.Notes = append(info.Notes, fmt.Sprintf("%d CPUs requested, %dm granted: that is what fits %s in the nodes' allocatable CPU", want, got, times))
	}
	return got, nil
}

// requestedMilli sums the CPU requests of the pods that hold CPU on node,
// leaving out finished pods and this benchmark's own.
func requestedMilli(ctx context.Context, c clientset.Interface, node string) (int64, error) {
	pods, err := c.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + node})
	if err != nil {
		return 0, fmt.Errorf("list pods on %s: %w", node, err)
	}
	var sum int64
	for _, p := range pods.Items {
		if p.Status.Phase == v1.PodSucceeded || p.Status.Phase == v1.PodFailed {
			continue
		}
		if p.Labels["app.kubernetes.io/name"] == "podperf" {
			continue // the other pair of this spec: cpuAllowance halves the free CPU to leave room for it
		}
		// What the scheduler counts: init containers (the largest of them, or
		// all of them while running as sidecars), pod overhead, pod-level
		// requests.
		req := resourcehelper.PodRequests(&p, resourcehelper.PodResourcesOptions{})
		sum += req.Cpu().MilliValue()
	}
	return sum, nil
}
