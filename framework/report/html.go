package report

import (
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"

	"podperf/framework/results"
)

//go:embed report.html.tmpl
var htmlTemplate string

var reportTemplate = template.Must(template.New("report").Parse(htmlTemplate))

type htmlView struct {
	Verdict, VerdictClass string
	Headline              []string
	Warnings              []string
	Overview, Sits        table
	OverviewChart         *htmlChart
	Tests                 []htmlTest
	Env, Settings         [][2]string
	Files                 [][2]string
}

type htmlTest struct {
	ID, Title, Line, Outcome, OutcomeClass, Error string
	Verdicts                                      *table
	CPU                                           *htmlCPU
	Latency, NodePairs                            *table
	Endpoints, Warnings, Notes                    []string
	Charts                                        []htmlChart
}

type htmlCPU struct {
	Intro string
	Table table
}

type htmlChart struct {
	Title, Caption string
	// Src is the SVG inlined as a data URL, so that the page needs no other file.
	Src      template.URL
	PNG, SVG string
}

// HTML writes report.html: the report with every chart inlined, one file
// that opens anywhere.
func HTML(w io.Writer, run *results.Run, refs []Reference, charts []Chart) error {
	tests := ordered(run)
	v := htmlView{
		Verdict:      verdictWord(run.Verdict),
		VerdictClass: strings.ReplaceAll(string(run.Verdict), " ", "-"),
		Headline:     headline(run, len(tests)),
		Warnings:     allWarnings(run),
		Overview:     overviewTable(tests),
		Sits:         sitsTable(run, tests, refs),
		Env:          facts(run, true),
		Settings:     settingFacts(run),
	}
	if v.VerdictClass == "no-tests-ran" {
		v.VerdictClass = "no-tests"
	}
	byName := map[string]Chart{}
	for _, c := range charts {
		byName[c.Name] = c
	}
	chart := func(name string) (htmlChart, bool) {
		c, ok := byName[name]
		if !ok {
			return htmlChart{}, false
		}
		return htmlChart{Title: c.Title, Caption: c.Caption, PNG: "charts/" + name + ".png", SVG: "charts/" + name + ".svg",
			Src: template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(c.SVG))}, true
	}
	if c, ok := chart("overview-ratio"); ok {
		v.OverviewChart = &c
	}
	for _, t := range tests {
		ht := htmlTest{ID: t.ID, Title: title(t), Line: testLine(t), Outcome: outcome(t), Error: t.Error,
			Endpoints: endpointLines(t), Warnings: testWarnings(run, t), Notes: t.Notes}
		ht.OutcomeClass = statusOf(ht.Outcome)
		if hasFigures(t) {
			vt := verdictTable(t)
			ht.Verdicts = &vt
		}
		if intro, tb, ok := cpuTable(run, t, refs); ok {
			ht.CPU = &htmlCPU{Intro: intro, Table: tb}
		}
		if tb, ok := latencyTable(t); ok {
			ht.Latency = &tb
		}
		if tb, ok := nodePairsTable(t); ok {
			ht.NodePairs = &tb
		}
		for _, kind := range []string{"ratio", "rate", "cpu", "latency"} {
			if c, ok := chart(t.ID + "-" + kind); ok {
				ht.Charts = append(ht.Charts, c)
			}
		}
		v.Tests = append(v.Tests, ht)
	}
	for _, f := range reportFiles {
		v.Files = append(v.Files, [2]string{f.name, f.what})
	}
	if len(charts) > 0 {
		v.Files = append(v.Files, [2]string{"charts/", fmt.Sprintf("the %d charts as PNG and SVG", len(charts))})
	}
	if err := reportTemplate.Execute(w, v); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	return nil
}
