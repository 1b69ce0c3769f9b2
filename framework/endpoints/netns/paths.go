package netns

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"podperf/framework/endpoints"
)

// The extended paths (docs/paths.md) are built when a pair asks for them and
// removed when it closes, so that the specs that follow measure the plain
// miniature: no third pod, no IPv6 addresses, no netfilter table (and so no
// connection tracking) on the nodes.
var (
	// podA2 is the same-node server: a second pod behind node-a.
	podA2 = host{ns: Prefix + "pod-a2", node: "node-a", iface: "eth0", addr: "198.18.242.10"}
	// serviceIP is the Service's virtual address: no interface holds it, the
	// client node's netfilter translates it to the server pod.
	serviceIP = "198.18.96.10"
)

// IPv6 addresses of the miniature, in the benchmarking range 2001:2::/48
// (RFC 5180): the same hosts with a second address family.
var ipv6Addr = map[string]string{
	nodeA.ns: "2001:2:0:250::1", nodeB.ns: "2001:2:0:250::2",
	podA.ns: "2001:2:0:240::10", podB.ns: "2001:2:0:241::10",
}

// serviceTable is the nftables table that holds the Service translation in
// the client node. One table of the suite's own, deleted whole when the pair
// closes: that also takes the nat hooks, and with them connection tracking,
// off the node again.
const serviceTable = "podperf-service"

// extended sets up the client and server of an extended path and returns
// what undoes it.
func (t *Target) extended(ctx context.Context, req endpoints.Request, info *endpoints.PairInfo) (client, server host, undo func(context.Context) error, err error) {
	switch req.Path {
	case endpoints.SameNodePath:
		undo, err = addSameNodePod(ctx)
		return podA, podA2, undo, err
	case endpoints.ServicePath:
		ports, err := servicePorts(req)
		if err != nil {
			return host{}, host{}, nil, err
		}
		undo, err = addService(ctx, ports)
		info.BackendAddress = podB.addr
		info.Notes = append(info.Notes, fmt.Sprintf("Service %s (TCP and UDP ports %s) translated to the server pod %s by %s's netfilter: nftables table %s, DNAT in prerouting, as kube-proxy's nftables mode does",
			serviceIP, ports, podB.addr, nodeA.node, serviceTable))
		return podA, host{ns: podB.ns, node: podB.node, iface: podB.iface, addr: serviceIP}, undo, err
	case endpoints.IPv6Path:
		undo, err = addIPv6(ctx)
		v6 := func(h host) host { h.addr = ipv6Addr[h.ns]; return h }
		return v6(podA), v6(podB), undo, err
	}
	return host{}, host{}, nil, fmt.Errorf("local target: unknown path %q (use %s, %s, %s, %s or %s)", req.Path,
		endpoints.PodPath, endpoints.NodePath, endpoints.ServicePath, endpoints.SameNodePath, endpoints.IPv6Path)
}

// servicePorts is the nftables set of the ports a Service forwards: netperf's
// control port and the data ports of every process (-- -P).
func servicePorts(req endpoints.Request) (string, error) {
	if req.ControlPort < 1 || req.DataPortBase < 1 || req.DataPorts < 1 || req.DataPortBase+req.DataPorts > 65536 {
		return "", fmt.Errorf("local target: a Service needs a control port and data ports, got control port %d, %d data ports from %d", req.ControlPort, req.DataPorts, req.DataPortBase)
	}
	data := fmt.Sprint(req.DataPortBase)
	if req.DataPorts > 1 {
		data = fmt.Sprintf("%d-%d", req.DataPortBase, req.DataPortBase+req.DataPorts-1)
	}
	return fmt.Sprintf("%d, %s", req.ControlPort, data), nil
}

// serviceRuleset is the nftables table that translates the Service address
// to the server pod for ports.
func serviceRuleset(ports string) string {
	return fmt.Sprintf(`table ip %s {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr %s meta l4proto { tcp, udp } th dport { %s } dnat to %s
	}
}
`, serviceTable, serviceIP, ports, podB.addr)
}

// addService installs the Service translation in the client node.
func addService(ctx context.Context, ports string) (func(context.Context) error, error) {
	if _, err := exec.LookPath("nft"); err != nil {
		return nil, &endpoints.ErrSkip{Reason: "the Service path of the local target needs nft on PATH (Debian package nftables): run scripts/install-deps.sh"}
	}
	undo := func(ctx context.Context) error {
		if err := nsExec(ctx, nodeA.ns, "nft", "delete", "table", "ip", serviceTable); err != nil && !missing(err) {
			return fmt.Errorf("remove the Service translation from %s: %w", nodeA.ns, err)
		}
		return nil
	}
	_ = undo(ctx) // a table left by a pair that was not closed
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", nodeA.ns, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(serviceRuleset(ports))
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, &toolError{cmd: "nft -f - (table ip " + serviceTable + " in " + nodeA.ns + ")", out: strings.TrimSpace(string(out)), err: err}
	}
	return undo, nil
}

