package measure

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"podperf/framework/endpoints"
	"podperf/framework/scenario"
	"podperf/framework/stats"
)

// Overhead compares single-stream figures through the suite (its netperf
// options, CPU measurement, interface counter sampling, execs and parsing)
// with plain netperf on the same pair and netserver, in alternating order:
// what the harness costs the figures it reports. On Kubernetes the pair's
// execs and counter sampler are part of it.
type Overhead struct {
	Target string    `json:"target"`
	Suite  []float64 `json:"suiteGbps"`
	Plain  []float64 `json:"plainGbps"`
	// Client service demand of both, µs/KB (plain netperf with -c -C).
	SuiteSD []float64 `json:"suiteClientSD"`
	PlainSD []float64 `json:"plainClientSD"`
	// Ratios are suite over plain, paired: rate (>= 0.99 wanted) and client
	// service demand (<= 1.01 wanted).
	Ratios   stats.Summary `json:"ratio"`
	SDRatios stats.Summary `json:"sdRatio"`
}

// Line says the result in one line.
func (ov *Overhead) Line() string {
	return fmt.Sprintf("harness overhead on %s: suite/plain rate %.4f (95%% CI %.4f-%.4f), client service demand %.4f (95%% CI %.4f-%.4f), n=%d",
		ov.Target, ov.Ratios.Mean, ov.Ratios.CILow, ov.Ratios.CIHigh, ov.SDRatios.Mean, ov.SDRatios.CILow, ov.SDRatios.CIHigh, ov.Ratios.N)
}

var plainFigure = regexp.MustCompile(`(?m)^(THROUGHPUT|LOCAL_SD)=([0-9.]+)$`)

// MeasureOverhead takes pairs of suite and plain single-stream samples on
// pair (a pod-path pair of scenario sc, set up with settings s).
func MeasureOverhead(ctx context.Context, target string, pair endpoints.Pair, sc scenario.Scenario, s scenario.Settings, pairs int, logf func(string, ...any)) (*Overhead, error) {
	if pairs < 2 {
		return nil, fmt.Errorf("%d pairs of samples: an interval needs at least 2", pairs)
	}
	if logf == nil {
		logf = func(string, ...any) {}
	}
	// What a user would type, with CPU measurement for the service demand:
	// no interim results, no other output selectors, no counter sampling.
	plainArgv := []string{"netperf", "-H", pair.ServerAddress(), "-p", strconv.Itoa(s.ControlPort), "-t", "TCP_STREAM",
		"-l", strconv.Itoa(int(s.Duration / time.Second)), "-c", "-C", "--", "-P", fmt.Sprintf("%d,%d", s.DataPortBase, s.DataPortBase), "-k", "THROUGHPUT,LOCAL_SD"}
	ov := &Overhead{Target: target}
	path := pair.Info().Path
	suite := func() error {
		res := sc.NewResult()
		if err := sc.Sample(ctx, pair, s, res); err != nil {
			return err
		}
		smp := res.Paths[path].Samples[0]
		ov.Suite, ov.SuiteSD = append(ov.Suite, smp.Rate), append(ov.SuiteSD, smp.ClientSD)
		return nil
	}
	plain := func() error {
		out, err := pair.Run(ctx, plainArgv)
		if err != nil {
			return err
		}
		got := map[string]float64{}
		for _, m := range plainFigure.FindAllStringSubmatch(out.Stdout, -1) {
			got[m[1]], _ = strconv.ParseFloat(m[2], 64)
		}
		if out.ExitCode != 0 || got["THROUGHPUT"] <= 0 || got["LOCAL_SD"] <= 0 {
			return fmt.Errorf("plain netperf (exit %d) printed no THROUGHPUT and LOCAL_SD: %q", out.ExitCode, out.Stdout+out.Stderr)
		}
		ov.Plain, ov.PlainSD = append(ov.Plain, got["THROUGHPUT"]/1000), append(ov.PlainSD, got["LOCAL_SD"]) // 10^6 bit/s to Gbit/s
		return nil
	}
	for i := range pairs {
		// Alternate which goes first, so neither always follows the other.
		first, second := suite, plain
		if i%2 == 1 {
			first, second = plain, suite
		}
		if err := first(); err != nil {
			return ov, err
		}
		if err := second(); err != nil {
			return ov, err
		}
		logf("  pair %d: suite %.3f Gbit/s (client SD %.4g), plain %.3f Gbit/s (client SD %.4g)", i+1, ov.Suite[i], ov.SuiteSD[i], ov.Plain[i], ov.PlainSD[i])
	}
	for _, c := range []struct {
		num, den []float64
		out      *stats.Summary
	}{{ov.Suite, ov.Plain, &ov.Ratios}, {ov.SuiteSD, ov.PlainSD, &ov.SDRatios}} {
		r, err := stats.Ratios(c.num, c.den)
		if err != nil {
			return ov, err
		}
		if *c.out, err = stats.Summarize(r); err != nil {
			return ov, err
		}
	}
	return ov, nil
}
