package verdict_test

import (
	"os"
	"path/filepath"
	"testing"

	"podperf/framework/baseline"
	"podperf/framework/report"
	"podperf/framework/results"
	"podperf/framework/verdict"
)

// A profile written by --write-baseline carries its raw samples, and a run
// judged against it is judged two-sample; older profiles still load and are
// judged against their figures.
func TestRecordedProfileRoundTrip(t *testing.T) {
	run, err := report.Load(filepath.Join("..", "..", "cmd", "podperf", "testdata", "a.json"))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := baseline.Builtin("cilium-legacy-host-routing")
	if err != nil {
		t.Fatal(err)
	}
	p, err := report.Baseline(run, "before", ref)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "before.yaml")
	if err := p.Write(path, "recorded"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	back, err := baseline.Parse(b, path)
	if err != nil {
		t.Fatal(err)
	}
	s := back.Tests["tcp_stream_1"].Samples
	if s == nil || len(s.Pod[results.Rate]) != 3 || len(s.Node[results.ServerCPU]) != 3 {
		t.Fatalf("recorded samples did not survive the round trip: %+v", s)
	}
	tol := verdict.Tolerances{Defaults: map[results.Metric]float64{results.Rate: 0.25, results.ClientCPU: 0.5, results.ServerCPU: 0.5}}
	vs, err := verdict.JudgeTest(verdict.Against{Mode: verdict.Relative, Profile: back, Tol: tol}, run.Tests[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	if vs[0].ReferenceN != 3 {
		t.Errorf("against the recorded profile: referenceN %d, want 3 (%s)", vs[0].ReferenceN, vs[0].Message)
	}
	vs, err = verdict.JudgeTest(verdict.Against{Mode: verdict.Relative, Profile: ref, Tol: tol}, run.Tests[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	if vs[0].ReferenceN != 0 {
		t.Errorf("against a published profile: referenceN %d, want 0", vs[0].ReferenceN)
	}
}
