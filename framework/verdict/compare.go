package verdict

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"podperf/framework/endpoints"
	"podperf/framework/results"
	"podperf/framework/stats"
)

// CompareSchema identifies the JSON form of a comparison.
const CompareSchema = "podperf.compare/v1"

// Change is what a comparison says of one metric.
type Change string

const (
	// Regressed: the whole interval of B/A is worse than the tolerance allows.
	Regressed Change = "regressed"
	// Improved: the whole interval is better than the tolerance on the other side.
	Improved Change = "improved"
	// NoChange: the whole interval is within the tolerance on both sides
	// (equivalence shown, two one-sided tests).
	NoChange Change = "no change"
	// Undecided: none of the above could be shown.
	Undecided Change = "inconclusive"
)

// Figure is what a comparison compares per metric.
type Figure string

const (
	// RatioFigure is the paired pod/node ratio: drift of the machine, and
	// differences between the machines of the two runs, cancel.
	RatioFigure Figure = "ratio"
	// PodFigure is the pod path's own figure.
	PodFigure Figure = "pod"
)

// RunInfo names one side of a comparison.
type RunInfo struct {
	File      string        `json:"file"`
	StartedAt time.Time     `json:"startedAt"`
	Target    string        `json:"target"`
	Duration  time.Duration `json:"duration"`
	Verdict   string        `json:"verdict"`
}

// Side is one run's figure for a metric.
type Side struct {
	N      int     `json:"n"`
	Median float64 `json:"median"`
	// Mean, CILow and CIHigh: geometric mean and its 95% interval.
	Mean   float64 `json:"mean"`
	CILow  float64 `json:"ciLow"`
	CIHigh float64 `json:"ciHigh"`
}

// CompareRow is one metric of one test in both runs.
type CompareRow struct {
	Test   string         `json:"test"`
	Title  string         `json:"title"`
	Metric results.Metric `json:"metric"`
	Label  string         `json:"label"`
	Unit   string         `json:"unit"`
	A      Side           `json:"a"`
	B      Side           `json:"b"`
	// Ratio is B over A (geometric means) with its 95% interval (Welch).
	Ratio     float64 `json:"ratio"`
	RatioLow  float64 `json:"ratioLow"`
	RatioHigh float64 `json:"ratioHigh"`
	// PRegressed and PImproved are the one-sided p-values of "worse (better)
	// than the tolerance", before Holm's adjustment.
	PRegressed float64 `json:"pRegressed"`
	PImproved  float64 `json:"pImproved"`
	Change     Change  `json:"change"`
	Note       string  `json:"note,omitempty"`
}

// Comparison is two runs lined up test by test and metric by metric.
type Comparison struct {
	Schema    string  `json:"schema"`
	A         RunInfo `json:"a"`
	B         RunInfo `json:"b"`
	Figure    Figure  `json:"figure"`
	Tolerance float64 `json:"tolerance"`
	Level     float64 `json:"level"`
	// Comparisons is the number of rows Holm's procedure spans.
	Comparisons int          `json:"comparisons"`
	Rows        []CompareRow `json:"rows"`
	// Differences are the ways the runs differ that --force let through.
	Differences []string `json:"differences,omitempty"`
	Regressed   int      `json:"regressed"`
	Improved    int      `json:"improved"`
	Unchanged   int      `json:"unchanged"`
	Undecided   int      `json:"inconclusive"`
}

// MismatchError says how two runs differ where a comparison needs them alike.
type MismatchError struct{ Differences []string }

func (e *MismatchError) Error() string {
	return "the runs differ: " + strings.Join(e.Differences, "; ") + ": compare runs of the same tests, duration and target, or pass --force"
}

// Differences lists what makes two runs unlike: tests, durations, targets.
func Differences(a, b *results.Run) []string {
	var out []string
	if a.Settings.Target != b.Settings.Target {
		out = append(out, fmt.Sprintf("targets %s and %s", a.Settings.Target, b.Settings.Target))
	}
	if a.Settings.Duration != b.Settings.Duration {
		out = append(out, fmt.Sprintf("durations %s and %s", a.Settings.Duration, b.Settings.Duration))
	}
	ids := func(r *results.Run) []string {
		var s []string
		for _, t := range r.Tests {
			s = append(s, t.ID)
		}
		return s
	}
	ia, ib := ids(a), ids(b)
	var onlyA, onlyB []string
	for _, id := range ia {
		if !slices.Contains(ib, id) {
			onlyA = append(onlyA, id)
		}
	}
	for _, id := range ib {
		if !slices.Contains(ia, id) {
			onlyB = append(onlyB, id)
		}
	}
	if len(onlyA) > 0 {
		out = append(out, "tests only in A: "+strings.Join(onlyA, ", "))
	}
	if len(onlyB) > 0 {
		out = append(out, "tests only in B: "+strings.Join(onlyB, ", "))
	}
	return out
}

