package kube

// Unit tests of the extended paths' Kubernetes objects, on client-go's fake
// clientset: a Service's ports and selector, the wait for its endpoint, the
// IPv6 checks and the choice of node pairs. The objects' effect on a real
// cluster is exercised by the extended specs (e2e/paths_test.go).

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"podperf/framework/endpoints"
)

func TestServiceSpec(t *testing.T) {
	req := endpoints.Request{Path: endpoints.ServicePath, ControlPort: 12865, DataPortBase: 12866, DataPorts: 2}
	svc := serviceSpec("netserver-service", "netserver-service", req)
	if svc.Spec.Type != v1.ServiceTypeClusterIP || svc.Spec.Selector[podLabel] != "netserver-service" || len(svc.Spec.Selector) != 1 {
		t.Errorf("type %s, selector %v: want a ClusterIP Service selecting the server pod by its own label", svc.Spec.Type, svc.Spec.Selector)
	}
	var got []string
	for _, p := range svc.Spec.Ports {
		if p.TargetPort.IntValue() != int(p.Port) {
			t.Errorf("port %s: %d forwarded to %s, want the same port", p.Name, p.Port, p.TargetPort.String())
		}
		got = append(got, p.Name+"/"+string(p.Protocol)+"/"+p.TargetPort.String())
	}
	want := []string{"control/TCP/12865", "data-0/TCP/12866", "data-udp-0/UDP/12866", "data-1/TCP/12867", "data-udp-1/UDP/12867"}
	if !slices.Equal(got, want) {
		t.Errorf("ports %v, want %v", got, want)
	}
	// The server pod carries the label the Service selects.
	pod := podSpec("netserver-service", "n1", endpoints.ServicePath, "img", 0, serverCommand(12865), 12865)
	for k, v := range svc.Spec.Selector {
		if pod.Labels[k] != v {
			t.Errorf("server pod labels %v lack the Service's selector %s=%s", pod.Labels, k, v)
		}
	}
	if portList(req) != "12865, 12866-12867" || portList(endpoints.Request{ControlPort: 1, DataPortBase: 2, DataPorts: 1}) != "1, 2" {
		t.Errorf("portList = %q", portList(req))
	}
}

func endpointSlice(ns, service, addr string, ready bool) *discoveryv1.EndpointSlice {
	return &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Namespace: ns, Name: service + "-abc", Labels: map[string]string{discoveryv1.LabelServiceName: service}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints:   []discoveryv1.Endpoint{{Addresses: []string{addr}, Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(ready)}}},
	}
}

