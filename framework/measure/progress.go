package measure

import (
	"fmt"
	"time"

	"podperf/framework/endpoints"
	"podperf/framework/results"
	"podperf/framework/stats"
)

// progress times a test's samples, so that the narration can say which
// sample of how many is running and about how long the test has left.
type progress struct {
	paths   int           // pairs sampled in each round
	planned int           // samples per path before the first verdict
	max     int           // samples per path at most (planned when no extension)
	budget  time.Duration // wall time for extra samples (0: no bound)
	nominal time.Duration // netperf's run time, the estimate before any sample is timed

	taken int           // samples taken on all paths
	spent time.Duration // time they took
	extra time.Time     // when the first extra sample started
}

func newProgress(p Plan, paths int) *progress {
	return &progress{paths: paths, planned: p.Settings.Samples, max: max(p.MaxSamples, p.Settings.Samples),
		budget: p.Budget, nominal: p.Settings.Duration}
}

// record counts one sample that took d.
func (g *progress) record(d time.Duration) {
	g.taken++
	g.spent += d
}

// perSample is the mean time of a sample so far, or netperf's run time
// before the first one.
func (g *progress) perSample() time.Duration {
	if g.taken == 0 {
		return g.nominal
	}
	return g.spent / time.Duration(g.taken)
}

// of names sample i: "sample 2 of 3", or "sample 5 of up to 10" while extra
// samples decide an inconclusive verdict.
func (g *progress) of(i int) string {
	if i <= g.planned {
		return fmt.Sprintf("sample %d of %d", i, g.planned)
	}
	return fmt.Sprintf("sample %d of up to %d", i, g.max)
}

// left estimates the test's time left before sample i (1-based) of the
// path at index k of the round starts: "about 40s left in this test", or
// "at most 1m20s left" during extra samples, whose number depends on when
// the verdict is decided.
func (g *progress) left(i, k int) string {
	if g.taken == 0 && g.nominal <= 0 {
		return ""
	}
	last := g.planned
	if i > g.planned {
		last = g.max
	}
	n := (last-i)*g.paths + (g.paths - k)
	d := time.Duration(n) * g.perSample()
	if i <= g.planned {
		return "about " + short(d) + " left in this test"
	}
	if g.budget > 0 && !g.extra.IsZero() {
		d = min(d, max(0, g.budget-time.Since(g.extra)))
	}
	return "at most " + short(d) + " left in this test"
}

// startExtra notes when extra samples began (the first call counts), for
// the budget.
func (g *progress) startExtra() {
	if g.extra.IsZero() {
		g.extra = time.Now()
	}
}

// short rounds a duration for a reader: 45s, 3m20s.
func short(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d < time.Hour:
		return d.Round(time.Second).String()
	}
	return d.Round(time.Minute).String()
}

// live is the figure so far after i samples of each path: the median of
// the paired pod/node rate ratios and both paths' median rates.
func live(res *results.Test) string {
	pod, node := res.Values(res.Compared(), results.Rate), res.Values(endpoints.NodePath, results.Rate)
	if len(pod) == 0 || len(pod) != len(node) {
		return ""
	}
	r, err := stats.Ratios(pod, node)
	if err != nil {
		return ""
	}
	rs, err1 := stats.Summarize(r)
	ps, err2 := stats.Summarize(pod)
	ns, err3 := stats.Summarize(node)
	if err1 != nil || err2 != nil || err3 != nil {
		return ""
	}
	return fmt.Sprintf("pod/node %s %.3f so far (medians: pod %.4g, node %.4g %s)", results.Rate.Title(res.Netperf.IsRR()), rs.Median, ps.Median, ns.Median, res.Unit(results.Rate))
}
