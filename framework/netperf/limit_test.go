package netperf

import (
	"testing"
	"time"
)

func TestLimit(t *testing.T) {
	for _, tc := range []struct {
		spec Spec
		want time.Duration
	}{
		{Spec{Duration: time.Second}, 1500*time.Millisecond + LimitGrace},
		{Spec{Duration: 10 * time.Second, StartDelay: 2 * time.Second}, 17*time.Second + LimitGrace},
		{Spec{Duration: 10 * time.Second, Confidence: &Confidence{Level: 99, Width: 5, MinIter: 3, MaxIter: 10}}, 150*time.Second + LimitGrace},
	} {
		if got := tc.spec.Limit(); got != tc.want {
			t.Errorf("Limit(%+v) = %s, want %s", tc.spec, got, tc.want)
		}
	}
}
