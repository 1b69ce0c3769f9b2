package verdict_test

import (
	"slices"
	"strings"
	"testing"

	"podperf/framework/baseline"
	"podperf/framework/results"
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
