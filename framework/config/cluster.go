package config

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"podperf/framework/baseline"
	"podperf/framework/endpoints"
	"podperf/manifests"
)

// FollowCluster fits the baseline to the datapath the cluster's agents
// report. Without --baseline, the built-in profile that describes that
// datapath becomes the baseline (a Cilium cluster in eBPF host routing is
// judged against cilium-ebpf-host-routing, one in legacy host routing against
// cilium-legacy-host-routing); note then says so for the log. warning is set
// when the baseline describes another host routing than the agents report:
// an agent that fell back to legacy routing is the classic way to judge the
// wrong number. dp may be nil (nothing reported); unreadable names why.
func (c *Config) FollowCluster(dp *endpoints.Datapath, unreadable string) (note, warning string, err error) {
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
	files, err := fs.Glob(manifests.FS, "baselines/*.yaml")
	if err != nil {
		return "", fmt.Errorf("list the built-in baselines: %w", err)
	}
	var match []string
	for _, f := range files {
		b, err := manifests.FS.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("read %s: %w", f, err)
		}
		p, err := baseline.Parse(b, "manifests/"+f)
		if err != nil {
			return "", err
		}
		if d := p.Datapath; d != nil && d.CNI == dp.CNI && d.HostRouting == dp.HostRouting {
			match = append(match, strings.TrimSuffix(path.Base(f), ".yaml"))
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
