package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"podperf/framework/baseline"
	"podperf/framework/config"
	"podperf/framework/endpoints"
	"podperf/framework/endpoints/netns"
	"podperf/framework/measure"
	"podperf/framework/report"
	"podperf/framework/results"
	"podperf/framework/scenario"
	"podperf/framework/stats"
	"podperf/framework/verdict"
)

// Detection is how often the verdict fails a run, with and without an
// impairment on the pod path, judged (relative mode) against a profile that a
// calibration recorded on this machine just before.
type Detection struct {
	Calibration *baseline.Profile `json:"calibration"`
	Conditions  []*Condition      `json:"conditions"`
	FalseAlarms stats.Proportion  `json:"falseAlarms"` // over every healthy run
}

// Condition is one kind of run: a test with or without an impairment.
type Condition struct {
	Name       string           `json:"name"`
	Test       string           `json:"test"`
	Impairment string           `json:"impairment,omitempty"` // the last one applied
	Regression bool             `json:"regression"`
	Runs       []DetectionRun   `json:"runs"`
	Failed     stats.Proportion `json:"failed"` // runs whose spec would fail at the default --inconclusive=fail
	// RateRatio is the pod/node rate ratio of the runs relative to the
	// calibration's: the size of the effect that was injected.
	RateEffect stats.Summary `json:"rateEffect"`
}

// DetectionRun is one verdict.
type DetectionRun struct {
	Outcome results.Status   `json:"outcome"`
	Metrics []results.Metric `json:"metrics,omitempty"`
	Samples int              `json:"samples"`
	Ratio   float64          `json:"rateRatio"`
	PodRate float64          `json:"podRate"` // median, in the test's unit
	Wall    time.Duration    `json:"wall"`
	// Impairment is what was on the pod path (--local-tc syntax).
	Impairment string `json:"impairment,omitempty"`
}

func (d *Detection) checks() []Check {
	var out []Check
	for _, c := range d.Conditions {
		if !c.Regression || c.Failed.N == 0 {
			continue
		}
		out = append(out, Check{Name: fmt.Sprintf("detection: %s (%s)", c.Name, c.Test),
			Measured: fmt.Sprintf("%s; effect %+.1f%%", proportion(c.Failed), (c.RateEffect.Median-1)*100),
			Target:   ">= 95%", Met: c.Failed.Rate >= 0.95})
	}
	if d.FalseAlarms.N > 0 {
		out = append(out, Check{Name: "false alarms: healthy runs failed", Measured: proportion(d.FalseAlarms),
			Target: "<= 5%", Met: d.FalseAlarms.Rate <= 0.05})
	}
	return out
}

func proportion(p stats.Proportion) string {
	return fmt.Sprintf("%d/%d = %.0f%% (95%% CI %.0f-%.0f%%)", p.K, p.N, p.Rate*100, p.CILow*100, p.CIHigh*100)
}

// tolerances are the -tolerances the verdicts of the bench use.
func (o Options) tolerances() (verdict.Tolerances, error) {
	tolYAML, where, err := config.Read("tolerances", o.Tolerances)
	if err != nil {
		return verdict.Tolerances{}, fmt.Errorf("-tolerances: %w", err)
	}
	return verdict.ParseTolerances(tolYAML, where)
}