// missing reports whether a removal failed because the thing was not there.
func missing(err error) bool {
	var te *toolError
	return errors.As(err, &te) && (strings.Contains(te.out, "No such file or directory") || strings.Contains(te.out, "Cannot find device") || strings.Contains(te.out, "does not exist"))
}

// addSameNodePod adds the same-node server pod behind node-a, on its own
// /24 as a CNI gives each pod its own route on the node.
func addSameNodePod(ctx context.Context) (func(context.Context) error, error) {
	undo := func(ctx context.Context) error {
		killNamespace(ctx, podA2.ns)
		// Deleting the namespace deletes its veth, and with it the peer in node-a.
		if err := ip(ctx, "netns", "delete", podA2.ns); err != nil && !missing(err) {
			return fmt.Errorf("remove the same-node pod: %w", err)
		}
		return nil
	}
	_ = undo(ctx)
	for _, s := range podSteps(nodeA.ns, podA2, "198.18.242.1") {
		if err := ip(ctx, s...); err != nil {
			return nil, errors.Join(err, undo(ctx))
		}
	}
	return undo, nil
}

// ipv6Links are the interfaces that get an IPv6 address, with the /64 each
// sits on.
var ipv6Links = []struct{ ns, dev, addr string }{
	{nodeA.ns, "wire0", "2001:2:0:250::1/64"}, {nodeB.ns, "wire0", "2001:2:0:250::2/64"},
	{nodeA.ns, "lxc-pod-a", "2001:2:0:240::1/64"}, {nodeB.ns, "lxc-pod-b", "2001:2:0:241::1/64"},
	{podA.ns, "eth0", "2001:2:0:240::10/64"}, {podB.ns, "eth0", "2001:2:0:241::10/64"},
}

// ipv6Routes are {namespace, destination, gateway}: the pods' default
// routes and the native routing of each node's pod /64 over the wire.
var ipv6Routes = [][3]string{
	{podA.ns, "default", "2001:2:0:240::1"},
	{podB.ns, "default", "2001:2:0:241::1"},
	{nodeA.ns, "2001:2:0:241::/64", "2001:2:0:250::2"},
	{nodeB.ns, "2001:2:0:240::/64", "2001:2:0:250::1"},
}

// addIPv6 gives the miniature a second address family: the same links and
// routes with addresses in 2001:2::/48. Duplicate address detection is off
// (nodad), as the addresses are unique by construction and would otherwise
// stay tentative for a second or two.
func addIPv6(ctx context.Context) (func(context.Context) error, error) {
	for _, ns := range []string{nodeA.ns, nodeB.ns, podA.ns, podB.ns} {
		if err := nsExec(ctx, ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=0", "net.ipv6.conf.default.disable_ipv6=0"); err != nil {
			return nil, &endpoints.ErrSkip{Reason: fmt.Sprintf("the IPv6 path needs IPv6 in network namespaces, which this kernel refuses: %v", err)}
		}
	}
	undo := func(ctx context.Context) error {
		var errs []error
		for _, r := range ipv6Routes {
			// Removed with the addresses where the kernel does so: not an error.
			_ = ip(ctx, "-n", r[0], "-6", "route", "del", r[1])
		}
		for _, l := range ipv6Links {
			if err := ip(ctx, "-n", l.ns, "-6", "addr", "del", l.addr, "dev", l.dev); err != nil && !missing(err) && !strings.Contains(err.Error(), "Cannot assign requested address") {
				errs = append(errs, err)
			}
		}
		for _, ns := range []string{nodeA.ns, nodeB.ns} {
			if err := nsExec(ctx, ns, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=0"); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
	_ = undo(ctx)
	var steps [][]string
	for _, l := range ipv6Links {
		steps = append(steps, []string{"-n", l.ns, "-6", "addr", "add", l.addr, "dev", l.dev, "nodad"})
	}
	for _, r := range ipv6Routes {
		steps = append(steps, []string{"-n", r[0], "-6", "route", "replace", r[1], "via", r[2]})
	}
	for _, s := range steps {
		if err := ip(ctx, s...); err != nil {
			return nil, errors.Join(err, undo(ctx))
		}
	}
	for _, ns := range []string{nodeA.ns, nodeB.ns} {
		if err := nsExec(ctx, ns, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"); err != nil {
			return nil, errors.Join(fmt.Errorf("enable IPv6 forwarding in %s: %w", ns, err), undo(ctx))
		}
	}
	return undo, nil
}
