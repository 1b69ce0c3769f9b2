package verdict_test

import (
	"slices"
	"strings"
	"testing"

	"podperf/framework/baseline"
	"podperf/framework/endpoints"
	"podperf/framework/netperf"
	"podperf/framework/results"
	"podperf/framework/stats"
	"podperf/framework/verdict"
	"podperf/manifests"
)

// want is a profile test whose figures are exact in binary floating point:
// rate ratio 40/20 = 2, client CPU ratio 3/1.5 = 2, server CPU ratio 0.5/0.25 = 2.
var want = baseline.TestFigures{
	Unit: "Gbit/s", CPUNormalisedTo: 100,
	Pod:  baseline.Figures{Rate: 40, ClientSD: 3, ServerSD: 0.5},
	Node: baseline.Figures{Rate: 20, ClientSD: 1.5, ServerSD: 0.25},
}

func sum(median float64, n int) stats.Summary {
	return stats.Summary{N: n, Median: median, Mean: median, Min: median, Max: median, CILow: median * 0.999, CIHigh: median * 1.001, Level: 0.95}
}

func TestJudge(t *testing.T) {
	tests := []struct {
		name      string
		mode      verdict.Mode
		metric    results.Metric
		tol       float64
		pod, node float64 // medians in the test's unit
		ratio     float64 // median of the paired ratios
		status    results.Status
		measured  float64
		reference float64
		expected  float64
		threshold float64
		msg       []string
	}{
		// Relative, rate: threshold = 2 * (1 - 0.25) = 1.5.
		{"relative rate above", verdict.Relative, results.Rate, 0.25, 36, 20, 1.8, "pass", 1.8, 20, 2, 1.5,
			[]string{"TCP_STREAM 1 stream throughput PASS:", "pod 36 Gbit/s vs node 20 Gbit/s", "ratio 1.800", "expected ratio >= 1.500", "published 2.000 - 25% tolerance", "[relative]"}},
		{"relative rate at threshold", verdict.Relative, results.Rate, 0.25, 30, 20, 1.5, "inconclusive", 1.5, 20, 2, 1.5,
			[]string{"INCONCLUSIVE:", "ratio 1.500", ">= 1.500", "straddles the threshold"}},
		{"relative rate below", verdict.Relative, results.Rate, 0.25, 29.8, 20, 1.49, "fail", 1.49, 20, 2, 1.5,
			[]string{"throughput FAIL:", "pod 29.8 Gbit/s vs node 20 Gbit/s", "ratio 1.490", "expected ratio >= 1.500", "published 2.000 - 25% tolerance"}},
		// Relative, CPU (lower is better): threshold = 2 * (1 + 0.5) = 3.
		{"relative CPU below", verdict.Relative, results.ClientCPU, 0.5, 3.75, 1.5, 2.5, "pass", 2.5, 1.5, 2, 3,
			[]string{"client CPU (service demand) PASS:", "pod 3.75 usec/KB vs node 1.5 usec/KB", "ratio 2.500", "expected ratio <= 3.000", "published 2.000 + 50% tolerance"}},
		{"relative CPU at threshold", verdict.Relative, results.ClientCPU, 0.5, 4.5, 1.5, 3, "inconclusive", 3, 1.5, 2, 3,
			[]string{"INCONCLUSIVE:", "<= 3.000"}},
		{"relative CPU above", verdict.Relative, results.ServerCPU, 0.5, 0.76, 0.25, 3.04, "fail", 3.04, 0.25, 2, 3,
			[]string{"server CPU (service demand) FAIL:", "ratio 3.040", "expected ratio <= 3.000", "+ 50% tolerance"}},
		// Absolute, rate: threshold = 40 * (1 - 0.25) = 30.
		{"absolute rate above", verdict.Absolute, results.Rate, 0.25, 35, 20, 1.75, "pass", 35, 40, 40, 30,
			[]string{"throughput PASS:", "pod 35 Gbit/s", "vs baseline 40 Gbit/s", "ratio 0.875", "expected >= 30", "(baseline - 25% tolerance)", "[absolute]"}},
		{"absolute rate at threshold", verdict.Absolute, results.Rate, 0.25, 30, 20, 1.5, "inconclusive", 30, 40, 40, 30,
			[]string{"INCONCLUSIVE:", "ratio 0.750", ">= 30"}},
		{"absolute rate below", verdict.Absolute, results.Rate, 0.25, 29.9, 20, 1.495, "fail", 29.9, 40, 40, 30,
			[]string{"FAIL:", "pod 29.9 Gbit/s", "vs baseline 40 Gbit/s", "expected >= 30"}},
		// Absolute, CPU: threshold = 0.5 * (1 + 0.5) = 0.75.
		{"absolute CPU below", verdict.Absolute, results.ServerCPU, 0.5, 0.6, 0.25, 2.4, "pass", 0.6, 0.5, 0.5, 0.75,
			[]string{"server CPU (service demand) PASS:", "pod 0.6 usec/KB", "vs baseline 0.5 usec/KB", "ratio 1.200", "expected <= 0.75", "(baseline + 50% tolerance)"}},
		{"absolute CPU at threshold", verdict.Absolute, results.ServerCPU, 0.5, 0.75, 0.25, 3, "inconclusive", 0.75, 0.5, 0.5, 0.75,
			[]string{"INCONCLUSIVE:", "<= 0.75"}},
		{"absolute CPU above", verdict.Absolute, results.ClientCPU, 0.5, 4.6, 1.5, 3.07, "fail", 4.6, 3, 3, 4.5,
			[]string{"client CPU (service demand) FAIL:", "pod 4.6 usec/KB", "vs baseline 3 usec/KB", "expected <= 4.5", "+ 50% tolerance"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			unit := "Gbit/s"
			if tc.metric != results.Rate {
				unit = "usec/KB"
			}
			in := verdict.Input{Test: "tcp_stream_1", Title: "TCP_STREAM 1 stream", Metric: tc.metric, Unit: unit,
				Pod: sum(tc.pod, 3), Node: sum(tc.node, 3), Ratio: sum(tc.ratio, 3)}
			v := verdict.Judge(tc.mode, in, want, tc.tol)
			if v.Status != tc.status {
				t.Errorf("Status = %q, want %q", v.Status, tc.status)
			}
			if v.Metric != tc.metric || v.Mode != string(tc.mode) || v.Tolerance != tc.tol {
				t.Errorf("metric/mode/tolerance = %q/%q/%v", v.Metric, v.Mode, v.Tolerance)
			}
			if v.Measured != tc.measured || v.Reference != tc.reference || v.Expected != tc.expected || v.Threshold != tc.threshold {
				t.Errorf("measured/reference/expected/threshold = %v/%v/%v/%v, want %v/%v/%v/%v",
					v.Measured, v.Reference, v.Expected, v.Threshold, tc.measured, tc.reference, tc.expected, tc.threshold)
			}
			if v.CILow != tc.measured*0.999 || v.CIHigh != tc.measured*1.001 {
				t.Errorf("CI %v..%v is not the measured figure's", v.CILow, v.CIHigh)
			}
			if strings.ContainsAny(v.Message, "\r\n") {
				t.Errorf("message is not one line: %q", v.Message)
			}
			if !strings.Contains(v.Message, "(95% CI ") || !strings.Contains(v.Message, ", n=3)") {
				t.Errorf("message %q lacks the confidence interval", v.Message)
			}
			for _, s := range tc.msg {
				if !strings.Contains(v.Message, s) {
					t.Errorf("message %q lacks %q", v.Message, s)
				}
			}
		})
	}
}

