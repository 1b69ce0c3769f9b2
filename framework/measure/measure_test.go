package measure_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"podperf/framework/baseline"
	"podperf/framework/endpoints"
	"podperf/framework/measure"
	"podperf/framework/results"
	"podperf/framework/scenario"
	"podperf/framework/verdict"
)

// fakePair replays a real netperf capture with the throughput it is told to
// report. It is a fake on purpose: the sampling loop's branches (decided at
// once, decided after extra samples, never decided, out of budget) need
// sample sequences that a real network cannot be made to produce on demand.
// The real path through the local target is covered by the specs.
type fakePair struct {
	path   endpoints.Path
	out    string
	mbits  []float64 // one per sample
	calls  int
	txRate float64 // client counter rate in bytes/s; 0: no counter
	t0     time.Time
}

func (p *fakePair) ServerAddress() string       { return "198.18.0.2" }
func (p *fakePair) Info() endpoints.PairInfo    { return endpoints.PairInfo{Path: p.path} }
func (p *fakePair) Close(context.Context) error { return nil }
func (p *fakePair) ClientTxBytes(context.Context) (uint64, error) {
	if p.txRate == 0 {
		return 0, fmt.Errorf("no counter")
	}
	return uint64(time.Since(p.t0).Seconds() * p.txRate), nil
}

var (
	throughput = regexp.MustCompile(`(?m)^THROUGHPUT=.*$`)
	elapsed    = regexp.MustCompile(`(?m)^ELAPSED_TIME=.*$`)
)

func (p *fakePair) Run(_ context.Context, _ []string) (endpoints.Output, error) {
	v := p.mbits[min(p.calls, len(p.mbits)-1)]
	p.calls++
	out := throughput.ReplaceAllString(p.out, fmt.Sprintf("THROUGHPUT=%.2f", v))
	// A 20 ms "run", so that the counter readings cover its window.
	out = elapsed.ReplaceAllString(out, "ELAPSED_TIME=0.01")
	started := time.Now()
	time.Sleep(20 * time.Millisecond)
	return endpoints.Output{Stdout: out, Started: started, Ended: time.Now()}, nil
}

func plan(t *testing.T, samples, maxSamples int) measure.Plan {
	t.Helper()
	fig := baseline.Figures{Rate: 5, ClientSD: 2.871, ServerSD: 2.871}
	p := &baseline.Profile{Name: "test", Testbed: baseline.Testbed{CPUsPerNode: 32}, Tests: map[string]baseline.TestFigures{
		"tcp_stream_1": {Unit: "Gbit/s", CPUNormalisedTo: 100, Pod: fig, Node: fig},
	}}
	tol := verdict.Tolerances{Defaults: map[results.Metric]float64{results.Rate: 0.1, results.ClientCPU: 0.1, results.ServerCPU: 0.1}}
	return measure.Plan{Scenario: scenario.Benchmark[0], Settings: scenario.Settings{Duration: 2 * time.Second, Samples: samples, ControlPort: 12865, DataPortBase: 12866},
		MaxSamples: maxSamples, Mode: verdict.Relative, Profile: p, Tol: tol}
}

func pairs(t *testing.T, podRatios ...float64) (*fakePair, *fakePair) {
	t.Helper()
	out, err := os.ReadFile("../netperf/testdata/tcp_stream.out")
	if err != nil {
		t.Fatal(err)
	}
	node := &fakePair{path: endpoints.NodePath, out: string(out), mbits: []float64{5000}}
	pod := &fakePair{path: endpoints.PodPath, out: string(out)}
	for _, r := range podRatios {
		pod.mbits = append(pod.mbits, 5000*r)
	}
	return node, pod
}

func rateVerdict(t *testing.T, res *results.Test) results.Verdict {
	t.Helper()
	for _, v := range res.Verdicts {
		if v.Metric == results.Rate {
			return v
		}
	}
	t.Fatalf("no rate verdict in %+v", res.Verdicts)
	return results.Verdict{}
}

