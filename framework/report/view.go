package report

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"podperf/framework/baseline"
	"podperf/framework/endpoints"
	"podperf/framework/results"
	"podperf/framework/scenario"
	"podperf/framework/stats"
)

// pathsOf are the paths of t in the order every table and chart shows them:
// the node-to-node reference, then the path compared with it (pod to pod, or
// an extended spec's path).
func pathsOf(t *results.Test) []endpoints.Path {
	return []endpoints.Path{endpoints.NodePath, t.Compared()}
}

// latencies are the RR latency figures the report shows (µs).
var latencies = []struct {
	metric results.Metric
	label  string
}{
	{results.P50Latency, "P50"}, {results.P90Latency, "P90"}, {results.P99Latency, "P99"},
}

// ordered returns the run's tests in the benchmark's order, others after
// them in the order of the file.
func ordered(run *results.Run) []*results.Test {
	rank := func(t *results.Test) int {
		if i := slices.IndexFunc(scenario.Benchmark, func(s scenario.Scenario) bool { return s.ID == t.ID }); i >= 0 {
			return i
		}
		return len(scenario.Benchmark)
	}
	out := slices.Clone(run.Tests)
	out = slices.DeleteFunc(out, func(t *results.Test) bool { return t == nil })
	slices.SortStableFunc(out, func(a, b *results.Test) int { return rank(a) - rank(b) })
	return out
}

// title names a test for a reader, falling back to its id.
func title(t *results.Test) string {
	if t.Title != "" {
		return t.Title
	}
	return t.ID
}

// isRR reports whether the test's rate is a transaction rate.
func isRR(t *results.Test) bool {
	if t.Netperf != "" {
		return t.Netperf.IsRR()
	}
	for _, p := range t.Paths {
		if p != nil && len(p.Samples) > 0 {
			return p.Samples[0].RateUnit == "trans/s"
		}
	}
	return strings.Contains(t.ID, "_rr")
}

// unit is the unit of a metric of the test.
func unit(t *results.Test, m results.Metric) string { return results.UnitOf(m, isRR(t)) }

// metricLabel names a metric for a table row.
func metricLabel(t *results.Test, m results.Metric) string {
	switch m {
	case results.Rate:
		if isRR(t) {
			return "transaction rate"
		}
		return "throughput"
	case results.ClientCPU:
		return "client CPU"
	case results.ServerCPU:
		return "server CPU"
	}
	return string(m)
}

// stat is one path's summary of a metric, if the run has it.
func stat(t *results.Test, p endpoints.Path, m results.Metric) (stats.Summary, bool) {
	path := t.Paths[p]
	if path == nil || path.Stats == nil {
		return stats.Summary{}, false
	}
	s, ok := path.Stats[m]
	return s, ok && s.N > 0
}

// ratio is the summary of the paired pod/node ratios of a metric.
func ratio(t *results.Test, m results.Metric) (stats.Summary, bool) {
	s, ok := t.Ratios[m]
	return s, ok && s.N > 0
}

// verdictOf is the test's verdict on a metric, if it was judged.
func verdictOf(t *results.Test, m results.Metric) (results.Verdict, bool) {
	for _, v := range t.Verdicts {
		if v.Metric == m {
			return v, true
		}
	}
	return results.Verdict{}, false
}

// hasFigures reports whether the test has statistics on both paths.
func hasFigures(t *results.Test) bool {
	_, node := stat(t, endpoints.NodePath, results.Rate)
	_, pod := stat(t, t.Compared(), results.Rate)
	return node && pod
}

// outcome is the test's outcome in words: pass, FAIL (rate, server_cpu), ...
func outcome(t *results.Test) string {
	if t.Error != "" {
		return "error"
	}
	if len(t.Verdicts) == 0 {
		return "not judged"
	}
	return testVerdict(t)
}

// runProfile is the built-in profile the run was judged against, if any.
func runProfile(run *results.Run, refs []Reference) *baseline.Profile {
	for _, r := range refs {
		if r.Profile.Name == run.Settings.Baseline {
			return r.Profile
		}
	}
	return nil
}

// testbedCPU is a path's CPU in the published form for the test bed's CPU
// count: % of all of a test-bed node's CPUs that the profile's work rate
// would take, with the 95% interval, for the client and the server side.
type testbedCPU struct {
	Client, Server [3]float64 // median, low, high
	Work           float64
	Unit           string
	TestbedCPUs    int
}

