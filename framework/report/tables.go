package report

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"podperf/framework/endpoints"
	"podperf/framework/results"
)

// table is what report.md and report.html both show: a header and rows of
// cells. The renderers escape the text.
type table struct {
	Head []string
	Rows [][]cell
}

// cell is a table cell; Status marks a verdict (pass, fail, inconclusive,
// error) so that a renderer can make it stand out.
type cell struct {
	Text   string
	Status string
}

func cells(texts ...string) []cell {
	out := make([]cell, len(texts))
	for i, t := range texts {
		out[i] = cell{Text: t}
	}
	return out
}

// statusOf maps an outcome text to the status a renderer marks.
func statusOf(s string) string {
	for _, st := range []string{"pass", "fail", "inconclusive", "error"} {
		if strings.HasPrefix(strings.ToLower(s), st) {
			return st
		}
	}
	return ""
}

// overviewTable is one row per test: the rate ratio with its interval
// beside the baseline's and the threshold, the CPU ratios, and the verdict.
func overviewTable(tests []*results.Test) table {
	tb := table{Head: []string{"test", "pod/node rate (95% interval)", "baseline pod/node rate", "threshold", "client CPU pod/node", "server CPU pod/node", "verdict"}}
	for _, t := range tests {
		out := outcomeText(t)
		if !hasFigures(t) {
			tb.Rows = append(tb.Rows, append(cells(title(t), "–", "–", "–", "–", "–"), cell{out, statusOf(out)}))
			continue
		}
		rate := "–"
		if r, ok := ratio(t, results.Rate); ok {
			rate = ratioText(r.Median)
			if r.N > 1 {
				rate += " (" + interval(r, ratioText) + ")"
			}
		}
		expected, threshold := "–", "–"
		if v, ok := verdictOf(t, results.Rate); ok && v.Mode == "relative" {
			expected, threshold = ratioText(v.Expected), "≥ "+ratioText(v.Threshold)
		} else if ok {
			expected, threshold = "absolute mode: "+num(v.Expected)+" "+unit(t, results.Rate), "≥ "+num(v.Threshold)+" "+unit(t, results.Rate)
		}
		cpu := func(metric results.Metric) string {
			if r, ok := ratio(t, metric); ok {
				return ratioText(r.Median)
			}
			return "–"
		}
		tb.Rows = append(tb.Rows, append(cells(title(t), rate, expected, threshold, cpu(results.ClientCPU), cpu(results.ServerCPU)), cell{out, statusOf(out)}))
	}
	return tb
}

// outcomeText is the test's outcome, with the error when it has one.
func outcomeText(t *results.Test) string {
	if t.Error != "" {
		return "error: " + t.Error
	}
	return outcome(t)
}

// sitsTable is the rate ratio of this run beside each profile's published one.
func sitsTable(run *results.Run, tests []*results.Test, refs []Reference) table {
	tb := table{Head: []string{"test", "this run"}}
	for _, r := range refs {
		name := r.Label
		if r.Profile.Name == run.Settings.Baseline {
			name += " (baseline)"
		}
		tb.Head = append(tb.Head, name)
	}
	for _, t := range tests {
		r, ok := ratio(t, results.Rate)
		if !ok {
			continue
		}
		row := cells(title(t), ratioText(r.Median))
		for _, ref := range refs {
			tf, ok := ref.Profile.Tests[t.ID]
			if !ok || tf.Node.Rate <= 0 {
				row = append(row, cell{Text: "–"})
				continue
			}
			row = append(row, cell{Text: ratioText(tf.Ratio(results.Rate))})
		}
		tb.Rows = append(tb.Rows, row)
	}
	return tb
}

// testLine says what the test runs: netperf test, processes, CPU allowance.
func testLine(t *results.Test) string {
	var parts []string
	if t.Netperf != "" {
		parts = append(parts, "netperf "+string(t.Netperf))
	}
	if t.Streams > 0 {
		what := "stream"
		if isRR(t) {
			what = "connection"
		}
		if t.Streams > 1 {
			what += "s"
		}
		parts = append(parts, fmt.Sprintf("%d %s", t.Streams, what))
	}
	if t.CPUs > 0 {
		parts = append(parts, fmt.Sprintf("%d-CPU endpoints", t.CPUs))
	} else {
		parts = append(parts, "CPU not limited")
	}
	return strings.Join(parts, ", ")
}

