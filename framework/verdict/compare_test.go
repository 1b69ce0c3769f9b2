package verdict_test

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"podperf/framework/results"
	"podperf/framework/verdict"
)

// simRun is a run of four tests whose pod/node ratios have the given means.
func simRun(rng *rand.Rand, n int, rate float64, cv float64) *results.Run {
	run := &results.Run{Settings: results.Settings{Target: "local", Duration: 10 * time.Second}}
	for _, id := range []string{"tcp_stream_1", "tcp_stream_32", "tcp_rr_1", "tcp_rr_32"} {
		t := simTest(rng, n, map[results.Metric]float64{results.Rate: rate, results.ClientCPU: 2, results.ServerCPU: 2}, cv)
		t.ID = id
		run.Tests = append(run.Tests, t)
	}
	return run
}

// Two runs of the same distribution are reported regressed anywhere (12
// rows) with probability at most alpha; a 10% cut of every rate at 3% noise
// and 5 samples a side is reported.
func TestCompareErrorRates(t *testing.T) {
	const runs = 2000
	rng := rand.New(rand.NewPCG(7, 8))
	falseReg, detected, noChange := 0, 0, 0
	for range runs {
		a := simRun(rng, 5, 2, 0.03)
		c, err := verdict.Compare(a, simRun(rng, 5, 2, 0.03), "a", "b", verdict.RatioFigure, 0.05, false)
		if err != nil {
			t.Fatal(err)
		}
		if c.Regressed > 0 {
			falseReg++
		}
		if c.Unchanged == c.Comparisons {
			noChange++
		}
		c, _ = verdict.Compare(a, simRun(rng, 5, 1.8, 0.03), "a", "b", verdict.RatioFigure, 0.05, false)
		if c.Regressed > 0 {
			detected++
		}
	}
	t.Logf("equal runs: some row regressed in %.2f%%, all 12 rows no change in %.1f%%; 10%% cut reported regressed in %.1f%% of %d", 100*float64(falseReg)/runs, 100*float64(noChange)/runs, 100*float64(detected)/runs, runs)
	if float64(falseReg)/runs > 0.025+0.01 {
		t.Errorf("equal runs reported regressed in %d of %d", falseReg, runs)
	}
	if float64(detected)/runs < 0.5 {
		t.Errorf("a 10%% cut reported in only %d of %d", detected, runs)
	}
}

func TestCompareRefusesAndForces(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	a, b := simRun(rng, 3, 2, 0.03), simRun(rng, 3, 2, 0.03)
	b.Settings.Duration, b.Settings.Target = 5*time.Second, "kubernetes"
	b.Tests = b.Tests[:3]
	_, err := verdict.Compare(a, b, "a", "b", verdict.RatioFigure, 0.05, false)
	var me *verdict.MismatchError
	if !errors.As(err, &me) || len(me.Differences) != 3 {
		t.Fatalf("Compare = %v, want a MismatchError naming targets, durations and tests", err)
	}
	for _, s := range []string{"targets local and kubernetes", "durations 10s and 5s", "tests only in A: tcp_rr_32"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	c, err := verdict.Compare(a, b, "a", "b", verdict.RatioFigure, 0.05, true)
	if err != nil || len(c.Rows) != 9 || len(c.Differences) != 3 {
		t.Fatalf("--force: %v, %d rows", err, len(c.Rows))
	}
}
