// Package measure runs one scenario of the benchmark on a target and judges it:
// interleaved samples of both paths, their statistics, the verdict, and more
// samples while the verdict is undecided. The specs and the benchmark of the
// suite itself (make bench) share it, so both judge the same way.
package measure

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"podperf/framework/baseline"
	"podperf/framework/endpoints"
	"podperf/framework/results"
	"podperf/framework/scenario"
	"podperf/framework/stats"
	"podperf/framework/verdict"
)

// Plan is how a scenario is measured and judged.
type Plan struct {
	Scenario scenario.Scenario
	// Settings.Samples is the number of samples per path taken before the
	// first verdict.
	Settings scenario.Settings
	// MaxSamples bounds the samples per path: while a verdict is inconclusive,
	// one more sample of each path is taken, up to this many. At or below
	// Settings.Samples no extra sample is taken.
	MaxSamples int
	// Budget bounds the wall time spent on extra samples (0: MaxSamples alone).
	Budget time.Duration
	Mode   verdict.Mode
	// Profile and Tol are the baseline and tolerances the verdict uses. With
	// no profile, the samples are only summarised: nothing is judged.
	Profile *baseline.Profile
	Tol     verdict.Tolerances
	// Reference is a stored run (--reference) whose raw samples the verdict
	// uses instead of the profile's figures; RefName names it.
	Reference *results.Run
	RefName   string
	// CounterTolerance is how far (a fraction) the client interface's byte
	// counter may differ from netperf's throughput before a sample is flagged.
	CounterTolerance float64
	// Step narrates what is about to happen (ginkgo.By in the specs).
	Step func(string)
	// Logf logs a line (framework.Logf in the specs).
	Logf func(format string, args ...any)
}

// Measure samples pairs (one per path) in turn into res, then judges res, and
// goes on sampling while a verdict is inconclusive and the plan allows it:
// each judgement is a look of a sequential design (Plan.Against), and when
// the noise measured so far says not even MaxSamples could decide, it stops
// early and notes what it would take. What was measured stays in res
// whatever the error.
func Measure(ctx context.Context, pairs []endpoints.Pair, p Plan, res *results.Test) error {
	step, logf := p.narration()
	sc, s := p.Scenario, p.Settings
	prog := newProgress(p, len(pairs))
	for i := 1; ; i++ {
		pairStarted := time.Now()
		for k, pair := range pairs {
			path := pair.Info().Path
			step(fmt.Sprintf("%s on the %s path: %d x netperf %s for %s (%s)", prog.of(i), path.Title(), sc.Streams, sc.Test, s.Duration, prog.left(i, k)))
			started := time.Now()
			if err := sc.Sample(ctx, pair, s, res); err != nil {
				return err
			}
			prog.record(time.Since(started))
			sample := res.Paths[path].Samples[i-1]
			logf("%s %s: %.4g %s, client SD %.4g, server SD %.4g %s%s", path, prog.of(i), sample.Rate, sample.RateUnit, sample.ClientSD, sample.ServerSD, sample.SDUnit, detail(sample))
			if w := counterCheck(sample, p.CounterTolerance); w != "" {
				w = fmt.Sprintf("%s path, sample %d: %s", path, i, w)
				logf("WARNING: %s", w)
				res.Warnings = append(res.Warnings, w)
			}
		}
		if l := live(res); l != "" {
			logf("after %s: %s", prog.of(i), l)
		}
		if i < s.Samples {
			continue
		}
		if err := res.Summarize(); err != nil {
			return err
		}
		if p.Profile == nil {
			return nil
		}
		normaliseCPU(res, p.Profile)
		against := p.Against()
		v, err := verdict.JudgeTest(against, res, res.Verdicts)
		if err != nil {
			return err
		}
		res.Verdicts = v
		open := metricList(res.MetricsWith(results.Inconclusive))
		if open == "" {
			return nil
		}
		if i < p.MaxSamples {
			// Plan from the noise: stop now when not even --max-samples could decide.
			out, err := verdict.Forecast(against, res, v)
			if err != nil {
				return err
			}
			stop := len(out) > 0
			for _, o := range out {
				logf("planning: %s", o.Line)
				stop = stop && !o.Decidable
			}
			if stop {
				for _, o := range out {
					note(res, logf, fmt.Sprintf("%s still inconclusive after %d samples per path, stopped early: %s", o.Metric, i, o.Line))
				}
				return nil
			}
		}
		if i >= p.MaxSamples {
			if p.MaxSamples > s.Samples {
				note(res, logf, fmt.Sprintf("%s still inconclusive after %d samples per path (--max-samples)", open, i))
			}
			return nil
		}
		prog.startExtra()
		// One more round must fit the budget, judged by how long the last one took.
		if p.Budget > 0 && time.Since(prog.extra)+time.Since(pairStarted) > p.Budget {
			note(res, logf, fmt.Sprintf("%s still inconclusive after %d samples per path: the next sample would exceed --sample-budget=%s", open, i, p.Budget))
			return nil
		}
		logf("inconclusive after %d samples per path (%s): taking one more of each path, %s", i, open, prog.of(i+1))
	}
}

