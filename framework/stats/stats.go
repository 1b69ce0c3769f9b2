// Package stats summarises repeated samples of a figure: median, spread and a
// confidence interval, so that a verdict can say how sure it is.
package stats

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Level is the confidence level of every interval the suite reports.
const Level = 0.95

// Summary describes a set of samples of one figure.
type Summary struct {
	N      int     `json:"n"`
	Median float64 `json:"median"`
	Mean   float64 `json:"mean"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	StdDev float64 `json:"stddev"`
	// CV is the coefficient of variation (stddev/mean), the spread as a fraction.
	CV float64 `json:"cv"`
	// CILow and CIHigh bound the mean at Level confidence (Student's t, which
	// holds for the few samples a run takes when they are roughly normal). With
	// one sample there is no interval and both equal the sample.
	CILow  float64 `json:"ciLow"`
	CIHigh float64 `json:"ciHigh"`
	Level  float64 `json:"level"`
}

// Summarize computes a Summary. It returns an error for no samples or for
// samples that are not finite numbers.
func Summarize(xs []float64) (Summary, error) {
	if len(xs) == 0 {
		return Summary{}, fmt.Errorf("no samples to summarise")
	}
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return Summary{}, fmt.Errorf("sample %v is not a finite number", x)
		}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	sum := Summary{N: len(s), Min: s[0], Max: s[len(s)-1], Level: Level}
	// The middle sample, or the mean of the two middle ones (gonum's
	// Quantile interpolates differently and is not the median for small n).
	if n := len(s); n%2 == 1 {
		sum.Median = s[n/2]
	} else {
		sum.Median = (s[n/2-1] + s[n/2]) / 2
	}
	sum.Mean = stat.Mean(s, nil)
	sum.CILow, sum.CIHigh = sum.Mean, sum.Mean
	if len(s) > 1 {
		sum.StdDev = stat.StdDev(s, nil)
		t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(s) - 1)}.Quantile(1 - (1-Level)/2)
		half := t * sum.StdDev / math.Sqrt(float64(len(s)))
		sum.CILow, sum.CIHigh = sum.Mean-half, sum.Mean+half
	}
	if sum.Mean != 0 {
		sum.CV = sum.StdDev / math.Abs(sum.Mean)
	}
	return sum, nil
}

// Ratios divides paired samples num[i]/den[i]. The suite interleaves the pod and
// node measurements, so pairing them cancels slow drift of the machine.
func Ratios(num, den []float64) ([]float64, error) {
	if len(num) != len(den) {
		return nil, fmt.Errorf("cannot pair %d samples with %d", len(num), len(den))
	}
	out := make([]float64, len(num))
	for i := range num {
		if den[i] == 0 {
			return nil, fmt.Errorf("reference sample %d is zero: cannot form a ratio", i+1)
		}
		out[i] = num[i] / den[i]
	}
	return out, nil
}

// Proportion is k successes out of n trials with its exact (Clopper-Pearson)
// interval at Level confidence: for detection and false-alarm rates, where a
// handful of runs must not be read as a certainty.
type Proportion struct {
	K      int     `json:"k"`
	N      int     `json:"n"`
	Rate   float64 `json:"rate"`
	CILow  float64 `json:"ciLow"`
	CIHigh float64 `json:"ciHigh"`
	Level  float64 `json:"level"`
}

// NewProportion computes k/n and its interval; n must be positive and 0 <= k <= n.
func NewProportion(k, n int) (Proportion, error) {
	if n <= 0 || k < 0 || k > n {
		return Proportion{}, fmt.Errorf("proportion %d of %d is not valid", k, n)
	}
	p := Proportion{K: k, N: n, Rate: float64(k) / float64(n), CILow: 0, CIHigh: 1, Level: Level}
	a := (1 - Level) / 2
	if k > 0 {
		p.CILow = distuv.Beta{Alpha: float64(k), Beta: float64(n - k + 1)}.Quantile(a)
	}
	if k < n {
		p.CIHigh = distuv.Beta{Alpha: float64(k + 1), Beta: float64(n - k)}.Quantile(1 - a)
	}
	return p, nil
}
