package kindcluster

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

func node(name, podCIDR, ip string, ready bool) *v1.Node {
	n := &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: v1.NodeSpec{PodCIDR: podCIDR}}
	if ip != "" {
		n.Status.Addresses = []v1.NodeAddress{{Type: v1.NodeHostName, Address: name}, {Type: v1.NodeInternalIP, Address: ip}}
	}
	status := v1.ConditionFalse
	if ready {
		status = v1.ConditionTrue
	}
	n.Status.Conditions = []v1.NodeCondition{{Type: v1.NodeReady, Status: status}}
	return n
}

var errWaited = errors.New("waited 50ms")

// shortCtx ends before the second list, so each wait below lists once.
func shortCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeoutCause(context.Background(), 50*time.Millisecond, errWaited)
	t.Cleanup(cancel)
	return ctx
}

func TestPodCIDRs(t *testing.T) {
	cs := fake.NewClientset(node("a", "198.18.0.0/24", "198.19.1.2", false), node("b", "198.18.1.0/24", "198.19.1.3", false))
	nets, err := podCIDRs(shortCtx(t), cs)
	if err != nil {
		t.Fatal(err)
	}
	want := []nodeNet{{"a", "198.18.0.0/24", "198.19.1.2"}, {"b", "198.18.1.0/24", "198.19.1.3"}}
	if !slices.Equal(nets, want) {
		t.Errorf("podCIDRs = %v, want %v", nets, want)
	}

	cs = fake.NewClientset(node("a", "198.18.0.0/24", "198.19.1.2", false), node("b", "", "198.19.1.3", false), node("c", "198.18.2.0/24", "", false))
	_, err = podCIDRs(shortCtx(t), cs)
	if err == nil {
		t.Fatal("podCIDRs: no error for nodes without a podCIDR or an IP")
	}
	const want2 = "nodes without a podCIDR or InternalIP: b, c (waited 50ms): is allocate-node-cidrs on"
	if !strings.Contains(err.Error(), want2) || !errors.Is(err, errWaited) {
		t.Errorf("error %q: want %q wrapping the wait's cause", err, want2)
	}
}

func TestReady(t *testing.T) {
	var logged []string
	c := &Cluster{name: "k", logf: func(f string, a ...any) { logged = append(logged, f) }}
	cs := fake.NewClientset(node("a", "", "", true), node("b", "", "", true))
	if err := c.ready(shortCtx(t), cs, Options{}); err != nil {
		t.Fatal(err)
	}
	if len(logged) != 1 {
		t.Errorf("logged %q, want the Ready line", logged)
	}

	cs = fake.NewClientset(node("a", "", "", true), node("b", "", "", false))
	err := c.ready(shortCtx(t), cs, Options{CNI: "ptp"})
	const want = "kind cluster k: nodes not Ready: b (waited 50ms): see the kubelet"
	if err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, errWaited) {
		t.Errorf("error %v: want %q wrapping the wait's cause", err, want)
	}

	// The API server does not answer: its error is kept.
	errAPI := errors.New("connection refused")
	cs = fake.NewClientset()
	cs.PrependReactor("list", "nodes", func(k8stesting.Action) (bool, runtime.Object, error) { return true, nil, errAPI })
	err = c.ready(shortCtx(t), cs, Options{})
	const wantAPI = "nodes not Ready: (API server: connection refused) (waited 50ms): does the config disable kind's default CNI?"
	if err == nil || !strings.Contains(err.Error(), wantAPI) || !errors.Is(err, errAPI) || !errors.Is(err, errWaited) {
		t.Errorf("error %v: want %q wrapping both causes", err, wantAPI)
	}

	// No node registered yet.
	err = c.ready(shortCtx(t), fake.NewClientset(), Options{})
	if err == nil || !strings.Contains(err.Error(), "nodes not Ready: (no nodes listed) (waited 50ms)") {
		t.Errorf("error %v: want no nodes listed", err)
	}
}
