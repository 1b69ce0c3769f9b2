// Package report writes what a run produced: results.json (checked against
// its published JSON Schema), a short summary table, the run's own figures
// as a baseline profile on request, JUnit properties, and the reports of a
// run beside the published baselines: report.md, report.html, summary.md,
// results.csv and the charts (docs/reports.md).
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"podperf/framework/baseline"
	"podperf/framework/endpoints"
	"podperf/framework/results"
)

// WriteJSON writes run to dir/results.json atomically (a killed run never
// leaves a half-written file).
func WriteJSON(dir string, run *results.Run) (string, error) {
	path := filepath.Join(dir, "results.json")
	return path, WriteJSONFile(path, run)
}

// WriteJSONFile writes v as indented JSON to path through a temporary file
// and a rename, creating the directory.
func WriteJSONFile(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("report dir %s: %w", filepath.Dir(path), err)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	return os.Rename(tmp, path)
}

// Summary prints the preflight checks, one line each, then one line per test
// and path: the figures a reader wants first.
func Summary(w io.Writer, run *results.Run) {
	for _, c := range run.Preflight {
		fmt.Fprintln(w, c.String())
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	tc := transportColumnsOf(run)
	fmt.Fprintf(tw, "test\tpath\trate\tunit\t±CI\tclient SD\tserver SD\tP50/P90/P99 µs\tpod/node\tverdict\tdetectable\t%s\n", tc.header())
	for _, t := range run.Tests {
		for _, rt := range rowTests(t) {
			summaryRows(tw, rt, tc)
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "verdict: %s\n", run.Verdict)
}

// rowTests are what the summary prints rows of for t: t itself, or each of
// its node pairs.
func rowTests(t *results.Test) []*results.Test {
	if t.NodePairs != nil {
		return pairTests(t)
	}
	return []*results.Test{t}
}

// pairTests are the pairs of a node-pairs test as tests of their own, named
// by the pair's nodes and marked when the pair stands out.
func pairTests(t *results.Test) []*results.Test {
	var out []*results.Test
	for _, p := range t.NodePairs.Pairs {
		pt := *t
		pt.NodePairs = nil
		pt.ID = fmt.Sprintf("%s pair %d %s→%s", t.ID, p.Index, p.ClientNode, p.ServerNode)
		if p.Outlier {
			pt.ID += fmt.Sprintf(" OUTLIER (robust z %.1f)", p.RobustZ)
		}
		pt.Paths, pt.Ratios, pt.Verdicts, pt.Error = p.Paths, p.Ratios, p.Verdicts, p.Error
		out = append(out, &pt)
	}
	return out
}

// summaryRows prints one row per path of t.
func summaryRows(tw io.Writer, t *results.Test, tc transportColumns) {
	for _, p := range pathsOf(t) {
		path := t.Paths[p]
		if path == nil || path.Stats == nil {
			fmt.Fprintf(tw, "%s\t%s\t-\t\t\t\t\t\t\t%s\t\t\n", t.ID, p, errOr(t.Error, "no data"))
			continue
		}
		r := path.Stats[results.Rate]
		lat := "-"
		if l := medianLatency(path.Samples); l != "" {
			lat = l
		}
		ratio, verdict, mde := "", "", ""
		if p == t.Compared() {
			ratio = fmt.Sprintf("%.3f", t.Ratios[results.Rate].Median)
			verdict = testVerdict(t)
			mde = mdeText(t)
		}
		fmt.Fprintf(tw, "%s\t%s\t%.4g\t%s\t%.2g%%\t%.4g\t%.4g\t%s\t%s\t%s\t%s\t%s\n", t.ID, p, r.Median, t.Unit(results.Rate),
			halfWidthPercent(r.Median, r.CILow, r.CIHigh), path.Stats[results.ClientCPU].Median, path.Stats[results.ServerCPU].Median, lat, ratio, verdict, mde, tc.cells(path))
	}
}

// mdeText is the smallest worsening of the rate the test could have
// detected (80% power at the samples it took), e.g. "-9.2% rate".
func mdeText(t *results.Test) string {
	for _, v := range t.Verdicts {
		if v.Metric == results.Rate && v.MDE >= 1 {
			return "none (noise)" // a rate cannot fall by more than all of it
		}
		if v.Metric == results.Rate && v.MDE > 0 {
			return fmt.Sprintf("-%.1f%% rate", v.MDE*100)
		}
	}
	return ""
}

func errOr(e, def string) string {
	if e != "" {
		if len(e) > 60 {
			e = e[:60] + "…"
		}
		return "error: " + e
	}
	return def
}

func halfWidthPercent(m, lo, hi float64) float64 {
	if m == 0 {
		return 0
	}
	return (hi - lo) / 2 / m * 100
}

func medianLatency(ss []results.Sample) string {
	if len(ss) == 0 || ss[len(ss)/2].Latency == nil {
		return ""
	}
	l := ss[len(ss)/2].Latency
	return fmt.Sprintf("%.0f/%.0f/%.0f", l.P50, l.P90, l.P99)
}

// testVerdict is the test's outcome with the metrics that decided it.
func testVerdict(t *results.Test) string {
	if len(t.Verdicts) == 0 && t.Error == "" {
		return "-"
	}
	status, metrics := t.Outcome()
	if status == results.Pass || status == results.Errored {
		return string(status)
	}
	names := make([]string, len(metrics))
	for i, m := range metrics {
		names[i] = string(m)
	}
	return strings.ToUpper(string(status)) + " (" + strings.Join(names, ",") + ")"
}

// Baseline turns a run's medians into a profile, so that a later run can be
// checked against it in absolute mode. CPU percentages are put in the
// published form (normalised to the same work as the reference profile ref).
func Baseline(run *results.Run, name string, ref *baseline.Profile) (*baseline.Profile, error) {
	env := run.Environment
	cpus := env.CPUs
	if cpus <= 0 {
		return nil, fmt.Errorf("the run recorded no CPU count: cannot express CPU as a percentage")
	}
	p := &baseline.Profile{
		APIVersion: baseline.APIVersion, Kind: baseline.Kind, Name: name,
		Description: fmt.Sprintf("figures recorded by a %s run on %s", run.Settings.Target, run.StartedAt.Format(time.RFC3339)),
		Source: baseline.Source{Title: "recorded run", Notes: []string{
			fmt.Sprintf("median of %d samples of %s each", run.Settings.Samples, run.Settings.Duration),
		}},
		Testbed: baseline.Testbed{Nodes: env.Target, CPU: env.CPUModel, CPUsPerNode: cpus, Kernel: env.Kernel, Network: env.CNI},
		Tests:   map[string]baseline.TestFigures{},
	}
	// The datapath the agents reported, so that a later run can tell whether
	// it measures the same configuration.
	if dp := env.Datapath; dp != nil && (dp.HostRouting == "BPF" || dp.HostRouting == "Legacy") {
		p.Datapath = &baseline.Datapath{CNI: dp.CNI, HostRouting: dp.HostRouting}
	}
	for _, t := range run.Tests {
		pod, node := t.Paths[t.Compared()], t.Paths[endpoints.NodePath]
		if t.Error != "" || pod == nil || node == nil || pod.Stats == nil || node.Stats == nil {
			continue
		}
		tf := baseline.TestFigures{Unit: t.Unit(results.Rate), CPUNormalisedTo: 1}
		if r, ok := ref.Tests[t.ID]; ok {
			tf.CPUNormalisedTo = r.CPUNormalisedTo
		}
		fig := func(p *results.Path) baseline.Figures {
			f := baseline.Figures{Rate: p.Stats[results.Rate].Median, ClientSD: p.Stats[results.ClientCPU].Median, ServerSD: p.Stats[results.ServerCPU].Median}
			f.ClientCPUPercent = baseline.PercentFromSD(f.ClientSD, cpus, tf.CPUNormalisedTo, tf.Unit)
			f.ServerCPUPercent = baseline.PercentFromSD(f.ServerSD, cpus, tf.CPUNormalisedTo, tf.Unit)
			return f
		}
		tf.Pod, tf.Node = fig(pod), fig(node)
		// The raw samples too: a run judged against this profile then carries
		// the recording's noise as well as its own (docs/verdicts.md).
		tf.Samples = &baseline.Samples{Pod: map[results.Metric][]float64{}, Node: map[results.Metric][]float64{}}
		for _, m := range results.Metrics {
			tf.Samples.Pod[m], tf.Samples.Node[m] = t.Values(t.Compared(), m), t.Values(endpoints.NodePath, m)
		}
		p.Tests[t.ID] = tf
	}
	if len(p.Tests) == 0 {
		return nil, fmt.Errorf("no test of the run has figures on both paths: nothing to write as a baseline")
	}
	return p, nil
}

// Figures is the human summary of a test's figures on both paths: median
// rate with its interval and variation, service demands, and the pod/node
// ratios.
func Figures(t *results.Test) string {
	var b strings.Builder
	for _, p := range pathsOf(t) {
		path := t.Paths[p]
		if path == nil {
			continue
		}
		st := path.Stats
		r := st[results.Rate]
		fmt.Fprintf(&b, "%-4s %s: median %.4g (95%% CI %.4g-%.4g, cv %.1f%%); client SD %.4g, server SD %.4g %s\n", p, t.Unit(results.Rate),
			r.Median, r.CILow, r.CIHigh, r.CV*100, st[results.ClientCPU].Median, st[results.ServerCPU].Median, t.Unit(results.ClientCPU))
	}
	fmt.Fprintf(&b, "pod/node: rate %.3f, client CPU %.3f, server CPU %.3f", t.Ratios[results.Rate].Median, t.Ratios[results.ClientCPU].Median, t.Ratios[results.ServerCPU].Median)
	return b.String()
}
