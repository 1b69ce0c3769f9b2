package stats

import (
	"fmt"
	"math"
	"slices"
)

// OutlierMinShift is how far from the median, as a fraction of it, a value
// must also lie to be an outlier: pairs that agree within a few percent make
// a tiny MAD, and a robust z alone would then flag a 1 % difference (three
// pairs on the offline kind cluster: ratios 1.146, 1.133, 1.132 gave z 8.6
// for the first).
const OutlierMinShift = 0.05

// OutlierLimit is the robust z beyond which a value is an outlier: three
// standard deviations, were the values normal.
const OutlierLimit = 3.0

// madScale turns a median absolute deviation into an estimate of the
// standard deviation of normal data (1/Φ⁻¹(3/4)); meanADScale does the same
// for a mean absolute deviation (√(π/2)).
const (
	madScale    = 1.4826
	meanADScale = 1.2533
)

// MinOutlierValues is the fewest values among which one can stand out: of
// two, each is as far from their median as the other.
const MinOutlierValues = 3

// Outliers is how far each of a set of values lies from the others, by a
// statistic that the outliers themselves cannot drag along (the median and
// the median absolute deviation, where a mean and a standard deviation would
// follow the very value they should flag).
type Outliers struct {
	Median float64 `json:"median"`
	// MAD is the median absolute deviation from Median.
	MAD float64 `json:"mad"`
	// Scale is the spread the deviations are measured in: 1.4826*MAD, or,
	// when more than half the values are equal (MAD 0), 1.2533 times the mean
	// absolute deviation; 0 when all values are equal.
	Scale float64 `json:"scale"`
	// Z is |x - Median| / Scale for each value, in order.
	Z []float64 `json:"z"`
	// Limit is the Z above which a value is an outlier.
	Limit float64 `json:"limit"`
	// Flagged lists the indexes of the outliers, in order.
	Flagged []int `json:"flagged,omitempty"`
}

// FindOutliers scores each of xs by |x - median| / (1.4826*MAD) and flags
// those above limit (OutlierLimit when 0). It needs MinOutlierValues finite
// values.
func FindOutliers(xs []float64, limit float64) (Outliers, error) {
	if len(xs) < MinOutlierValues {
		return Outliers{}, fmt.Errorf("%d values: an outlier needs at least %d to stand out from", len(xs), MinOutlierValues)
	}
	for i, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return Outliers{}, fmt.Errorf("value %d (%v) is not a finite number", i+1, x)
		}
	}
	if limit <= 0 {
		limit = OutlierLimit
	}
	o := Outliers{Median: outlierMedian(xs), Limit: limit, Z: make([]float64, len(xs))}
	dev := make([]float64, len(xs))
	for i, x := range xs {
		dev[i] = math.Abs(x - o.Median)
	}
	o.MAD = outlierMedian(dev)
	o.Scale = madScale * o.MAD
	if o.Scale == 0 {
		var sum float64
		for _, d := range dev {
			sum += d
		}
		o.Scale = meanADScale * sum / float64(len(dev))
	}
	for i, d := range dev {
		if o.Scale > 0 {
			o.Z[i] = d / o.Scale
		}
		if o.Z[i] > limit && d > OutlierMinShift*math.Abs(o.Median) {
			o.Flagged = append(o.Flagged, i)
		}
	}
	return o, nil
}

// outlierMedian is the median of xs (not empty): the middle value, or the mean of the two middle ones.
func outlierMedian(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
