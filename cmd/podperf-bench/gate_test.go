package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"podperf/framework/baseline"
	"podperf/framework/results"
	"podperf/framework/verdict"
)

// A gate whose rounds are all in the file is not measured again: its rates
// come from the rounds kept, which is how a stopped bench resumes.
func TestGateResumesFromItsRounds(t *testing.T) {
	o := Options{Out: "bench.json", Duration: 10 * time.Second, Samples: 3, MaxSamples: 10, CalibrationSamples: 10, Cut: 0.1, Filters: 600, Tolerances: "regression", Rounds: 2}
	run := func(id string, cut bool, outcome results.Status) GateRun {
		return GateRun{Test: id, Cut: cut, Outcome: outcome, Samples: 4, RateEffect: map[bool]float64{true: 0.9, false: 1}[cut], Wall: time.Minute}
	}
	round := func(i int, healthyStream results.Status) GateRound {
		return GateRound{Index: i, Runs: []GateRun{
			run("tcp_stream_1", false, healthyStream), run("tcp_stream_1", true, results.Fail),
			run("tcp_rr_1", false, results.Pass), run("tcp_rr_1", true, results.Inconclusive)},
			Compares: []GateCompare{{Test: "tcp_stream_1", Kind: "healthy vs cut", Rate: verdict.Regressed, Regressed: true}}}
	}
	prev := &Gate{Settings: o.gateSettings(), Calibration: &baseline.Profile{Name: "calibration"},
		Rounds: []GateRound{round(1, results.Pass), round(2, results.Inconclusive)}}
	var logs []string
	g, err := gate(context.Background(), nil, o, prev, func(f string, a ...any) { logs = append(logs, f) }, func(*Gate) { t.Error("saved without a new round") })
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Rounds) != 2 || len(g.Summary) != 2 {
		t.Fatalf("%d rounds, %d summaries", len(g.Rounds), len(g.Summary))
	}
	s := g.Summary[0]
	if s.Test != "tcp_stream_1" || s.FalseAlarms.K != 1 || s.FalseAlarms.N != 2 || s.Detected.K != 2 || s.CompareDetected.K != 2 {
		t.Errorf("stream summary %+v: want 1 of 2 false alarms (an inconclusive healthy run fails the gate), 2 of 2 detected", s)
	}
	if rr := g.Summary[1]; rr.Detected.K != 2 || rr.DecidedFail.K != 0 || rr.FalseAlarms.K != 0 {
		t.Errorf("rr summary %+v: an inconclusive cut run counts as detected under --inconclusive=fail", rr)
	}
	if !strings.Contains(strings.Join(logs, "\n"), "continuing after the %d rounds") {
		t.Errorf("no word of resuming: %q", logs)
	}
	checks := g.checks()
	if len(checks) < 4 || !strings.Contains(checks[0].Measured, "upper bound") {
		t.Errorf("checks %+v", checks)
	}
}