// TestJudgeThreeWay: with samples, the interval decides, not the median.
func TestJudgeThreeWay(t *testing.T) {
	iv := func(median, lo, hi float64) stats.Summary {
		return stats.Summary{N: 5, Median: median, Mean: median, CILow: lo, CIHigh: hi, Level: 0.95}
	}
	tests := []struct {
		name   string
		metric results.Metric
		ratio  stats.Summary
		status results.Status
	}{
		// Rate threshold 2 * 0.9 = 1.8; CPU threshold 2 * 1.1 = 2.2.
		{"rate interval above", results.Rate, iv(1.9, 1.81, 1.99), "pass"},
		{"rate interval below", results.Rate, iv(1.7, 1.6, 1.79), "fail"},
		{"rate median above, interval straddles", results.Rate, iv(1.85, 1.75, 1.95), "inconclusive"},
		{"rate median below, interval straddles", results.Rate, iv(1.78, 1.7, 1.85), "inconclusive"},
		{"cpu interval below", results.ClientCPU, iv(2.1, 2.0, 2.19), "pass"},
		{"cpu interval above", results.ClientCPU, iv(2.4, 2.21, 2.6), "fail"},
		{"cpu interval straddles", results.ServerCPU, iv(2.1, 1.9, 2.3), "inconclusive"},
		{"one sample at the threshold passes on its value", results.Rate, stats.Summary{N: 1, Median: 1.8, Mean: 1.8, CILow: 1.8, CIHigh: 1.8}, "pass"},
		{"one sample below fails on its value", results.Rate, stats.Summary{N: 1, Median: 1.79, Mean: 1.79, CILow: 1.79, CIHigh: 1.79}, "fail"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := verdict.Input{Title: "T", Metric: tc.metric, Unit: "Gbit/s", Pod: sum(40, tc.ratio.N), Node: sum(20, tc.ratio.N), Ratio: tc.ratio}
			v := verdict.Judge(verdict.Relative, in, want, 0.1)
			if v.Status != tc.status {
				t.Fatalf("Status = %q, want %q (%s)", v.Status, tc.status, v.Message)
			}
			if !strings.Contains(v.Message, strings.ToUpper(string(tc.status))+":") {
				t.Errorf("message %q does not state %s", v.Message, tc.status)
			}
		})
	}
}