// Against is what the plan's verdicts are judged against, with the
// sequential design of its looks: the first after Settings.Samples, then one
// after each further sample up to MaxSamples.
func (p Plan) Against() verdict.Against {
	return verdict.Against{Mode: p.Mode, Profile: p.Profile, Reference: p.Reference, RefName: p.RefName, Tol: p.Tol,
		Design: stats.NewDesign(p.Settings.Samples, max(p.MaxSamples, p.Settings.Samples))}
}

// normaliseCPU puts each path's median service demand in the published form
// of the profile's test (work and test bed).
func normaliseCPU(res *results.Test, prof *baseline.Profile) {
	want, ok := prof.Tests[res.ID]
	if !ok || want.CPUNormalisedTo <= 0 {
		return
	}
	for _, path := range res.Paths {
		if len(path.Samples) == 0 || path.Stats == nil {
			continue
		}
		last := path.Samples[len(path.Samples)-1]
		unit := res.Unit(results.Rate)
		c := &results.NormalisedCPU{Work: want.CPUNormalisedTo, Unit: unit, ClientCPUs: last.ClientCPUs, ServerCPUs: last.ServerCPUs}
		cs, ss := path.Stats[results.ClientCPU], path.Stats[results.ServerCPU]
		csd, ssd := cs.Median, ss.Median
		if c.ClientCPUs > 0 && c.ServerCPUs > 0 {
			pct := func(sd float64, cpus int) float64 { return baseline.PercentFromSD(sd, cpus, c.Work, unit) }
			c.ClientPercent, c.ServerPercent = pct(csd, c.ClientCPUs), pct(ssd, c.ServerCPUs)
			// The conversion is linear, so the intervals carry over.
			c.ClientPercentCI = [2]float64{pct(cs.CILow, c.ClientCPUs), pct(cs.CIHigh, c.ClientCPUs)}
			c.ServerPercentCI = [2]float64{pct(ss.CILow, c.ServerCPUs), pct(ss.CIHigh, c.ServerCPUs)}
		}
		if n := prof.Testbed.CPUsPerNode; n > 0 {
			c.TestbedCPUs = n
			c.ClientPercentTestbed = baseline.PercentFromSD(csd, n, c.Work, unit)
			c.ServerPercentTestbed = baseline.PercentFromSD(ssd, n, c.Work, unit)
		}
		path.CPU = c
	}
}

// metricList names metrics for a reader: "rate, client_cpu".
func metricList(ms []results.Metric) string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = string(m)
	}
	return strings.Join(names, ", ")
}

// CounterGap is the interface counter's rate relative to netperf's aggregate,
// minus one (0.05: the counter saw 5% more); ok is false when the sample has
// no counter figure (RR tests, or counters that could not be read).
func CounterGap(s results.Sample) (gap float64, ok bool) {
	if s.ClientTxRate <= 0 || s.Rate <= 0 {
		return 0, false
	}
	return s.ClientTxRate/s.Rate - 1, true
}

// counterCheck returns a warning when the counter and netperf disagree by more
// than tol. The counter includes packet headers, so it reads a little high on a
// healthy run (about 0.3% with TSO on veth).
func counterCheck(s results.Sample, tol float64) string {
	gap, ok := CounterGap(s)
	if !ok || tol <= 0 || math.Abs(gap) <= tol {
		return ""
	}
	return fmt.Sprintf("netperf reports %.4g %s but the client interface carried %.4g %s over the same window (%+.1f%%, more than the %.3g%% allowed by --counter-tolerance): the aggregate is suspect",
		s.Rate, s.RateUnit, s.ClientTxRate, s.RateUnit, gap*100, tol*100)
}

func detail(s results.Sample) string {
	out := ""
	if gap, ok := CounterGap(s); ok {
		out += fmt.Sprintf("; client interface counter %.4g %s (%+.1f%%)", s.ClientTxRate, s.RateUnit, gap*100)
	}
	if len(s.Processes) > 1 {
		out += fmt.Sprintf("; %d processes, common window %.2fs, start skew %s, end skew %s, naive sum %.4g %s",
			len(s.Processes), s.Window.Length().Seconds(), s.Window.StartSkew, s.Window.EndSkew, s.NaiveSum, s.RateUnit)
	}
	return out
}
