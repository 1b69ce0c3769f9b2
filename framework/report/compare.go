package report

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"podperf/framework/results"
	"podperf/framework/verdict"
)

// Rendering of a comparison of two runs (podperf compare, docs/compare.md):
// a text table, Markdown, and a chart of the change of every metric with
// its interval.

// compareTable is one row per test and metric: each side's figure with its
// interval, B/A with its interval, and the change.
func compareTable(c *verdict.Comparison) table {
	tb := table{Head: []string{"test", "metric", "A", "B", "B/A (95% interval)", "change"}}
	for _, r := range c.Rows {
		change := string(r.Change)
		if r.Note != "" {
			change += " (" + r.Note + ")"
		}
		// Marked (bold capitals in Markdown) where a reader must look.
		st := ""
		if r.Change == verdict.Regressed || r.Change == verdict.Undecided {
			st = string(r.Change)
		}
		row := cells(r.Test, r.Label, sideText(r.A, r.Unit), sideText(r.B, r.Unit), changeText(r))
		tb.Rows = append(tb.Rows, append(row, cell{Text: change, Status: st}))
	}
	return tb
}

func sideText(s verdict.Side, unit string) string {
	if s.N == 0 {
		return "–"
	}
	u := ""
	if unit != "" {
		u = " " + unit
	}
	if s.N < 2 {
		return fmt.Sprintf("%s%s (n=1)", num(s.Mean), u)
	}
	return fmt.Sprintf("%s%s (%s–%s, n=%d)", num(s.Mean), u, num(s.CILow), num(s.CIHigh), s.N)
}

func changeText(r verdict.CompareRow) string {
	if r.Ratio == 0 {
		return "–"
	}
	if r.RatioLow == r.RatioHigh {
		return fmt.Sprintf("%+.1f%%", (r.Ratio-1)*100)
	}
	return fmt.Sprintf("%+.1f%% (%+.1f%% to %+.1f%%)", (r.Ratio-1)*100, (r.RatioLow-1)*100, (r.RatioHigh-1)*100)
}

// compareHead says what was compared, in a sentence.
func compareHead(c *verdict.Comparison) []string {
	what := "the pod/node ratios (paired samples: drift of each machine cancels)"
	if c.Figure == verdict.PodFigure {
		what = "the pod path's figures"
	}
	side := func(name string, r verdict.RunInfo) string {
		return fmt.Sprintf("%s: %s (%s target, %s per sample, started %s, verdict %s)", name, r.File, r.Target, r.Duration, r.StartedAt.Format("2006-01-02 15:04"), r.Verdict)
	}
	out := []string{side("A", c.A), side("B", c.B),
		fmt.Sprintf("Compared: %s; tolerance %.3g%%; figures are geometric means with 95%% intervals; B/A from Welch's two-sample interval on the logarithms; regressed and improved decided with Holm's procedure over %d comparisons.",
			what, c.Tolerance*100, c.Comparisons),
		fmt.Sprintf("Result: %d regressed, %d improved, %d no change, %d inconclusive.", c.Regressed, c.Improved, c.Unchanged, c.Undecided)}
	for _, d := range c.Differences {
		out = append(out, "Warning: the runs differ ("+d+"); compared because of --force.")
	}
	return out
}

// CompareText writes the comparison as a plain text table.
func CompareText(w io.Writer, c *verdict.Comparison) error {
	for _, l := range compareHead(c) {
		if _, err := fmt.Fprintln(w, l); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	tb := compareTable(c)
	fmt.Fprintln(tw, strings.Join(tb.Head, "\t"))
	for _, r := range tb.Rows {
		t := make([]string, len(r))
		for i, x := range r {
			t[i] = x.Text
		}
		fmt.Fprintln(tw, strings.Join(t, "\t"))
	}
	return tw.Flush()
}

// CompareMarkdown writes the comparison as Markdown; chart, when not
// empty, is the path of the chart to show, relative to the document.
func CompareMarkdown(w io.Writer, c *verdict.Comparison, chart string) error {
	m := &mdWriter{w: w}
	m.p("# podperf compare")
	m.p("")
	for _, l := range compareHead(c) {
		m.p("- %s", md(l))
	}
	m.p("")
	m.table(compareTable(c))
	if chart != "" {
		m.p("![change of every metric, B/A with its 95%% interval](%s)", chart)
		m.p("")
	}
	return m.err
}

// compareChart is the ratio B/A of every metric, grouped by test, with its
// interval as a whisker, the tolerance's threshold on each bar and a line at
// 1 (no change).
func compareChart(c *verdict.Comparison) *barChart {
	ch := &barChart{Title: "Change from A to B, per test and metric",
		Caption: []string{fmt.Sprintf("B/A of %s with its 95%% interval; the mark on each bar is the tolerance (%.3g%%) on the worse side.", map[verdict.Figure]string{verdict.RatioFigure: "the pod/node ratio", verdict.PodFigure: "the pod figure"}[c.Figure], c.Tolerance*100)},
		YLabel:  "B / A", RefLine: 1, RefLabel: "no change", Format: func(v float64) string { return fmt.Sprintf("%.3f", v) }}
	colours := map[results.Metric]int{results.Rate: 0, results.ClientCPU: 1, results.ServerCPU: 2}
	palette := []uint32{0xD55E00, 0x0072B2, 0x009E73}
	for _, m := range results.Metrics {
		ch.Series = append(ch.Series, series{Name: m.Title(false), Color: rgb(palette[colours[m]])})
	}
	group := map[string]int{}
	for _, r := range c.Rows {
		g, ok := group[r.Test]
		if !ok {
			g = len(ch.Groups)
			group[r.Test] = g
			ch.Groups = append(ch.Groups, r.Title)
			for i := range ch.Series {
				ch.Series[i].Bars = append(ch.Series[i].Bars, bar{})
			}
		}
		if r.Ratio <= 0 {
			continue
		}
		thr := 1 - c.Tolerance
		if r.Metric != results.Rate {
			thr = 1 + c.Tolerance
		}
		b := bar{OK: true, V: r.Ratio, Threshold: thr}
		if r.RatioLow != r.RatioHigh {
			b.Lo, b.Hi = r.RatioLow, r.RatioHigh
		}
		ch.Series[colours[r.Metric]].Bars[g] = b
	}
	return ch
}

// WriteCompare writes comparison.md, comparison.json and the chart
// (charts/comparison.png and .svg) to dir, and returns the files written.
func WriteCompare(dir string, c *verdict.Comparison) ([]string, error) {
	if err := os.MkdirAll(filepath.Join(dir, "charts"), 0o755); err != nil {
		return nil, err
	}
	ch := compareChart(c)
	png, err := ch.png()
	if err != nil {
		return nil, err
	}
	svg, err := ch.svg()
	if err != nil {
		return nil, err
	}
	var written []string
	for name, b := range map[string][]byte{"charts/comparison.png": png, "charts/comparison.svg": svg} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return written, err
		}
		written = append(written, p)
	}
	var md strings.Builder
	if err := CompareMarkdown(&md, c, "charts/comparison.svg"); err != nil {
		return written, err
	}
	p := filepath.Join(dir, "comparison.md")
	if err := os.WriteFile(p, []byte(md.String()), 0o644); err != nil {
		return written, err
	}
	written = append(written, p)
	p = filepath.Join(dir, "comparison.json")
	if err := WriteJSONFile(p, c); err != nil {
		return written, err
	}
	return append(written, p), nil
}
