package config

import (
	"fmt"
	"strings"

	"podperf/framework/baseline"
	"podperf/framework/endpoints"
)

// FollowCluster fits the defaults to the cluster of env. Without
// --tolerances, a kind cluster (both measured nodes kind nodes: containers
// sharing one machine) gets the kind tolerances. Without --baseline, the
// built-in profile that describes the datapath the agents report becomes the
// baseline (a Cilium cluster in eBPF host routing is judged against
// cilium-ebpf-host-routing, one in legacy host routing against
// cilium-legacy-host-routing). The notes say what was chosen, for the log.
// warning is set when the baseline describes another host routing than the
// agents report: an agent that fell back to legacy routing is the classic
// way to judge the wrong number.
func (c *Config) FollowCluster(env endpoints.Environment) (notes []string, warning string, err error) {
	if c.tolerancesDefaulted && isKind(env) && c.Tolerances != "kind" {
		if c.Tol, _, err = loadTolerances("kind"); err != nil {
			return nil, "", fmt.Errorf("tolerances for a kind cluster: %w", err)
		}
		c.Tolerances = "kind"
		notes = append(notes, "tolerances kind: both measured nodes are kind nodes, which share one machine (no --tolerances given)")
	}
	note, warning, err := c.followDatapath(env.Datapath, env.Details["datapathError"])
	if note != "" {
		notes = append(notes, note)
	}
	return notes, warning, err
}

// isKind reports whether both measured nodes are kind nodes.
func isKind(env endpoints.Environment) bool {
	return strings.HasPrefix(env.Details["clientNodeProviderID"], "kind://") &&
		strings.HasPrefix(env.Details["serverNodeProviderID"], "kind://")
}

// followDatapath is FollowCluster's part for the baseline. dp may be nil
// (nothing reported); unreadable names why.
func (c *Config) followDatapath(dp *endpoints.Datapath, unreadable string) (note, warning string, err error) {
	if dp == nil {
		if unreadable != "" && c.Profile.Datapath != nil {
			warning = fmt.Sprintf("baseline %s describes %s, but the cluster's datapath could not be read (%s): the run cannot tell whether it measures that configuration",
				c.Profile.Name, describe(c.Profile.Datapath), unreadable)
		}
		return "", warning, nil
	}
	if c.baselineDefaulted {
		name, p, err := builtinFor(dp)
		if err != nil {
			return "", "", fmt.Errorf("the built-in baseline for the cluster's datapath: %w", err)
		}
		if p != nil && name != c.Baseline {
			c.Baseline, c.Profile = name, p
			note = fmt.Sprintf("baseline %s: the %s agents report host routing %s (no --baseline given)", name, dp.CNI, dp.HostRouting)
		}
	}
	if want := c.Profile.Datapath; want != nil && want.CNI == dp.CNI && want.HostRouting != "" && want.HostRouting != dp.HostRouting {
		warning = fmt.Sprintf("the %s agents report host routing %s, but baseline %s describes %s: this run judges the datapath against figures of another one (did the agents fall back to legacy routing? see cilium-dbg status); pass the --baseline that matches, or fix the agents",
			dp.CNI, dp.HostRouting, c.Profile.Name, describe(want))
	}
	return note, warning, nil
}

// builtinFor returns the one built-in profile that describes dp, with its
// name; none when no profile or several do (only --baseline can choose then).
func builtinFor(dp *endpoints.Datapath) (string, *baseline.Profile, error) {
	if dp.CNI == "" || dp.HostRouting == "" {
		return "", nil, nil
	}
	names, err := baseline.BuiltinNames()
	if err != nil {
		return "", nil, err
	}
	var name string
	var match *baseline.Profile
	for _, n := range names {
		p, err := baseline.Builtin(n)
		if err != nil {
			return "", nil, err
		}
		if d := p.Datapath; d == nil || d.CNI != dp.CNI || d.HostRouting != dp.HostRouting {
			continue
		}
		if match != nil {
			return "", nil, nil
		}
		name, match = n, p
	}
	return name, match, nil
}

func describe(d *baseline.Datapath) string {
	if d.HostRouting == "" {
		return d.CNI
	}
	return fmt.Sprintf("%s with %s host routing", d.CNI, d.HostRouting)
}
