package netperf

import (
	"fmt"
	"math"
	"time"
)

// maxSeconds bounds a time netperf reports (ELAPSED_TIME, an interim
// INTERVAL): far beyond any run the suite asks for, and within a time.Duration.
const maxSeconds = 1e6

// seconds reads a time in seconds, 0 to maxSeconds.
func (p *parser) seconds(k string) time.Duration {
	s := p.num(k)
	if p.err == nil && (s < 0 || s > maxSeconds) {
		p.err = fmt.Errorf("netperf output %s=%v is not a time netperf measures (0 to %g s)", k, s, maxSeconds)
	}
	if p.err != nil {
		return 0
	}
	return time.Duration(math.Round(s * float64(time.Second)))
}

// sane rejects figures that no working netperf prints but garbled output can
// hold; they would poison every statistic computed from the result.
func (r Result) sane() error {
	bad := func(what string, v any) error {
		return fmt.Errorf("netperf output gives %s = %v, which no working netperf reports", what, v)
	}
	switch {
	case math.IsInf(r.Throughput, 0):
		return bad("a throughput beyond float64", r.Throughput)
	case r.LocalSD < 0 || r.RemoteSD < 0:
		return bad("a negative service demand", fmt.Sprintf("%v/%v", r.LocalSD, r.RemoteSD))
	case r.LocalCPUs < 1 || r.RemoteCPUs < 1:
		return bad("a CPU count below 1", fmt.Sprintf("%d/%d", r.LocalCPUs, r.RemoteCPUs))
	case r.Elapsed <= 0:
		return bad("ELAPSED_TIME", r.Elapsed)
	case r.Iterations < 1 || r.ConfidenceLevel < 0:
		return bad("iterations/confidence level", fmt.Sprintf("%d/%d", r.Iterations, r.ConfidenceLevel))
	}
	if l := r.Latency; l != nil && min(l.P50, l.P90, l.P99, l.Mean, l.Min, l.Max) < 0 {
		return bad("a negative latency", *l)
	}
	for i, iv := range r.Interim {
		if iv.Rate < 0 || math.IsInf(iv.Rate, 0) {
			return bad(fmt.Sprintf("interim result %d", i), iv.Rate)
		}
	}
	return nil
}
