package main

import (
	"context"
	"fmt"
	"math"
	"time"

	"podperf/framework/endpoints"
	"podperf/framework/endpoints/netns"
	"podperf/framework/measure"
	"podperf/framework/results"
	"podperf/framework/scenario"
	"podperf/framework/stats"
)

// Ports away from the suite's defaults, so a stray netserver of either never
// answers the other.
const (
	controlPort  = 13865
	dataPortBase = 13866
)

func settings(o Options) scenario.Settings {
	return scenario.Settings{Duration: o.Duration, Samples: o.Samples, ControlPort: controlPort, DataPortBase: dataPortBase}
}

// Overhead is measure.Overhead with its check.
type Overhead struct{ measure.Overhead }

func (ov *Overhead) check() Check {
	return Check{Name: "harness overhead: suite / plain netperf, 1 stream",
		Measured: fmt.Sprintf("rate %.4f (95%% CI %.4f-%.4f), client SD %.4f (95%% CI %.4f-%.4f), n=%d", ov.Ratios.Mean, ov.Ratios.CILow, ov.Ratios.CIHigh,
			ov.SDRatios.Mean, ov.SDRatios.CILow, ov.SDRatios.CIHigh, ov.Ratios.N),
		Target: "rate >= 0.99, SD <= 1.01", Met: ov.Ratios.Mean >= 0.99 && (ov.SDRatios.N == 0 || ov.SDRatios.Mean <= 1.01)}
}

// setupPaths sets up the node and the pod path for the plan, in that order,
// as the specs do; the pairs' notes go to res. The returned function closes
// whatever was set up, also after an error.
func setupPaths(ctx context.Context, tgt *netns.Target, plan measure.Plan, res *results.Test) ([]endpoints.Pair, func(), error) {
	var pairs []endpoints.Pair
	closeAll := func() {
		for _, p := range pairs {
			p.Close(context.WithoutCancel(ctx))
		}
	}
	for _, path := range []endpoints.Path{endpoints.NodePath, endpoints.PodPath} {
		pair, err := plan.Setup(ctx, tgt, path, res)
		if err != nil {
			return pairs, closeAll, err
		}
		pairs = append(pairs, pair)
	}
	return pairs, closeAll, nil
}

// harnessOverhead measures on the pod path of the local target; the
// Kubernetes target is measured by the suite's harness-overhead spec
// (kubeOverhead).
func harnessOverhead(ctx context.Context, tgt endpoints.Target, o Options, logf func(string, ...any)) (*Overhead, error) {
	sc, s := scenario.Benchmark[0], settings(o)
	pair, err := tgt.Setup(ctx, sc.Request(endpoints.PodPath, s))
	if err != nil {
		return nil, err
	}
	defer pair.Close(context.WithoutCancel(ctx))
	ov, err := measure.MeasureOverhead(ctx, tgt.Name(), pair, sc, s, o.Pairs, logf)
	if ov == nil {
		return nil, err
	}
	return &Overhead{*ov}, err
}

// Aggregation compares the suite's 32-stream aggregate (the sum over the
// processes' common window) with the client interface's byte counter over
// that window, on both paths; the naive sum of the processes' own figures is
// kept beside it.
type Aggregation struct {
	Samples     []AggSample   `json:"samples"`
	Gap         stats.Summary `json:"gap"`      // counter / aggregate - 1
	NaiveGap    stats.Summary `json:"naiveGap"` // naive sum / counter - 1
	WorstAbsGap float64       `json:"worstAbsGap"`
}

// AggSample is one 32-stream sample.
type AggSample struct {
	Path      endpoints.Path `json:"path"`
	Aggregate float64        `json:"aggregateGbps"`
	Counter   float64        `json:"counterGbps"`
	NaiveSum  float64        `json:"naiveSumGbps"`
	Window    time.Duration  `json:"window"`
	StartSkew time.Duration  `json:"startSkew"`
	EndSkew   time.Duration  `json:"endSkew"`
}

func (ag *Aggregation) check() Check {
	return Check{Name: "aggregation error: 32-stream aggregate vs interface counter",
		Measured: fmt.Sprintf("worst %.2f%%, mean %+.2f%% (n=%d); naive sum %+.1f%%", ag.WorstAbsGap*100, ag.Gap.Mean*100, ag.Gap.N, ag.NaiveGap.Mean*100),
		Target:   "within 2%", Met: ag.WorstAbsGap <= 0.02}
}

func aggregation(ctx context.Context, tgt *netns.Target, o Options, logf func(string, ...any)) (*Aggregation, error) {
	sc, s := scenario.Benchmark[1], settings(o)
	pairs, closePairs, err := setupPaths(ctx, tgt, measure.Plan{Scenario: sc, Settings: s}, sc.NewResult())
	defer closePairs()
	if err != nil {
		return nil, err
	}
	ag := &Aggregation{}
	var gaps, naive []float64
	for i := range o.Pairs {
		for _, pair := range pairs {
			res := sc.NewResult()
			if err := sc.Sample(ctx, pair, s, res); err != nil {
				return ag, err
			}
			smp := res.Paths[pair.Info().Path].Samples[0]
			gap, ok := measure.CounterGap(smp)
			if !ok {
				return ag, fmt.Errorf("sample %d on the %s path has no interface counter figure", i+1, pair.Info().Path)
			}
			ag.Samples = append(ag.Samples, AggSample{Path: pair.Info().Path, Aggregate: smp.Rate, Counter: smp.ClientTxRate, NaiveSum: smp.NaiveSum,
				Window: smp.Window.Length(), StartSkew: smp.Window.StartSkew, EndSkew: smp.Window.EndSkew})
			gaps = append(gaps, gap)
			naive = append(naive, smp.NaiveSum/smp.ClientTxRate-1)
			ag.WorstAbsGap = math.Max(ag.WorstAbsGap, math.Abs(gap))
			logf("  %s sample %d: aggregate %.3f Gbit/s, counter %.3f (%+.2f%%), naive sum %.3f, skew %s/%s",
				pair.Info().Path, i+1, smp.Rate, smp.ClientTxRate, gap*100, smp.NaiveSum, smp.Window.StartSkew, smp.Window.EndSkew)
		}
	}
	if ag.Gap, err = stats.Summarize(gaps); err != nil {
		return ag, err
	}
	ag.NaiveGap, err = stats.Summarize(naive)
	return ag, err
}
