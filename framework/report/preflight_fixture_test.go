package report_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"podperf/framework/preflight"
	"podperf/framework/report"
	"podperf/framework/results"
)

// withPreflight adds to the fixture run the preflight checks of a cluster,
// one of each status, so that the schema test covers their fields; the
// golden files are made without them.
func withPreflight(r *results.Run) *results.Run {
	r.Preflight = []preflight.Check{
		{Name: preflight.Nodes, Status: preflight.OK, Observed: "3 usable; client node-a, server node-b"},
		{Name: preflight.CPU, Status: preflight.Warn, Observed: "32 CPUs requested per pod, 1800m granted",
			Skews: "the 32-CPU test runs with fewer CPUs", Action: "run on nodes with 64 free allocatable CPUs"},
		{Name: preflight.Image, Status: preflight.Fail, Observed: "not present", Skews: "pods pull it", Action: "load it"},
		{Name: preflight.Governor, Status: preflight.Skip, Observed: "not readable through the Kubernetes API"},
	}
	return r
}

// The schema's list of check names is the package's.
func TestSchemaPreflightNames(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "manifests", report.SchemaFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Defs struct {
			Check struct {
				Properties struct {
					Name struct {
						Enum []string `json:"enum"`
					} `json:"name"`
				} `json:"properties"`
			} `json:"preflightCheck"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Defs.Check.Properties.Name.Enum; !slices.Equal(got, preflight.Names) {
		t.Errorf("schema preflightCheck names = %q, want preflight.Names %q", got, preflight.Names)
	}
}

// A check outside the vocabulary is refused.
func TestSchemaRefusesPreflight(t *testing.T) {
	r := withPreflight(&results.Run{Schema: results.Schema, Verdict: results.NoTests})
	r.Preflight[0].Status = "bad"
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.ValidateResults(b); err == nil || !strings.Contains(err.Error(), "/preflight/0/status") {
		t.Errorf("ValidateResults = %v, want an error about /preflight/0/status", err)
	}
}

// The checks reach the JUnit properties, report.md and the printed summary.
func TestPreflightReported(t *testing.T) {
	r := withPreflight(&results.Run{Schema: results.Schema, Verdict: results.NoTests})
	props := map[string]string{}
	for _, p := range report.Properties(r) {
		props[p.Name] = p.Value
	}
	if got, want := props["podperf.preflight.cpu"], "warn: 32 CPUs requested per pod, 1800m granted"; got != want {
		t.Errorf("podperf.preflight.cpu = %q, want %q", got, want)
	}
	if got, want := props["podperf.preflight.governor"], "skip: not readable through the Kubernetes API"; got != want {
		t.Errorf("podperf.preflight.governor = %q, want %q", got, want)
	}
	var md bytes.Buffer
	if err := report.Markdown(&md, r, nil, report.MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Preflight", "| cpu | **WARN** | 32 CPUs requested per pod, 1800m granted | the 32-CPU test runs with fewer CPUs | run on nodes with 64 free allocatable CPUs |",
		"| image | **FAIL** |", "| nodes | ok | 3 usable; client node-a, server node-b |  |  |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("report.md lacks %q:\n%s", want, md.String())
		}
	}
	var sum bytes.Buffer
	report.Summary(&sum, r)
	if want := "preflight cpu: warn: 32 CPUs requested per pod, 1800m granted; skews: the 32-CPU test runs with fewer CPUs; do: run on nodes with 64 free allocatable CPUs\n"; !strings.HasPrefix(sum.String(), "preflight nodes: ok: 3 usable; client node-a, server node-b\n"+want) {
		t.Errorf("summary starts:\n%s", sum.String())
	}
}
