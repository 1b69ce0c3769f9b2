package netns

import (
	"context"
	"fmt"
	"strings"
)

// build creates the four namespaces, the veths, addresses and routes.
func (t *Target) build(ctx context.Context) error {
	if removed, err := t.Sweep(ctx); err != nil {
		return err
	} else if len(removed) > 0 {
		t.log("removed namespaces left by an earlier run: %s", strings.Join(removed, " "))
	}
	steps := [][]string{}
	for _, h := range []host{nodeA, nodeB, podA, podB} {
		steps = append(steps, []string{"netns", "add", h.ns}, []string{"-n", h.ns, "link", "set", "lo", "up"})
	}
	// The wire between the nodes, and each pod's veth to its node. Links are made
	// directly inside their namespaces so nothing ever appears in the root one.
	steps = append(steps,
		[]string{"link", "add", "wire0", "netns", nodeA.ns, "mtu", fmt.Sprint(mtu), "type", "veth", "peer", "name", "wire0", "netns", nodeB.ns},
		[]string{"link", "add", "eth0", "netns", podA.ns, "mtu", fmt.Sprint(mtu), "type", "veth", "peer", "name", "lxc-pod-a", "netns", nodeA.ns},
		[]string{"link", "add", "eth0", "netns", podB.ns, "mtu", fmt.Sprint(mtu), "type", "veth", "peer", "name", "lxc-pod-b", "netns", nodeB.ns},
		[]string{"-n", nodeA.ns, "addr", "add", nodeA.addr + "/30", "dev", "wire0"},
		[]string{"-n", nodeB.ns, "addr", "add", nodeB.addr + "/30", "dev", "wire0"},
		[]string{"-n", nodeA.ns, "addr", "add", "198.18.240.1/24", "dev", "lxc-pod-a"},
		[]string{"-n", nodeB.ns, "addr", "add", "198.18.241.1/24", "dev", "lxc-pod-b"},
		[]string{"-n", podA.ns, "addr", "add", podA.addr + "/24", "dev", "eth0"},
		[]string{"-n", podB.ns, "addr", "add", podB.addr + "/24", "dev", "eth0"},
	)
	for _, l := range [][2]string{{nodeA.ns, "wire0"}, {nodeB.ns, "wire0"}, {nodeA.ns, "lxc-pod-a"}, {nodeB.ns, "lxc-pod-b"}, {podA.ns, "eth0"}, {podB.ns, "eth0"}} {
		steps = append(steps, []string{"-n", l[0], "link", "set", l[1], "up"})
	}
	steps = append(steps,
		[]string{"-n", podA.ns, "route", "add", "default", "via", "198.18.240.1"},
		[]string{"-n", podB.ns, "route", "add", "default", "via", "198.18.241.1"},
		// Native routing: each node routes the other node's pod CIDR over the wire.
		[]string{"-n", nodeA.ns, "route", "add", "198.18.241.0/24", "via", nodeB.addr},
		[]string{"-n", nodeB.ns, "route", "add", "198.18.240.0/24", "via", nodeA.addr},
	)
	for _, s := range steps {
		if err := ip(ctx, s...); err != nil {
			return err
		}
	}
	for _, h := range []host{nodeA, nodeB} {
		if err := forward(ctx, h.ns); err != nil {
			return err
		}
	}
	// Shapes on the ring's devices come with the ring (nodepairs.go).
	return t.applyShapes(ctx, func(sh Shape) bool { return !sh.inRing() })
}

// forward turns on IPv4 forwarding in the node namespace ns.
func forward(ctx context.Context, ns string) error {
	if err := nsExec(ctx, ns, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward"); err != nil {
		return fmt.Errorf("enable forwarding in %s: %w", ns, err)
	}
	return nil
}

// applyShapes applies the impairments of --local-tc that want selects, and
// logs each.
func (t *Target) applyShapes(ctx context.Context, want func(Shape) bool) error {
	for _, sh := range t.shapes {
		if !want(sh) {
			continue
		}
		if err := sh.apply(ctx); err != nil {
			return err
		}
		t.log("impairment applied on purpose (--local-tc): %s", sh)
	}
	return nil
}

// podSteps are the ip commands that put pod behind the node namespace
// nodeNS, as a CNI does: the pod's namespace, a veth (lxc-<pod> on the
// node's side, holding the node's address gw), the pod's address on the same
// /24, and its default route via gw.
func podSteps(nodeNS string, pod host, gw string) [][]string {
	veth := "lxc-" + strings.TrimPrefix(pod.ns, Prefix)
	return [][]string{
		{"netns", "add", pod.ns},
		{"-n", pod.ns, "link", "set", "lo", "up"},
		{"link", "add", pod.iface, "netns", pod.ns, "mtu", fmt.Sprint(mtu), "type", "veth", "peer", "name", veth, "netns", nodeNS},
		{"-n", nodeNS, "addr", "add", gw + "/24", "dev", veth},
		{"-n", pod.ns, "addr", "add", pod.addr + "/24", "dev", pod.iface},
		{"-n", nodeNS, "link", "set", veth, "up"},
		{"-n", pod.ns, "link", "set", pod.iface, "up"},
		{"-n", pod.ns, "route", "add", "default", "via", gw},
	}
}
