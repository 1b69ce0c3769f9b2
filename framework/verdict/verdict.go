// Package verdict compares measured figures with a baseline profile, per test
// and per metric, within configured tolerances.
package verdict

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"
	"sigs.k8s.io/yaml"

	"podperf/framework/baseline"
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

// Input is what one metric of one test is judged on: the raw samples of both
// paths (paired, node and pod interleaved) and, when the reference is a
// recorded run rather than published figures, that run's raw samples.
type Input struct {
	Test   string // profile key, e.g. tcp_stream_1
	Title  string // for messages, e.g. "TCP_STREAM 1 stream"
	Metric results.Metric
	RR     bool
	Unit   string    // of the samples
	Pod    []float64 // pod-path samples
	Node   []float64 // node-path samples, paired with Pod
	// RefPod and RefNode are the reference's samples (paired likewise); nil
	// when the reference is a profile's single figures.
	RefPod, RefNode []float64
	// RefName names the recorded reference in messages, e.g. "profile before.yaml".
	RefName string
	// Path names the compared path in messages: empty for the pod path, or
	// an extended spec's (service, same-node, ipv6).
	Path string
}

// pathName is how a message names the compared path.
func (in Input) pathName() string {
	if in.Path == "" {
		return "pod"
	}
	return in.Path
}

// Look is where in a sequential design a judgement is taken, and at what
// level a failure is declared (Holm's share of alpha for this metric).
type Look struct {
	Design stats.Design
	// AlphaFail is the one-sided level of the failure test; 0 means stats.Alpha.
	AlphaFail float64
}

// power is the probability at which the minimum detectable effect and the
// planned sample counts are stated.
const power = 0.8

// compared is the figure the verdict is about, in this run and in the
// reference: the paired pod/node ratios in relative mode, the pod figure in
// absolute mode. ref is nil when the reference is a single figure.
func compared(mode Mode, in Input) (xs, ref []float64, err error) {
	if mode == Absolute {
		return in.Pod, in.RefPod, nil
	}
	if xs, err = stats.Ratios(in.Pod, in.Node); err != nil {
		return nil, nil, err
	}
	if in.RefPod != nil {
		if ref, err = stats.Ratios(in.RefPod, in.RefNode); err != nil {
			return nil, nil, fmt.Errorf("reference: %w", err)
		}
	}
	return xs, ref, nil
}

// assessment is a metric's figures at one look, on the scale its test is
// taken on: the figure itself (one sample against a published figure) or
// the log of this run's over the reference's (two samples).
type assessment struct {
	est        stats.Estimate
	twoSample  bool
	expected   float64 // the reference figure (geometric mean of its samples when recorded)
	threshold  float64 // in the figure's units
	limit      float64 // the threshold on the test's scale
	median     float64 // this run's median
	cPass      float64 // critical values of this look
	cFail      float64
	lo, hi     float64 // the interval on the test's scale
	higherGood bool
}

func assess(mode Mode, in Input, want baseline.TestFigures, tol float64, look Look) (assessment, error) {
	var a assessment
	xs, ref, err := compared(mode, in)
	if err != nil {
		return a, err
	}
	a.higherGood = in.Metric == results.Rate
	sign := 1.0
	if !a.higherGood {
		sign = -1
	}
	if ref != nil {
		a.twoSample = true
		if a.est, err = stats.TwoSampleLog(xs, ref); err != nil {
			return a, err
		}
		lr, _ := stats.OneSample(logsOf(ref))
		a.expected = math.Exp(lr.Mean)
		a.limit = math.Log(1 - sign*tol)
	} else {
		if a.est, err = stats.OneSample(xs); err != nil {
			return a, err
		}
		a.expected = want.Pod.Get(in.Metric)
		if mode == Relative {
			a.expected = want.Ratio(in.Metric)
		}
		a.limit = a.expected * (1 - sign*tol)
	}
	a.threshold = a.expected * (1 - sign*tol)
	a.median = stats.Median(xs)
	d := look.Design
	if d.Max == 0 {
		d = stats.NewDesign(a.est.N, a.est.N)
	}
	af := look.AlphaFail
	if af <= 0 {
		af = stats.Alpha
	}
	a.cPass, a.cFail = d.Critical(a.est.N, stats.Alpha, a.est.DF), d.Critical(a.est.N, af, a.est.DF)
	if a.higherGood {
		a.lo, a.hi = a.est.Mean-a.cPass*a.est.SE, a.est.Mean+a.cFail*a.est.SE
	} else {
		a.lo, a.hi = a.est.Mean-a.cFail*a.est.SE, a.est.Mean+a.cPass*a.est.SE
	}
	return a, nil
}

func logsOf(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = math.Log(x)
	}
	return out
}

// toFigure puts a value of the test's scale in the figure's units.
func (a assessment) toFigure(v float64) float64 {
	if a.twoSample {
		return a.expected * math.Exp(v)
	}
	return v
}

// mde is the smallest worsening (a fraction of the expected figure) that
// this look would have failed with probability power.
func (a assessment) mde(tol float64) float64 {
	if a.est.N < 2 || math.IsInf(a.cFail, 0) {
		return 0
	}
	z := distuv.UnitNormal.Quantile(power)
	reach := (a.cFail + z) * a.est.SE
	switch {
	case a.twoSample && a.higherGood:
		return 1 - math.Exp(a.limit-reach)
	case a.twoSample:
		return math.Exp(a.limit+reach) - 1
	}
	return tol + reach/a.expected
}