func TestWaitServiceEndpoint(t *testing.T) {
	ctx := context.Background()
	t.Run("ready endpoint", func(t *testing.T) {
		tgt := &Target{c: newClientset(endpointSlice("ns", "svc", "10.0.0.5", true))}
		if err := waitServiceEndpoint(ctx, tgt, "ns", "svc", "10.0.0.5", 5*time.Second); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("becomes ready later", func(t *testing.T) {
		cs := newClientset(endpointSlice("ns", "svc", "10.0.0.5", false))
		time.AfterFunc(700*time.Millisecond, func() {
			_, _ = cs.DiscoveryV1().EndpointSlices("ns").Update(ctx, endpointSlice("ns", "svc", "10.0.0.5", true), metav1.UpdateOptions{})
		})
		start := time.Now()
		if err := waitServiceEndpoint(ctx, &Target{c: cs}, "ns", "svc", "10.0.0.5", 10*time.Second); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d < 500*time.Millisecond {
			t.Errorf("returned after %s, before the endpoint was ready", d)
		}
	})
	t.Run("another pod's endpoint and a not-ready one time out, naming what was seen", func(t *testing.T) {
		other := endpointSlice("ns", "svc", "10.0.0.9", true)
		cs := newClientset(other, endpointSlice("ns", "other", "10.0.0.5", true))
		err := waitServiceEndpoint(ctx, &Target{c: cs}, "ns", "svc", "10.0.0.5", time.Second)
		if err == nil || !strings.Contains(err.Error(), "has no ready endpoint 10.0.0.5") || !strings.Contains(err.Error(), "10.0.0.9 (ready true)") {
			t.Errorf("err = %v", err)
		}
	})
}

func dualStack(n *v1.Node) { n.Spec.PodCIDRs = []string{"10.244.1.0/24", "fd00:10:244:1::/64"} }
func v4Only(n *v1.Node) {
	n.Spec.PodCIDR = "10.244.1.0/24"
	n.Spec.PodCIDRs = []string{"10.244.1.0/24"}
}

func TestIPv6Capable(t *testing.T) {
	var skip *endpoints.ErrSkip
	if err := ipv6Capable(newNode("a", "4", dualStack), newNode("b", "4", dualStack)); err != nil {
		t.Errorf("dual-stack nodes: %v", err)
	}
	if err := ipv6Capable(newNode("a", "4"), newNode("b", "4")); err != nil {
		t.Errorf("nodes without pod CIDRs (the CNI assigns): %v", err)
	}
	err := ipv6Capable(newNode("a", "4", dualStack), newNode("b", "4", v4Only))
	if !errors.As(err, &skip) || !strings.Contains(skip.Reason, "node b has only the pod CIDRs 10.244.1.0/24") || !strings.Contains(skip.Reason, "make kind-offline FAMILY=dual") {
		t.Errorf("an IPv4-only node: %v, want a skip naming it and the dual-stack config", err)
	}
}

func TestIPv6Of(t *testing.T) {
	pod := &v1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p"},
		Status: v1.PodStatus{PodIP: "10.244.1.5", PodIPs: []v1.PodIP{{IP: "10.244.1.5"}, {IP: "fd00:10:244:1::5"}}}}
	if a, err := ipv6Of(pod); err != nil || a != "fd00:10:244:1::5" {
		t.Errorf("dual-stack pod: %q, %v", a, err)
	}
	pod.Status.PodIPs = pod.Status.PodIPs[:1]
	var skip *endpoints.ErrSkip
	if _, err := ipv6Of(pod); !errors.As(err, &skip) || !strings.Contains(skip.Reason, "pod ns/p has only 10.244.1.5") {
		t.Errorf("IPv4-only pod: %v, want a skip naming its address", err)
	}
}

func TestIfaceOf(t *testing.T) {
	out := "1: lo    inet6 ::1/128 scope host \n2: eth0    inet6 fd00:10:244:1::5/64 scope global \n2: eth0    inet6 fe80::1/64 scope link"
	if got := ifaceOf(out, "fd00:10:244:1:0::5"); got != "eth0" {
		t.Errorf("ifaceOf = %q, want eth0 (the address compared as an address, not as text)", got)
	}
	if got := ifaceOf(out, "fd00::99"); got != "" {
		t.Errorf("an address no interface holds: %q", got)
	}
}

func TestPickPairs(t *testing.T) {
	ctx := context.Background()
	nodes := func(names ...string) *Target {
		var objs []*v1.Node
		for _, n := range names {
			objs = append(objs, newNode(n, "4"))
		}
		cs := newClientset()
		for _, n := range objs {
			_, _ = cs.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{})
		}
		return &Target{c: cs, client: objs[0], server: objs[1], logf: t.Logf}
	}
	names := func(ps []nodePair) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.client.Name+">"+p.server.Name)
		}
		return out
	}
	t.Run("disjoint when there are enough nodes, the run's pair first", func(t *testing.T) {
		tgt := nodes("w3", "w1", "w2", "w4", "w5", "w6", "w0")
		ps, why, err := pickPairs(ctx, tgt, 3)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"w3>w1", "w0>w2", "w4>w5"}; !slices.Equal(names(ps), want) {
			t.Errorf("pairs %v, want %v", names(ps), want)
		}
		if !strings.Contains(why, "disjoint") {
			t.Errorf("why = %q", why)
		}
	})
	t.Run("a ring when there are fewer", func(t *testing.T) {
		tgt := nodes("a", "b", "c", "d")
		ps, _, err := pickPairs(ctx, tgt, 4)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"a>b", "b>c", "c>d", "d>a"}; !slices.Equal(names(ps), want) {
			t.Errorf("pairs %v, want %v", names(ps), want)
		}
	})
	t.Run("unusable nodes left out, too few is a skip", func(t *testing.T) {
		tgt := nodes("a", "b", "c")
		_, _ = tgt.c.CoreV1().Nodes().Update(ctx, newNode("c", "4", func(n *v1.Node) { n.Spec.Unschedulable = true }), metav1.UpdateOptions{})
		_, _, err := pickPairs(ctx, tgt, 3)
		var skip *endpoints.ErrSkip
		if !errors.As(err, &skip) || !strings.Contains(skip.Reason, "--node-pairs=3 needs at least 3") || !strings.Contains(skip.Reason, "the cluster has 2") {
			t.Errorf("err = %v, want a skip", err)
		}
	})
	t.Run("Setup's node pair", func(t *testing.T) {
		tgt := nodes("a", "b", "c", "d")
		got, err := tgt.NodePairs(ctx, 2)
		if err != nil || !slices.Equal(got, [][2]string{{"a", "b"}, {"c", "d"}}) {
			t.Fatalf("NodePairs = %v, %v", got, err)
		}
		c, s, err := tgt.nodesOf(1)
		if err != nil || c.Name != "c" || s.Name != "d" {
			t.Errorf("nodesOf(1) = %v, %v, %v", c, s, err)
		}
		if _, _, err := tgt.nodesOf(2); err == nil {
			t.Error("nodesOf(2) of 2 pairs: no error")
		}
	})
}

// The same-node path puts three pods of one allowance on the client node
// (the reference client, the same-node client and server): each gets a third.
func TestCPUAllowanceSameNode(t *testing.T) {
	client, server := newNode("client", "6"), newNode("server", "8")
	tgt := &Target{c: newClientset(client, server), client: client, server: server}
	info := &endpoints.PairInfo{}
	got, err := tgt.cpuAllowanceOn(context.Background(), 4, client, client, 3, info)
	if err != nil {
		t.Fatal(err)
	}
	if got != 2000 || !slices.Equal(info.Notes, []string{"4 CPUs requested, 2000m granted: that is what fits three times in the nodes' allocatable CPU"}) {
		t.Errorf("allowance %dm, notes %q; want 2000m and a note", got, info.Notes)
	}
}

func TestPodNames(t *testing.T) {
	for _, tc := range []struct {
		req            endpoints.Request
		server, client string
	}{
		{endpoints.Request{Path: endpoints.PodPath}, "netserver-pod", "netperf-pod"},
		{endpoints.Request{Path: endpoints.SameNodePath}, "netserver-same-node", "netperf-same-node"},
		{endpoints.Request{Path: endpoints.NodePath, NodePair: 2}, "netserver-node-pair3", "netperf-node-pair3"},
	} {
		if s, c := podNames(tc.req); s != tc.server || c != tc.client {
			t.Errorf("podNames(%+v) = %s, %s", tc.req, s, c)
		}
	}
}
