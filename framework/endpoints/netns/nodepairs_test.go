package netns

import (
	"net/netip"
	"strings"
	"testing"
)

// The ring's layout: every pair's two ends on one wire of its own, the pods
// and wires in 198.18.0.0/15 and apart from the plain miniature's and the
// same-node pod's subnets, and the plain miniature as pair 1. Building it is
// exercised by faults.TestSlowNode.
func TestRingLayout(t *testing.T) {
	bench := netip.MustParsePrefix("198.18.0.0/15")
	for _, k := range []int{2, 3, 5, MaxNodePairs} {
		n := max(k, 3)
		seen := map[string]string{}
		claim := func(addr, what string) {
			a := netip.MustParseAddr(addr)
			if !bench.Contains(a) {
				t.Errorf("k=%d: %s %s outside 198.18.0.0/15", k, what, addr)
			}
			if prev, ok := seen[addr]; ok {
				t.Errorf("k=%d: %s and %s share %s", k, prev, what, addr)
			}
			seen[addr] = what
		}
		claim(podA2.addr, "the same-node pod")
		for i := range n {
			claim(ringPod(i).addr, ringPod(i).ns)
			gw, subnet := ringGateway(i)
			if !netip.MustParsePrefix(subnet).Contains(netip.MustParseAddr(ringPod(i).addr)) || !netip.MustParsePrefix(subnet).Contains(netip.MustParseAddr(gw)) {
				t.Errorf("k=%d: node %d: pod %s and gateway %s not both in %s", k, i, ringPod(i).addr, gw, subnet)
			}
			if ringPod(i).node != ringNodeName(i) {
				t.Errorf("k=%d: pod %d belongs to %s, want %s", k, i, ringPod(i).node, ringNodeName(i))
			}
		}
		for i := range k {
			c, s := ringLink(i, n)
			claim(c.addr, "client end of wire "+c.iface)
			claim(s.addr, "server end of wire "+s.iface)
			if c.iface != s.iface || c.node != ringNodeName(i) || s.node != ringNodeName((i+1)%n) {
				t.Errorf("k=%d: pair %d: %s %s -> %s %s", k, i+1, c.node, c.iface, s.node, s.iface)
			}
			if !netip.MustParsePrefix(c.addr + "/30").Masked().Contains(netip.MustParseAddr(s.addr)) {
				t.Errorf("k=%d: pair %d: %s and %s are not on one /30", k, i+1, c.addr, s.addr)
			}
		}
	}
	if c, s := ringLink(0, 3); c != nodeA || s != nodeB {
		t.Errorf("pair 1 is %v -> %v, want the plain miniature's nodes", c, s)
	}
	if ringPod(0) != podA || ringPod(1) != podB {
		t.Errorf("the ring's first pods are not the plain miniature's")
	}
}

func TestShapesOnRingNodes(t *testing.T) {
	tests := []struct {
		spec    string
		k       int
		ns, dev string
		err     string
	}{
		{"pod:rate=1gbit", 1, Prefix + "pod-a", "eth0", ""},
		{"wire:rate=1gbit", 1, Prefix + "node-a", "wire0", ""},
		{"pod:rate=1gbit,node=node-b", 1, Prefix + "pod-b", "eth0", ""},
		{"wire:rate=1gbit,node=node-b", 1, "", "", "give --node-pairs=2 or more"},
		{"pod:rate=1gbit,node=node-c", 1, "", "", "give --node-pairs=2 or more"},
		{"wire:rate=1gbit,node=node-c", 1, "", "", "give --node-pairs=3 or more"},
		{"wire:rate=1gbit,node=node-b", 2, Prefix + "node-b", "wire1", ""},
		{"pod:rate=1gbit,node=node-c", 3, Prefix + "pod-c", "eth0", ""},
		{"pod:rate=1gbit,node=node-c", 2, Prefix + "pod-c", "eth0", ""}, // a ring of 2 pairs has 3 nodes
		{"wire:rate=1gbit,node=node-c", 2, "", "", "builds 3 nodes and 2 wires (node-a's first): give --node-pairs=3 or more"},
		{"pod:rate=1gbit,node=node-e", 3, "", "", "give --node-pairs=5 or more"},
		{"pod:rate=1gbit,node=node-z", 3, "", "", "node-a to node-p"},
		{"pod:rate=1gbit,node=", 3, "", "", "node-a to node-p"},
	}
	for _, tc := range tests {
		shapes, err := ParseShapes(tc.spec)
		if err == nil {
			err = CheckShapes(shapes, tc.k)
		}
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s with --node-pairs=%d: error %v, want one saying %q", tc.spec, tc.k, err, tc.err)
			}
		case err != nil:
			t.Errorf("%s with --node-pairs=%d: %v", tc.spec, tc.k, err)
		default:
			if ns, dev := shapes[0].device(); ns != tc.ns || dev != tc.dev {
				t.Errorf("%s: shapes %s %s, want %s %s", tc.spec, ns, dev, tc.ns, tc.dev)
			}
		}
	}
}