// Compare lines up runs a and b (files fa and fb): for every test both
// measured and every judged metric, each side's figure and the ratio B/A with
// a Welch interval on the logarithms, and a change. Regressed and improved
// are decided with Holm's procedure over all rows, so that a comparison of
// two equal runs reports a regression anywhere with probability at most
// stats.Alpha. Runs that differ in tests, duration or target are refused
// unless force is set.
func Compare(a, b *results.Run, fa, fb string, fig Figure, tol float64, force bool) (*Comparison, error) {
	if fig != RatioFigure && fig != PodFigure {
		return nil, fmt.Errorf("figure %q: use ratio or pod", fig)
	}
	if tol <= 0 || tol >= 1 {
		return nil, fmt.Errorf("tolerance %v: use a fraction between 0 and 1, e.g. 5%%", tol)
	}
	diff := Differences(a, b)
	if len(diff) > 0 && !force {
		return nil, &MismatchError{Differences: diff}
	}
	c := &Comparison{Schema: CompareSchema, A: info(a, fa), B: info(b, fb), Figure: fig, Tolerance: tol, Level: stats.Level, Differences: diff}
	for _, ta := range a.Tests {
		i := slices.IndexFunc(b.Tests, func(t *results.Test) bool { return t.ID == ta.ID })
		if i < 0 {
			continue
		}
		tb := b.Tests[i]
		for _, m := range results.Metrics {
			c.Rows = append(c.Rows, compareMetric(ta, tb, m, fig, tol))
		}
	}
	if len(c.Rows) == 0 {
		return nil, fmt.Errorf("the runs have no test in common: nothing to compare")
	}
	holm(c.Rows, func(r *CompareRow) float64 { return r.PRegressed }, Regressed)
	holm(c.Rows, func(r *CompareRow) float64 { return r.PImproved }, Improved)
	for i := range c.Rows {
		r := &c.Rows[i]
		if r.Change == "" {
			r.Change = Undecided
			switch {
			case r.A.N < 2 || r.B.N < 2:
			case r.RatioLow >= 1-tol && r.RatioHigh <= 1+tol:
				r.Change = NoChange
			case r.PRegressed <= stats.Alpha || r.PImproved <= stats.Alpha:
				r.Note = fmt.Sprintf("beyond the tolerance on its own, but not after Holm's adjustment over %d comparisons", len(c.Rows))
			}
		}
		c.Comparisons++
		switch r.Change {
		case Regressed:
			c.Regressed++
		case Improved:
			c.Improved++
		case NoChange:
			c.Unchanged++
		default:
			c.Undecided++
		}
	}
	return c, nil
}

func info(r *results.Run, file string) RunInfo {
	return RunInfo{File: file, StartedAt: r.StartedAt, Target: r.Settings.Target, Duration: r.Settings.Duration, Verdict: string(r.Verdict)}
}

// figureSamples are the samples a comparison uses for metric m of t.
func figureSamples(t *results.Test, m results.Metric, fig Figure) []float64 {
	pod := t.Values(t.Compared(), m) // the pod path, or an extended spec's
	if fig == PodFigure {
		return pod
	}
	r, err := stats.Ratios(pod, t.Values(endpoints.NodePath, m))
	if err != nil {
		return nil
	}
	return r
}

func side(xs []float64) Side {
	s := Side{N: len(xs), Median: stats.Median(xs)}
	if len(xs) == 0 {
		return s
	}
	var l []float64
	for _, x := range xs {
		if x <= 0 {
			return s
		}
		l = append(l, math.Log(x))
	}
	e, err := stats.OneSample(l)
	if err != nil {
		return s
	}
	s.Mean, s.CILow, s.CIHigh = math.Exp(e.Mean), math.Exp(e.Mean), math.Exp(e.Mean)
	if e.N > 1 {
		h := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: e.DF}.Quantile(1-stats.Alpha) * e.SE
		s.CILow, s.CIHigh = math.Exp(e.Mean-h), math.Exp(e.Mean+h)
	}
	return s
}

func compareMetric(ta, tb *results.Test, m results.Metric, fig Figure, tol float64) CompareRow {
	rr := ta.Netperf.IsRR()
	r := CompareRow{Test: ta.ID, Title: ta.Title, Metric: m, Label: m.Title(rr), Unit: ta.Unit(m), PRegressed: 1, PImproved: 1}
	if fig == RatioFigure {
		r.Label, r.Unit = "pod/node "+m.Title(rr)+" ratio", ""
	}
	xa, xb := figureSamples(ta, m, fig), figureSamples(tb, m, fig)
	r.A, r.B = side(xa), side(xb)
	if r.A.N < 2 || r.B.N < 2 {
		r.Note = "a side has fewer than 2 samples: no interval"
		if r.A.Mean > 0 {
			r.Ratio = r.B.Mean / r.A.Mean
			r.RatioLow, r.RatioHigh = r.Ratio, r.Ratio
		}
		return r
	}
	e, err := stats.TwoSampleLog(xb, xa)
	if err != nil {
		r.Note = err.Error()
		return r
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: e.DF}
	h := t.Quantile(1-stats.Alpha) * e.SE
	r.Ratio, r.RatioLow, r.RatioHigh = math.Exp(e.Mean), math.Exp(e.Mean-h), math.Exp(e.Mean+h)
	lo, hi := math.Log(1-tol), math.Log(1+tol)
	se := math.Max(e.SE, 1e-300)
	// p of "below lo" (H0: at or above lo) and of "above hi".
	pBelow, pAbove := t.CDF((e.Mean-lo)/se), 1-t.CDF((e.Mean-hi)/se)
	if m == results.Rate {
		r.PRegressed, r.PImproved = pBelow, pAbove
	} else {
		r.PRegressed, r.PImproved = pAbove, pBelow
	}
	return r
}

// holm marks as change the rows whose p (of p) Holm's step-down procedure
// rejects at stats.Alpha over all rows.
func holm(rows []CompareRow, p func(*CompareRow) float64, change Change) {
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(i, j int) int { return cmp.Compare(p(&rows[i]), p(&rows[j])) })
	for k, i := range idx {
		if p(&rows[i]) > stats.Alpha/float64(len(rows)-k) {
			return
		}
		rows[i].Change = change
	}
}
