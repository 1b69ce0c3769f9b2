package kube

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"

	"podperf/framework/endpoints"
)

func testPod(edit func(*v1.Pod)) *v1.Pod {
	p := &v1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "netserver-pod", Namespace: "ns"},
		Status: v1.PodStatus{Phase: v1.PodPending}}
	edit(p)
	return p
}

func waiting(reason, msg string) func(*v1.Pod) {
	return func(p *v1.Pod) {
		p.Status.ContainerStatuses = []v1.ContainerStatus{{Name: "netperf",
			State: v1.ContainerState{Waiting: &v1.ContainerStateWaiting{Reason: reason, Message: msg}}}}
	}
}

func TestPodStartFailsFastOnAPodThatCannotStart(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*v1.Pod)
		want string
	}{
		{"image pull back-off", waiting("ImagePullBackOff", "Back-off pulling image \"podperf/absent:0\""),
			"the image cannot be pulled (ImagePullBackOff: Back-off pulling image \"podperf/absent:0\"); image podperf/absent:0 must be on every node"},
		{"never pull", waiting("ErrImageNeverPull", "Container image is not present with pull policy of Never"),
			"the image is not on the node and the pod may not pull it"},
		{"crash loop", waiting("CrashLoopBackOff", "back-off 10s restarting failed container"), "the container keeps exiting (CrashLoopBackOff"},
		{"failed pod", func(p *v1.Pod) { p.Status.Phase = v1.PodFailed; p.Status.Message = "Pod was rejected:\nOutOfcpu" },
			"the pod ended (phase Failed: Pod was rejected: OutOfcpu)"},
		{"exited", func(p *v1.Pod) {
			p.Status.ContainerStatuses = []v1.ContainerStatus{{Name: "netperf",
				State: v1.ContainerState{Terminated: &v1.ContainerStateTerminated{ExitCode: 127, Reason: "Error"}}}}
		}, "container netperf exited 127 (Error)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClientset(testPod(tc.edit))
			start := time.Now()
			err := waitPodReady(context.Background(), c, "ns", "netserver-pod", "node-b", "podperf/absent:0", time.Minute)
			var pe *PodStartError
			if !errors.As(err, &pe) || !pe.Final {
				t.Fatalf("err = %v, want a final *PodStartError", err)
			}
			if time.Since(start) > 10*time.Second {
				t.Errorf("took %s: a pod that cannot start must not wait for the timeout", time.Since(start))
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("message %q: want one line containing %q", msg, tc.want)
			}
			if !strings.HasPrefix(msg, "pod ns/netserver-pod on node-b cannot start after ") {
				t.Errorf("message %q does not name the pod and node first", msg)
			}
		})
	}
}

func TestPodStartTimesOutWithTheLastReason(t *testing.T) {
	c := newClientset(testPod(func(p *v1.Pod) {
		p.Status.Conditions = []v1.PodCondition{{Type: v1.PodScheduled, Status: v1.ConditionFalse, Reason: "Unschedulable",
			Message: "0/3 nodes are available: 2 Insufficient cpu."}}
	}))
	err := waitPodReady(context.Background(), c, "ns", "netserver-pod", "node-b", "img", 2*time.Second)
	var pe *PodStartError
	if !errors.As(err, &pe) || pe.Final {
		t.Fatalf("err = %v, want a *PodStartError at the timeout", err)
	}
	want := "pod ns/netserver-pod on node-b not Ready within 2s: not scheduled: Unschedulable: 0/3 nodes are available: 2 Insufficient cpu."
	if err.Error() != want {
		t.Errorf("message\n %q\nwant\n %q", err.Error(), want)
	}
}

