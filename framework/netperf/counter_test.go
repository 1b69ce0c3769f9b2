package netperf

import (
	"math"
	"testing"
	"time"
)

// counterSeries is unexported and pure: tested directly here. Its use by Run
// (readings taken while real processes run) is exercised by the e2e suite.
func TestCounterSeriesRate(t *testing.T) {
	t0 := time.Unix(1795656922, 0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	// 1000 B/s for a second, then 2000 B/s for a second.
	s := counterSeries{{at(0), 10_000}, {at(1), 11_000}, {at(2), 13_000}}
	tests := []struct {
		name     string
		s        counterSeries
		from, to float64
		want     float64
	}{
		{"whole span", s, 0, 2, 1500},
		{"first reading to second", s, 0, 1, 1000},
		{"inside one step, interpolated", s, 1.25, 1.75, 2000},
		{"across a reading, interpolated", s, 0.5, 1.5, 1500},
		{"starts before the first reading", s, -0.1, 1, 0},
		{"ends after the last reading", s, 1, 2.1, 0},
		{"empty span", s, 1, 1, 0},
		{"reversed span", s, 1.5, 0.5, 0},
		{"one reading", counterSeries{{at(0), 5}}, 0, 0, 0},
		{"no readings", nil, 0, 1, 0},
		{"two readings at the same instant", counterSeries{{at(0), 0}, {at(1), 100}, {at(1), 100}, {at(2), 300}}, 0, 2, 150},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.rate(at(tc.from), at(tc.to)); math.Abs(got-tc.want) > 1e-6 {
				t.Errorf("rate(%v, %v) = %v, want %v", tc.from, tc.to, got, tc.want)
			}
		})
	}
}
