package stats_test

import (
	"math"
	"strings"
	"testing"

	"podperf/framework/stats"
)

func approx(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// t quantiles for a two-sided 95% interval, from a printed t table (and
// R's qt(0.975, df)).
var t975 = map[int]float64{1: 12.706204736174707, 2: 4.302652729911275, 4: 2.7764451051977934}

func TestSummarize(t *testing.T) {
	tests := []struct {
		name              string
		xs                []float64
		median, mean, std float64
		min, max          float64
	}{
		{"three samples", []float64{10, 12, 14}, 12, 12, 2, 10, 14},
		{"three samples unsorted", []float64{14, 10, 12}, 12, 12, 2, 10, 14},
		{"odd count, skewed", []float64{1, 2, 3, 4, 100}, 3, 22, math.Sqrt((21*21 + 20*20 + 19*19 + 18*18 + 78*78) / 4.0), 1, 100},
		{"even count", []float64{4, 1, 3, 2}, 2.5, 2.5, math.Sqrt(5.0 / 3), 1, 4},
		{"two samples", []float64{1, 2}, 1.5, 1.5, math.Sqrt(0.5), 1, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]float64(nil), tc.xs...)
			s, err := stats.Summarize(tc.xs)
			if err != nil {
				t.Fatal(err)
			}
			for i := range in {
				if in[i] != tc.xs[i] {
					t.Fatalf("Summarize reordered its input: %v", tc.xs)
				}
			}
			if s.N != len(tc.xs) || s.Min != tc.min || s.Max != tc.max || s.Level != 0.95 {
				t.Errorf("N/min/max/level = %d/%v/%v/%v", s.N, s.Min, s.Max, s.Level)
			}
			if !approx(s.Mean, tc.mean, 1e-12) || !approx(s.StdDev, tc.std, 1e-12) {
				t.Errorf("mean/stddev = %v/%v, want %v/%v (sample stddev, n-1)", s.Mean, s.StdDev, tc.mean, tc.std)
			}
			if !approx(s.CV, tc.std/tc.mean, 1e-12) {
				t.Errorf("CV = %v, want %v", s.CV, tc.std/tc.mean)
			}
			n := len(tc.xs)
			if tq, ok := t975[n-1]; ok {
				half := tq * tc.std / math.Sqrt(float64(n))
				if !approx(s.CILow, tc.mean-half, 1e-9) || !approx(s.CIHigh, tc.mean+half, 1e-9) {
					t.Errorf("CI = %v..%v, want %v ± %v", s.CILow, s.CIHigh, tc.mean, half)
				}
			}
			if s.Median != tc.median {
				t.Fatalf("Median of %v = %v, want %v (stat.Quantile(0.5, stat.LinInterp) is R's type-4 quantile, not the median)", tc.xs, s.Median, tc.median)
			}
		})
	}
}

// The CI of the brief's example, spelled out: t(0.975, 2) = 4.303, s = 2.
func TestSummarizeCIExample(t *testing.T) {
	s, err := stats.Summarize([]float64{10, 12, 14})
	if err != nil {
		t.Fatal(err)
	}
	half := (s.CIHigh - s.CILow) / 2
	if want := 4.303 * 2 / math.Sqrt(3); !approx(half, want, 1e-3) {
		t.Errorf("CI half-width = %v, want 4.303*2/sqrt(3) = %v", half, want)
	}
	if !approx((s.CIHigh+s.CILow)/2, 12, 1e-12) {
		t.Errorf("CI %v..%v is not centred on the mean", s.CILow, s.CIHigh)
	}
}

func TestSummarizeSingleSample(t *testing.T) {
	s, err := stats.Summarize([]float64{42.5})
	if err != nil {
		t.Fatal(err)
	}
	want := stats.Summary{N: 1, Median: 42.5, Mean: 42.5, Min: 42.5, Max: 42.5, CILow: 42.5, CIHigh: 42.5, Level: 0.95}
	if s != want {
		t.Errorf("Summarize([42.5]) = %+v, want %+v", s, want)
	}
}

func TestSummarizeZeroMean(t *testing.T) {
	s, err := stats.Summarize([]float64{-1, 1})
	if err != nil {
		t.Fatal(err)
	}
	if s.CV != 0 || math.IsNaN(s.CV) || math.IsInf(s.CV, 0) {
		t.Errorf("CV = %v with a zero mean, want 0", s.CV)
	}
}

func TestSummarizeErrors(t *testing.T) {
	tests := []struct {
		name     string
		xs       []float64
		contains string
	}{
		{"nil", nil, "no samples"},
		{"empty", []float64{}, "no samples"},
		{"NaN", []float64{1, math.NaN(), 3}, "not a finite number"},
		{"+Inf", []float64{math.Inf(1)}, "not a finite number"},
		{"-Inf", []float64{2, math.Inf(-1)}, "not a finite number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := stats.Summarize(tc.xs)
			if err == nil || !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("Summarize(%v) = %v, want an error containing %q", tc.xs, err, tc.contains)
			}
		})
	}
}

func TestRatios(t *testing.T) {
	tests := []struct {
		name     string
		num, den []float64
		want     []float64
		contains string
	}{
		{"paired by index", []float64{10, 30, 5}, []float64{5, 10, 20}, []float64{2, 3, 0.25}, ""},
		{"empty", nil, nil, []float64{}, ""},
		{"length mismatch", []float64{1, 2}, []float64{1}, nil, "cannot pair 2 samples with 1"},
		{"zero reference", []float64{1, 2, 3}, []float64{1, 0, 3}, nil, "reference sample 2 is zero"},
		{"zero numerator is fine", []float64{0}, []float64{4}, []float64{0}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := stats.Ratios(tc.num, tc.den)
			if tc.contains != "" {
				if err == nil || !strings.Contains(err.Error(), tc.contains) {
					t.Fatalf("Ratios = %v, %v; want an error containing %q", got, err, tc.contains)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("Ratios = %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("Ratios = %v, want %v", got, tc.want)
					break
				}
			}
		})
	}
}

func TestNewProportion(t *testing.T) {
	// Reference values: exact binomial intervals as tabulated (e.g. R's binom.test).
	for _, tc := range []struct {
		k, n   int
		lo, hi float64
	}{
		{20, 20, 0.8316, 1},
		{0, 20, 0, 0.1684},
		{19, 20, 0.7513, 0.9987},
		{5, 10, 0.1871, 0.8129},
	} {
		p, err := stats.NewProportion(tc.k, tc.n)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(p.CILow-tc.lo) > 5e-4 || math.Abs(p.CIHigh-tc.hi) > 5e-4 || p.Rate != float64(tc.k)/float64(tc.n) {
			t.Errorf("%d/%d: %.4f (%.4f-%.4f), want %.4f-%.4f", tc.k, tc.n, p.Rate, p.CILow, p.CIHigh, tc.lo, tc.hi)
		}
	}
	for _, bad := range [][2]int{{1, 0}, {-1, 5}, {6, 5}} {
		if _, err := stats.NewProportion(bad[0], bad[1]); err == nil {
			t.Errorf("NewProportion(%d, %d) accepted", bad[0], bad[1])
		}
	}
}