func TestMeasureSampling(t *testing.T) {
	tests := []struct {
		name        string
		samples     int
		max         int
		budget      time.Duration
		ratios      []float64
		wantSamples int
		wantStatus  results.Status
		wantNote    string
	}{
		{"decided after the first samples", 3, 10, 0, []float64{1, 1.01, 0.99}, 3, "pass", ""},
		// n=3: mean 1, the first look's interval (wide: it pays for the looks
		// to come) straddles 0.9; two more samples decide.
		{"inconclusive, then decided by more samples", 3, 10, 0, []float64{1, 0.95, 1.05, 1}, 5, "pass", ""},
		{"clearly failing is decided at once", 3, 10, 0, []float64{0.5, 0.51, 0.49}, 3, "fail", ""},
		// On the threshold (0.9) with little noise: the plan says more samples
		// could decide, so they are taken, but the figure never leaves it.
		{"never decided: stops at --max-samples", 3, 5, 0, []float64{0.88, 0.92, 0.9, 0.88, 0.92, 0.9}, 5, "inconclusive", "still inconclusive after 5 samples per path (--max-samples)"},
		{"max-samples at samples: no extra sample", 3, 3, 0, []float64{0.7, 1.3}, 3, "inconclusive", ""},
		{"out of budget", 3, 10, time.Nanosecond, []float64{0.88, 0.92, 0.9}, 3, "inconclusive", "the next sample would exceed --sample-budget=1ns"},
		// 30% noise against a 10% tolerance: not even 10 samples could decide,
		// so the test stops after the first look and says what it would take.
		{"hopeless: stops early and says why", 3, 10, 0, []float64{0.7, 1.3}, 3, "inconclusive", "rate still inconclusive after 3 samples per path, stopped early: TCP_STREAM 1 stream: the pod/node throughput ratio varies 31.5% sample to sample here; a 10% tolerance needs about"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			node, pod := pairs(t, tc.ratios...)
			p := plan(t, tc.samples, tc.max)
			p.Budget = tc.budget
			res := p.Scenario.NewResult()
			if err := measure.Measure(context.Background(), []endpoints.Pair{node, pod}, p, res); err != nil {
				t.Fatal(err)
			}
			if n := len(res.Paths[endpoints.PodPath].Samples); n != tc.wantSamples || len(res.Paths[endpoints.NodePath].Samples) != n {
				t.Errorf("samples pod/node = %d/%d, want %d each", n, len(res.Paths[endpoints.NodePath].Samples), tc.wantSamples)
			}
			v := rateVerdict(t, res)
			if v.Status != tc.wantStatus || v.N != tc.wantSamples {
				t.Errorf("rate verdict %s with n=%d, want %s with n=%d: %s", v.Status, v.N, tc.wantStatus, tc.wantSamples, v.Message)
			}
			// Service demand 2.871 µs/KB in the published form: 100 Gbit/s is
			// 12,207,031 KB/s, 35.05 CPUs' worth: 1752% of the capture's 2 CPUs,
			// 109.5% of the test bed's 32.
			c := res.Paths[endpoints.PodPath].CPU
			if c == nil || c.Work != 100 || c.ClientCPUs != 2 || math.Abs(c.ClientPercent-1752.4) > 0.1 || math.Abs(c.ServerPercentTestbed-109.5) > 0.1 {
				t.Errorf("normalised CPU = %+v", c)
			}
			notes := strings.Join(res.Notes, "\n")
			if (tc.wantNote == "") != (notes == "") || !strings.Contains(notes, tc.wantNote) {
				t.Errorf("notes %q, want %q", notes, tc.wantNote)
			}
		})
	}
}

func TestMeasureCounterWarning(t *testing.T) {
	for _, tc := range []struct {
		name    string
		txRate  float64 // bytes/s seen by the counter; netperf reports 5000 Mbit/s = 625e6 bytes/s
		warning bool
	}{
		{"counter agrees", 626e6, false},
		{"counter 20% lower", 500e6, true},
		{"no counter", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			node, pod := pairs(t, 1)
			node.txRate, pod.txRate = tc.txRate, tc.txRate
			node.t0, pod.t0 = time.Now(), time.Now()
			p := plan(t, 1, 1)
			p.CounterTolerance = 0.05
			res := p.Scenario.NewResult()
			if err := measure.Measure(context.Background(), []endpoints.Pair{node, pod}, p, res); err != nil {
				t.Fatal(err)
			}
			if got := len(res.Warnings) > 0; got != tc.warning {
				t.Fatalf("warnings %q, want some: %v", res.Warnings, tc.warning)
			}
			if tc.warning && !strings.Contains(res.Warnings[0], "more than the 5% allowed by --counter-tolerance") {
				t.Errorf("warning %q does not say what was exceeded", res.Warnings[0])
			}
		})
	}
}