func detection(ctx context.Context, tgt *netns.Target, o Options, logf func(string, ...any), saved func(*Detection)) (*Detection, error) {
	tol, err := o.tolerances()
	if err != nil {
		return nil, err
	}
	stream, rr := scenario.Benchmark[0], scenario.Benchmark[2]
	d := &Detection{}

	logf("detection: calibrating %s and %s with %d samples per path", stream.ID, rr.ID, max(5, o.Samples, o.CalibrationSamples))
	d.Calibration, err = calibrate(ctx, tgt, o, stream, rr)
	if err != nil {
		return d, fmt.Errorf("calibration: %w", err)
	}
	d.Conditions = []*Condition{
		{Name: "healthy", Test: stream.ID},
		{Name: fmt.Sprintf("%.0f%% throughput cut", o.Cut*100), Test: stream.ID, Regression: true},
		{Name: "healthy", Test: rr.ID},
		{Name: "added per-packet latency", Test: rr.ID, Regression: true, Impairment: fmt.Sprintf("pod:filters=%d", o.Filters)},
	}
	byID := map[string]scenario.Scenario{stream.ID: stream, rr.ID: rr}
	defer tgt.Impair(context.WithoutCancel(ctx), nil)
	for i := 1; i <= o.Runs; i++ {
		// Conditions alternate run by run, so drift of the machine hits all alike.
		for k, c := range d.Conditions {
			if c.Regression && c.Test == stream.ID {
				// A token bucket is a cap, not a cut: set it below the pod rate of
				// the healthy run just before, not the calibration's. This machine's
				// single-stream rate swings by a quarter from one minute to the
				// next, and a stale cap may not bind at all.
				prev := d.Conditions[k-1].Runs
				c.Impairment = fmt.Sprintf("pod:rate=%dmbit", int(prev[len(prev)-1].PodRate*1000*(1-o.Cut)))
			}
			shapes, err := netns.ParseShapes(c.Impairment)
			if err != nil {
				return d, err
			}
			if err := tgt.Impair(ctx, shapes); err != nil {
				return d, err
			}
			r, _, err := verdictRun(ctx, tgt, o, byID[c.Test], d.Calibration, tol)
			if err != nil {
				return d, fmt.Errorf("%s, %s, run %d: %w", c.Test, c.Name, i, err)
			}
			c.Runs = append(c.Runs, r)
			r.Impairment = c.Impairment
			logf("  run %d/%d %s %s %s: %s %v after %d samples per path, rate ratio %.3f of the calibration's, %s",
				i, o.Runs, c.Test, c.Name, c.Impairment, r.Outcome, r.Metrics, r.Samples, r.Ratio, r.Wall.Round(time.Second))
		}
		if err := d.summarise(); err != nil {
			return d, err
		}
		saved(d)
	}
	return d, nil
}

// summarise recomputes the rates from the runs so far.
func (d *Detection) summarise() error {
	var alarms, healthy int
	for _, c := range d.Conditions {
		failed := 0
		var effect []float64
		for _, r := range c.Runs {
			if verdict.PolicyFail.Fails(r.Outcome) {
				failed++
			}
			effect = append(effect, r.Ratio)
		}
		if len(c.Runs) == 0 {
			continue
		}
		var err error
		if c.Failed, err = stats.NewProportion(failed, len(c.Runs)); err != nil {
			return err
		}
		if c.RateEffect, err = stats.Summarize(effect); err != nil {
			return err
		}
		if !c.Regression {
			alarms, healthy = alarms+failed, healthy+len(c.Runs)
		}
	}
	if healthy > 0 {
		var err error
		d.FalseAlarms, err = stats.NewProportion(alarms, healthy)
		return err
	}
	return nil
}

// verdictRun measures and judges one scenario as a spec does at default
// settings, and returns the test's results too.
func verdictRun(ctx context.Context, tgt *netns.Target, o Options, sc scenario.Scenario, prof *baseline.Profile, tol verdict.Tolerances) (DetectionRun, *results.Test, error) {
	start := time.Now()
	res, err := measureOnce(ctx, tgt, sc, measure.Plan{Scenario: sc, Settings: settings(o), MaxSamples: o.MaxSamples,
		Mode: verdict.Relative, Profile: prof, Tol: tol})
	if err != nil {
		return DetectionRun{}, res, err
	}
	out, metrics := res.Outcome()
	want := prof.Tests[sc.ID].Ratio(results.Rate)
	return DetectionRun{Outcome: out, Metrics: metrics, Samples: len(res.Paths[endpoints.PodPath].Samples),
		Ratio: res.Ratios[results.Rate].Median / want, PodRate: res.Paths[endpoints.PodPath].Stats[results.Rate].Median, Wall: time.Since(start)}, res, nil
}

