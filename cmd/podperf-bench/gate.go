package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"podperf/framework/baseline"
	"podperf/framework/endpoints"
	"podperf/framework/endpoints/netns"
	"podperf/framework/results"
	"podperf/framework/scenario"
	"podperf/framework/stats"
	"podperf/framework/verdict"
)

// Gate is the proof of the release gate (-parts gate): rounds of a healthy
// and a cut run of each test type, judged as a spec judges them against a
// profile this machine recorded, and the same runs compared with podperf
// compare's procedure. Every finished round is kept in bench.json, and a
// rerun with the same settings continues from them.
type Gate struct {
	Settings    GateSettings      `json:"settings"`
	Calibration *baseline.Profile `json:"calibration"`
	Rounds      []GateRound       `json:"rounds"`
	Summary     []GateSummary     `json:"summary"`
}

// GateSettings are what a resumed gate must share with the rounds it continues.
type GateSettings struct {
	Target             string        `json:"target"`
	Duration           time.Duration `json:"duration"`
	Samples            int           `json:"samples"`
	MaxSamples         int           `json:"maxSamples"`
	CalibrationSamples int           `json:"calibrationSamples"`
	Cut                float64       `json:"cut"`
	Filters            int           `json:"latencyFilters"`
	Tolerances         string        `json:"tolerances"`
}

// GateRound is one round: a healthy and a cut run of each test, and the
// comparisons of podperf compare.
type GateRound struct {
	Index    int           `json:"index"`
	Started  time.Time     `json:"started"`
	Runs     []GateRun     `json:"runs"`
	Compares []GateCompare `json:"compares,omitempty"`
}

// GateRun is one verdict, with the samples behind it (for the comparisons).
type GateRun struct {
	Test         string           `json:"test"`
	Cut          bool             `json:"cut"`
	Impairment   string           `json:"impairment,omitempty"`
	Outcome      results.Status   `json:"outcome"`
	Metrics      []results.Metric `json:"metrics,omitempty"`
	Samples      int              `json:"samples"`
	StoppedEarly bool             `json:"stoppedEarly,omitempty"`
	// RateEffect is the pod/node rate ratio over the calibration's.
	RateEffect float64           `json:"rateEffect"`
	PodRate    float64           `json:"podRate"`
	RateMDE    float64           `json:"rateMDE"`
	Wall       time.Duration     `json:"wall"`
	Raw        *baseline.Samples `json:"raw"`
}

// GateCompare is podperf compare's verdict on two runs of a round.
type GateCompare struct {
	Test string `json:"test"`
	// Kind is "healthy vs healthy" (this round's against the last) or
	// "healthy vs cut".
	Kind string `json:"kind"`
	// Rate is the change of the rate; Regressed whether any metric regressed
	// (what makes podperf compare exit 1).
	Rate      verdict.Change `json:"rate"`
	Regressed bool           `json:"regressed"`
}

// GateSummary are the rates of one test type over the rounds.
type GateSummary struct {
	Test string `json:"test"`
	// FalseAlarms: healthy runs whose spec fails at --inconclusive=fail.
	FalseAlarms stats.Proportion `json:"falseAlarms"`
	// Detected: cut runs that fail at --inconclusive=fail; DecidedFail:
	// those whose verdict was fail (not inconclusive).
	Detected        stats.Proportion `json:"detected"`
	DecidedFail     stats.Proportion `json:"decidedFail"`
	HealthyMedian   time.Duration    `json:"healthyMedianWall"`
	CutMedian       time.Duration    `json:"cutMedianWall"`
	HealthySamples  float64          `json:"healthyMedianSamples"`
	CutEffect       float64          `json:"cutMedianEffect"`
	CompareFalse    stats.Proportion `json:"compareFalseRegressions"` // healthy vs healthy said regressed
	CompareNoChange stats.Proportion `json:"compareNoChange"`         // healthy vs healthy said no change
	CompareDetected stats.Proportion `json:"compareDetected"`         // healthy vs cut said regressed
}

