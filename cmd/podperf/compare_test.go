package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// The testdata runs are real: the four specs on the local target, 3 samples
// of 2 s on a busy 2-vCPU VM (a.json, b.json healthy; d.json with the pod path
// capped at 200 Mbit/s by --local-tc=pod:rate=200mbit), trimmed of netperf's
// interim reports and of all but the first process of each 32-process sample.
const (
	healthyA = "testdata/a.json"
	healthyB = "testdata/b.json"
	cutD     = "testdata/d.json"
)

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/podperf -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the output; if the change is meant, run go test ./cmd/podperf -update and review the diff.\n--- got:\n%s", path, got)
	}
}

func TestCompareGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b string
		more []string
	}{{"healthy-healthy", healthyA, healthyB, nil}, {"healthy-cut", healthyB, cutD, nil}, {"healthy-cut-pod", healthyA, cutD, []string{"--figure", "pod"}}} {
		for _, format := range []string{"text", "markdown", "json"} {
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				code, out, errOut := podperf(append([]string{"compare", tc.a, tc.b, "--format", format}, tc.more...)...)
				var c struct {
					Regressed int `json:"regressed"`
					Rows      []struct {
						Test, Change string
						Metric       string
					} `json:"rows"`
				}
				_, js, _ := podperf(append([]string{"compare", tc.a, tc.b, "--format", "json"}, tc.more...)...)
				if err := json.Unmarshal([]byte(js), &c); err != nil {
					t.Fatalf("json output: %v", err)
				}
				if want := map[bool]int{true: 1, false: 0}[c.Regressed > 0]; code != want {
					t.Errorf("exit %d with %d regressed, want %d (stderr %q)", code, c.Regressed, want, errOut)
				}
				if code == 1 && !strings.Contains(errOut, "metrics regressed") {
					t.Errorf("stderr %q does not say what regressed", errOut)
				}
				ext := map[string]string{"text": "txt", "markdown": "md", "json": "json"}[format]
				golden(t, tc.name+"."+ext+".golden", out)
			})
		}
	}
	// A 200 Mbit/s cap on a pod path that carries gigabits: the pod's
	// throughput regressed, and so did its CPU per byte.
	code, js, _ := podperf("compare", healthyA, cutD, "--format", "json", "--figure", "pod")
	if code != 1 {
		t.Errorf("healthy against cut: exit %d, want 1", code)
	}
	var c struct {
		Rows []struct {
			Test   string `json:"test"`
			Metric string `json:"metric"`
			Change string `json:"change"`
		} `json:"rows"`
	}
	if err := json.Unmarshal([]byte(js), &c); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, r := range c.Rows {
		if r.Test == "tcp_stream_1" {
			seen++
			if r.Change != "regressed" {
				t.Errorf("tcp_stream_1 %s under a 200 Mbit/s cap: %q, want regressed", r.Metric, r.Change)
			}
		}
	}
	if seen != 3 {
		t.Errorf("%d tcp_stream_1 rows, want 3", seen)
	}
}

// Runs that differ are refused with what differs, unless --force.
func TestCompareRefusesUnlikeRuns(t *testing.T) {
	b, err := os.ReadFile(healthyB)
	if err != nil {
		t.Fatal(err)
	}
	var run map[string]any
	if err := json.Unmarshal(b, &run); err != nil {
		t.Fatal(err)
	}
	run["settings"].(map[string]any)["duration"] = 3e9
	tests := run["tests"].([]any)
	run["tests"] = tests[:len(tests)-1]
	last := tests[len(tests)-1].(map[string]any)["id"].(string)
	other, _ := json.Marshal(run)
	path := filepath.Join(t.TempDir(), "other.json")
	if err := os.WriteFile(path, other, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := podperf("compare", healthyA, path)
	if code != 2 || !strings.Contains(errOut, "durations 2s and 3s") || !strings.Contains(errOut, "tests only in A: "+last) || !strings.Contains(errOut, "--force") {
		t.Errorf("exit %d, stderr %q: want 2 naming the durations and %s", code, errOut, last)
	}
	if strings.Count(errOut, "\n") != 1 {
		t.Errorf("refusal is not one line: %q", errOut)
	}
	code, out, _ := podperf("compare", healthyA, path, "--force")
	if code == 2 || !strings.Contains(out, "Warning: the runs differ (durations 2s and 3s)") || strings.Contains(out, last+" ") {
		t.Errorf("--force: exit %d, output %q", code, out)
	}
}

func TestCompareFlags(t *testing.T) {
	dir := t.TempDir()
	code, _, _ := podperf("compare", healthyA, healthyB, "--out", dir)
	if code == 2 {
		t.Fatal("compare --out failed")
	}
	for _, f := range []string{"comparison.md", "comparison.json", "charts/comparison.png", "charts/comparison.svg"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	// Two equal runs: no change everywhere the noise allows, never regressed.
	if code, out, _ := podperf("compare", healthyA, healthyA, "--tolerance", "50%"); code != 0 || !strings.Contains(out, "no change") {
		t.Errorf("a run against itself at 50%%: exit %d\n%s", code, out)
	}
	// --strict fails on inconclusive rows.
	_, out, _ := podperf("compare", healthyA, healthyB)
	if strings.Contains(out, "inconclusive") {
		if code, _, errOut := podperf("compare", healthyA, healthyB, "--strict"); code != 1 || !strings.Contains(errOut, "inconclusive (--strict)") {
			t.Errorf("--strict: exit %d, %q", code, errOut)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"compare", healthyA}, "want two results.json files (A, then B), got 1"},
		{[]string{"compare", healthyA, healthyB, "--tolerance", "abc"}, `--tolerance="abc": use a percentage such as 5%`},
		{[]string{"compare", healthyA, healthyB, "--tolerance", "150%"}, "use a percentage"},
		{[]string{"compare", healthyA, healthyB, "--format", "xml"}, `--format="xml": use text, markdown or json`},
		{[]string{"compare", healthyA, healthyB, "--figure", "node"}, `--figure="node": use ratio or pod`},
		{[]string{"compare", healthyA, filepath.Join(dir, "none.json")}, "run B: "},
	} {
		code, _, errOut := podperf(tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}