func TestPolicy(t *testing.T) {
	for _, tc := range []struct {
		policy             string
		fails, inconcFails bool
	}{{"fail", true, true}, {"warn", true, false}, {"pass", true, false}} {
		p, err := verdict.ParsePolicy(tc.policy)
		if err != nil {
			t.Fatal(err)
		}
		if p.Fails(results.Pass) || p.Fails(results.Fail) != tc.fails || p.Fails(results.Inconclusive) != tc.inconcFails {
			t.Errorf("policy %s: pass/fail/inconclusive fail the spec = %v/%v/%v", p, p.Fails(results.Pass), p.Fails(results.Fail), p.Fails(results.Inconclusive))
		}
	}
	if _, err := verdict.ParsePolicy("maybe"); err == nil || !strings.Contains(err.Error(), "use fail, warn or pass") {
		t.Errorf("ParsePolicy(maybe) = %v", err)
	}
}

func TestJudgeMessageDetails(t *testing.T) {
	t.Run("no CI for one sample", func(t *testing.T) {
		in := verdict.Input{Title: "T", Metric: results.Rate, Unit: "trans/s", RR: true, Pod: sum(10, 1), Node: sum(10, 1), Ratio: sum(1, 1)}
		v := verdict.Judge(verdict.Relative, in, want, 0.1)
		if strings.Contains(v.Message, "CI") {
			t.Errorf("message %q gives a CI for one sample", v.Message)
		}
		if !strings.HasPrefix(v.Message, "T transaction rate FAIL:") {
			t.Errorf("message %q does not name the RR metric", v.Message)
		}
	})
	t.Run("fractional tolerance", func(t *testing.T) {
		in := verdict.Input{Title: "T", Metric: results.Rate, Unit: "Gbit/s", Pod: sum(40, 3), Node: sum(20, 3), Ratio: sum(2, 3)}
		v := verdict.Judge(verdict.Relative, in, want, 0.125)
		if v.Threshold != 1.75 {
			t.Fatalf("Threshold = %v, want 1.75", v.Threshold)
		}
		if !strings.Contains(v.Message, "12.5% tolerance") {
			t.Fatalf("the message prints the tolerance with %%.0f, so a 12.5%% tolerance reads %q", v.Message[strings.Index(v.Message, "published"):])
		}
	})
}

func TestParseMode(t *testing.T) {
	for _, s := range []string{"relative", "absolute"} {
		if m, err := verdict.ParseMode(s); err != nil || string(m) != s {
			t.Errorf("ParseMode(%q) = %q, %v", s, m, err)
		}
	}
	for _, s := range []string{"", "Relative", "abs"} {
		if _, err := verdict.ParseMode(s); err == nil || !strings.Contains(err.Error(), "use relative or absolute") {
			t.Errorf("ParseMode(%q) = %v, want an error", s, err)
		}
	}
}

