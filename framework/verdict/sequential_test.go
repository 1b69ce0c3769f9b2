package verdict_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"podperf/framework/baseline"
	"podperf/framework/endpoints"
	"podperf/framework/netperf"
	"podperf/framework/results"
	"podperf/framework/stats"
	"podperf/framework/verdict"
)

// input is one metric with pod samples pod[i] over node samples of 20.
func input(m results.Metric, ratios ...float64) verdict.Input {
	in := verdict.Input{Test: "tcp_stream_1", Title: "TCP_STREAM 1 stream", Metric: m, Unit: results.UnitOf(m, false)}
	for _, r := range ratios {
		in.Pod, in.Node = append(in.Pod, 20*r), append(in.Node, 20)
	}
	return in
}

// An extended spec's verdict names its path where the four's name the pod.
func TestJudgeNamesThePath(t *testing.T) {
	in := input(results.Rate, 1.79, 1.8, 1.81)
	in.Path = "service"
	v, err := verdict.Judge(verdict.Relative, in, want, 0.25, verdict.Look{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(v.Message, "PASS: service 36 Gbit/s vs node 20 Gbit/s") {
		t.Errorf("message %q does not name the service path", v.Message)
	}
}

// Figures that stand in for an unpublished test (scenario.Reference) are
// the node-to-node reference, and the verdict says so once, not "published".
func TestJudgeUnpublished(t *testing.T) {
	one := baseline.Figures{Rate: 1, ClientSD: 1, ServerSD: 1}
	stand := baseline.TestFigures{Unit: "Gbit/s", Pod: one, Node: one, Unpublished: true}
	v, err := verdict.Judge(verdict.Relative, input(results.Rate, 0.99, 1, 1.01), stand, 0.25, verdict.Look{})
	if err != nil {
		t.Fatal(err)
	}
	msg := v.Message
	if strings.Contains(msg, "published 1.000") || strings.Count(msg, verdict.UnpublishedNote) != 1 || !strings.Contains(msg, "(node-to-node 1.000") {
		t.Errorf("message = %q", msg)
	}
}

// TestJudge: the interval decides, not the median; each mode and direction.
func TestJudge(t *testing.T) {
	tests := []struct {
		name   string
		mode   verdict.Mode
		metric results.Metric
		tol    float64
		ratios []float64
		status results.Status
		msg    []string
	}{
		// Relative rate: threshold 2 * (1 - 0.25) = 1.5.
		{"relative rate above", verdict.Relative, results.Rate, 0.25, []float64{1.79, 1.8, 1.81}, "pass",
			[]string{"TCP_STREAM 1 stream throughput PASS:", "pod 36 Gbit/s vs node 20 Gbit/s", "ratio 1.800", "expected ratio >= 1.500", "published 2.000 - 25% tolerance", "[relative]", "sequential 95% CI", "n=3)", "smallest detectable worsening"}},
		{"relative rate straddles", verdict.Relative, results.Rate, 0.25, []float64{1.4, 1.5, 1.6}, "inconclusive",
			[]string{"INCONCLUSIVE:", "straddles the threshold"}},
		{"relative rate below", verdict.Relative, results.Rate, 0.25, []float64{1.29, 1.3, 1.31}, "fail",
			[]string{"throughput FAIL:", "ratio 1.300", "expected ratio >= 1.500"}},
		// Relative CPU: threshold 2 * 1.5 = 3.
		{"relative CPU below", verdict.Relative, results.ClientCPU, 0.5, []float64{2.49, 2.5, 2.51}, "pass",
			[]string{"client CPU (service demand) PASS:", "expected ratio <= 3.000", "published 2.000 + 50% tolerance"}},
		{"relative CPU above", verdict.Relative, results.ServerCPU, 0.5, []float64{3.5, 3.51, 3.52}, "fail", []string{"FAIL:", "<= 3.000"}},
		// Absolute rate: pod 20*r against 40 * 0.75 = 30.
		{"absolute rate above", verdict.Absolute, results.Rate, 0.25, []float64{1.79, 1.8, 1.81}, "pass",
			[]string{"throughput PASS:", "pod 36 Gbit/s", "vs baseline 40 Gbit/s", "ratio 0.900", "expected >= 30", "[absolute]"}},
		{"absolute rate below", verdict.Absolute, results.Rate, 0.25, []float64{1.2, 1.21, 1.22}, "fail", []string{"FAIL:", "expected >= 30"}},
		{"one sample on its value", verdict.Relative, results.Rate, 0.25, []float64{1.5}, "pass", []string{"n=1, no interval"}},
		{"one sample below", verdict.Relative, results.Rate, 0.25, []float64{1.49}, "fail", []string{"n=1, no interval"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := verdict.Judge(tc.mode, input(tc.metric, tc.ratios...), want, tc.tol, verdict.Look{})
			if err != nil {
				t.Fatal(err)
			}
			if v.Status != tc.status {
				t.Fatalf("Status = %q, want %q (%s)", v.Status, tc.status, v.Message)
			}
			if strings.ContainsAny(v.Message, "\r\n") {
				t.Errorf("message is not one line: %q", v.Message)
			}
			for _, s := range tc.msg {
				if !strings.Contains(v.Message, s) {
					t.Errorf("message %q lacks %q", v.Message, s)
				}
			}
			if v.N > 1 && (v.CILow > v.Measured || v.CIHigh < v.Measured || v.MDE <= tc.tol) {
				t.Errorf("interval %v..%v around %v, MDE %v (must exceed the tolerance)", v.CILow, v.CIHigh, v.Measured, v.MDE)
			}
		})
	}
}

// A look early in a longer design is wider than a single fixed look: the
// design pays for the looks still to come.
func TestJudgeSequentialIsWider(t *testing.T) {
	in := input(results.Rate, 1.7, 1.8, 1.9)
	single, _ := verdict.Judge(verdict.Relative, in, want, 0.25, verdict.Look{})
	early, _ := verdict.Judge(verdict.Relative, in, want, 0.25, verdict.Look{Design: stats.NewDesign(3, 10)})
	if !(early.CILow < single.CILow && early.CIHigh > single.CIHigh) {
		t.Errorf("first of 8 looks %v..%v is not wider than a single look %v..%v", early.CILow, early.CIHigh, single.CILow, single.CIHigh)
	}
}

// Against a recorded profile the verdict carries both runs' noise and says so.
func TestJudgeTwoSample(t *testing.T) {
	rec := want
	rec.Samples = &baseline.Samples{Pod: map[results.Metric][]float64{}, Node: map[results.Metric][]float64{}}
	for _, m := range results.Metrics {
		rec.Samples.Pod[m], rec.Samples.Node[m] = []float64{39, 40, 41, 40, 40}, []float64{20, 20, 20, 20, 20}
	}
	in := input(results.Rate, 1.99, 2.0, 2.01, 2.0)
	in.RefPod, in.RefNode, in.RefName = rec.Samples.Pod[results.Rate], rec.Samples.Node[results.Rate], "profile before.yaml"
	v, err := verdict.Judge(verdict.Relative, in, rec, 0.1, verdict.Look{})
	if err != nil {
		t.Fatal(err)
	}
	one, _ := verdict.Judge(verdict.Relative, input(results.Rate, 1.99, 2.0, 2.01, 2.0), want, 0.1, verdict.Look{})
	if v.ReferenceN != 5 || v.Status != results.Pass || v.CIHigh-v.CILow <= one.CIHigh-one.CILow {
		t.Errorf("two-sample verdict %+v: want n_ref 5, pass, and a wider interval than %v..%v", v, one.CILow, one.CIHigh)
	}
	for _, s := range []string{"in profile before.yaml (n=5)", "two-sample: both runs' noise counted", "expected ratio >= 1.800"} {
		if !strings.Contains(v.Message, s) {
			t.Errorf("message %q lacks %q", v.Message, s)
		}
	}
}

// simTest is a test whose three metrics have pod/node ratios drawn around
// means[m] with coefficient of variation cv.
func simTest(rng *rand.Rand, n int, means map[results.Metric]float64, cv float64) *results.Test {
	t := &results.Test{ID: "tcp_stream_1", Title: "T", Netperf: netperf.TCPStream,
		Paths: map[endpoints.Path]*results.Path{endpoints.PodPath: {}, endpoints.NodePath: {}}}
	for range n {
		addSample(rng, t, means, cv)
	}
	return t
}

func addSample(rng *rand.Rand, t *results.Test, means map[results.Metric]float64, cv float64) {
	node := results.Sample{Rate: 20, ClientSD: 1.5, ServerSD: 0.25, RateUnit: "Gbit/s"}
	r := func(m results.Metric) float64 { return means[m] * (1 + cv*rng.NormFloat64()) }
	pod := results.Sample{Rate: node.Rate * r(results.Rate), ClientSD: node.ClientSD * r(results.ClientCPU), ServerSD: node.ServerSD * r(results.ServerCPU), RateUnit: "Gbit/s"}
	t.Paths[endpoints.PodPath].Samples = append(t.Paths[endpoints.PodPath].Samples, pod)
	t.Paths[endpoints.NodePath].Samples = append(t.Paths[endpoints.NodePath].Samples, node)
}

// sequentialRun takes samples from first to max as measure does, judging at
// every look until nothing is inconclusive, and returns the final verdicts
// and the samples taken.
func sequentialRun(rng *rand.Rand, a verdict.Against, means map[results.Metric]float64, cv float64) ([]results.Verdict, int) {
	tst := simTest(rng, a.Design.First, means, cv)
	var vs []results.Verdict
	for n := a.Design.First; ; n++ {
		var err error
		if vs, err = verdict.JudgeTest(a, tst, vs); err != nil {
			panic(err)
		}
		tst.Verdicts = vs
		if len(tst.MetricsWith(results.Inconclusive)) == 0 || n == a.Design.Max {
			return vs, n
		}
		addSample(rng, tst, means, cv)
	}
}

var simTol = verdict.Tolerances{Defaults: map[results.Metric]float64{results.Rate: 0.05, results.ClientCPU: 0.05, results.ServerCPU: 0.05}}

// TestSequentialErrorRates drives the whole procedure (3 samples, then one
// more per look up to 10, three metrics) with synthetic streams of known
// distribution and checks its error rates by simulation.
func TestSequentialErrorRates(t *testing.T) {
	const runs = 4000
	prof := &baseline.Profile{Name: "sim", Tests: map[string]baseline.TestFigures{"tcp_stream_1": want}}
	a := verdict.Against{Mode: verdict.Relative, Profile: prof, Tol: simTol, Design: stats.NewDesign(3, 10)}
	// Every metric exactly at its threshold: the hardest case for both errors.
	atThreshold := map[results.Metric]float64{results.Rate: 2 * 0.95, results.ClientCPU: 2 * 1.05, results.ServerCPU: 2 * 1.05}
	rng := rand.New(rand.NewPCG(1, 2))
	// Monte Carlo slack: 3 standard errors of a 2.5% rate over 4000 runs.
	slack := 3 * 0.0025
	anyFail := 0
	for range runs {
		vs, _ := sequentialRun(rng, a, atThreshold, 0.03)
		for _, v := range vs {
			if v.Status == results.Fail {
				anyFail++
				break
			}
		}
	}
	fa := float64(anyFail) / runs
	t.Logf("every metric at its threshold: some metric failed in %.2f%% of %d runs (alpha %.1f%%)", fa*100, runs, stats.Alpha*100)
	if fa > stats.Alpha+slack {
		t.Errorf("false alarms %.2f%% exceed alpha %.1f%%: the looks or the metrics are not accounted for", fa*100, stats.Alpha*100)
	}
	// A regressed rate (at its threshold) beside healthy CPU: the rate must
	// not pass more often than alpha (the spec passes only when all pass, so
	// no share of alpha is needed across metrics for this error).
	rateAt := map[results.Metric]float64{results.Rate: 2 * 0.95, results.ClientCPU: 2, results.ServerCPU: 2}
	wrongPass := 0
	for range runs {
		if vs, _ := sequentialRun(rng, a, rateAt, 0.03); vs[0].Status == results.Pass {
			wrongPass++
		}
	}
	wp := float64(wrongPass) / runs
	t.Logf("rate at the threshold: passed in %.2f%% of %d runs", wp*100, runs)

	// Healthy (at the expected figure, 5% from the threshold) and a 10% cut of
	// the rate, at 3% sample-to-sample noise: report power and false alarms
	// as --inconclusive=fail counts them.
	healthy := map[results.Metric]float64{results.Rate: 2, results.ClientCPU: 2, results.ServerCPU: 2}
	cut := map[results.Metric]float64{results.Rate: 2 * 0.9, results.ClientCPU: 2, results.ServerCPU: 2}
	for _, c := range []struct {
		name  string
		means map[results.Metric]float64
	}{{"healthy", healthy}, {"10% cut", cut}} {
		fails, inconc, samples := 0, 0, 0
		for range runs / 4 {
			vs, n := sequentialRun(rng, a, c.means, 0.03)
			samples += n
			tst := &results.Test{Verdicts: vs}
			switch o, _ := tst.Outcome(); o {
			case results.Fail:
				fails++
			case results.Inconclusive:
				inconc++
			}
		}
		k := runs / 4
		t.Logf("%s, cv 3%%, tolerance 5%%: failed %.1f%%, inconclusive %.1f%%, mean %.1f samples per path", c.name, 100*float64(fails)/float64(k), 100*float64(inconc)/float64(k), float64(samples)/float64(k))
		if c.name == "healthy" && fails > 0 && float64(fails)/float64(k) > stats.Alpha {
			t.Errorf("a healthy figure failed in %d of %d runs", fails, k)
		}
		if c.name == "10% cut" && float64(fails)/float64(k) < 0.9 {
			t.Errorf("power against a 10%% cut is %.1f%%, want >= 90%% at 3%% noise", 100*float64(fails)/float64(k))
		}
	}
}

// Against a recorded reference at the threshold, the two-sample procedure
// keeps its error rates too (the reference is drawn anew each run).
func TestSequentialTwoSampleErrorRates(t *testing.T) {
	const runs = 3000
	rng := rand.New(rand.NewPCG(3, 4))
	fails, passes := 0, 0
	for range runs {
		rec := want
		rec.Samples = &baseline.Samples{Pod: map[results.Metric][]float64{}, Node: map[results.Metric][]float64{}}
		ref := simTest(rng, 5, map[results.Metric]float64{results.Rate: 2, results.ClientCPU: 2, results.ServerCPU: 2}, 0.03)
		for _, m := range results.Metrics {
			rec.Samples.Pod[m], rec.Samples.Node[m] = ref.Values(endpoints.PodPath, m), ref.Values(endpoints.NodePath, m)
		}
		prof := &baseline.Profile{Name: "rec", Tests: map[string]baseline.TestFigures{"tcp_stream_1": rec}}
		a := verdict.Against{Mode: verdict.Relative, Profile: prof, Tol: simTol, Design: stats.NewDesign(3, 10)}
		// This run's true ratio sits exactly at the threshold relative to the reference's.
		vs, _ := sequentialRun(rng, a, map[results.Metric]float64{results.Rate: 2 * 0.95, results.ClientCPU: 2 * 1.05, results.ServerCPU: 2 * 1.05}, 0.03)
		failed, passed := false, true
		for _, v := range vs {
			failed = failed || v.Status == results.Fail
			passed = passed && v.Status == results.Pass
		}
		if failed {
			fails++
		}
		if passed {
			passes++
		}
	}
	fa, wp := float64(fails)/runs, float64(passes)/runs
	t.Logf("two-sample at the threshold: some metric failed in %.2f%%, all passed in %.2f%% of %d runs", fa*100, wp*100, runs)
	if fa > stats.Alpha+0.009 || wp > stats.Alpha+0.009 {
		t.Errorf("error rates %.2f%% / %.2f%% exceed alpha %.1f%%", fa*100, wp*100, stats.Alpha*100)
	}
}

func TestJudgeTestErrorsAndFreeze(t *testing.T) {
	prof := &baseline.Profile{Name: "hand-made", Tests: map[string]baseline.TestFigures{"tcp_stream_1": want}}
	a := verdict.Against{Mode: verdict.Relative, Profile: prof, Tol: simTol}
	rng := rand.New(rand.NewPCG(5, 6))
	tst := simTest(rng, 3, map[results.Metric]float64{results.Rate: 2, results.ClientCPU: 2, results.ServerCPU: 2}, 0.001)
	vs, err := verdict.JudgeTest(a, tst, nil)
	if err != nil || len(vs) != 3 {
		t.Fatalf("JudgeTest = %v, %v", vs, err)
	}
	// A decided metric keeps its verdict at later looks.
	frozen := []results.Verdict{{Metric: results.Rate, Status: results.Fail, Message: "decided before"}}
	vs, _ = verdict.JudgeTest(a, tst, frozen)
	if vs[0].Message != "decided before" {
		t.Errorf("a decided verdict was judged again: %+v", vs[0])
	}
	tst.ID = "tcp_rr_32"
	if _, err := verdict.JudgeTest(a, tst, nil); err == nil || !strings.Contains(err.Error(), `baseline "hand-made" has no figures for tcp_rr_32`) {
		t.Errorf("missing test: %v", err)
	}
	tst.ID, tst.Netperf = "tcp_stream_1", netperf.TCPRR
	if _, err := verdict.JudgeTest(a, tst, nil); err == nil || !strings.Contains(err.Error(), "measures trans/s") {
		t.Errorf("unit mismatch: %v", err)
	}
	ref := &results.Run{Tests: []*results.Test{simTest(rng, 1, map[results.Metric]float64{results.Rate: 2, results.ClientCPU: 2, results.ServerCPU: 2}, 0.01)}}
	tst.Netperf = netperf.TCPStream
	if _, err := verdict.JudgeTest(verdict.Against{Mode: verdict.Relative, Reference: ref, RefName: "a.json", Tol: simTol}, tst, nil); err == nil || !strings.Contains(err.Error(), "needs at least 2 paired samples") {
		t.Errorf("one-sample reference: %v", err)
	}
}

// Planning: at 9% noise a 5% tolerance cannot be decided within 10 samples,
// and the forecast says how many it would take.
func TestForecast(t *testing.T) {
	prof := &baseline.Profile{Name: "p", Tests: map[string]baseline.TestFigures{"tcp_stream_1": want}}
	a := verdict.Against{Mode: verdict.Relative, Profile: prof, Tol: simTol, Design: stats.NewDesign(3, 10)}
	tst := &results.Test{ID: "tcp_stream_1", Title: "TCP_STREAM 1 stream", Netperf: netperf.TCPStream,
		Paths: map[endpoints.Path]*results.Path{endpoints.PodPath: {}, endpoints.NodePath: {}}}
	for _, r := range []float64{1.82, 2.0, 2.18} { // cv 9%
		tst.Paths[endpoints.PodPath].Samples = append(tst.Paths[endpoints.PodPath].Samples, results.Sample{Rate: 20 * r, ClientSD: 3, ServerSD: 0.5})
		tst.Paths[endpoints.NodePath].Samples = append(tst.Paths[endpoints.NodePath].Samples, results.Sample{Rate: 20, ClientSD: 1.5, ServerSD: 0.25})
	}
	vs, err := verdict.JudgeTest(a, tst, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := verdict.Forecast(a, tst, vs)
	if err != nil || len(out) != 1 || out[0].Metric != results.Rate {
		t.Fatalf("Forecast = %+v, %v", out, err)
	}
	o := out[0]
	if o.Decidable || o.Needed < 20 || o.Needed > 80 {
		t.Errorf("outlook %+v: want undecidable within 10, needing some tens of samples", o)
	}
	for _, s := range []string{"TCP_STREAM 1 stream: the pod/node throughput ratio varies 9.0% sample to sample here", "a 5% tolerance needs about", "raise --max-samples or the tolerance"} {
		if !strings.Contains(o.Line, s) {
			t.Errorf("line %q lacks %q", o.Line, s)
		}
	}
}

// A reference noisier than the tolerance cannot be made up for by samples
// of this run: the forecast says to record it again.
func TestForecastReferenceTooNoisy(t *testing.T) {
	mk := func(ratios ...float64) *results.Test {
		tst := &results.Test{ID: "tcp_stream_1", Title: "TCP_STREAM 1 stream", Netperf: netperf.TCPStream,
			Paths: map[endpoints.Path]*results.Path{endpoints.PodPath: {}, endpoints.NodePath: {}}}
		for _, r := range ratios {
			tst.Paths[endpoints.PodPath].Samples = append(tst.Paths[endpoints.PodPath].Samples, results.Sample{Rate: 20 * r, ClientSD: 3, ServerSD: 0.5})
			tst.Paths[endpoints.NodePath].Samples = append(tst.Paths[endpoints.NodePath].Samples, results.Sample{Rate: 20, ClientSD: 1.5, ServerSD: 0.25})
		}
		return tst
	}
	ref := &results.Run{Tests: []*results.Test{mk(1.4, 2.0, 2.8)}}
	a := verdict.Against{Mode: verdict.Relative, Reference: ref, RefName: "before.json", Tol: simTol, Design: stats.NewDesign(3, 10)}
	tst := mk(1.98, 2.0, 2.02)
	vs, err := verdict.JudgeTest(a, tst, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := verdict.Forecast(a, tst, vs)
	if err != nil || len(out) == 0 {
		t.Fatalf("Forecast = %+v, %v", out, err)
	}
	if o := out[0]; o.Decidable || o.Needed != 0 || !strings.Contains(o.Line, "the reference's own 3 samples leave it uncertain by") || strings.Contains(o.Line, "--max-samples") {
		t.Errorf("outlook %+v: want no number of samples, and the advice to record the reference again", o)
	}
}
