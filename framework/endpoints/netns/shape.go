package netns

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
)

// Shape is an impairment the local target applies with tc when it builds the
// miniature, to inject a regression on purpose: on the pod path only (the
// client pod's veth) or on the wire between the nodes (both paths).
type Shape struct {
	Where string // "pod" or "wire"
	Rate  string // tc rate, e.g. 2gbit (token bucket); empty: no limit
	Delay string // netem delay, e.g. 200us; empty: none (needs sch_netem in the kernel)
	// Filters is a number of u32 filters that match nothing, put on the
	// interface's egress: every packet walks all of them, like a long chain of
	// rules in a datapath. It adds per-packet latency and CPU without netem
	// (about 0.01 µs per filter per packet here: 600 add 4-8 µs to a 30 µs TCP_RR).
	Filters int
	// Node is the node whose pod veth or wire is shaped: node-a (the run's
	// client) unless --node-pairs grew the miniature into a ring, where
	// node=node-c shapes what node-c's pod (pod:) or node-c itself (wire:)
	// sends as the client of its pair.
	Node string
}

// ParseShapes reads --local-tc: "pod:rate=2gbit", "wire:rate=1gbit,delay=1ms"
// or "pod:filters=150", several separated by ';'.
func ParseShapes(s string) ([]Shape, error) {
	var out []Shape
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		where, opts, ok := strings.Cut(part, ":")
		if !ok || (where != "pod" && where != "wire") {
			return nil, fmt.Errorf("--local-tc=%q: start with pod: or wire:, e.g. pod:rate=2gbit", part)
		}
		sh := Shape{Where: where}
		for _, kv := range strings.Split(opts, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
			switch {
			case k == "rate" && v != "":
				sh.Rate = v
			case k == "delay" && v != "":
				sh.Delay = v
			case k == "node":
				if !validNode(v) {
					return nil, fmt.Errorf("--local-tc=%q: node=%q: name a node of the local miniature, node-a to %s", part, v, ringNodeName(MaxNodePairs-1))
				}
				sh.Node = v
			case k == "filters":
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 || n > 100000 {
					return nil, fmt.Errorf("--local-tc=%q: filters=%q: use a count from 1 to 100000", part, v)
				}
				sh.Filters = n
			default:
				return nil, fmt.Errorf("--local-tc=%q: %q is not rate=<tc rate>, delay=<tc time>, filters=<count> or node=<node-a..>", part, kv)
			}
		}
		out = append(out, sh)
	}
	return out, nil
}

func (s Shape) String() string {
	var p []string
	if s.Rate != "" {
		p = append(p, "rate "+s.Rate)
	}
	if s.Delay != "" {
		p = append(p, "delay "+s.Delay)
	}
	if s.Filters > 0 {
		p = append(p, fmt.Sprintf("%d egress filters", s.Filters))
	}
	where := s.Where
	if s.Node != "" && s.Node != nodeA.node {
		where += " of " + s.Node
	}
	return where + ": " + strings.Join(p, ", ")
}

// validNode reports whether name is node-a, node-b, ... up to the largest ring.
func validNode(name string) bool {
	for i := range MaxNodePairs {
		if name == ringNodeName(i) {
			return true
		}
	}
	return false
}

// nodeIndex is the shaped node's place in the ring: 0 for node-a.
func (s Shape) nodeIndex() int {
	for i := range MaxNodePairs {
		if s.Node == ringNodeName(i) {
			return i
		}
	}
	return 0
}

// inRing reports whether the shape's device exists only in the ring that
// --node-pairs builds: a node after node-b, or node-b's wire to node-c.
func (s Shape) inRing() bool {
	n := s.nodeIndex()
	return n >= 2 || (n == 1 && s.Where == "wire")
}

// CheckShapes checks that every shaped device exists with --node-pairs=k.
func CheckShapes(shapes []Shape, k int) error {
	nodes := max(k, 3)
	for _, sh := range shapes {
		if !sh.inRing() {
			continue
		}
		// The fewest pairs that build it: a ring of 2 or 3 pairs has 3 nodes;
		// node i's wire is pair i+1's.
		n := sh.nodeIndex()
		need := max(n+1, 2)
		if sh.Where == "pod" && n < 3 {
			need = 2
		}
		switch {
		case k < 2:
			return fmt.Errorf("--local-tc: %s: the local miniature has node-a and node-b only (with --node-pairs=%d), and node-b's wire exists only in the ring: give --node-pairs=%d or more", sh, k, need)
		case n >= nodes || (sh.Where == "wire" && n >= k):
			return fmt.Errorf("--local-tc: %s: --node-pairs=%d builds %d nodes and %d wires (node-a's first): give --node-pairs=%d or more", sh, k, nodes, k, need)
		}
	}
	return nil
}

