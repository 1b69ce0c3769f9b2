package report

import (
	"fmt"
	"maps"
	"slices"

	"podperf/framework/results"
)

// Property is one name=value fact for a CI dashboard (JUnit suite properties).
type Property struct{ Name, Value string }

// Properties are the run's verdict, settings and environment as flat
// properties named podperf.*, the empty ones left out, details in name order.
func Properties(run *results.Run) []Property {
	env, set := run.Environment, run.Settings
	var out []Property
	add := func(name, value string) {
		if value != "" {
			out = append(out, Property{"podperf." + name, value})
		}
	}
	add("verdict", string(run.Verdict))
	add("target", set.Target)
	add("baseline", set.Baseline)
	add("tolerances", set.Tolerances)
	add("toleranceMode", set.ToleranceMode)
	add("inconclusive", set.Inconclusive)
	add("samples", fmt.Sprint(set.Samples))
	add("duration", set.Duration.String())
	add("kernel", env.Kernel)
	add("cpuModel", env.CPUModel)
	if env.CPUs > 0 {
		add("cpus", fmt.Sprint(env.CPUs))
	}
	add("netperf", env.Netperf)
	add("kubernetes", env.Kubernetes)
	add("cni", env.CNI)
	if dp := env.Datapath; dp != nil {
		add("datapath.cni", dp.CNI)
		add("datapath.version", dp.Version)
		add("datapath.routing", dp.Routing)
		add("datapath.hostRouting", dp.HostRouting)
		add("datapath.kubeProxyReplacement", dp.KubeProxyReplacement)
		add("datapath.masquerading", dp.Masquerading)
		add("datapath.source", dp.Source)
	}
	for _, k := range slices.Sorted(maps.Keys(env.Details)) {
		add("environment."+k, env.Details[k])
	}
	for i, w := range run.Warnings {
		add(fmt.Sprintf("warning.%d", i+1), w)
	}
	for _, c := range run.Preflight {
		add("preflight."+c.Name, fmt.Sprintf("%s: %s", c.Status, c.Observed))
	}
	return out
}