func TestPodStartReturnsWhenReady(t *testing.T) {
	c := newClientset(testPod(func(p *v1.Pod) {
		p.Status.Phase = v1.PodRunning
		p.Status.Conditions = []v1.PodCondition{{Type: v1.PodReady, Status: v1.ConditionTrue}}
	}))
	if err := waitPodReady(context.Background(), c, "ns", "netserver-pod", "node-b", "img", 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestNodeReady(t *testing.T) {
	notReady := func(n *v1.Node) {
		n.Status.Conditions = []v1.NodeCondition{{Type: v1.NodeReady, Status: v1.ConditionUnknown,
			Reason: "NodeStatusUnknown", Message: "Kubelet stopped posting node status."}}
	}
	c := newClientset(newNode("a", "2"), newNode("b", "2", notReady))
	if err := nodeReady(context.Background(), c, "a"); err != nil {
		t.Errorf("Ready node: %v", err)
	}
	err := nodeReady(context.Background(), c, "b")
	var nr *NodeNotReadyError
	if !errors.As(err, &nr) || nr.Node != "b" {
		t.Fatalf("err = %v, want *NodeNotReadyError for b", err)
	}
	if want := "node b is not Ready (Ready=Unknown, NodeStatusUnknown: Kubelet stopped posting node status.)"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("message %q, want prefix %q", err.Error(), want)
	}
	if err := nodeReady(context.Background(), c, "gone"); err == nil || errors.As(err, &nr) {
		t.Errorf("missing node: err = %v, want an API error, not NotReady", err)
	}
}

// The fake clientset deletes at once whatever the grace period; a reactor
// plays the kubelet of a NotReady node, which never confirms a graceful
// deletion, so only the forced one removes the pod.
func TestDeletePodForcesOnlyOnANotReadyNode(t *testing.T) {
	for _, ready := range []bool{true, false} {
		node := newNode("b", "2")
		if !ready {
			node.Status.Conditions[0].Status = v1.ConditionUnknown
		}
		pod := testPod(func(*v1.Pod) {})
		c := newClientset(node, pod)
		var graces []int64
		c.PrependReactor("delete", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
			g := *a.(k8stesting.DeleteActionImpl).DeleteOptions.GracePeriodSeconds
			graces = append(graces, g)
			if g > 0 && !ready {
				return true, nil, nil // accepted; the kubelet never confirms
			}
			return false, nil, nil
		})
		var logged []string
		err := deletePod(context.Background(), c, "ns", "netserver-pod", "b", func(f string, a ...any) { logged = append(logged, f) })
		if err != nil {
			t.Fatalf("ready=%v: %v", ready, err)
		}
		if _, err := c.CoreV1().Pods("ns").Get(context.Background(), "netserver-pod", metav1.GetOptions{}); err == nil {
			t.Errorf("ready=%v: pod still there", ready)
		}
		wantGraces, wantLogs := []int64{1}, 0
		if !ready {
			wantGraces, wantLogs = []int64{1, 0}, 1
		}
		if len(graces) != len(wantGraces) || graces[0] != 1 || (len(graces) == 2 && graces[1] != 0) {
			t.Errorf("ready=%v: grace periods %v, want %v", ready, graces, wantGraces)
		}
		if len(logged) != wantLogs {
			t.Errorf("ready=%v: %d warnings logged, want %d", ready, len(logged), wantLogs)
		}
	}
}

// A stalled exec is put down to a node gone NotReady when it is one; with
// the fake clientset's (absent) API server probe skipped, a Ready pair has
// no explanation and netperf's own is kept.
func TestExplainStall(t *testing.T) {
	notReady := func(n *v1.Node) { n.Status.Conditions[0].Status = v1.ConditionUnknown }
	for _, tc := range []struct {
		server *v1.Node
		want   bool
	}{{newNode("b", "2"), false}, {newNode("b", "2", notReady), true}} {
		c := newClientset(newNode("a", "2"), tc.server)
		p := &pair{t: &Target{c: c}, info: endpoints.PairInfo{ClientNode: "a", ServerNode: "b"}}
		err := p.ExplainStall(context.Background())
		var nr *NodeNotReadyError
		if got := errors.As(err, &nr); got != tc.want {
			t.Errorf("server Ready=%s: err = %v", tc.server.Status.Conditions[0].Status, err)
		}
	}
}