// summarised builds a results.Test whose statistics are given directly.
func summarised(id string, test netperf.Test, pod, node, ratio [3]float64) *results.Test {
	st := func(v [3]float64) map[results.Metric]stats.Summary {
		return map[results.Metric]stats.Summary{results.Rate: sum(v[0], 3), results.ClientCPU: sum(v[1], 3), results.ServerCPU: sum(v[2], 3)}
	}
	return &results.Test{ID: id, Title: id, Netperf: test,
		Paths: map[endpoints.Path]*results.Path{
			endpoints.PodPath:  {Stats: st(pod)},
			endpoints.NodePath: {Stats: st(node)},
		},
		Ratios: st(ratio)}
}

func TestJudgeTest(t *testing.T) {
	profile := &baseline.Profile{Name: "hand-made", Tests: map[string]baseline.TestFigures{"tcp_stream_1": want}}
	tol := verdict.Tolerances{
		Defaults: map[results.Metric]float64{results.Rate: 0.1, results.ClientCPU: 0.25, results.ServerCPU: 0.25},
		Tests:    map[string]map[results.Metric]float64{"tcp_stream_1": {results.Rate: 0.5}},
	}
	t.Run("every metric judged", func(t *testing.T) {
		// Rate ratio 1.2 passes only with the per-test 50% (threshold 1.0, not 1.8);
		// client CPU ratio 2.4 passes (<= 2.5); server CPU ratio 2.6 fails.
		tst := summarised("tcp_stream_1", netperf.TCPStream, [3]float64{24, 3.6, 0.65}, [3]float64{20, 1.5, 0.25}, [3]float64{1.2, 2.4, 2.6})
		vs, err := verdict.JudgeTest(verdict.Relative, tst, profile, tol)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 3 {
			t.Fatalf("%d verdicts, want 3", len(vs))
		}
		wantV := []struct {
			metric results.Metric
			status results.Status
			tol    float64
		}{{"rate", "pass", 0.5}, {"client_cpu", "pass", 0.25}, {"server_cpu", "fail", 0.25}}
		for i, w := range wantV {
			if vs[i].Metric != w.metric || vs[i].Status != w.status || vs[i].Tolerance != w.tol {
				t.Errorf("verdict %d = %s %s tol %v, want %s %s tol %v (%s)", i, vs[i].Metric, vs[i].Status, vs[i].Tolerance, w.metric, w.status, w.tol, vs[i].Message)
			}
		}
		if !strings.Contains(vs[1].Message, "usec/KB") {
			t.Errorf("CPU verdict %q is not in usec/KB", vs[1].Message)
		}
	})
	errs := []struct {
		name     string
		test     *results.Test
		contains []string
	}{
		{"test missing from the profile", summarised("tcp_rr_32", netperf.TCPRR, [3]float64{1, 1, 1}, [3]float64{1, 1, 1}, [3]float64{1, 1, 1}),
			[]string{`baseline "hand-made" has no figures for tcp_rr_32`}},
		{"unit mismatch", summarised("tcp_stream_1", netperf.TCPRR, [3]float64{1, 1, 1}, [3]float64{1, 1, 1}, [3]float64{1, 1, 1}),
			[]string{"gives tcp_stream_1 in Gbit/s", "measures trans/s"}},
		{"no statistics", &results.Test{ID: "tcp_stream_1", Netperf: netperf.TCPStream, Paths: map[endpoints.Path]*results.Path{endpoints.PodPath: {}}},
			[]string{"tcp_stream_1 has no statistics on both paths"}},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			vs, err := verdict.JudgeTest(verdict.Relative, tc.test, profile, tol)
			if err == nil {
				t.Fatalf("JudgeTest = %+v, want an error", vs)
			}
			for _, s := range tc.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}

func TestParseTolerances(t *testing.T) {
	t.Run("embedded default", func(t *testing.T) {
		b, err := manifests.FS.ReadFile("tolerances/default.yaml")
		if err != nil {
			t.Fatal(err)
		}
		tol, err := verdict.ParseTolerances(b, "default")
		if err != nil {
			t.Fatal(err)
		}
		checks := []struct {
			test string
			m    results.Metric
			want float64
		}{
			{"tcp_stream_1", results.Rate, 0.10},
			{"tcp_stream_32", results.Rate, 0.15},      // override
			{"tcp_stream_32", results.ClientCPU, 0.25}, // not overridden: default
			{"tcp_rr_32", results.Rate, 0.15},
			{"tcp_rr_1", results.ServerCPU, 0.25},
			{"no_such_test", results.Rate, 0.10},
		}
		for _, c := range checks {
			if got := tol.For(c.test, c.m); got != c.want {
				t.Errorf("For(%s, %s) = %v, want %v", c.test, c.m, got, c.want)
			}
		}
	})
	t.Run("embedded local", func(t *testing.T) {
		b, err := manifests.FS.ReadFile("tolerances/local.yaml")
		if err != nil {
			t.Fatal(err)
		}
		tol, err := verdict.ParseTolerances(b, "local")
		if err != nil {
			t.Fatal(err)
		}
		if tol.For("tcp_rr_1", results.Rate) != 0.25 || tol.For("tcp_rr_1", results.ClientCPU) != 0.5 || tol.For("tcp_rr_1", results.ServerCPU) != 0.5 {
			t.Errorf("local tolerances = %+v", tol)
		}
	})
	bad := []struct {
		name     string
		yaml     string
		contains string
	}{
		{"default missing a metric", "defaults: {rate: 0.1, client_cpu: 0.2}", "defaults.server_cpu is missing"},
		{"no defaults", "tests: {tcp_rr_1: {rate: 0.1}}", "defaults.rate is missing"},
		{"unknown metric in defaults", "defaults: {rate: 0.1, client_cpu: 0.2, server_cpu: 0.2, latency: 0.1}", `defaults: unknown metric "latency"`},
		{"unknown metric in a test", "defaults: {rate: 0.1, client_cpu: 0.2, server_cpu: 0.2}\ntests: {tcp_rr_1: {p99: 0.1}}", `tests.tcp_rr_1: unknown metric "p99"`},
		{"negative tolerance", "defaults: {rate: -0.1, client_cpu: 0.2, server_cpu: 0.2}", "defaults.rate = -0.1"},
		{"negative per-test tolerance", "defaults: {rate: 0.1, client_cpu: 0.2, server_cpu: 0.2}\ntests: {tcp_rr_1: {server_cpu: -1}}", "tests.tcp_rr_1.server_cpu = -1"},
		{"percent instead of a fraction", "defaults: {rate: 10, client_cpu: 0.2, server_cpu: 0.2}", "a tolerance is a fraction"},
		{"unknown field", "defaults: {rate: 0.1, client_cpu: 0.2, server_cpu: 0.2}\nmode: relative", `unknown field "mode"`},
		{"not YAML", "defaults: [", "tolerances t.yaml are not valid"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := verdict.ParseTolerances([]byte(tc.yaml), "t.yaml")
			if err == nil || !strings.Contains(err.Error(), tc.contains) || !strings.Contains(err.Error(), "t.yaml") {
				t.Errorf("ParseTolerances = %v, want an error naming t.yaml and containing %q", err, tc.contains)
			}
		})
	}
	t.Run("zero tolerance is allowed", func(t *testing.T) {
		tol, err := verdict.ParseTolerances([]byte("defaults: {rate: 0, client_cpu: 0, server_cpu: 0}"), "z")
		if err != nil || tol.For("x", results.Rate) != 0 {
			t.Errorf("ParseTolerances = %+v, %v", tol, err)
		}
	})
}