// verdictTable is one row per metric: both paths' medians, the compared
// figure with its interval, what it was compared with, and the verdict.
func verdictTable(t *results.Test) table {
	tb := table{Head: []string{"metric", "node-to-node", "pod-to-pod", "measured", "95% interval", "n", "reference", "expected", "tolerance", "threshold", "detectable", "verdict"}}
	for _, metric := range results.Metrics {
		u := unit(t, metric)
		node, _ := stat(t, endpoints.NodePath, metric)
		pod, _ := stat(t, t.Compared(), metric)
		label := fmt.Sprintf("%s (%s)", metricLabel(t, metric), u)
		v, ok := verdictOf(t, metric)
		if !ok {
			r, _ := ratio(t, metric)
			tb.Rows = append(tb.Rows, cells(label, num(node.Median), num(pod.Median), "ratio "+ratioText(r.Median), interval(r, ratioText), fmt.Sprint(r.N), "–", "–", "–", "–", "–", "not judged"))
			continue
		}
		cmp := "≥"
		if metric != results.Rate {
			cmp = "≤"
		}
		var measured, ci, reference, expected, threshold string
		if v.Mode == "relative" {
			measured, reference, expected = "ratio "+ratioText(v.Measured), "node "+num(v.Reference)+" "+u, "ratio "+ratioText(v.Expected)
			threshold = cmp + " " + ratioText(v.Threshold)
			ci = ratioText(math.Max(v.CILow, 0)) + " – " + ratioText(v.CIHigh)
		} else {
			measured, reference, expected = "pod "+num(v.Measured)+" "+u, "baseline pod "+num(v.Reference)+" "+u, num(v.Expected)+" "+u
			threshold = cmp + " " + num(v.Threshold)
			ci = num(math.Max(v.CILow, 0)) + " – " + num(v.CIHigh)
		}
		if v.N < 2 {
			ci = "n=1, no interval"
		}
		detectable := "–"
		if v.MDE > 0 {
			// The smallest worsening this run could have failed (80% power).
			detectable = fmt.Sprintf("%.1f%%", v.MDE*100)
		}
		row := cells(label, num(node.Median), num(pod.Median), measured, ci, fmt.Sprint(v.N), reference, expected, fmt.Sprintf("%.3g%%", v.Tolerance*100), threshold, detectable)
		tb.Rows = append(tb.Rows, append(row, cell{Text: string(v.Status), Status: string(v.Status)}))
	}
	return tb
}

// cpuTable is the CPU of both paths in the published form beside the
// published node-to-node row and the baseline's pod row, with a line that
// says what the figures are.
func cpuTable(run *results.Run, t *results.Test, refs []Reference) (string, table, bool) {
	prof := runProfile(run, refs)
	if prof == nil && len(refs) > 0 {
		prof = refs[0].Profile
	}
	node, okN := cpuAtTestbed(t, endpoints.NodePath, prof)
	pod, okP := cpuAtTestbed(t, t.Compared(), prof)
	if !okN && !okP {
		return "", table{}, false
	}
	ref := pod
	if !okP {
		ref = node
	}
	intro := fmt.Sprintf("CPU in the published form: %% of all %d CPUs of a node at %s, median (95%% interval). This run's service demand is put in that form; it depends on the CPU model.",
		ref.TestbedCPUs, workText(ref.Work, ref.Unit))
	tb := table{Head: []string{"row", "client CPU %", "server CPU %"}}
	f := func(v [3]float64) string {
		s := fmt.Sprintf("%.3g", v[0])
		if v[1] != 0 || v[2] != 0 {
			s += fmt.Sprintf(" (%.3g – %.3g)", v[1], v[2])
		}
		return s
	}
	if okN {
		tb.Rows = append(tb.Rows, cells(runNodeName, f(node.Client), f(node.Server)))
	}
	if okP {
		tb.Rows = append(tb.Rows, cells(runPathName(t), f(pod.Client), f(pod.Server)))
	}
	g := func(v float64) string { return fmt.Sprintf("%.3g", v) }
	if n, ok := publishedNode(refs, t.ID); ok {
		tb.Rows = append(tb.Rows, cells("node-to-node (published)", g(n.ClientCPUPercent), g(n.ServerCPUPercent)))
	}
	for _, r := range refs {
		if tf, ok := r.Profile.Tests[t.ID]; ok && r.Profile.Name == run.Settings.Baseline {
			tb.Rows = append(tb.Rows, cells(r.Label+" (published, baseline)", g(tf.Pod.ClientCPUPercent), g(tf.Pod.ServerCPUPercent)))
		}
	}
	return intro, tb, true
}

