package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"podperf/framework/preflight"
	"podperf/framework/results"
)

// MarkdownOptions choose between the full report.md and the short summary
// for a CI job page.
type MarkdownOptions struct {
	// Summary leaves out the charts, CPU and latency tables, endpoints,
	// notes and the file list, and folds the per-metric tables: the form of
	// a GitHub Actions job summary.
	Summary bool
	// Charts are linked (relative to the report directory) in the full report.
	Charts []Chart
}

// Markdown writes the report (or its summary) in GitHub-flavoured Markdown.
func Markdown(w io.Writer, run *results.Run, refs []Reference, opt MarkdownOptions) error {
	m := &mdWriter{w: w}
	tests := ordered(run)
	m.p("# podperf report: %s", verdictWord(run.Verdict))
	m.p("")
	m.p("%s", md(strings.Join(append([]string{"**Verdict: " + verdictWord(run.Verdict) + "**"}, headline(run, len(tests))...), " · ")))
	m.p("")
	if ws := allWarnings(run); len(ws) > 0 {
		m.p("## Warnings")
		m.p("")
		for _, w := range ws {
			m.p("- %s", md(w))
		}
		m.p("")
	}
	m.preflight(run)
	m.p("## The tests beside the baseline")
	m.p("")
	if len(tests) == 0 {
		m.p("No test measured anything.")
		m.p("")
	} else {
		m.table(overviewTable(tests))
	}
	if slices.ContainsFunc(tests, func(t *results.Test) bool { _, ok := ratio(t, results.Rate); return ok }) && len(refs) > 0 {
		m.p("Pod/node rate of this run beside the published pod/node of each profile; hardware cancels out in the ratio:")
		m.p("")
		m.table(sitsTable(run, tests, refs))
	}
	if !opt.Summary {
		m.chart(opt.Charts, "overview-ratio")
		m.chart(opt.Charts, SweepChart)
	}
	for _, t := range tests {
		m.test(run, t, refs, opt)
	}
	if opt.Summary {
		m.p("Environment: %s.", md(joinFacts(facts(run, false))))
		m.p("")
		m.p("Settings: %s.", md(joinFacts(settingFacts(run))))
		return m.err
	}
	m.p("## Environment")
	m.p("")
	m.kv(facts(run, true))
	m.p("## Settings")
	m.p("")
	m.kv(settingFacts(run))
	m.p("## Files")
	m.p("")
	for _, f := range reportFiles {
		m.p("- `%s`: %s", f.name, f.what)
	}
	if len(opt.Charts) > 0 {
		m.p("- `charts/`: the %d charts as PNG and SVG", len(opt.Charts))
	}
	return m.err
}

type mdWriter struct {
	w   io.Writer
	err error
}

func (m *mdWriter) p(format string, args ...any) {
	if m.err == nil {
		_, m.err = fmt.Fprintf(m.w, format+"\n", args...)
	}
}

// md makes text safe in a Markdown table cell or list item: one line, with
// the characters that would end a cell or open a tag escaped.
func md(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
}

// table writes a table; verdicts other than pass are in bold capitals.
func (m *mdWriter) table(tb table) {
	m.p("| %s |", strings.Join(tb.Head, " | "))
	m.p("|%s", strings.Repeat("---|", len(tb.Head)))
	for _, r := range tb.Rows {
		out := make([]string, len(r))
		for i, c := range r {
			out[i] = md(c.Text)
			if c.Status != "" && c.Status != "pass" {
				out[i] = "**" + strings.ToUpper(out[i][:len(c.Status)]) + out[i][len(c.Status):] + "**"
			}
		}
		m.p("| %s |", strings.Join(out, " | "))
	}
	m.p("")
}

func (m *mdWriter) kv(rows [][2]string) {
	if len(rows) == 0 {
		m.p("Not recorded.")
		m.p("")
		return
	}
	tb := table{Head: []string{"", ""}}
	for _, r := range rows {
		tb.Rows = append(tb.Rows, cells(r[0], r[1]))
	}
	m.table(tb)
}

func (m *mdWriter) chart(charts []Chart, name string) {
	for _, c := range charts {
		if c.Name == name {
			m.p("![%s](charts/%s.png)", md(c.Title), c.Name)
			m.p("")
		}
	}
}

func (m *mdWriter) list(intro string, items []string) {
	if len(items) == 0 {
		return
	}
	m.p("%s", intro)
	m.p("")
	for _, it := range items {
		m.p("- %s", md(it))
	}
	m.p("")
}

func (m *mdWriter) test(run *results.Run, t *results.Test, refs []Reference, opt MarkdownOptions) {
	m.p("## %s (`%s`)", md(title(t)), t.ID)
	m.p("")
	m.p("%s · verdict: **%s**", md(testLine(t)), md(outcome(t)))
	m.p("")
	if t.Error != "" {
		m.p("Error: %s", md(t.Error))
		m.p("")
	}
	if hasFigures(t) {
		if opt.Summary {
			m.p("<details><summary>Figures and verdicts per metric</summary>")
			m.p("")
		}
		m.table(verdictTable(t))
		if opt.Summary {
			m.p("</details>")
			m.p("")
		}
	}
	if opt.Summary {
		return
	}
	if intro, tb, ok := cpuTable(run, t, refs); ok {
		m.p("%s", md(intro))
		m.p("")
		m.table(tb)
	}
	if tb, ok := latencyTable(t); ok {
		m.table(tb)
	}
	if tb, ok := nodePairsTable(t); ok {
		m.p("The node pairs, one after the other:")
		m.p("")
		m.table(tb)
	}
	m.list("Endpoints:", endpointLines(t))
	m.list("Warnings:", testWarnings(run, t))
	m.list("Notes:", t.Notes)
	for _, kind := range []string{"ratio", "rate", "cpu", "latency"} {
		m.chart(opt.Charts, t.ID+"-"+kind)
	}
}

func joinFacts(rows [][2]string) string {
	parts := make([]string, len(rows))
	for i, r := range rows {
		parts[i] = r[0] + " " + r[1]
	}
	return strings.Join(parts, ", ")
}

// preflight writes the checks made before the tests (docs/preflight.md): a
// row per check, what it skews and what to do where it warned or failed.
func (m *mdWriter) preflight(run *results.Run) {
	if len(run.Preflight) == 0 {
		return
	}
	m.p("## Preflight")
	m.p("")
	tb := table{Head: []string{"check", "status", "observed", "skews", "what to do"}}
	for _, c := range run.Preflight {
		status := "" // ok and skip are plain, warn and fail stand out
		if c.Status == preflight.Warn || c.Status == preflight.Fail {
			status = string(c.Status)
		}
		tb.Rows = append(tb.Rows, []cell{{Text: c.Name}, {Text: string(c.Status), Status: status}, {Text: c.Observed}, {Text: c.Skews}, {Text: c.Action}})
	}
	m.table(tb)
}
