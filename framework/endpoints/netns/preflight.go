package netns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"slices"
	"strings"

	"podperf/framework/endpoints"
	"podperf/framework/preflight"
)

// Preflight is what the local target offers the preflight checks: the
// machine's CPUs, governors and irqbalance, and the MTU and offloads of the
// miniature's veths, which it builds for the purpose (the specs reuse it;
// Teardown removes it).
func (t *Target) Preflight() preflight.Source { return &localProbe{t: t} }

type localProbe struct{ t *Target }

// The local target's answer for the checks of a cluster.
var (
	localNoCNI   = "the local target has no CNI: kernel routing over veth stands in for one (docs/targets.md)"
	localNoImage = "the local target runs netperf from this machine's PATH (its version is checked at start), not an image"
	localNoZones = "both nodes of the local target are namespaces on this machine"
)

func (p *localProbe) Target() string { return "local" }

func (p *localProbe) Nodes(context.Context) (preflight.NodeFacts, error) {
	return preflight.NodeFacts{Usable: 2, Client: nodeA.node, Server: nodeB.node, Detail: "two node namespaces on this machine"}, nil
}

// CPU is what cpuSets grants a test of want CPUs on this machine.
func (p *localProbe) CPU(_ context.Context, want int) (preflight.CPUFacts, error) {
	var info endpoints.PairInfo
	cpuSets(want, runtime.NumCPU(), &info)
	// The note of the grant itself would repeat what the check says.
	notes := slices.DeleteFunc(info.Notes, func(n string) bool { return strings.HasPrefix(n, fmt.Sprintf("%d CPUs requested", want)) })
	detail := strings.Join(append([]string{fmt.Sprintf("this machine has %d CPUs", runtime.NumCPU())}, notes...), "; ")
	return preflight.CPUFacts{Want: want, GrantedMilli: int64(info.CPUsGranted) * 1000, Detail: detail}, nil
}

func (p *localProbe) Zones(context.Context) (preflight.ZoneFacts, error) {
	return preflight.ZoneFacts{}, &preflight.SkipError{Reason: localNoZones}
}

func (p *localProbe) CNI(context.Context) (preflight.CNIFacts, error) {
	return preflight.CNIFacts{}, &preflight.SkipError{Reason: localNoCNI}
}

func (p *localProbe) Image(context.Context) (preflight.ImageFacts, error) {
	return preflight.ImageFacts{}, &preflight.SkipError{Reason: localNoImage}
}

func (p *localProbe) Governors(context.Context) (preflight.GovernorFacts, error) {
	cpus, err := preflight.ReadGovernors("/sys")
	return preflight.GovernorFacts{Where: "this machine", CPUs: cpus}, err
}

func (p *localProbe) IRQBalance(context.Context) (preflight.IRQBalanceFacts, error) {
	pids, err := preflight.FindProcesses("/proc", "irqbalance")
	return preflight.IRQBalanceFacts{Where: "this machine", PIDs: pids}, err
}

// link is an interface of the miniature that traffic crosses.
type link struct{ ns, iface string }

func (l link) String() string { return strings.TrimPrefix(l.ns, Prefix) + " " + l.iface }

// The veths of the pod path (pods' eth0 and their node-side peers) and the
// wire of the node path.
var (
	podLinks  = []link{{podA.ns, podA.iface}, {podB.ns, podB.iface}, {nodeA.ns, "lxc-pod-a"}, {nodeB.ns, "lxc-pod-b"}}
	nodeLinks = []link{{nodeA.ns, nodeA.iface}, {nodeB.ns, nodeB.iface}}
)

// MTU reads the MTU of every veth of the miniature.
func (p *localProbe) MTU(ctx context.Context) (preflight.MTUFacts, error) {
	if err := p.t.built(ctx); err != nil {
		return preflight.MTUFacts{}, err
	}
	f := preflight.MTUFacts{Pod: map[string]int{}, Node: map[string]int{}}
	for _, set := range []struct {
		links []link
		into  map[string]int
	}{{podLinks, f.Pod}, {nodeLinks, f.Node}} {
		for _, l := range set.links {
			mtu, err := linkMTU(ctx, l)
			if err != nil {
				return f, err
			}
			set.into[l.String()] = mtu
		}
	}
	return f, nil
}

// linkMTU reads an interface's MTU with ip -json.
func linkMTU(ctx context.Context, l link) (int, error) {
	out, err := exec.CommandContext(ctx, "ip", "-n", l.ns, "-json", "link", "show", "dev", l.iface).Output()
	if err != nil {
		return 0, fmt.Errorf("ip -n %s link show dev %s: %w", l.ns, l.iface, err)
	}
	var links []struct {
		MTU int `json:"mtu"`
	}
	if err := json.Unmarshal(out, &links); err != nil || len(links) != 1 || links[0].MTU <= 0 {
		return 0, fmt.Errorf("ip -n %s -json link show dev %s: no MTU in %q", l.ns, l.iface, strings.TrimSpace(string(out)))
	}
	return links[0].MTU, nil
}

// Offloads reads ethtool -k of every veth of the miniature.
func (p *localProbe) Offloads(ctx context.Context) ([]preflight.InterfaceOffloads, error) {
	if _, err := exec.LookPath("ethtool"); err != nil {
		return nil, &preflight.SkipError{Reason: "ethtool is not on PATH: run scripts/install-deps.sh"}
	}
	if err := p.t.built(ctx); err != nil {
		return nil, err
	}
	var out []preflight.InterfaceOffloads
	for _, l := range slices.Concat(podLinks, nodeLinks) {
		text, err := exec.CommandContext(ctx, "nsenter", "--net=/run/netns/"+l.ns, "ethtool", "-k", l.iface).Output()
		if err != nil {
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				err = fmt.Errorf("%w: %s", err, strings.TrimSpace(string(exit.Stderr)))
			}
			return nil, fmt.Errorf("ethtool -k %s in %s: %w", l.iface, l.ns, err)
		}
		features, err := preflight.ParseEthtoolFeatures(string(text))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", l, err)
		}
		out = append(out, preflight.InterfaceOffloads{Where: l.String(), Veth: true, Features: features})
	}
	return out, nil
}

// built builds the miniature unless it is up. A build that fails halfway is
// swept away, so that the first spec's Setup tries again and reports it.
func (t *Target) built(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.up {
		return nil
	}
	if err := t.build(ctx); err != nil {
		if _, serr := t.Sweep(ctx); serr != nil {
			err = errors.Join(err, serr)
		}
		return fmt.Errorf("build the local target: %w", err)
	}
	t.up = true
	return nil
}