// device is the namespace and interface the shape goes on: the pod's veth,
// or the node's wire to the server of its pair.
func (s Shape) device() (ns, dev string) {
	n := s.nodeIndex()
	if s.Where == "wire" {
		return Prefix + ringNodeName(n), fmt.Sprintf("wire%d", n)
	}
	pod := ringPod(n)
	return pod.ns, pod.iface
}

// apply installs the shape on the interface it names: rate and delay as the
// root qdisc, filters on the clsact egress hook.
func (s Shape) apply(ctx context.Context) error {
	ns, dev := s.device()
	if s.Rate != "" || s.Delay != "" {
		args := []string{"-n", ns, "qdisc", "replace", "dev", dev, "root"}
		if s.Delay != "" {
			args = append(args, "netem", "delay", s.Delay)
			if s.Rate != "" {
				args = append(args, "rate", s.Rate)
			}
		} else {
			// A token bucket deep enough for 64 KB TSO bursts, so the cut is the rate alone.
			args = append(args, "tbf", "rate", s.Rate, "burst", "256kb", "latency", "50ms")
		}
		if out, err := execOut(ctx, "tc", args...); err != nil {
			// tc says so only in its output: its exit status is the same for any failure.
			if strings.Contains(out, "qdisc kind is unknown") {
				out += " (this kernel lacks the qdisc; filters=N adds latency without netem)"
			}
			return &toolError{cmd: "tc " + strings.Join(args, " "), out: out, err: err}
		}
	}
	if s.Filters > 0 {
		if out, err := execOut(ctx, "tc", "-n", ns, "qdisc", "replace", "dev", dev, "clsact"); err != nil {
			return &toolError{cmd: fmt.Sprintf("tc qdisc replace dev %s clsact in %s", dev, ns), out: out, err: err}
		}
		// Destinations in 198.19.0.0/16, which no test traffic uses, so none matches.
		var b strings.Builder
		for i := range s.Filters {
			fmt.Fprintf(&b, "filter add dev %s egress prio 1 protocol ip u32 match ip dst 198.19.%d.%d/32 flowid 1:1\n", dev, i/250, i%250+1)
		}
		cmd := exec.CommandContext(ctx, "tc", "-n", ns, "-batch", "-")
		cmd.Stdin = strings.NewReader(b.String())
		if out, err := cmd.CombinedOutput(); err != nil {
			return &toolError{cmd: fmt.Sprintf("tc -batch (%d filters on %s in %s)", s.Filters, dev, ns), out: strings.TrimSpace(string(out)), err: err}
		}
	}
	return nil
}

// errNotBuilt is Impair called before Setup built the miniature.
var errNotBuilt = errors.New("local target: impair before Setup built the namespaces")

// Impair replaces the impairments of a built miniature with shapes (none:
// back to healthy), so that healthy and impaired runs can alternate on one
// target. Setup must have built the miniature.
func (t *Target) Impair(ctx context.Context, shapes []Shape) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.up {
		return errNotBuilt
	}
	for _, sh := range append(slices.Clone(t.shapes), Shape{Where: "pod"}, Shape{Where: "wire"}) {
		// Deleting a qdisc that is not there fails harmlessly.
		ns, dev := sh.device()
		_, _ = execOut(ctx, "tc", "-n", ns, "qdisc", "del", "dev", dev, "root")
		_, _ = execOut(ctx, "tc", "-n", ns, "qdisc", "del", "dev", dev, "clsact")
	}
	for _, sh := range shapes {
		if sh.inRing() {
			return fmt.Errorf("local target: impair %s: only node-a and node-b stay built between specs", sh)
		}
		if err := sh.apply(ctx); err != nil {
			return err
		}
	}
	t.shapes = shapes
	return nil
}