// latencyTable is the RR latency percentiles of both paths.
func latencyTable(t *results.Test) (table, bool) {
	if _, ok := stat(t, t.Compared(), results.P50Latency); !ok {
		return table{}, false
	}
	tb := table{Head: []string{"latency (µs), median (95% interval)", "P50", "P90", "P99", "mean"}}
	for _, p := range pathsOf(t) {
		row := cells(p.Title())
		for _, metric := range []results.Metric{results.P50Latency, results.P90Latency, results.P99Latency, results.MeanLatency} {
			s, ok := stat(t, p, metric)
			if !ok {
				row = append(row, cell{Text: "–"})
				continue
			}
			c := num(s.Median)
			if s.N > 1 {
				c += " (" + interval(s, num) + ")"
			}
			row = append(row, cell{Text: c})
		}
		tb.Rows = append(tb.Rows, row)
	}
	return tb, true
}

// endpointLines say where each path's client and server were.
func endpointLines(t *results.Test) []string {
	var lines []string
	for _, p := range pathsOf(t) {
		path := t.Paths[p]
		if path == nil || path.Pair.ClientNode == "" {
			continue
		}
		pi := path.Pair
		l := fmt.Sprintf("%s: client %s on %s → server %s on %s", p.Title(), pi.ClientAddress, pi.ClientNode, pi.ServerAddress, pi.ServerNode)
		if pi.MTU > 0 {
			l += fmt.Sprintf(", MTU %d", pi.MTU)
		}
		if pi.CPUsRequested > 0 {
			l += fmt.Sprintf(", %d of %d CPUs granted", pi.CPUsGranted, pi.CPUsRequested)
		}
		if n := len(path.Samples); n > 0 {
			l += fmt.Sprintf(", %d samples", n)
		}
		lines = append(lines, l)
	}
	return lines
}

// facts are the environment as label/value pairs, the empty ones left out;
// with details, the target's details too.
func facts(run *results.Run, details bool) [][2]string {
	env := run.Environment
	var out [][2]string
	add := func(k, v string) {
		if v != "" {
			out = append(out, [2]string{k, v})
		}
	}
	add("target", env.Target)
	add("kernel", env.Kernel)
	cpu := env.CPUModel
	if env.CPUs > 0 {
		cpu = strings.TrimSuffix(fmt.Sprintf("%d × %s", env.CPUs, env.CPUModel), " × ")
	}
	add("CPUs", cpu)
	add("netperf", env.Netperf)
	add("Kubernetes", env.Kubernetes)
	add("CNI", env.CNI)
	if dp := env.Datapath; dp != nil {
		add("datapath", datapathText(dp))
		if details {
			add("datapath source", dp.Source)
		}
	}
	if !details {
		return out
	}
	for _, k := range slices.Sorted(maps.Keys(env.Details)) {
		add(k, env.Details[k])
	}
	return out
}

// datapathText is the datapath the CNI's agents reported, in one line.
func datapathText(dp *endpoints.Datapath) string {
	s := dp.CNI
	if dp.Version != "" {
		s += " " + dp.Version
	}
	var parts []string
	for _, kv := range [][2]string{{"routing", dp.Routing}, {"host routing", dp.HostRouting},
		{"kube-proxy replacement", dp.KubeProxyReplacement}, {"masquerading", dp.Masquerading}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+" "+kv[1])
		}
	}
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	return s
}

// settingFacts are the settings as label/value pairs.
func settingFacts(run *results.Run) [][2]string {
	s := run.Settings
	var out [][2]string
	add := func(k, v string) {
		if v != "" && v != "0" && v != "0s" {
			out = append(out, [2]string{k, v})
		}
	}
	add("target", s.Target)
	add("duration of a sample", s.Duration.String())
	samples := fmt.Sprint(s.Samples)
	if s.MaxSamples > s.Samples {
		samples += fmt.Sprintf(" per path, up to %d while a verdict is inconclusive", s.MaxSamples)
	}
	add("samples", samples)
	add("sample budget", s.SampleBudget.String())
	add("baseline", s.Baseline)
	add("tolerances", s.Tolerances)
	add("tolerance mode", s.ToleranceMode)
	add("inconclusive", s.Inconclusive)
	if s.CounterTolerance > 0 {
		add("counter tolerance", fmt.Sprintf("%.3g%%", s.CounterTolerance*100))
	}
	if c := s.NetperfConfidence; c != nil {
		add("netperf confidence", fmt.Sprintf("%d%%, interval width %.3g%%, %d to %d iterations", c.Level, c.Width, c.MinIter, c.MaxIter))
	}
	if s.ControlPort > 0 {
		add("ports", fmt.Sprintf("control %d, data from %d", s.ControlPort, s.DataPortBase))
	}
	return out
}

