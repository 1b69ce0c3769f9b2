package report

import (
	"fmt"
	"image/color"
	"strings"

	"podperf/framework/baseline"
	"podperf/framework/endpoints"
	"podperf/framework/results"
)

// Chart is one chart of the report, encoded in both formats.
type Chart struct {
	// Name is the file stem under charts/: overview-ratio, tcp_rr_1-cpu, ...
	Name    string
	Title   string
	Caption string
	PNG     []byte
	SVG     []byte
}

// The colours: this run in warm tones, the published rows in the
// colour-blind-safe Okabe-Ito palette, node-to-node in grey.
var (
	runNodeColor  = rgb(0xE69F00)
	runPodColor   = rgb(0xD55E00)
	pubNodeColor  = rgb(0x9E9E9E)
	profileColors = []color.Color{rgb(0x0072B2), rgb(0x56B4E9), rgb(0x009E73), rgb(0xCC79A7), rgb(0xF0E442), rgb(0x000000)}
)

func rgb(v uint32) color.Color {
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

const (
	runPodName  = "this run: pod-to-pod"
	runNodeName = "this run: node-to-node"
)

// Charts draws every chart of the run: the overview of the rate ratios,
// and per test the ratios, the absolute rates, the CPU in the published
// form and, for RR tests, the latency percentiles. Charts without data
// (a test that errored) are left out.
func Charts(run *results.Run, refs []Reference) ([]Chart, error) {
	var charts []*barChart
	var meta []Chart
	add := func(c *barChart, name string) {
		if c != nil && c.hasData() {
			charts = append(charts, c)
			meta = append(meta, Chart{Name: name, Title: c.Title, Caption: strings.Join(c.Caption, " ")})
		}
	}
	add(overviewChart(run, refs), "overview-ratio")
	prof := runProfile(run, refs)
	for _, t := range ordered(run) {
		if !hasFigures(t) {
			continue
		}
		add(ratioChart(run, t, refs), t.ID+"-ratio")
		add(rateChart(run, t, refs), t.ID+"-rate")
		add(cpuChart(run, t, refs, prof), t.ID+"-cpu")
		if isRR(t) {
			add(latencyChart(t), t.ID+"-latency")
		}
	}
	for i, c := range charts {
		var err error
		if meta[i].PNG, err = c.png(); err != nil {
			return nil, fmt.Errorf("chart %s: %w", meta[i].Name, err)
		}
		if meta[i].SVG, err = c.svg(); err != nil {
			return nil, fmt.Errorf("chart %s: %w", meta[i].Name, err)
		}
	}
	if sw, err := sweepChart(run); err != nil || sw != nil {
		if err != nil {
			return nil, err
		}
		meta = append(meta, *sw)
	}
	return meta, nil
}

// caption breaks text into lines that fit the chart's width.
func caption(text string) []string { return strings.Split(wrap(text, 150), "\n") }

// profileSeries are the published rows of one figure: a series per profile.
func profileSeries(refs []Reference, run *results.Run, bars func(baseline.TestFigures) []bar, testIDs []string) []series {
	var out []series
	for i, r := range refs {
		name := r.Label + " (published)"
		if r.Profile.Name == run.Settings.Baseline {
			name = r.Label + " (published; this run's baseline)"
		}
		s := series{Name: name, Color: profileColors[i%len(profileColors)]}
		for _, id := range testIDs {
			// A profile without the test gives zero figures: bars that are left out.
			s.Bars = append(s.Bars, bars(r.Profile.Tests[id])...)
		}
		out = append(out, s)
	}
	return out
}

// ratioBar is this run's pod/node ratio of a metric with its interval and,
// in relative mode, the verdict's threshold.
func ratioBar(t *results.Test, m results.Metric) bar {
	r, ok := ratio(t, m)
	if !ok {
		return bar{}
	}
	b := bar{OK: true, V: r.Median}
	if r.N > 1 {
		b.Lo, b.Hi = r.CILow, r.CIHigh
	}
	if v, ok := verdictOf(t, m); ok && v.Mode == "relative" {
		b.Threshold = v.Threshold
	}
	return b
}

func overviewChart(run *results.Run, refs []Reference) *barChart {
	var tests []*results.Test
	for _, t := range ordered(run) {
		if _, ok := ratio(t, results.Rate); ok {
			tests = append(tests, t)
		}
	}
	c := &barChart{
		Title: "Where this run sits: pod-to-pod ÷ node-to-node rate, every test",
		Caption: caption("The comparable figure. Each bar is the pod-to-pod rate divided by the node-to-node rate measured on the same machines, " +
			"so hardware cancels out: this run's median of paired samples (whisker: 95% interval) beside each profile's published pod/node on its test bed. " +
			"1 means the pod network costs nothing; higher is better."),
		YLabel: "pod/node rate (ratio)", RefLine: 1, RefLabel: "node-to-node = 1",
		Format: func(v float64) string { return fmt.Sprintf("%.2f", v) },
	}
	ids := make([]string, len(tests))
	run0 := series{Name: runPodName + " ÷ node-to-node", Color: runPodColor}
	for i, t := range tests {
		c.Groups = append(c.Groups, title(t))
		ids[i] = t.ID
		run0.Bars = append(run0.Bars, ratioBar(t, results.Rate))
	}
	c.Series = append([]series{run0}, profileSeries(refs, run, func(tf baseline.TestFigures) []bar {
		if tf.Node.Rate <= 0 {
			return []bar{{}}
		}
		return []bar{{OK: true, V: tf.Ratio(results.Rate)}}
	}, ids)...)
	return c
}

func ratioChart(run *results.Run, t *results.Test, refs []Reference) *barChart {
	c := &barChart{
		Title: title(t) + ": " + t.Compared().Title() + " ÷ node-to-node (the comparable figure)",
		Caption: caption(fmt.Sprintf("Each bar divides the pod-to-pod figure by the node-to-node figure of the same machines, so it carries across hardware: "+
			"this run's median of paired samples (whisker: 95%% interval) beside each profile's published pod/node. %s: higher is better. "+
			"CPU is service demand, CPU time per unit of work: a CPU ratio above 1 is the extra CPU the pod path spends, lower is better.", capitalise(metricLabel(t, results.Rate)))),
		YLabel: "pod/node (ratio)", RefLine: 1, RefLabel: "node-to-node = 1",
		Format: func(v float64) string { return fmt.Sprintf("%.2f", v) },
	}
	run0 := series{Name: runPathName(t) + " ÷ node-to-node", Color: runPodColor}
	for _, m := range results.Metrics {
		c.Groups = append(c.Groups, metricLabel(t, m))
		run0.Bars = append(run0.Bars, ratioBar(t, m))
	}
	c.Series = append([]series{run0}, profileSeries(refs, run, func(tf baseline.TestFigures) []bar {
		var out []bar
		for _, m := range results.Metrics {
			if tf.Node.Get(m) <= 0 {
				out = append(out, bar{})
				continue
			}
			out = append(out, bar{OK: true, V: tf.Ratio(m)})
		}
		return out
	}, []string{t.ID})...)
	return c
}

// publishedNode is the node-to-node row of the published figures: the same
// in every built-in profile (one test bed); the first profile's otherwise.
func publishedNode(refs []Reference, id string) (baseline.Figures, bool) {
	for _, r := range refs {
		if tf, ok := r.Profile.Tests[id]; ok && tf.Node.Rate > 0 {
			return tf.Node, true
		}
	}
	return baseline.Figures{}, false
}

// testbedText describes the published test bed in a few words.
func testbedText(refs []Reference) string {
	for _, r := range refs {
		if tb := r.Profile.Testbed; tb.CPU != "" {
			return fmt.Sprintf("%s, %d CPUs per node", strings.SplitN(tb.CPU, ",", 2)[0], tb.CPUsPerNode)
		}
	}
	return "the published test bed"
}

// hereText describes this run's machines in a few words.
func hereText(run *results.Run) string {
	env := run.Environment
	s := env.Target + " target"
	if env.CPUs > 0 {
		s += fmt.Sprintf(", %d CPUs", env.CPUs)
	}
	if env.CPUModel != "" {
		s += " (" + env.CPUModel + ")"
	}
	return s
}

func rateChart(run *results.Run, t *results.Test, refs []Reference) *barChart {
	u := unit(t, results.Rate)
	c := &barChart{
		Title: fmt.Sprintf("%s: %s, absolute (%s)", title(t), metricLabel(t, results.Rate), u),
		Caption: caption(fmt.Sprintf("Absolute figures, not comparable across hardware: this run on the %s; the published rows (node-to-node, and each configuration's pod-to-pod) on %s with 100 Gbit/s NICs. "+
			"Read where the pod bar sits against this run's own node-to-node bar, and the ratio chart for the comparison with the profiles. "+
			"This run: median (whisker: 95%% interval).", hereText(run), testbedText(refs))),
		YLabel: fmt.Sprintf("%s (%s)", metricLabel(t, results.Rate), u),
		Format: compact,
	}
	s := series{Color: runPodColor}
	for _, p := range pathsOf(t) {
		st, _ := stat(t, p, results.Rate)
		b := bar{OK: st.N > 0, V: st.Median, Color: runNodeColor}
		if p == t.Compared() {
			b.Color = runPodColor
			if v, ok := verdictOf(t, results.Rate); ok && v.Mode == "absolute" {
				b.Threshold = v.Threshold
			}
		}
		if st.N > 1 {
			b.Lo, b.Hi = st.CILow, st.CIHigh
		}
		s.Bars = append(s.Bars, b)
		if p == t.Compared() {
			c.Groups = append(c.Groups, runPathName(t))
		} else {
			c.Groups = append(c.Groups, runNodeName)
		}
	}
	if n, ok := publishedNode(refs, t.ID); ok {
		c.Groups = append(c.Groups, "node-to-node (published)")
		s.Bars = append(s.Bars, bar{OK: true, V: n.Rate, Color: pubNodeColor})
	}
	for i, r := range refs {
		tf, ok := r.Profile.Tests[t.ID]
		if !ok {
			continue // a test no profile publishes (an extended spec): no empty groups
		}
		c.Groups = append(c.Groups, r.Label)
		s.Bars = append(s.Bars, bar{OK: tf.Pod.Rate > 0, V: tf.Pod.Rate, Color: profileColors[i%len(profileColors)]})
	}
	c.Series = []series{s}
	return c
}

// runPathName names this run's compared path in a chart: pod-to-pod, or an
// extended spec's path.
func runPathName(t *results.Test) string {
	return "this run: " + t.Compared().Title()
}

func cpuChart(run *results.Run, t *results.Test, refs []Reference, prof *baseline.Profile) *barChart {
	if prof == nil && len(refs) > 0 {
		prof = refs[0].Profile
	}
	var node, pod testbedCPU
	var okNode, okPod bool
	node, okNode = cpuAtTestbed(t, endpoints.NodePath, prof)
	pod, okPod = cpuAtTestbed(t, t.Compared(), prof)
	if !okNode && !okPod {
		return nil
	}
	ref := pod
	if !okPod {
		ref = node
	}
	c := &barChart{
		Title: fmt.Sprintf("%s: CPU in the published form (%% of a %d-CPU node at %s)", title(t), ref.TestbedCPUs, workText(ref.Work, ref.Unit)),
		Caption: caption(fmt.Sprintf("The published form: the share of all %d CPUs of a node that %s would keep busy, system-wide. "+
			"This run's service demand (CPU time per unit of work, median; whisker: 95%% interval) is put in the same form for a %d-CPU node. "+
			"CPUs of another model do more or less work per cycle, so the absolute heights differ with the hardware; the CPU ratios of the ratio chart compare across it.",
			ref.TestbedCPUs, workText(ref.Work, ref.Unit), ref.TestbedCPUs)),
		YLabel: fmt.Sprintf("CPU (%% of %d CPUs at %s)", ref.TestbedCPUs, workText(ref.Work, ref.Unit)),
		Groups: []string{"client CPU", "server CPU"},
		Format: func(v float64) string { return trimZero(fmt.Sprintf("%.3g", v)) },
	}
	runBars := func(f testbedCPU, ok bool, p endpoints.Path) []bar {
		if !ok {
			return []bar{{}, {}}
		}
		var out []bar
		for i, side := range [][3]float64{f.Client, f.Server} {
			b := bar{OK: true, V: side[0], Lo: side[1], Hi: side[2]}
			m := []results.Metric{results.ClientCPU, results.ServerCPU}[i]
			if v, ok := verdictOf(t, m); ok && p == t.Compared() && v.Mode == "absolute" && f.Unit != "" {
				b.Threshold = baseline.PercentFromSD(v.Threshold, f.TestbedCPUs, f.Work, f.Unit)
			}
			out = append(out, b)
		}
		return out
	}
	c.Series = []series{
		{Name: runNodeName, Color: runNodeColor, Bars: runBars(node, okNode, endpoints.NodePath)},
		{Name: runPathName(t), Color: runPodColor, Bars: runBars(pod, okPod, t.Compared())},
	}
	if n, ok := publishedNode(refs, t.ID); ok {
		c.Series = append(c.Series, series{Name: "node-to-node (published)", Color: pubNodeColor,
			Bars: []bar{{OK: true, V: n.ClientCPUPercent}, {OK: true, V: n.ServerCPUPercent}}})
	}
	c.Series = append(c.Series, profileSeries(refs, run, func(tf baseline.TestFigures) []bar {
		if tf.Pod.ClientCPUPercent <= 0 {
			return []bar{{}, {}}
		}
		return []bar{{OK: true, V: tf.Pod.ClientCPUPercent}, {OK: true, V: tf.Pod.ServerCPUPercent}}
	}, []string{t.ID})...)
	return c
}

func latencyChart(t *results.Test) *barChart {
	c := &barChart{
		Title: title(t) + ": latency percentiles (µs)",
		Caption: caption("This run only: the published benchmark gives no latency. Each bar is the median over samples of netperf's per-sample percentile " +
			"(whisker: 95% interval); with 32 connections, the largest of the connections' percentiles, a bound that cannot understate the tail. Lower is better."),
		YLabel: "latency (µs)",
		Panels: true,
		Format: func(v float64) string {
			if v >= 100 {
				return fmt.Sprintf("%.0f", v)
			}
			return trimZero(fmt.Sprintf("%.3g", v))
		},
	}
	for _, l := range latencies {
		c.Groups = append(c.Groups, l.label)
	}
	for _, p := range pathsOf(t) {
		s := series{Name: runNodeName, Color: runNodeColor}
		if p == t.Compared() {
			s = series{Name: runPathName(t), Color: runPodColor}
		}
		for _, l := range latencies {
			st, ok := stat(t, p, l.metric)
			b := bar{OK: ok, V: st.Median}
			if st.N > 1 {
				b.Lo, b.Hi = st.CILow, st.CIHigh
			}
			s.Bars = append(s.Bars, b)
		}
		c.Series = append(c.Series, s)
	}
	return c
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
