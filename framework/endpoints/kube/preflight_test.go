package kube

// The fake clientset stands in for clusters this machine cannot have (64
// free CPUs, zones, a node without the image, a CNI DaemonSet); the read-only
// preflight against the offline kind cluster is run by the suite with
// --preflight-only (docs/preflight.md).

import (
	"context"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"podperf/framework/endpoints"
	"podperf/framework/preflight"
)

func inZone(z string) func(*v1.Node) { return func(n *v1.Node) { n.Labels[v1.LabelTopologyZone] = z } }

func withImages(names ...[]string) func(*v1.Node) {
	return func(n *v1.Node) {
		for _, ns := range names {
			n.Status.Images = append(n.Status.Images, v1.ContainerImage{Names: ns})
		}
	}
}

func checksOf(t *testing.T, objs ...runtime.Object) map[string]preflight.Check {
	t.Helper()
	return checksWith(t, Options{Image: "localhost/podperf/netperf:v1"}, objs...)
}

func checksWith(t *testing.T, opts Options, objs ...runtime.Object) map[string]preflight.Check {
	t.Helper()
	ctx := context.Background()
	p := NewPreflight(ctx, newClientset(objs...), opts)
	out := map[string]preflight.Check{}
	for _, c := range preflight.Run(ctx, p, preflight.Options{CPUs: 32}) {
		out[c.Name] = c
	}
	return out
}

func expect(t *testing.T, checks map[string]preflight.Check, name string, status preflight.Status, observed string) {
	t.Helper()
	c := checks[name]
	if c.Status != status || !strings.Contains(c.Observed, observed) {
		t.Errorf("%s: %s %q, want %s with %q", name, c.Status, c.Observed, status, observed)
	}
}

func TestPreflightGoodCluster(t *testing.T) {
	img := withImages([]string{"docker.io/library/import@sha256:d943", "localhost/podperf/netperf:v1"}, []string{"registry.k8s.io/pause:3.10.2"})
	cilium := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "cilium"}}
	checks := checksOf(t, newNode("w1", "72", inZone("z1"), img), newNode("w2", "72", inZone("z1"), img), newNode("cp", "4", controlPlane), cilium,
		newPod("kube-system", "agent", "w1", v1.PodRunning, nil, "4"))
	expect(t, checks, preflight.Nodes, preflight.OK, "3 usable; client w1, server w2")
	// w1: 72000m - 4000m = 68000m free, two pods: 32 CPUs fit.
	expect(t, checks, preflight.CPU, preflight.OK, "32 CPUs requested per pod, 32 granted: w1 68000m free of 72000m allocatable, w2 72000m free")
	expect(t, checks, preflight.Zones, preflight.OK, "both in zone z1")
	expect(t, checks, preflight.CNI, preflight.OK, "cilium")
	expect(t, checks, preflight.Image, preflight.OK, "present on w1 and w2")
	expect(t, checks, preflight.MTU, preflight.Skip, "needs the test pods")
	for _, name := range []string{preflight.Governor, preflight.IRQBalance, preflight.Offloads} {
		expect(t, checks, name, preflight.Skip, "privileged pod")
	}
}

func TestPreflightSkewedCluster(t *testing.T) {
	full := make([][]string, maxNodeImages)
	for i := range full {
		full[i] = []string{"registry.example/other:" + string(rune('a'+i%26))}
	}
	checks := checksOf(t,
		newNode("w1", "8", inZone("z1"), withImages([]string{"localhost/podperf/netperf:v0"})),
		newNode("w2", "8", inZone("z2"), withImages(full...)))
	expect(t, checks, preflight.CPU, preflight.Warn, "32 CPUs requested per pod, 4 granted: w1 8000m free of 8000m allocatable")
	expect(t, checks, preflight.Zones, preflight.Warn, "client w1 in zone z1, server w2 in zone z2")
	expect(t, checks, preflight.CNI, preflight.Warn, "not detected: unknown (no known CNI DaemonSet in kube-system)")
	expect(t, checks, preflight.Image, preflight.Warn, "localhost/podperf/netperf:v1 not among the images w1 and w2 report (w2 lists the most images")
}

func TestPreflightNoCPU(t *testing.T) {
	checks := checksOf(t, newNode("w1", "2", withImages()), newNode("w2", "2"),
		newPod("busy", "hog", "w2", v1.PodRunning, nil, "1950m"))
	expect(t, checks, preflight.CPU, preflight.Fail, "none can be granted: w1 2000m free of 2000m allocatable, w2 50m free of 2000m allocatable; the nodes have 50m CPU free")
	expect(t, checks, preflight.Zones, preflight.Skip, "neither w1 nor w2 has a topology.kubernetes.io/zone label")
}

func TestPreflightOneNode(t *testing.T) {
	checks := checksOf(t, newNode("w1", "8"), newNode("w2", "8", cordoned))
	expect(t, checks, preflight.Nodes, preflight.Fail, "1 usable: cross-node benchmark needs two Ready, schedulable nodes; the cluster has 1; not usable: w2 (unschedulable)")
	for _, name := range []string{preflight.CPU, preflight.Zones, preflight.CNI, preflight.Image} {
		expect(t, checks, name, preflight.Skip, "no node pair")
	}
}

func TestPreflightNamedNodeMissing(t *testing.T) {
	checks := checksWith(t, Options{Image: "x", Nodes: NodeChoice{Client: "w1", Server: "nope"}}, newNode("w1", "8"), newNode("w2", "8"))
	expect(t, checks, preflight.Nodes, preflight.Fail, `2 usable: --server-node="nope": no such node`)
}

// Image names are compared in their normalized form, and a digest only
// matches a digest.
func TestNodeHasImage(t *testing.T) {
	n := newNode("w1", "8", withImages([]string{"docker.io/library/busybox:1.36", "docker.io/library/busybox@sha256:" + strings.Repeat("a", 64)},
		[]string{"quay.io/cilium/cilium:v1.20.2"}))
	for image, want := range map[string]bool{
		"busybox:1.36": true, "docker.io/busybox:1.36": true, "busybox": false, "busybox:1.37": false,
		"busybox@sha256:" + strings.Repeat("a", 64): true, "busybox@sha256:" + strings.Repeat("b", 64): false,
		"quay.io/cilium/cilium:v1.20.2": true, "cilium/cilium:v1.20.2": false,
	} {
		p := &Preflight{opts: Options{Image: image}, client: n, server: n}
		f, err := p.Image(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", image, err)
		}
		if got := len(f.Missing) == 0; got != want {
			t.Errorf("%s present = %v, want %v", image, got, want)
		}
	}
	p := &Preflight{opts: Options{Image: "Bad Name"}, client: n, server: n}
	if _, err := p.Image(context.Background()); err == nil || !strings.Contains(err.Error(), `--image="Bad Name"`) {
		t.Errorf("bad --image: %v", err)
	}
}

func TestPathMTUCheck(t *testing.T) {
	if _, ok := PathMTUCheck(endpoints.Environment{Details: map[string]string{"podPathMTU": "1450"}}); ok {
		t.Error("judged without the node path's MTU")
	}
	c, ok := PathMTUCheck(endpoints.Environment{Details: map[string]string{"podPathMTU": "1450", "nodePathMTU": "1500"}})
	if !ok || c.Name != preflight.MTU || c.Status != preflight.Warn || c.Observed != "pod 1450 (client pod); node 1500 (client node)" {
		t.Errorf("PathMTUCheck = %+v, %v", c, ok)
	}
}
