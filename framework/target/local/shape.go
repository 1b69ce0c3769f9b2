package local

import (
	"context"
	"fmt"
	"strings"
)

// Shape is an impairment the local target applies with tc when it builds the
// miniature, to inject a regression on purpose: on the pod path only (the
// client pod's veth) or on the wire between the nodes (both paths).
type Shape struct {
	Where string // "pod" or "wire"
	Rate  string // tc rate, e.g. 2gbit (token bucket); empty: no limit
	Delay string // netem delay, e.g. 200us; empty: none
}

// ParseShapes reads --local-tc: "pod:rate=2gbit" or "wire:rate=1gbit,delay=1ms",
// several separated by ';'.
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
			default:
				return nil, fmt.Errorf("--local-tc=%q: %q is not rate=<tc rate> or delay=<tc time>", part, kv)
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
	return s.Where + ": " + strings.Join(p, ", ")
}

// apply installs the shape as the root qdisc of the interface it names.
func (s Shape) apply(ctx context.Context) error {
	ns, dev := podA.ns, podA.iface
	if s.Where == "wire" {
		ns, dev = nodeA.ns, nodeA.iface
	}
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
		return fmt.Errorf("tc %s: %s", strings.Join(args, " "), out)
	}
	return nil
}
