package netns

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"podperf/framework/endpoints"
)

// MaxNodePairs bounds --node-pairs on the local target: the ring's pod
// subnets (198.18.202-215.0/24) and links (198.18.251.0/24) are numbered for
// sixteen nodes.
const MaxNodePairs = 16

// The ring (--node-pairs=K) grows the miniature to max(K, 3) nodes, each with
// one pod, joined in a ring: pair i is node i's pod (client) and node i+1's
// (server), over a wire of their own, as kube.Target.NodePairs picks a ring on
// a cluster with fewer than 2K nodes. Nodes 0 and 1 are node-a and node-b,
// and pair 0 is the run's pair, so the plain miniature is the ring's first
// link. Every node pair of the ring shares this one machine's kernel and CPUs:
// the pairs differ by noise alone unless an impairment (--local-tc with
// node=) singles one out, which is what the local run is for: seeing the
// outlier statistic name the node it should. The extra namespaces are built
// when a pair of the ring is set up and removed when the last one closes.
type ring struct {
	// mu is the ring's own: a pair closed by Teardown, under the target's
	// lock, releases the ring.
	mu           sync.Mutex
	nodes, pairs int
	users        int // open pairs on the ring's extra nodes: built while above 0
}

// ringNodeName is node i's name: node-a, node-b, ...
func ringNodeName(i int) string { return fmt.Sprintf("node-%c", 'a'+i) }

// ringPod is node i's pod.
func ringPod(i int) host {
	switch i {
	case 0:
		return podA
	case 1:
		return podB
	}
	name := fmt.Sprintf("pod-%c", 'a'+i)
	return host{ns: Prefix + name, node: ringNodeName(i), iface: "eth0", addr: fmt.Sprintf("198.18.%d.10", 200+i)}
}

// ringGateway is node i's address toward its pod, and the pod's /24.
func ringGateway(i int) (addr, subnet string) {
	third := 200 + i
	if i < 2 {
		third = 240 + i
	}
	return fmt.Sprintf("198.18.%d.1", third), fmt.Sprintf("198.18.%d.0/24", third)
}

// ringLink is the wire of pair i: its client end in node i and its server end
// in node (i+1) mod n, with the interface name both ends use. Link 0 is the
// plain miniature's wire.
func ringLink(i, n int) (client, server host) {
	if i == 0 {
		return nodeA, nodeB
	}
	j := (i + 1) % n
	dev := fmt.Sprintf("wire%d", i)
	client = host{ns: Prefix + ringNodeName(i), node: ringNodeName(i), iface: dev, addr: fmt.Sprintf("198.18.251.%d", 4*i+1)}
	server = host{ns: Prefix + ringNodeName(j), node: ringNodeName(j), iface: dev, addr: fmt.Sprintf("198.18.251.%d", 4*i+2)}
	return client, server
}

// NodePairs lays out k node pairs (--node-pairs) and returns their node
// names, client then server; the first is the run's pair. The extra nodes are
// built when a pair on them is set up.
func (t *Target) NodePairs(ctx context.Context, k int) ([][2]string, error) {
	if k < 1 || k > MaxNodePairs {
		return nil, fmt.Errorf("--node-pairs=%d: the local target builds 1 to %d node pairs", k, MaxNodePairs)
	}
	r := &t.ring
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.users > 0 {
		return nil, fmt.Errorf("local target: --node-pairs laid out again while %d pairs of the last layout are open: close them first", r.users)
	}
	r.nodes, r.pairs = max(k, 3), k
	if k == 1 {
		r.nodes = 2
	}
	out := make([][2]string, k)
	for i := range k {
		c, s := ringLink(i, r.nodes)
		out[i] = [2]string{c.node, s.node}
	}
	t.log("%d node pairs: a ring over %d node namespaces (each node the client of one pair and the server of the next), the run's pair first", k, r.nodes)
	return out, nil
}

// ringPair returns the client and server of pair i of the ring on path,
// building the ring's extra nodes first, and what releases them.
func (t *Target) ringPair(ctx context.Context, i int, pod bool) (client, server host, release func(context.Context) error, err error) {
	r := &t.ring
	r.mu.Lock()
	defer r.mu.Unlock()
	if i < 0 || i >= r.pairs {
		return host{}, host{}, nil, fmt.Errorf("local target: node pair %d of %d: call NodePairs first", i+1, r.pairs)
	}
	if r.users == 0 {
		if err := t.buildRing(ctx); err != nil {
			return host{}, host{}, nil, errors.Join(err, t.removeRing(ctx))
		}
	}
	r.users++
	release = func(ctx context.Context) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.users--; r.users > 0 {
			return nil
		}
		return t.removeRing(ctx)
	}
	client, server = ringLink(i, r.nodes)
	if pod {
		client, server = ringPod(i), ringPod((i+1)%r.nodes)
	}
	return client, server, release, nil
}

// buildRing adds nodes 2.. with their pods, the wires of pairs 1..pairs-1 and
// the routes of each pair's pod subnets over its wire.
func (t *Target) buildRing(ctx context.Context) error {
	r := &t.ring
	if err := t.removeRing(ctx); err != nil { // left by a pair that was not closed
		return err
	}
	var steps [][]string
	for i := 2; i < r.nodes; i++ {
		node := Prefix + ringNodeName(i)
		gw, _ := ringGateway(i)
		steps = append(steps, []string{"netns", "add", node}, []string{"-n", node, "link", "set", "lo", "up"})
		steps = append(steps, podSteps(node, ringPod(i), gw)...)
	}
	for i := 1; i < r.pairs; i++ {
		c, s := ringLink(i, r.nodes)
		_, cNet := ringGateway(i)
		_, sNet := ringGateway((i + 1) % r.nodes)
		steps = append(steps,
			[]string{"link", "add", c.iface, "netns", c.ns, "mtu", fmt.Sprint(mtu), "type", "veth", "peer", "name", s.iface, "netns", s.ns},
			[]string{"-n", c.ns, "addr", "add", c.addr + "/30", "dev", c.iface},
			[]string{"-n", s.ns, "addr", "add", s.addr + "/30", "dev", s.iface},
			[]string{"-n", c.ns, "link", "set", c.iface, "up"},
			[]string{"-n", s.ns, "link", "set", s.iface, "up"},
			[]string{"-n", c.ns, "route", "add", sNet, "via", s.addr},
			[]string{"-n", s.ns, "route", "add", cNet, "via", c.addr},
		)
	}
	for _, s := range steps {
		if err := ip(ctx, s...); err != nil {
			return fmt.Errorf("build the node-pairs ring: %w", err)
		}
	}
	for i := 2; i < r.nodes; i++ {
		if err := forward(ctx, Prefix+ringNodeName(i)); err != nil {
			return err
		}
	}
	return t.applyShapes(ctx, func(sh Shape) bool {
		n := sh.nodeIndex()
		return sh.inRing() && n < r.nodes && (sh.Where != "wire" || n < r.pairs)
	})
}

// removeRing deletes the ring's extra namespaces. Every extra wire has an end
// in one of them, so the wires, and the routes over them in node-a and
// node-b, go with them.
func (t *Target) removeRing(ctx context.Context) error {
	extra := map[string]bool{}
	for i := 2; i < MaxNodePairs; i++ {
		extra[Prefix+ringNodeName(i)], extra[ringPod(i).ns] = true, true
	}
	if _, err := removeNamespaces(ctx, func(name string) bool { return extra[name] }); err != nil {
		return fmt.Errorf("remove the node-pairs ring: %w", err)
	}
	return nil
}

var _ endpoints.NodePairer = (*Target)(nil)
