package report_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"podperf/framework/report"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./framework/report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output; if the change is meant, run go test ./framework/report -update and review the diff.\n--- got:\n%s", path, got)
	}
}

// The reports of testdata/run.json, a real local run (trimmed, with a
// datapath and a run warning added): report.md with the charts it links,
// the job summary and results.csv.
func TestGolden(t *testing.T) {
	run, err := report.Load(filepath.Join("testdata", "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	refs, err := report.BuiltinProfiles()
	if err != nil {
		t.Fatal(err)
	}
	var charts []report.Chart
	for _, c := range []string{"overview-ratio", "tcp_rr_1-ratio", "tcp_rr_1-rate", "tcp_rr_1-cpu", "tcp_rr_1-latency"} {
		charts = append(charts, report.Chart{Name: c, Title: "chart " + c})
	}
	for _, tc := range []struct {
		file string
		opt  report.MarkdownOptions
	}{
		{"report.md.golden", report.MarkdownOptions{Charts: charts}},
		{"summary.md.golden", report.MarkdownOptions{Summary: true}},
	} {
		var b bytes.Buffer
		if err := report.Markdown(&b, run, refs, tc.opt); err != nil {
			t.Fatal(err)
		}
		golden(t, tc.file, b.Bytes())
	}
	var b bytes.Buffer
	if err := report.CSV(&b, run); err != nil {
		t.Fatal(err)
	}
	golden(t, "results.csv.golden", b.Bytes())
}