func (o Options) gateSettings() GateSettings {
	return GateSettings{Target: "local", Duration: o.Duration, Samples: o.Samples, MaxSamples: o.MaxSamples,
		CalibrationSamples: max(5, o.Samples, o.CalibrationSamples), Cut: o.Cut, Filters: o.Filters, Tolerances: o.Tolerances}
}

// gate runs rounds until there are o.Rounds, continuing prev when its
// settings match; saved is called after every round.
func gate(ctx context.Context, tgt *netns.Target, o Options, prev *Gate, logf func(string, ...any), saved func(*Gate)) (*Gate, error) {
	tol, err := o.tolerances()
	if err != nil {
		return nil, err
	}
	g := &Gate{Settings: o.gateSettings()}
	if prev != nil && prev.Settings == g.Settings && prev.Calibration != nil {
		g = prev
		logf("gate: continuing after the %d rounds already in %s", len(g.Rounds), o.Out)
	} else if prev != nil {
		logf("gate: the rounds in %s were taken with other settings (%+v): starting anew", o.Out, prev.Settings)
	}
	if g.Calibration != nil && len(g.Rounds) >= o.Rounds {
		return g, g.summarise()
	}
	stream, rr := scenario.Benchmark[0], scenario.Benchmark[2]
	if g.Calibration == nil {
		logf("gate: recording this machine's profile with %d samples per path (its raw samples make the verdicts two-sample)", g.Settings.CalibrationSamples)
		if g.Calibration, err = calibrate(ctx, tgt, o, stream, rr); err != nil {
			return g, fmt.Errorf("calibration: %w", err)
		}
		saved(g)
	}
	impaired := ""
	defer func() {
		if impaired != "" {
			_ = tgt.Impair(context.WithoutCancel(ctx), nil)
		}
	}()
	for len(g.Rounds) < o.Rounds {
		round := GateRound{Index: len(g.Rounds) + 1, Started: time.Now()}
		for _, sc := range []scenario.Scenario{stream, rr} {
			healthy, err := gateRun(ctx, tgt, o, sc, g, tol, "", &impaired)
			if err != nil {
				return g, fmt.Errorf("round %d, %s healthy: %w", round.Index, sc.ID, err)
			}
			imp := fmt.Sprintf("pod:filters=%d", o.Filters)
			if sc.ID == stream.ID {
				// A token bucket caps what reaches it: set it below the healthy
				// run just before (detection.go says why).
				imp = fmt.Sprintf("pod:rate=%dmbit", int(healthy.PodRate*1000*(1-o.Cut)))
			}
			cut, err := gateRun(ctx, tgt, o, sc, g, tol, imp, &impaired)
			if err != nil {
				return g, fmt.Errorf("round %d, %s cut: %w", round.Index, sc.ID, err)
			}
			round.Runs = append(round.Runs, healthy, cut)
			for _, r := range []GateRun{healthy, cut} {
				logf("  round %d/%d %s %s: %s %v after %d samples per path%s, rate %.3f of the calibration's, %s",
					round.Index, o.Rounds, sc.ID, condition(r), r.Outcome, r.Metrics, r.Samples, map[bool]string{true: " (stopped early: the noise needs more than -max-samples)"}[r.StoppedEarly], r.RateEffect, r.Wall.Round(time.Second))
			}
			tolRate := tol.For(sc.ID, results.Rate)
			if last := lastHealthy(g, sc.ID); last != nil {
				round.Compares = append(round.Compares, gateCompare(sc, "healthy vs healthy", last, &healthy, tolRate))
			}
			round.Compares = append(round.Compares, gateCompare(sc, "healthy vs cut", &healthy, &cut, tolRate))
		}
		g.Rounds = append(g.Rounds, round)
		if err := g.summarise(); err != nil {
			return g, err
		}
		saved(g)
	}
	return g, g.summarise()
}

func condition(r GateRun) string {
	if r.Cut {
		return "cut (" + r.Impairment + ")"
	}
	return "healthy"
}