// Judge compares in with the profile figures want (or, when in carries
// them, with the reference's samples) under mode and tolerance tol, at a look
// of a sequential design. With two or more samples the decision is made on
// the look's interval: pass when all of it is on the good side of the
// threshold, fail when all of it is on the bad side, inconclusive otherwise.
// The interval's good-side bound is at the design's level alpha, its bad-side
// bound at look.AlphaFail, so that over all looks and metrics a healthy
// figure fails, or a bad one passes, with probability at most alpha. One
// sample has no interval and is judged on its value alone.
func Judge(mode Mode, in Input, want baseline.TestFigures, tol float64, look Look) (results.Verdict, error) {
	v := results.Verdict{Metric: in.Metric, Mode: string(mode), Tolerance: tol}
	a, err := assess(mode, in, want, tol, look)
	if err != nil {
		return v, fmt.Errorf("%s %s: %w", in.Test, in.Metric, err)
	}
	v.Expected, v.Threshold, v.N = a.expected, a.threshold, a.est.N
	v.Reference = want.Pod.Get(in.Metric)
	if mode == Relative {
		v.Reference = stats.Median(in.Node)
	}
	if a.twoSample {
		v.ReferenceN = a.est.RefN
		v.Measured = a.toFigure(a.est.Mean)
	} else {
		v.Measured = a.median
	}
	lo, hi, limit := a.lo, a.hi, a.limit
	if a.est.N < 2 {
		lo, hi = v.Measured, v.Measured
		limit = v.Threshold
	}
	v.CILow, v.CIHigh = a.toFigure(lo), a.toFigure(hi)
	if a.est.N < 2 {
		v.CILow, v.CIHigh = v.Measured, v.Measured
	}
	v.MDE = a.mde(tol)
	var ok, notOK bool
	if a.higherGood {
		ok, notOK = lo >= limit, hi < limit
	} else {
		ok, notOK = hi <= limit, lo > limit
	}
	switch {
	case ok:
		v.Status = results.Pass
	case notOK:
		v.Status = results.Fail
	default:
		v.Status = results.Inconclusive
	}
	v.Message = message(mode, in, v, a.higherGood, want.Unpublished)
	return v, nil
}

// UnpublishedNote ends the verdict of a test no profile has figures for.
const UnpublishedNote = "no published figure: judged against this run's node-to-node reference"

// message is the one line a reader of a failed job sees: measured value and
// its interval, reference, ratio, threshold and tolerance.
func message(mode Mode, in Input, v results.Verdict, higherBetter, unpublished bool) string {
	cmp, sign := ">=", "-"
	if !higherBetter {
		cmp, sign = "<=", "+"
	}
	title := in.Title + " " + in.Metric.Title(in.RR)
	ci := " (n=1, no interval)"
	if v.N > 1 {
		ci = fmt.Sprintf(" (sequential %.0f%% CI %s-%s, n=%d)", stats.Level*100, num(v.CILow), num(v.CIHigh), v.N)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: ", title, strings.ToUpper(string(v.Status)))
	switch {
	case v.ReferenceN > 0 && mode == Relative:
		fmt.Fprintf(&b, "%s/node ratio %.3f%s vs %.3f in %s (n=%d), expected ratio %s %.3f (reference %s %.3g%% tolerance) [relative, two-sample: both runs' noise counted]",
			in.pathName(), v.Measured, ci, v.Expected, in.RefName, v.ReferenceN, cmp, v.Threshold, sign, v.Tolerance*100)
	case v.ReferenceN > 0:
		fmt.Fprintf(&b, "%s %s %s%s vs %s %s in %s (n=%d), expected %s %s (reference %s %.3g%% tolerance) [absolute, two-sample: both runs' noise counted]",
			in.pathName(), num(v.Measured), in.Unit, ci, num(v.Expected), in.Unit, in.RefName, v.ReferenceN, cmp, num(v.Threshold), sign, v.Tolerance*100)
	case mode == Relative:
		from := "published"
		if unpublished {
			from = "node-to-node"
		}
		fmt.Fprintf(&b, "%s %s %s vs node %s %s = ratio %.3f%s, expected ratio %s %.3f (%s %.3f %s %.3g%% tolerance) [relative]",
			in.pathName(), num(stats.Median(in.Pod)), in.Unit, num(stats.Median(in.Node)), in.Unit, v.Measured, ci, cmp, v.Threshold, from, v.Expected, sign, v.Tolerance*100)
	default:
		fmt.Fprintf(&b, "%s %s %s%s vs baseline %s %s = ratio %.3f, expected %s %s (baseline %s %.3g%% tolerance) [absolute]",
			in.pathName(), num(v.Measured), in.Unit, ci, num(v.Expected), in.Unit, v.Measured/v.Expected, cmp, num(v.Threshold), sign, v.Tolerance*100)
	}
	switch {
	case v.MDE >= 1 && cmp == ">=":
		// A figure cannot fall by more than all of it.
		b.WriteString("; at this noise and n no drop of the figure could be detected")
	case v.MDE > 0:
		fmt.Fprintf(&b, "; smallest detectable worsening %.1f%%", v.MDE*100)
	}
	if v.Status == results.Inconclusive {
		b.WriteString("; the interval straddles the threshold: more samples or a quieter machine would decide")
	}
	if unpublished {
		b.WriteString("; " + UnpublishedNote)
	}
	return b.String()
}

func num(f float64) string { return fmt.Sprintf("%.4g", f) }