// cpuAtTestbed takes the recorded cpuNormalised when the run has it, and
// otherwise converts the service demand with the profile's work rate and
// test bed (runs from before cpuNormalised).
func cpuAtTestbed(t *results.Test, p endpoints.Path, prof *baseline.Profile) (testbedCPU, bool) {
	path := t.Paths[p]
	if path == nil {
		return testbedCPU{}, false
	}
	if c := path.CPU; c != nil && c.TestbedCPUs > 0 && c.ClientPercentTestbed > 0 {
		out := testbedCPU{Work: c.Work, Unit: c.Unit, TestbedCPUs: c.TestbedCPUs}
		scale := func(ci [2]float64, cpus int) (float64, float64) {
			if cpus <= 0 || ci == [2]float64{} {
				return 0, 0
			}
			f := float64(cpus) / float64(c.TestbedCPUs)
			return ci[0] * f, ci[1] * f
		}
		out.Client[0], out.Server[0] = c.ClientPercentTestbed, c.ServerPercentTestbed
		out.Client[1], out.Client[2] = scale(c.ClientPercentCI, c.ClientCPUs)
		out.Server[1], out.Server[2] = scale(c.ServerPercentCI, c.ServerCPUs)
		return out, true
	}
	if prof == nil {
		return testbedCPU{}, false
	}
	want, ok := prof.Tests[t.ID]
	cs, okc := stat(t, p, results.ClientCPU)
	ss, oks := stat(t, p, results.ServerCPU)
	if !ok || !okc || !oks || prof.Testbed.CPUsPerNode <= 0 {
		return testbedCPU{}, false
	}
	n := prof.Testbed.CPUsPerNode
	pct := func(sd float64) float64 { return baseline.PercentFromSD(sd, n, want.CPUNormalisedTo, want.Unit) }
	return testbedCPU{
		Client: [3]float64{pct(cs.Median), pct(cs.CILow), pct(cs.CIHigh)},
		Server: [3]float64{pct(ss.Median), pct(ss.CILow), pct(ss.CIHigh)},
		Work:   want.CPUNormalisedTo, Unit: want.Unit, TestbedCPUs: n,
	}, true
}

// workText writes a work rate as the published charts name it: 100 Gbit/s, 50k trans/s.
func workText(w float64, unit string) string {
	if unit == "trans/s" {
		return compact(w) + " trans/s"
	}
	return fmt.Sprintf("%g %s", w, unit)
}

// compact writes a number with k or M: 16.7k, 1.1M.
func compact(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e6:
		return trimZero(fmt.Sprintf("%.3g", v/1e6)) + "M"
	case a >= 1e3:
		return trimZero(fmt.Sprintf("%.3g", v/1e3)) + "k"
	}
	return trimZero(fmt.Sprintf("%.3g", v))
}

func trimZero(s string) string {
	if strings.Contains(s, ".") && !strings.ContainsAny(s, "e") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// num writes a figure with four significant digits, and large ones whole
// with thousands separators (16,705 trans/s rather than 1.671e+04).
func num(v float64) string {
	if math.Abs(v) < 1e4 {
		return fmt.Sprintf("%.4g", v)
	}
	s := fmt.Sprintf("%.0f", math.Abs(v))
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if v < 0 {
		s = "-" + s
	}
	return s
}

// interval writes a 95% interval, or says there is none. Every figure of
// the report is positive, so a lower bound below zero is shown as zero.
func interval(s stats.Summary, f func(float64) string) string {
	if s.N < 2 {
		return "n=1, no interval"
	}
	return f(math.Max(s.CILow, 0)) + " – " + f(s.CIHigh)
}

func ratioText(v float64) string { return fmt.Sprintf("%.3f", v) }

// took is the run's wall time, if both ends are known.
func took(run *results.Run) string {
	if run.StartedAt.IsZero() || run.FinishedAt.Before(run.StartedAt) {
		return ""
	}
	return run.FinishedAt.Sub(run.StartedAt).Round(time.Second).String()
}

// testWarnings are a test's own warnings, without the repeats of the run's
// warnings that every test carries.
func testWarnings(run *results.Run, t *results.Test) []string {
	var out []string
	for _, w := range t.Warnings {
		if !slices.Contains(run.Warnings, w) {
			out = append(out, w)
		}
	}
	return out
}
