package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// podperf runs the command in-process and returns its status and output.
func podperf(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestReport(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("..", "..", "framework", "report", "testdata", "run.json")
	for _, args := range [][]string{
		{"report", src, "--out", dir},
		{"report", "--out", dir, src},
	} {
		code, out, errOut := podperf(args...)
		if code != 0 || errOut != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errOut)
		}
		if !strings.Contains(out, "verdict inconclusive: "+filepath.Join(dir, "report.html")) {
			t.Errorf("stdout %q", out)
		}
	}
	for _, f := range []string{"report.md", "report.html", "summary.md", "results.csv", "charts/overview-ratio.png", "charts/tcp_rr_1-latency.svg"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	// An older run's file reports too.
	if code, _, errOut := podperf("report", filepath.Join("..", "..", "framework", "report", "testdata", "old-run.json"), "--out", t.TempDir()); code != 0 {
		t.Errorf("old run: exit %d: %s", code, errOut)
	}
}

// By default the report goes beside the results.
func TestReportBesideResults(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join("..", "..", "framework", "report", "testdata", "old-run.json"))
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "results.json")
	if err := os.WriteFile(src, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := podperf("report", src); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "report.html")); err != nil {
		t.Error(err)
	}
}

// Bad input is one line on stderr with exit status 1; a bad command line
// exits 2 with the usage.
func TestErrors(t *testing.T) {
	dir := t.TempDir()
	put := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"missing file", []string{"report", filepath.Join(dir, "none.json")}, 1, "no such file or directory"},
		{"not JSON", []string{"report", put("a.json", "<xml/>")}, 1, "is not JSON"},
		{"wrong schema", []string{"report", put("b.json", `{"schema": "podperf.results/v1", "tests": [{"id": 7, "paths": {}}]}`)}, 1, "does not follow the results schema"},
		{"another file kind", []string{"report", put("c.json", `{"schema": "podperf.bench/v1"}`)}, 1, `has schema "podperf.bench/v1"`},
		{"no file", []string{"report"}, 2, "want one results.json, got 0"},
		{"two files", []string{"report", "a.json", "b.json"}, 2, "want one results.json, got 2"},
		{"unknown flag", []string{"report", "--colour", "x.json"}, 2, "flag provided but not defined"},
		{"unwritable out", []string{"report", filepath.Join("..", "..", "framework", "report", "testdata", "run.json"), "--out", put("file", "")}, 1, "write the report to"},
		{"--github-summary without the variable", []string{"report", filepath.Join("..", "..", "framework", "report", "testdata", "run.json"), "--out", t.TempDir(), "--github-summary"}, 1, "GITHUB_STEP_SUMMARY is not set"},
		{"compare, missing files", []string{"compare", "a.json", "b.json"}, 2, "run A: "},
		{"unknown command", []string{"plot"}, 2, `unknown command "plot"`},
		{"no command", nil, 2, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GITHUB_STEP_SUMMARY", "")
			code, out, errOut := podperf(tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, errOut)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q, want %q", errOut, tc.want)
			}
			if tc.code == 1 && strings.Count(errOut, "\n") != 1 {
				t.Errorf("error is not one line: %q", errOut)
			}
			if tc.args == nil && !strings.Contains(out, "usage: podperf COMMAND") {
				t.Errorf("no usage: %q", out)
			}
		})
	}
}
