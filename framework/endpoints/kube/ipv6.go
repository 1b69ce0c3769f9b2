package kube

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	v1 "k8s.io/api/core/v1"

	"podperf/framework/endpoints"
)

// ipv6Skip says what a cluster without IPv6 pods needs.
const ipv6Skip = "use a dual-stack or IPv6 cluster (offline kind: make kind-offline FAMILY=dual; kind with a registry: kind-config/kind-dual-stack.yaml)"

// ipv6Capable says, from the nodes' pod CIDRs, whether pods on client and
// server get IPv6 addresses: an ErrSkip when a node has pod CIDRs and none is
// IPv6. Nodes without pod CIDRs (a CNI with its own address management) are
// given the benefit of the doubt; the pods' addresses decide then.
func ipv6Capable(client, server *v1.Node) error {
	for _, n := range []*v1.Node{client, server} {
		cidrs := n.Spec.PodCIDRs
		if len(cidrs) == 0 && n.Spec.PodCIDR != "" {
			cidrs = []string{n.Spec.PodCIDR}
		}
		if len(cidrs) == 0 {
			continue
		}
		v6 := false
		for _, c := range cidrs {
			if p, err := netip.ParsePrefix(c); err == nil && p.Addr().Is6() && !p.Addr().Is4In6() {
				v6 = true
			}
		}
		if !v6 {
			return &endpoints.ErrSkip{Reason: fmt.Sprintf("the IPv6 path needs IPv6 pod addresses, but node %s has only the pod CIDRs %s: %s", n.Name, strings.Join(cidrs, ", "), ipv6Skip)}
		}
	}
	return nil
}

// ipv6Of is the pod's IPv6 address, or an ErrSkip when it has none.
func ipv6Of(pod *v1.Pod) (string, error) {
	var have []string
	for _, a := range pod.Status.PodIPs {
		if ip, err := netip.ParseAddr(a.IP); err == nil && ip.Is6() && !ip.Is4In6() {
			return ip.String(), nil
		}
		have = append(have, a.IP)
	}
	if len(have) == 0 && pod.Status.PodIP != "" {
		have = []string{pod.Status.PodIP}
	}
	return "", &endpoints.ErrSkip{Reason: fmt.Sprintf("the IPv6 path needs IPv6 pod addresses, but pod %s/%s has only %s: %s", pod.Namespace, pod.Name, strings.Join(have, ", "), ipv6Skip)}
}

// readInterface6 is readInterface for a client whose address is IPv6.
func (p *pair) readInterface6(ctx context.Context) {
	out, err := p.exec(ctx, "ip", "-o", "-6", "addr", "show")
	if err != nil {
		p.info.Notes = append(p.info.Notes, fmt.Sprintf("could not list the client's interfaces: %v", err))
		return
	}
	p.info.ClientIface = ifaceOf(out, p.info.ClientAddress)
	if p.info.ClientIface == "" {
		return
	}
	if mtu, err := p.exec(ctx, "cat", "/sys/class/net/"+p.info.ClientIface+"/mtu"); err == nil {
		p.info.MTU, _ = strconv.Atoi(mtu)
	}
}

// ifaceOf finds the interface holding addr in "ip -o addr show" output.
func ifaceOf(ipAddrShow, addr string) string {
	want, err := netip.ParseAddr(addr)
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(ipAddrShow, "\n") {
		f := strings.Fields(l)
		if len(f) < 4 {
			continue
		}
		if p, err := netip.ParsePrefix(f[3]); err == nil && p.Addr() == want {
			return strings.TrimSuffix(f[1], ":")
		}
	}
	return ""
}
