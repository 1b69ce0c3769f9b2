package config

import (
	"fmt"
	"slices"
	"strings"

	"podperf/framework/baseline"
	"podperf/framework/endpoints"
	"podperf/framework/verdict"
)

// FollowCluster fits the defaults to the cluster of env. Without
// --tolerances, a kind cluster (both measured nodes kind nodes: containers
// sharing one machine) gets the kind tolerances. Without --baseline, the built-in profile that describes that
// datapath becomes the baseline (a Cilium cluster in eBPF host routing is
// judged against cilium-ebpf-host-routing, one in legacy host routing against
// cilium-legacy-host-routing); note then says so for the log. warning is set
// when the baseline describes another host routing than the agents report:
// an agent that fell back to legacy routing is the classic way to judge the
// wrong number. The notes say what was chosen, for the log.
func (c *Config) FollowCluster(env endpoints.Environment) (notes []string, warning string, err error) {
	if c.tolerancesDefaulted && isKind(env) && c.Tolerances != "kind" {
		b, where, err := Read("tolerances", "kind")
		if err != nil {
			return nil, "", fmt.Errorf("tolerances for a kind cluster: %w", err)
		}
		if c.Tol, err = verdict.ParseTolerances(b, where); err != nil {
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
		name, err := builtinFor(dp)
		if err != nil {
			return "", "", err
		}
		if name != "" && name != c.Profile.Name {
			b, where, err := Read("baselines", name)
			if err != nil {
				return "", "", fmt.Errorf("baseline %s for the cluster's datapath: %w", name, err)
			}
			if c.Profile, err = baseline.Parse(b, where); err != nil {
				return "", "", fmt.Errorf("baseline %s for the cluster's datapath: %w", name, err)
			}
			c.Baseline = name
			note = fmt.Sprintf("baseline %s: the %s agents report host routing %s (no --baseline given)", name, dp.CNI, dp.HostRouting)
		}
	}
	if want := c.Profile.Datapath; want != nil && want.CNI == dp.CNI && want.HostRouting != "" && want.HostRouting != dp.HostRouting {
		warning = fmt.Sprintf("the %s agents report host routing %s, but baseline %s describes %s: this run judges the datapath against figures of another one (did the agents fall back to legacy routing? see cilium-dbg status); pass the --baseline that matches, or fix the agents",
			dp.CNI, dp.HostRouting, c.Profile.Name, describe(want))
	}
	return note, warning, nil
}

// builtinFor names the one built-in profile that describes dp, or "".
func builtinFor(dp *endpoints.Datapath) (string, error) {
	if dp.CNI == "" || dp.HostRouting == "" {
		return "", nil
	}
	names, err := baseline.BuiltinNames()
	if err != nil {
		return "", err
	}
	var match []string
	for _, name := range names {
		p, err := baseline.Builtin(name)
		if err != nil {
			return "", err
		}
		if d := p.Datapath; d != nil && d.CNI == dp.CNI && d.HostRouting == dp.HostRouting {
			match = append(match, name)
		}
	}
	slices.Sort(match)
	if len(match) != 1 {
		// None, or several that only --baseline can choose between.
		return "", nil
	}
	return match[0], nil
}

func describe(d *baseline.Datapath) string {
	if d.HostRouting == "" {
		return d.CNI
	}
	return fmt.Sprintf("%s with %s host routing", d.CNI, d.HostRouting)
}
