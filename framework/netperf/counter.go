package netperf

import (
	"context"
	"time"

	"podperf/framework/endpoints"
)

type counterReading struct {
	at    time.Time
	bytes uint64
}

type counterSeries []counterReading

// sampleCounter reads the client's transmit byte counter about every interval
// until the returned function is called, which returns the readings. Where a
// reading is slow (an exec into a pod) the interval stretches to five times
// its cost, so that sampling does not load the client it measures. A reading
// in flight is allowed to finish rather than cancelled.
func sampleCounter(ctx context.Context, pair endpoints.Pair, every time.Duration) func() counterSeries {
	stop := make(chan struct{})
	done := make(chan counterSeries, 1)
	go func() {
		var s counterSeries
		for {
			t0 := time.Now()
			if b, err := pair.ClientTxBytes(ctx); err == nil {
				// The counter was read at some moment during the call: take the
				// middle, which is off by at most half the call's duration.
				t1 := time.Now()
				s = append(s, counterReading{t0.Add(t1.Sub(t0) / 2), b})
			}
			wait := max(every, 5*time.Since(t0))
			select {
			case <-stop:
				done <- s
				return
			case <-ctx.Done():
				done <- s
				return
			case <-time.After(wait):
			}
		}
	}()
	return func() counterSeries {
		close(stop)
		s := <-done
		t0 := time.Now()
		if b, err := pair.ClientTxBytes(ctx); err == nil {
			s = append(s, counterReading{t0.Add(time.Since(t0) / 2), b})
		}
		return s
	}
}

// rate is bytes/s between from and to, interpolating the counter linearly
// between readings; 0 when the readings do not cover the span.
func (s counterSeries) rate(from, to time.Time) float64 {
	a, okA := s.at(from)
	b, okB := s.at(to)
	if !okA || !okB || !to.After(from) {
		return 0
	}
	return (b - a) / to.Sub(from).Seconds()
}

func (s counterSeries) at(t time.Time) (float64, bool) {
	for i := 1; i < len(s); i++ {
		p, q := s[i-1], s[i]
		if q.bytes < p.bytes {
			return 0, false // counter reset (interface re-created): no figure rather than a wrong one
		}
		if !t.Before(p.at) && !t.After(q.at) {
			span := q.at.Sub(p.at).Seconds()
			if span == 0 {
				return float64(p.bytes), true
			}
			f := t.Sub(p.at).Seconds() / span
			return float64(p.bytes) + f*float64(q.bytes-p.bytes), true
		}
	}
	return 0, false
}
