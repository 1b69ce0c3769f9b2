// Package verdict compares measured figures with a baseline profile, per test
// and per metric, within configured tolerances.
package verdict

import (
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"podperf/framework/baseline"
	"podperf/framework/endpoints"
	"podperf/framework/results"
	"podperf/framework/stats"
)

// Mode says what a measured figure is compared with.
type Mode string

const (
	// Relative compares the pod figure as a ratio to the node-to-node reference
	// measured in the same run with the published ratio: it carries over to
	// any hardware.
	Relative Mode = "relative"
	// Absolute compares the pod figure with the published figure: for runs on
	// hardware like the test bed, or against a baseline a run recorded here.
	Absolute Mode = "absolute"
)

// ParseMode validates a --tolerance-mode value.
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case Relative, Absolute:
		return Mode(s), nil
	}
	return "", fmt.Errorf("--tolerance-mode=%q: use relative or absolute", s)
}

// Tolerances are fractions (0.10 = 10%) by which a figure may be worse than
// expected before it fails: below for the rate, above for CPU. Per-test values
// override the defaults.
type Tolerances struct {
	Defaults map[results.Metric]float64            `json:"defaults"`
	Tests    map[string]map[results.Metric]float64 `json:"tests,omitempty"`
}

// For returns the tolerance of metric m in test.
func (t Tolerances) For(test string, m results.Metric) float64 {
	if v, ok := t.Tests[test][m]; ok {
		return v
	}
	return t.Defaults[m]
}

// ParseTolerances decodes and validates a tolerance file (YAML); where names it in errors.
func ParseTolerances(b []byte, where string) (Tolerances, error) {
	var t Tolerances
	if err := yaml.UnmarshalStrict(b, &t); err != nil {
		return t, fmt.Errorf("tolerances %s are not valid: %w", where, err)
	}
	if err := t.Validate(); err != nil {
		return t, fmt.Errorf("tolerances %s: %w", where, err)
	}
	return t, nil
}

// Validate checks every metric has a default and every value is a sane fraction.
func (t Tolerances) Validate() error {
	check := func(where string, m map[results.Metric]float64) error {
		for k, v := range m {
			if !slices.Contains(results.Metrics, k) {
				return fmt.Errorf("%s: unknown metric %q (use rate, client_cpu, server_cpu)", where, k)
			}
			if v < 0 || v >= 10 {
				return fmt.Errorf("%s.%s = %v: a tolerance is a fraction such as 0.10 for 10%%", where, k, v)
			}
		}
		return nil
	}
	for _, m := range results.Metrics {
		if _, ok := t.Defaults[m]; !ok {
			return fmt.Errorf("defaults.%s is missing", m)
		}
	}
	if err := check("defaults", t.Defaults); err != nil {
		return err
	}
	for name, m := range t.Tests {
		if err := check("tests."+name, m); err != nil {
			return err
		}
	}
	return nil
}

// Policy is what an inconclusive check does to the spec (--inconclusive).
type Policy string

const (
	PolicyFail Policy = "fail" // the spec fails: a gate passes only what it could show
	PolicyWarn Policy = "warn" // the spec passes with a warning in the log, report and results
	PolicyPass Policy = "pass" // the spec passes; results.json still says inconclusive
)

// ParsePolicy validates an --inconclusive value.
func ParsePolicy(s string) (Policy, error) {
	switch Policy(s) {
	case PolicyFail, PolicyWarn, PolicyPass:
		return Policy(s), nil
	}
	return "", fmt.Errorf("--inconclusive=%q: use fail, warn or pass", s)
}

// Fails reports whether a check of status st fails the spec under the policy.
func (p Policy) Fails(st results.Status) bool {
	return st == results.Fail || (st == results.Inconclusive && p == PolicyFail)
}

// Decision is what a test's verdicts do to its spec under a policy.
type Decision struct {
	// Failures are the messages of the checks that fail the spec.
	Failures []string
	// Warnings are the messages of inconclusive checks that the policy (warn)
	// lets pass with a warning.
	Warnings []string
}

// Decide sorts the verdicts of a test by what they do to its spec.
func (p Policy) Decide(vs []results.Verdict) Decision {
	var d Decision
	for _, v := range vs {
		switch {
		case p.Fails(v.Status):
			d.Failures = append(d.Failures, v.Message)
		case v.Status == results.Inconclusive && p == PolicyWarn:
			d.Warnings = append(d.Warnings, v.Message)
		}
	}
	return d
}

// Input is what one metric of one test is judged on.
type Input struct {
	Test   string // profile key, e.g. tcp_stream_1
	Title  string // for messages, e.g. "TCP_STREAM 1 stream"
	Metric results.Metric
	RR     bool
	Pod    stats.Summary // pod-path figure (rate in the profile's unit, or service demand)
	Node   stats.Summary // node-path figure
	Ratio  stats.Summary // paired pod/node ratios
	Unit   string        // of Pod and Node
}

