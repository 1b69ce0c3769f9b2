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
	if want <= 0 {
		info.CPUsGranted = int(t.client.Status.Allocatable.Cpu().Value())
		info.Notes = append(info.Notes, "CPU not limited (as in the published runs): BestEffort pods")
		return 0, nil
	}
	free := int64(1 << 62)
	for _, n := range []*v1.Node{t.client, t.server} {
		used, err := requestedMilli(ctx, t.c, n.Name)
		if err != nil {
			return 0, err
		}
		free = min(free, n.Status.Allocatable.Cpu().MilliValue()-used)
	}
	// Two pods of this allowance share each node (pod pair + reference pair).
	fit := free / 2 / 100 * 100
	got := min(int64(want)*1000, fit)
	if got < 100 {
		return 0, fmt.Errorf("the nodes have %dm CPU free, too little for two %d-CPU pods each: free CPU on %s and %s", free, want, t.client.Name, t.server.Name)
	}
	info.CPUsGranted = int((got + 999) / 1000)
	info.CPUSet = fmt.Sprintf("%dm per pod (Guaranteed QoS)", got)
	if got < int64(want)*1000 {
		info.Notes = append(info.Notes, fmt.Sprintf("%d CPUs requested, %dm granted: that is what fits twice in the nodes' allocatable CPU", want, got))
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