// measureOnce sets up both paths for sc, runs the plan and closes the pairs.
func measureOnce(ctx context.Context, tgt *netns.Target, sc scenario.Scenario, p measure.Plan) (*results.Test, error) {
	res := sc.NewResult()
	pairs, closePairs, err := setupPaths(ctx, tgt, p, res)
	defer closePairs()
	if err != nil {
		return nil, err
	}
	return res, measure.Measure(ctx, pairs, p, res)
}

// calibrate records this machine's healthy figures as a profile with the
// --write-baseline writer, so that the runs are judged against the machine
// itself rather than the published test bed.
func calibrate(ctx context.Context, tgt *netns.Target, o Options, scs ...scenario.Scenario) (*baseline.Profile, error) {
	s := settings(o)
	s.Samples = max(5, o.Samples, o.CalibrationSamples)
	run := &results.Run{StartedAt: time.Now(), Environment: endpoints.Environment{Target: "local", CPUs: runtime.NumCPU()},
		Settings: results.Settings{Target: "local", Duration: s.Duration, Samples: s.Samples}}
	for _, sc := range scs {
		res, err := measureOnce(ctx, tgt, sc, measure.Plan{Scenario: sc, Settings: s})
		if err != nil {
			return nil, err
		}
		run.Tests = append(run.Tests, res)
	}
	// No reference profile: CPU percentages are normalised to one unit of work.
	return report.Baseline(run, "calibration", &baseline.Profile{})
}

// TimeToVerdict is the time the four specs take at default settings, run as a
// user runs them, against the netperf time they contain.
type TimeToVerdict struct {
	// Wall is the whole command, compiling the suite included; Suite is from
	// the suite's start to its results (what Ratio uses: compiling is paid once).
	Wall        time.Duration  `json:"wall"`
	Suite       time.Duration  `json:"suite"`
	Netperf     time.Duration  `json:"netperf"` // samples x duration, over every test and path
	Samples     int            `json:"samples"`
	Ratio       float64        `json:"ratio"`
	SuiteResult results.Status `json:"suiteVerdict"`
	ReportDir   string         `json:"reportDir"`
}

func (t *TimeToVerdict) check() Check {
	return Check{Name: "time to verdict: four specs, default settings",
		Measured: fmt.Sprintf("%s / %s netperf = %.2fx (%d samples, verdict %s; %s with compiling)", t.Suite.Round(time.Second), t.Netperf, t.Ratio, t.Samples, t.SuiteResult, t.Wall.Round(time.Second)),
		Target:   "<= 2x", Met: t.Ratio > 0 && t.Ratio <= 2}
}

func timeToVerdict(ctx context.Context, o Options, logf func(string, ...any)) (*TimeToVerdict, error) {
	dir, err := filepath.Abs(filepath.Join(filepath.Dir(o.Out), "bench-suite"))
	if err != nil {
		return nil, err
	}
	wall, logPath, runErr, err := runSuite(ctx, "time to verdict", dir, []string{"--timeout=" + o.SuiteTimeout.String()},
		[]string{"--target=local", "--report-dir=" + dir}, logf)
	if err != nil {
		return nil, err
	}
	t := &TimeToVerdict{Wall: wall, ReportDir: dir}
	b, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		return nil, fmt.Errorf("the suite wrote no results.json (%v; see %s)", runErr, logPath)
	}
	var run results.Run
	if err := json.Unmarshal(b, &run); err != nil {
		return nil, fmt.Errorf("read %s/results.json: %w", dir, err)
	}
	for _, tt := range run.Tests {
		for _, p := range tt.Paths {
			t.Samples += len(p.Samples)
			t.Netperf += time.Duration(len(p.Samples)) * run.Settings.Duration
		}
	}
	t.SuiteResult = run.Verdict
	t.Suite = run.FinishedAt.Sub(run.StartedAt)
	if t.Netperf > 0 {
		t.Ratio = t.Suite.Seconds() / t.Netperf.Seconds()
	}
	// A failed verdict still timed a verdict; only a run that did not finish is an error.
	if len(run.Tests) < len(scenario.Benchmark) {
		return t, fmt.Errorf("the suite ran %d of %d tests (%v; see %s)", len(run.Tests), len(scenario.Benchmark), runErr, logPath)
	}
	return t, nil
}

func mustGetwd() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	return wd
}