// Judge compares in with profile figures want under mode and tolerance tol.
// With two or more samples the decision is made on the confidence interval:
// pass when all of it is on the good side of the threshold, fail when all of
// it is on the bad side, inconclusive otherwise. One sample has no interval
// and is judged on its value alone.
func Judge(mode Mode, in Input, want baseline.TestFigures, tol float64) results.Verdict {
	v := results.Verdict{Metric: in.Metric, Mode: string(mode), Tolerance: tol}
	higherBetter := in.Metric == results.Rate
	var measured stats.Summary
	switch mode {
	case Relative:
		measured, v.Reference, v.Expected = in.Ratio, in.Node.Median, want.Ratio(in.Metric)
	default:
		measured, v.Reference, v.Expected = in.Pod, want.Pod.Get(in.Metric), want.Pod.Get(in.Metric)
	}
	v.Measured, v.CILow, v.CIHigh, v.N = measured.Median, measured.CILow, measured.CIHigh, measured.N
	lo, hi := v.CILow, v.CIHigh
	if measured.N < 2 {
		lo, hi = v.Measured, v.Measured
	}
	var ok, notOK bool
	if higherBetter {
		v.Threshold = v.Expected * (1 - tol)
		ok, notOK = lo >= v.Threshold, hi < v.Threshold
	} else {
		v.Threshold = v.Expected * (1 + tol)
		ok, notOK = hi <= v.Threshold, lo > v.Threshold
	}
	switch {
	case ok:
		v.Status = results.Pass
	case notOK:
		v.Status = results.Fail
	default:
		v.Status = results.Inconclusive
	}
	v.Message = message(mode, in, v, higherBetter)
	return v
}

// message is the one line a reader of a failed job sees: measured value and
// its interval, reference, ratio, threshold and tolerance.
func message(mode Mode, in Input, v results.Verdict, higherBetter bool) string {
	cmp, sign := ">=", "-"
	if !higherBetter {
		cmp, sign = "<=", "+"
	}
	title := in.Title + " " + in.Metric.Title(in.RR)
	ci := " (n=1, no interval)"
	if v.N > 1 {
		ci = fmt.Sprintf(" (%.0f%% CI %s-%s, n=%d)", stats.Level*100, num(v.CILow), num(v.CIHigh), v.N)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: ", title, strings.ToUpper(string(v.Status)))
	if mode == Relative {
		fmt.Fprintf(&b, "pod %s %s vs node %s %s = ratio %.3f%s, expected ratio %s %.3f (published %.3f %s %.3g%% tolerance) [relative]",
			num(in.Pod.Median), in.Unit, num(in.Node.Median), in.Unit, v.Measured, ci, cmp, v.Threshold, v.Expected, sign, v.Tolerance*100)
	} else {
		fmt.Fprintf(&b, "pod %s %s%s vs baseline %s %s = ratio %.3f, expected %s %s (baseline %s %.3g%% tolerance) [absolute]",
			num(v.Measured), in.Unit, ci, num(v.Expected), in.Unit, v.Measured/v.Expected, cmp, num(v.Threshold), sign, v.Tolerance*100)
	}
	if v.Status == results.Inconclusive {
		b.WriteString("; the interval straddles the threshold: more samples or a quieter machine would decide")
	}
	return b.String()
}

func num(f float64) string { return fmt.Sprintf("%.4g", f) }

// JudgeTest judges every metric of a summarised test against the profile. A
// test the profile lacks is an error: a silent pass would hide it.
func JudgeTest(mode Mode, t *results.Test, p *baseline.Profile, tol Tolerances) ([]results.Verdict, error) {
	want, ok := p.Tests[t.ID]
	if !ok {
		return nil, fmt.Errorf("baseline %q has no figures for %s: record them with --write-baseline or pick another --baseline", p.Name, t.ID)
	}
	if t.Unit(results.Rate) != want.Unit {
		return nil, fmt.Errorf("baseline %q gives %s in %s, the test measures %s", p.Name, t.ID, want.Unit, t.Unit(results.Rate))
	}
	pod, node := t.Paths[endpoints.PodPath], t.Paths[endpoints.NodePath]
	if pod == nil || node == nil || pod.Stats == nil || node.Stats == nil {
		return nil, fmt.Errorf("%s has no statistics on both paths: nothing to judge", t.ID)
	}
	var out []results.Verdict
	for _, m := range results.Metrics {
		in := Input{Test: t.ID, Title: t.Title, Metric: m, RR: t.Netperf.IsRR(), Unit: t.Unit(m),
			Pod: pod.Stats[m], Node: node.Stats[m], Ratio: t.Ratios[m]}
		out = append(out, Judge(mode, in, want, tol.For(t.ID, m)))
	}
	return out, nil
}