// gateRun measures and judges sc with impairment on the pod path; impaired
// is what is on it now.
func gateRun(ctx context.Context, tgt *netns.Target, o Options, sc scenario.Scenario, g *Gate, tol verdict.Tolerances, impairment string, impaired *string) (GateRun, error) {
	shapes, err := netns.ParseShapes(impairment)
	if err != nil {
		return GateRun{}, err
	}
	// Only a change is applied: a resumed gate has not built the namespaces
	// when its first (healthy) run starts, and there is nothing to remove.
	if impairment != *impaired {
		if err := tgt.Impair(ctx, shapes); err != nil {
			return GateRun{}, err
		}
		*impaired = impairment
	}
	d, res, err := verdictRun(ctx, tgt, o, sc, g.Calibration, tol)
	if err != nil {
		return GateRun{}, err
	}
	r := GateRun{Test: sc.ID, Cut: impairment != "", Impairment: impairment, Outcome: d.Outcome, Metrics: d.Metrics,
		Samples: d.Samples, RateEffect: d.Ratio, PodRate: d.PodRate, Wall: d.Wall,
		Raw: &baseline.Samples{Pod: map[results.Metric][]float64{}, Node: map[results.Metric][]float64{}}}
	for _, m := range results.Metrics {
		r.Raw.Pod[m], r.Raw.Node[m] = res.Values(endpoints.PodPath, m), res.Values(endpoints.NodePath, m)
	}
	for _, v := range res.Verdicts {
		if v.Metric == results.Rate {
			r.RateMDE = v.MDE
		}
	}
	r.StoppedEarly = slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, "stopped early") })
	return r, nil
}

// lastHealthy is the healthy run of test id in the last finished round.
func lastHealthy(g *Gate, id string) *GateRun {
	if len(g.Rounds) == 0 {
		return nil
	}
	for i, r := range g.Rounds[len(g.Rounds)-1].Runs {
		if r.Test == id && !r.Cut {
			return &g.Rounds[len(g.Rounds)-1].Runs[i]
		}
	}
	return nil
}

// asRun makes a results.Run of one run's raw samples, as podperf compare reads it.
func asRun(sc scenario.Scenario, r *GateRun) *results.Run {
	t := sc.NewResult()
	for p, raw := range map[endpoints.Path]map[results.Metric][]float64{endpoints.PodPath: r.Raw.Pod, endpoints.NodePath: r.Raw.Node} {
		path := t.Paths[p]
		if path == nil {
			path = &results.Path{}
			t.Paths[p] = path
		}
		for i := range raw[results.Rate] {
			path.Samples = append(path.Samples, results.Sample{Index: i + 1, Rate: raw[results.Rate][i], ClientSD: raw[results.ClientCPU][i], ServerSD: raw[results.ServerCPU][i]})
		}
	}
	return &results.Run{Settings: results.Settings{Target: "local"}, Tests: []*results.Test{t}}
}

func gateCompare(sc scenario.Scenario, kind string, a, b *GateRun, tol float64) GateCompare {
	gc := GateCompare{Test: sc.ID, Kind: kind, Rate: verdict.Undecided}
	c, err := verdict.Compare(asRun(sc, a), asRun(sc, b), "A", "B", verdict.RatioFigure, tol, false)
	if err != nil {
		return gc
	}
	for _, row := range c.Rows {
		if row.Metric == results.Rate {
			gc.Rate = row.Change
		}
	}
	gc.Regressed = c.Regressed > 0
	return gc
}

