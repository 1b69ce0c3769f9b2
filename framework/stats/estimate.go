package stats

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// Estimate is what a look compares with a threshold: a mean with its
// standard error and degrees of freedom. One-sample estimates are of the
// figure itself; two-sample ones (against a recorded reference) are of the
// difference of the logarithms, log(this/reference), so that both samples'
// noise is carried.
type Estimate struct {
	Mean float64 `json:"mean"`
	SE   float64 `json:"se"`
	DF   float64 `json:"df"`
	N    int     `json:"n"`
	// RefN is the number of reference samples (two-sample estimates only).
	RefN int `json:"refN,omitempty"`
	// SD is the sample-to-sample standard deviation of this run's samples
	// (of their logarithms for two-sample estimates), and RefSE the
	// reference's share of SE: for planning.
	SD    float64 `json:"sd"`
	RefSE float64 `json:"refSE,omitempty"`
}

// OneSample estimates the mean of xs (n >= 2 for an interval).
func OneSample(xs []float64) (Estimate, error) {
	if err := finite(xs); err != nil {
		return Estimate{}, err
	}
	e := Estimate{N: len(xs), Mean: stat.Mean(xs, nil)}
	if len(xs) > 1 {
		e.SD = stat.StdDev(xs, nil)
		e.SE, e.DF = e.SD/math.Sqrt(float64(len(xs))), float64(len(xs)-1)
	}
	return e, nil
}

// TwoSampleLog estimates log(mean ratio) of xs over ref from the means of
// their logarithms, with Welch's standard error and Welch-Satterthwaite
// degrees of freedom: the two runs' variances may differ. Both need positive
// values and at least two samples.
func TwoSampleLog(xs, ref []float64) (Estimate, error) {
	if len(xs) < 2 || len(ref) < 2 {
		return Estimate{}, fmt.Errorf("a two-sample comparison needs at least 2 samples on each side, got %d and %d", len(xs), len(ref))
	}
	lx, err := logs(xs)
	if err != nil {
		return Estimate{}, err
	}
	lr, err := logs(ref)
	if err != nil {
		return Estimate{}, fmt.Errorf("reference: %w", err)
	}
	n, m := float64(len(lx)), float64(len(lr))
	vx, vr := stat.Variance(lx, nil)/n, stat.Variance(lr, nil)/m
	e := Estimate{Mean: stat.Mean(lx, nil) - stat.Mean(lr, nil), N: len(lx), RefN: len(lr),
		SE: math.Sqrt(vx + vr), SD: stat.StdDev(lx, nil), RefSE: math.Sqrt(vr)}
	if vx+vr > 0 {
		e.DF = (vx + vr) * (vx + vr) / (vx*vx/(n-1) + vr*vr/(m-1))
	} else {
		e.DF = n + m - 2
	}
	return e, nil
}

func logs(xs []float64) ([]float64, error) {
	if err := finite(xs); err != nil {
		return nil, err
	}
	out := make([]float64, len(xs))
	for i, x := range xs {
		if x <= 0 {
			return nil, fmt.Errorf("sample %d is %v: a ratio needs positive figures", i+1, x)
		}
		out[i] = math.Log(x)
	}
	return out, nil
}

func finite(xs []float64) error {
	if len(xs) == 0 {
		return fmt.Errorf("no samples to summarise")
	}
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("sample %v is not a finite number", x)
		}
	}
	return nil
}

// Median is the middle sample, or the mean of the two middle ones; 0 for none.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
