package stats

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestFindOutliers(t *testing.T) {
	tests := []struct {
		name    string
		xs      []float64
		median  float64
		mad     float64
		flagged []int
	}{
		// Pod/node ratios of five node pairs, one pair on a slow NIC: the
		// mean and standard deviation would follow it (z of 1.8 only); the
		// median and MAD do not.
		{"one slow pair among five", []float64{0.86, 0.84, 0.85, 0.52, 0.87}, 0.85, 0.01, []int{3}},
		{"healthy spread", []float64{0.86, 0.84, 0.85, 0.83, 0.87}, 0.85, 0.01, nil},
		{"a fast outlier too", []float64{0.80, 0.81, 0.79, 0.80, 1.20}, 0.80, 0.01, []int{4}},
		{"two bad pairs of seven", []float64{0.9, 0.91, 0.89, 0.5, 0.9, 0.52, 0.92}, 0.9, 0.01, []int{3, 5}},
		{"three values", []float64{1, 1.1, 5}, 1.1, 0.1, []int{2}},
		{"even count", []float64{1, 2, 3, 4}, 2.5, 1, nil},
		{"all equal", []float64{0.8, 0.8, 0.8, 0.8}, 0.8, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := FindOutliers(tc.xs, 0)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(o.Median-tc.median) > 1e-12 || math.Abs(o.MAD-tc.mad) > 1e-12 {
				t.Errorf("median %v, MAD %v; want %v, %v", o.Median, o.MAD, tc.median, tc.mad)
			}
			if !slices.Equal(o.Flagged, tc.flagged) {
				t.Errorf("flagged %v (z %v), want %v", o.Flagged, o.Z, tc.flagged)
			}
			if o.Limit != OutlierLimit || len(o.Z) != len(tc.xs) {
				t.Errorf("limit %v, %d scores for %d values", o.Limit, len(o.Z), len(tc.xs))
			}
		})
	}
}

func TestFindOutliersScore(t *testing.T) {
	// median 10, deviations 0 1 1 0 20 -> MAD 1, scale 1.4826.
	o, err := FindOutliers([]float64{10, 11, 9, 10, 30}, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0, 1 / 1.4826, 1 / 1.4826, 0, 20 / 1.4826}
	for i := range want {
		if math.Abs(o.Z[i]-want[i]) > 1e-9 {
			t.Errorf("z[%d] = %v, want %v", i, o.Z[i], want[i])
		}
	}
	if o.Scale != 1.4826 {
		t.Errorf("scale %v, want 1.4826", o.Scale)
	}
	if !slices.Equal(o.Flagged, []int{4}) {
		t.Errorf("flagged %v, want [4]", o.Flagged)
	}
	// A limit of its own: 1/1.4826 = 0.67 is above 0.6.
	o, _ = FindOutliers([]float64{10, 11, 9, 10, 30}, 0.6)
	if !slices.Equal(o.Flagged, []int{1, 2, 4}) {
		t.Errorf("limit 0.6 flagged %v, want [1 2 4]", o.Flagged)
	}
}

func TestFindOutliersMADZero(t *testing.T) {
	// More than half the values are equal: the MAD is 0 and would make any
	// other value infinitely far. The mean absolute deviation takes over:
	// deviations 0 0 0 0.1 0.6, mean 0.14, scale 1.2533*0.14.
	o, err := FindOutliers([]float64{0.8, 0.8, 0.8, 0.9, 1.4}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if o.MAD != 0 || math.Abs(o.Scale-1.2533*0.14) > 1e-9 {
		t.Errorf("MAD %v, scale %v; want 0 and %v", o.MAD, o.Scale, 1.2533*0.14)
	}
	if !slices.Equal(o.Flagged, []int{4}) {
		t.Errorf("flagged %v (z %v), want [4]", o.Flagged, o.Z)
	}
	for _, z := range o.Z {
		if math.IsInf(z, 0) || math.IsNaN(z) {
			t.Errorf("z %v is not finite", o.Z)
		}
	}
}

func TestFindOutliersBadInput(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want string
	}{
		{nil, "at least 3"},
		{[]float64{1, 2}, "2 values: an outlier needs at least 3"},
		{[]float64{1, math.NaN(), 2}, "value 2 (NaN) is not a finite number"},
		{[]float64{1, 2, math.Inf(1)}, "value 3 (+Inf)"},
	} {
		if _, err := FindOutliers(tc.xs, 0); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("FindOutliers(%v) = %v, want an error with %q", tc.xs, err, tc.want)
		}
	}
}

// Pairs that agree within a few percent are not outliers however tight the
// others are: the three pairs measured on the offline kind cluster.
func TestOutlierNeedsAShiftToo(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want int
	}{
		{[]float64{1.146, 1.133, 1.132}, 0},
		{[]float64{1.30, 1.133, 1.132}, 1},
	} {
		o, err := FindOutliers(tc.xs, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Flagged) != tc.want {
			t.Errorf("%v: flagged %v (z %v), want %d", tc.xs, o.Flagged, o.Z, tc.want)
		}
	}
}