// summarise recomputes the rates from the rounds so far.
func (g *Gate) summarise() error {
	g.Summary = nil
	for _, id := range []string{scenario.Benchmark[0].ID, scenario.Benchmark[2].ID} {
		s := GateSummary{Test: id}
		var alarms, healthy, detected, decided, cuts, cmpFalse, cmpSame, cmpHH, cmpDet, cmpHC int
		var hWall, cWall []float64
		var hSamples, effect []float64
		for _, r := range g.Rounds {
			for _, run := range r.Runs {
				if run.Test != id {
					continue
				}
				fails := verdict.PolicyFail.Fails(run.Outcome)
				if run.Cut {
					cuts++
					cWall = append(cWall, run.Wall.Seconds())
					effect = append(effect, run.RateEffect)
					if fails {
						detected++
					}
					if run.Outcome == results.Fail {
						decided++
					}
				} else {
					healthy++
					hWall = append(hWall, run.Wall.Seconds())
					hSamples = append(hSamples, float64(run.Samples))
					if fails {
						alarms++
					}
				}
			}
			for _, c := range r.Compares {
				if c.Test != id {
					continue
				}
				if c.Kind == "healthy vs healthy" {
					cmpHH++
					if c.Regressed {
						cmpFalse++
					}
					if c.Rate == verdict.NoChange {
						cmpSame++
					}
				} else {
					cmpHC++
					if c.Regressed {
						cmpDet++
					}
				}
			}
		}
		prop := func(k, n int) stats.Proportion {
			p, _ := stats.NewProportion(k, max(n, 1))
			if n == 0 {
				p.N = 0
			}
			return p
		}
		s.FalseAlarms, s.Detected, s.DecidedFail = prop(alarms, healthy), prop(detected, cuts), prop(decided, cuts)
		s.CompareFalse, s.CompareNoChange, s.CompareDetected = prop(cmpFalse, cmpHH), prop(cmpSame, cmpHH), prop(cmpDet, cmpHC)
		s.HealthyMedian = time.Duration(stats.Median(hWall) * float64(time.Second)).Round(time.Second)
		s.CutMedian = time.Duration(stats.Median(cWall) * float64(time.Second)).Round(time.Second)
		s.HealthySamples, s.CutEffect = stats.Median(hSamples), stats.Median(effect)
		g.Summary = append(g.Summary, s)
	}
	return nil
}

// cutName names the impairment of test id's cut runs.
func (g *Gate) cutName(id string) string {
	if id == scenario.Benchmark[0].ID {
		return fmt.Sprintf("%.0f%% throughput cut", g.Settings.Cut*100)
	}
	return fmt.Sprintf("added latency (%d filters)", g.Settings.Filters)
}

func (g *Gate) checks() []Check {
	var out []Check
	for _, s := range g.Summary {
		if s.FalseAlarms.N == 0 {
			continue
		}
		out = append(out,
			Check{Name: fmt.Sprintf("gate %s: false alarms (healthy runs failed)", s.Test),
				Measured: fmt.Sprintf("%s, upper bound %.1f%%; median %s and %.0f samples per path to a verdict", proportion(s.FalseAlarms), s.FalseAlarms.CIHigh*100, s.HealthyMedian, s.HealthySamples),
				Target:   "<= 5%", Met: s.FalseAlarms.Rate <= 0.05},
			Check{Name: fmt.Sprintf("gate %s: %s detected", s.Test, g.cutName(s.Test)),
				Measured: fmt.Sprintf("%s, lower bound %.1f%% (%d decided fail, the rest inconclusive); effect %+.1f%%; median %s to a verdict", proportion(s.Detected), s.Detected.CILow*100, s.DecidedFail.K, (s.CutEffect-1)*100, s.CutMedian),
				Target:   ">= 95%", Met: s.Detected.Rate >= 0.95})
		if s.CompareFalse.N > 0 {
			out = append(out, Check{Name: fmt.Sprintf("compare %s: healthy vs healthy", s.Test),
				Measured: fmt.Sprintf("regressed %s; no change %s", proportion(s.CompareFalse), proportion(s.CompareNoChange)),
				Target:   "regressed <= 5%", Met: s.CompareFalse.Rate <= 0.05})
		}
		if s.CompareDetected.N > 0 {
			out = append(out, Check{Name: fmt.Sprintf("compare %s: healthy vs cut", s.Test),
				Measured: fmt.Sprintf("regressed %s, lower bound %.1f%%", proportion(s.CompareDetected), s.CompareDetected.CILow*100),
				Target:   ">= 95%", Met: s.CompareDetected.Rate >= 0.95})
		}
	}
	return out
}