// headline is the run in a few plain-text parts: tests, target, baseline
// and how it was applied, start and duration.
func headline(run *results.Run, n int) []string {
	set := run.Settings
	parts := []string{fmt.Sprintf("%d tests", n)}
	if set.Target != "" {
		parts = append(parts, set.Target+" target")
	}
	if set.Baseline != "" {
		b := "baseline " + set.Baseline
		var how []string
		if set.ToleranceMode != "" {
			how = append(how, set.ToleranceMode+" mode")
		}
		if set.Tolerances != "" {
			how = append(how, "tolerances "+set.Tolerances)
		}
		if set.Inconclusive != "" {
			how = append(how, "inconclusive: "+set.Inconclusive)
		}
		if len(how) > 0 {
			b += " (" + strings.Join(how, ", ") + ")"
		}
		parts = append(parts, b)
	}
	if !run.StartedAt.IsZero() {
		s := "started " + run.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC")
		if d := took(run); d != "" {
			s += ", took " + d
		}
		parts = append(parts, s)
	}
	return parts
}

func verdictWord(v results.Status) string {
	if v == "" {
		return "NO VERDICT"
	}
	return strings.ToUpper(string(v))
}

// allWarnings are the run's warnings, then each test's own (named by test).
func allWarnings(run *results.Run) []string {
	out := slices.Clone(run.Warnings)
	for _, t := range ordered(run) {
		for _, w := range testWarnings(run, t) {
			out = append(out, title(t)+": "+w)
		}
	}
	return out
}

// reportFiles are what a report directory holds, for the file lists.
var reportFiles = []struct{ name, what string }{
	{"results.json", "every figure, the statistics and the verdicts (schema podperf.results/v1)"},
	{"junit.xml", "one testcase per test, for CI (written by the suite)"},
	{"report.md", "the report in Markdown, charts linked from charts/"},
	{"report.html", "the report with its charts in one self-contained file"},
	{"summary.md", "a short Markdown summary for a CI job page"},
	{"results.csv", "one row per test, path and metric: n, median, 95% interval and spread"},
}

// nodePairsTable is a node-pairs test's pairs (docs/paths.md#node-pairs):
// each pair's nodes, rates, pod/node ratio, robust score and verdict, the
// outlier marked.
func nodePairsTable(t *results.Test) (table, bool) {
	if t.NodePairs == nil || len(t.NodePairs.Pairs) == 0 {
		return table{}, false
	}
	np := t.NodePairs
	unit := t.Unit(results.Rate)
	tb := table{Head: []string{"pair", "client → server", "node rate (" + unit + ")", "pod rate (" + unit + ")",
		"pod/node " + string(np.Metric) + " (95% interval)", "robust z", "verdict"}}
	for i, pt := range pairTests(t) {
		p := np.Pairs[i]
		rate := func(path endpoints.Path) string {
			if s, ok := stat(pt, path, results.Rate); ok {
				return num(s.Median)
			}
			return "–"
		}
		r := "–"
		if s, ok := ratio(pt, np.Metric); ok {
			r = ratioText(s.Median)
			if s.N > 1 {
				r += " (" + interval(s, ratioText) + ")"
			}
		}
		z := cell{Text: "–"}
		if p.Error == "" && len(p.Ratios) > 0 {
			z.Text = fmt.Sprintf("%.2f", p.RobustZ)
		}
		if p.Outlier {
			z = cell{Text: z.Text + ", outlier", Status: "fail"}
		}
		v := outcomeText(pt)
		tb.Rows = append(tb.Rows, []cell{{Text: fmt.Sprint(p.Index)}, {Text: p.ClientNode + " → " + p.ServerNode},
			{Text: rate(endpoints.NodePath)}, {Text: rate(pt.Compared())}, {Text: r}, z, {Text: v, Status: statusOf(outcome(pt))}})
	}
	return tb, true
}
