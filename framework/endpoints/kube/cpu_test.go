package kube

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"

	"podperf/framework/endpoints"
)

// newPod is a pod on node whose containers request cpus (one container each).
func newPod(ns, name, node string, phase v1.PodPhase, labels map[string]string, cpus ...string) *v1.Pod {
	p := &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: labels},
		Spec:       v1.PodSpec{NodeName: node},
		Status:     v1.PodStatus{Phase: phase},
	}
	for i, c := range cpus {
		p.Spec.Containers = append(p.Spec.Containers, v1.Container{
			Name:      "c" + string(rune('0'+i)),
			Resources: v1.ResourceRequirements{Requests: v1.ResourceList{v1.ResourceCPU: resource.MustParse(c)}},
		})
	}
	return p
}

// withInit adds init containers with these CPU requests to p.
func withInit(p *v1.Pod, cpus ...string) *v1.Pod {
	for i, c := range cpus {
		p.Spec.InitContainers = append(p.Spec.InitContainers, v1.Container{
			Name:      "init" + string(rune('0'+i)),
			Resources: v1.ResourceRequirements{Requests: v1.ResourceList{v1.ResourceCPU: resource.MustParse(c)}},
		})
	}
	return p
}

func TestCPUAllowance(t *testing.T) {
	podperf := map[string]string{"app.kubernetes.io/name": "podperf"}
	const notLimited = "CPU not limited (as in the published runs): BestEffort pods"
	tests := []struct {
		name                 string
		want                 int
		clientCPU, serverCPU string // allocatable
		pods                 []*v1.Pod
		milli                int64
		granted              int
		cpuSet               string
		notes                []string
		errMsg               string // non-empty: an error containing it
	}{
		{
			name: "not limited: the client node's allocatable CPU, rounded up",
			want: 0, clientCPU: "3500m", serverCPU: "16",
			granted: 4, notes: []string{notLimited},
		},
		{
			name: "a negative request is not limited",
			want: -2, clientCPU: "8", serverCPU: "8",
			granted: 8, notes: []string{notLimited},
		},
		{
			name: "fits twice on both nodes",
			want: 2, clientCPU: "8", serverCPU: "8",
			milli: 2000, granted: 2, cpuSet: "2000m per pod (Guaranteed QoS)",
		},
		{
			name: "exactly half of the node",
			want: 4, clientCPU: "8", serverCPU: "8",
			milli: 4000, granted: 4, cpuSet: "4000m per pod (Guaranteed QoS)",
		},
		{
			name: "the smaller node bounds both",
			want: 4, clientCPU: "16", serverCPU: "4",
			milli: 2000, granted: 2, cpuSet: "2000m per pod (Guaranteed QoS)",
			notes: []string{"4 CPUs requested, 2000m granted: that is what fits twice in the nodes' allocatable CPU"},
		},
		{
			name: "rounded down to 100m, granted CPUs rounded up",
			want: 2, clientCPU: "8", serverCPU: "3150m",
			milli: 1500, granted: 2, cpuSet: "1500m per pod (Guaranteed QoS)",
			notes: []string{"2 CPUs requested, 1500m granted: that is what fits twice in the nodes' allocatable CPU"},
		},
		{
			name: "running pods' requests on the pair's nodes count, in any namespace",
			want: 4, clientCPU: "8", serverCPU: "8",
			pods: []*v1.Pod{
				newPod("kube-system", "agent-client", "client", v1.PodRunning, nil, "1"),
				newPod("apps", "db", "server", v1.PodRunning, nil, "1500m", "1500m"),
				newPod("apps", "starting", "server", v1.PodPending, nil, "500m"),
			},
			// server: 8000 - 3500 = 4500 free, halved and rounded down to 2200m
			milli: 2200, granted: 3, cpuSet: "2200m per pod (Guaranteed QoS)",
			notes: []string{"4 CPUs requested, 2200m granted: that is what fits twice in the nodes' allocatable CPU"},
		},
		{
			// A CNI agent's pod whose only request is on an init container
			// (Cilium's install-cni-binaries): the scheduler counts it, and
			// so must the allowance, or the second pod stays Pending.
			name: "init containers count as the scheduler counts them",
			want: 4, clientCPU: "2", serverCPU: "2",
			pods: []*v1.Pod{
				withInit(newPod("kube-system", "cilium-server", "server", v1.PodRunning, nil, "0"), "100m"),
				withInit(newPod("kube-system", "big-init", "server", v1.PodRunning, nil, "100m"), "300m", "200m"),
			},
			// server: 2000 - 100 - max(100, 300) = 1600 free, halved: 800m
			milli: 800, granted: 1, cpuSet: "800m per pod (Guaranteed QoS)",
			notes: []string{"4 CPUs requested, 800m granted: that is what fits twice in the nodes' allocatable CPU"},
		},
		{
			name: "other nodes, finished pods and the benchmark's own pods do not count",
			want: 4, clientCPU: "8", serverCPU: "8",
			pods: []*v1.Pod{
				newPod("apps", "elsewhere", "third", v1.PodRunning, nil, "6"),
				newPod("apps", "done", "server", v1.PodSucceeded, nil, "6"),
				newPod("apps", "crashed", "client", v1.PodFailed, nil, "6"),
				newPod("e2e", "netserver-node", "server", v1.PodRunning, podperf, "4"),
				newPod("apps", "unscheduled", "", v1.PodPending, nil, "6"),
			},
			milli: 4000, granted: 4, cpuSet: "4000m per pod (Guaranteed QoS)",
		},
		{
			name: "too little free CPU is an error",
			want: 1, clientCPU: "1", serverCPU: "8",
			pods:   []*v1.Pod{newPod("apps", "busy", "client", v1.PodRunning, nil, "850m")},
			errMsg: "the nodes have 150m CPU free, too little for two 1-CPU pods each",
		},
		{
			name: "an overcommitted node is an error",
			want: 1, clientCPU: "8", serverCPU: "2",
			pods:   []*v1.Pod{newPod("apps", "hog", "server", v1.PodRunning, nil, "3")},
			errMsg: "the nodes have -1000m CPU free",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client, server := newNode("client", tc.clientCPU), newNode("server", tc.serverCPU)
			objs := []runtime.Object{client, server}
			for _, p := range tc.pods {
				objs = append(objs, p)
			}
			tgt := &Target{c: newClientset(objs...), client: client, server: server}
			info := endpoints.PairInfo{CPUsRequested: tc.want}
			milli, err := tgt.cpuAllowance(context.Background(), tc.want, &info)
			if tc.errMsg != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errMsg) {
					t.Fatalf("err = %v, want one containing %q", err, tc.errMsg)
				}
				if milli != 0 {
					t.Errorf("milli = %d with an error, want 0", milli)
				}
				return
			}
			if err != nil {
				t.Fatalf("cpuAllowance: %v", err)
			}
			if milli != tc.milli || info.CPUsGranted != tc.granted || info.CPUSet != tc.cpuSet {
				t.Errorf("got %dm, granted %d, cpuSet %q; want %dm, %d, %q", milli, info.CPUsGranted, info.CPUSet, tc.milli, tc.granted, tc.cpuSet)
			}
			if !slices.Equal(info.Notes, tc.notes) {
				t.Errorf("notes = %q, want %q", info.Notes, tc.notes)
			}
		})
	}
}

