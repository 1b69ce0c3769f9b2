package netns

import (
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"podperf/framework/preflight"
)

// The preflight on the real miniature: it builds the namespaces, reads
// their veths, and sees an MTU and an offload changed on purpose.
func TestPreflight(t *testing.T) {
	tgt := testTarget(t)
	ctx := context.Background()
	t.Cleanup(func() {
		if err := tgt.Teardown(ctx); err != nil {
			t.Error(err)
		}
		out, err := exec.Command("ip", "netns", "list").Output()
		if err != nil || strings.Contains(string(out), Prefix+"node-") || strings.Contains(string(out), Prefix+"pod-") {
			t.Errorf("after Teardown: ip netns list = %q, %v", out, err)
		}
	})
	checks := func() map[string]preflight.Check {
		out := map[string]preflight.Check{}
		for _, c := range preflight.Run(ctx, tgt.Preflight(), preflight.Options{CPUs: 32}) {
			out[c.Name] = c
		}
		return out
	}
	expect := func(got map[string]preflight.Check, name string, status preflight.Status, observed string) {
		t.Helper()
		if c := got[name]; c.Status != status || !strings.Contains(c.Observed, observed) {
			t.Errorf("%s: %s %q, want %s with %q", name, c.Status, c.Observed, status, observed)
		}
	}
	got := checks()
	expect(got, preflight.Nodes, preflight.OK, "2 usable; client node-a, server node-b")
	expect(got, preflight.MTU, preflight.OK, "pod 1500 (node-a lxc-pod-a, node-b lxc-pod-b, pod-a eth0, pod-b eth0); node 1500 (node-a wire0, node-b wire0)")
	if n := runtime.NumCPU(); n >= 32 {
		expect(got, preflight.CPU, preflight.OK, fmt.Sprintf("32 CPUs requested per pod, 32 granted: this machine has %d CPUs", n))
	} else {
		expect(got, preflight.CPU, preflight.Warn, fmt.Sprintf("32 CPUs requested per pod, %d granted: this machine has %d CPUs; client and server share CPUs", n, n))
	}
	expect(got, preflight.Zones, preflight.Skip, localNoZones)
	expect(got, preflight.CNI, preflight.Skip, localNoCNI)
	expect(got, preflight.Image, preflight.Skip, localNoImage)
	if got[preflight.Governor].Status == preflight.OK || got[preflight.Governor].Status == preflight.Fail {
		// ok only where every CPU runs the performance governor, which a
		// shared test machine rarely does; never fail.
		if !strings.Contains(got[preflight.Governor].Observed, "performance on") {
			t.Errorf("governor: %+v", got[preflight.Governor])
		}
	}
	if _, err := exec.LookPath("ethtool"); err != nil {
		expect(got, preflight.Offloads, preflight.Skip, "ethtool is not on PATH")
		return
	}
	expect(got, preflight.Offloads, preflight.OK, "on for pod-a eth0, pod-b eth0, node-a lxc-pod-a, node-b lxc-pod-b, node-a wire0, node-b wire0")

	// What the checks exist for: a smaller pod MTU and segmentation off.
	if err := ip(ctx, "-n", podA.ns, "link", "set", "eth0", "mtu", "1450"); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("nsenter", "--net=/run/netns/"+podA.ns, "ethtool", "-K", "eth0", "tso", "off").CombinedOutput(); err != nil {
		t.Fatalf("ethtool -K eth0 tso off: %v: %s", err, out)
	}
	got = checks()
	expect(got, preflight.MTU, preflight.Warn, "pod 1450 (pod-a eth0), 1500 (node-a lxc-pod-a, node-b lxc-pod-b, pod-b eth0); node 1500")
	expect(got, preflight.Offloads, preflight.Warn, "off on pod-a eth0: tcp-segmentation-offload off")
}