func TestDecide(t *testing.T) {
	vs := []results.Verdict{
		{Metric: results.Rate, Status: results.Pass, Message: "rate PASS"},
		{Metric: results.ClientCPU, Status: results.Inconclusive, Message: "client INCONCLUSIVE"},
		{Metric: results.ServerCPU, Status: results.Fail, Message: "server FAIL"},
	}
	for _, tc := range []struct {
		policy             verdict.Policy
		failures, warnings []string
	}{
		{verdict.PolicyFail, []string{"client INCONCLUSIVE", "server FAIL"}, nil},
		{verdict.PolicyWarn, []string{"server FAIL"}, []string{"client INCONCLUSIVE"}},
		{verdict.PolicyPass, []string{"server FAIL"}, nil},
	} {
		d := tc.policy.Decide(vs)
		if !slices.Equal(d.Failures, tc.failures) || !slices.Equal(d.Warnings, tc.warnings) {
			t.Errorf("policy %s: failures %q warnings %q, want %q and %q", tc.policy, d.Failures, d.Warnings, tc.failures, tc.warnings)
		}
	}
	if d := verdict.PolicyFail.Decide(vs[:1]); len(d.Failures)+len(d.Warnings) != 0 {
		t.Errorf("a passing check fails or warns: %+v", d)
	}
}