// The allowance depends on what runs on the nodes: a pod that appears on the
// server node between two specs shrinks the next spec's allowance. Within a
// spec every path gets the first path's allowance: paths are compared at
// equal CPU.
func TestCPUAllowanceFollowsTheNodes(t *testing.T) {
	client, server := newNode("client", "8"), newNode("server", "8")
	cs := newClientset(client, server)
	tgt := &Target{c: cs, client: client, server: server}
	ctx := context.Background()
	before, err := tgt.cpuAllowance(ctx, 4, &endpoints.PairInfo{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().Pods("apps").Create(ctx, newPod("apps", "late", "server", v1.PodRunning, nil, "2"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	sameSpec, err := tgt.cpuAllowance(ctx, 4, &endpoints.PairInfo{})
	if err != nil {
		t.Fatal(err)
	}
	tgt.granted = nil // what Bind does for the next spec
	after, err := tgt.cpuAllowance(ctx, 4, &endpoints.PairInfo{})
	if err != nil {
		t.Fatal(err)
	}
	if before != 4000 || sameSpec != 4000 || after != 3000 {
		t.Errorf("allowance %dm before, %dm later in the same spec and %dm in the next spec after a 2-CPU pod came to the server node, want 4000m, 4000m and 3000m",
			before, sameSpec, after)
	}
}

// A failed pod listing is returned with its cause.
func TestCPUAllowanceListError(t *testing.T) {
	client, server := newNode("client", "8"), newNode("server", "8")
	cs := newClientset(client, server)
	denied := apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New("no RBAC"))
	cs.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) { return true, nil, denied })
	tgt := &Target{c: cs, client: client, server: server}
	_, err := tgt.cpuAllowance(context.Background(), 2, &endpoints.PairInfo{})
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "list pods on client") {
		t.Fatalf("err = %v, want a Forbidden error naming the node", err)
	}
}
