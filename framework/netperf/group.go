package netperf

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"podperf/framework/endpoints"
)

// Group is the combined result of N netperf processes started together.
type Group struct {
	Processes []Result `json:"processes"`
	// Throughput is the sum of the processes' rates over Window, the span in
	// which all of them were running. Summing each process's own average
	// instead would count the stragglers' time alone on the wire as if it were
	// shared, and overstate the aggregate when starts and ends are skewed.
	Throughput float64 `json:"throughput"`
	// NaiveSum is the plain sum of the processes' final figures, kept to show
	// how much the window changed.
	NaiveSum float64 `json:"naiveSum"`
	Unit     string  `json:"unit"`
	Window   Window  `json:"window"`

	// Latency of the group (RR tests). Percentiles of different connections
	// cannot be averaged: the pooled Pq lies between the smallest and largest
	// per-process Pq, so the group reports that largest value (a bound that
	// cannot understate the tail) and keeps the smallest beside it. The mean is
	// exact: per-process means weighted by transaction counts.
	Latency      *Latency `json:"latency,omitempty"`
	LatencyLower *Latency `json:"latencyLower,omitempty"`

	// CPU figures. Each process measured system-wide utilisation over its own
	// run; they overlap, so the group takes their mean, and service demand is
	// recomputed from it against the aggregate rate.
	LocalCPU, RemoteCPU   float64 `json:"-"`
	LocalSD, RemoteSD     float64 `json:"-"`
	LocalCPUs, RemoteCPUs int     `json:"-"`
	SDUnit                string  `json:"-"`

	// ClientTxRate is the client interface's transmit rate in bit/s over
	// Window, from its byte counters read while the processes ran (0 when they
	// could not be read): an independent check of the aggregate.
	ClientTxRate float64 `json:"clientTxRate,omitempty"`
}

// Window is when the processes ran, from netperf's interim timestamps.
type Window struct {
	Start     time.Time     `json:"start"`
	End       time.Time     `json:"end"`
	StartSkew time.Duration `json:"startSkew"` // last start minus first start
	EndSkew   time.Duration `json:"endSkew"`   // last end minus first end
}

// Length is the duration of the common window.
func (w Window) Length() time.Duration { return w.End.Sub(w.Start) }

// Run starts n netperf processes of spec together on pair, the i-th on data
// port dataPortBase+i, waits for all of them, and combines their results. n=1
// is a plain single run.
func Run(ctx context.Context, pair endpoints.Pair, spec Spec, n, dataPortBase int) (Group, error) {
	if err := spec.Validate(); err != nil {
		return Group{}, err
	}
	if n < 1 {
		return Group{}, fmt.Errorf("netperf process count %d must be at least 1", n)
	}
	if n > 1 && spec.Interim == 0 {
		return Group{}, fmt.Errorf("%d concurrent netperf processes need interim results (-D) to find their common window", n)
	}
	stopCounter := sampleCounter(ctx, pair, 250*time.Millisecond)
	argvs := make([][]string, n)
	for i := range n {
		argvs[i] = spec.Args(pair.ServerAddress(), dataPortBase+i)
	}
	outs, errs := runAll(ctx, pair, argvs)
	counter := stopCounter()
	results := make([]Result, n)
	for i, out := range outs {
		if errs[i] == nil {
			results[i], errs[i] = Check(out.Stdout+out.Stderr, out.ExitCode)
			results[i].Test = spec.Test
		}
	}
	for i, err := range errs {
		if err != nil {
			if n == 1 {
				return Group{}, err
			}
			return Group{}, fmt.Errorf("netperf process %d of %d (data port %d): %w", i+1, n, dataPortBase+i, err)
		}
	}
	g, err := Combine(results)
	if err != nil {
		return g, err
	}
	if n == 1 && g.Window.End.IsZero() {
		// No interim results: netperf's elapsed time, ending when the process did.
		g.Window = Window{Start: outs[0].Ended.Add(-results[0].Elapsed), End: outs[0].Ended}
	}
	g.ClientTxRate = counter.rate(g.Window.Start, g.Window.End) * 8
	return g, nil
}

// runAll starts every argv together: through the pair's BatchRunner when it has
// one, otherwise one Run per argv, released at the same moment.
func runAll(ctx context.Context, pair endpoints.Pair, argvs [][]string) ([]endpoints.Output, []error) {
	outs := make([]endpoints.Output, len(argvs))
	errs := make([]error, len(argvs))
	if b, ok := pair.(endpoints.BatchRunner); ok && len(argvs) > 1 {
		o, err := b.RunAll(ctx, argvs)
		for i := range errs {
			if err != nil {
				errs[i] = err
			} else if i >= len(o) {
				errs[i] = fmt.Errorf("the batch returned %d outputs for %d commands", len(o), len(argvs))
			} else {
				outs[i] = o[i]
			}
		}
		return outs, errs
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range argvs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			outs[i], errs[i] = pair.Run(ctx, argvs[i])
		}()
	}
	close(start)
	wg.Wait()
	return outs, errs
}

// Combine aggregates per-process results; see Group for the rules.
func Combine(rs []Result) (Group, error) {
	if len(rs) == 0 {
		return Group{}, fmt.Errorf("no netperf results to combine")
	}
	g := Group{Processes: rs, Unit: rs[0].Unit, SDUnit: rs[0].SDUnit, LocalCPUs: rs[0].LocalCPUs, RemoteCPUs: rs[0].RemoteCPUs}
	for _, r := range rs {
		g.NaiveSum += r.Throughput
		g.LocalCPU += r.LocalCPU / float64(len(rs))
		g.RemoteCPU += r.RemoteCPU / float64(len(rs))
	}
	if len(rs) == 1 {
		r := rs[0]
		g.Throughput = r.Throughput
		g.LocalSD, g.RemoteSD = r.LocalSD, r.RemoteSD
		g.Latency = r.Latency
		if len(r.Interim) > 0 {
			g.Window = Window{Start: r.Interim[0].Start(), End: r.Interim[len(r.Interim)-1].End}
		}
		return g, nil
	}
	w, err := commonWindow(rs)
	if err != nil {
		return g, err
	}
	g.Window = w
	for _, r := range rs {
		g.Throughput += rateOver(r.Interim, w.Start, w.End)
	}
	g.LocalSD = ServiceDemand(g.LocalCPU, g.LocalCPUs, g.Throughput, g.Unit)
	g.RemoteSD = ServiceDemand(g.RemoteCPU, g.RemoteCPUs, g.Throughput, g.Unit)
	if rs[0].Latency != nil {
		g.Latency, g.LatencyLower = combineLatency(rs)
	}
	return g, nil
}

// ServiceDemand is netperf's definition: CPU microseconds spent per unit of
// work, where the unit is a KB (1024 bytes) for streams and a transaction for
// RR. util is percent of all cpus.
func ServiceDemand(util float64, cpus int, rate float64, unit string) float64 {
	if rate <= 0 {
		return 0
	}
	work := rate // trans/s
	if unit == "bit/s" {
		work = rate / 8 / 1024 // KB/s
	}
	return util / 100 * float64(cpus) * 1e6 / work
}

func commonWindow(rs []Result) (Window, error) {
	var w Window
	var firstStart, lastEnd time.Time
	for i, r := range rs {
		if len(r.Interim) == 0 {
			return w, fmt.Errorf("netperf process %d printed no interim results: its run cannot be placed in time (was -D given?)", i+1)
		}
		s, e := r.Interim[0].Start(), r.Interim[len(r.Interim)-1].End
		if i == 0 {
			w.Start, w.End, firstStart, lastEnd = s, e, s, e
			continue
		}
		w.Start, firstStart = maxTime(w.Start, s), minTime(firstStart, s)
		w.End, lastEnd = minTime(w.End, e), maxTime(lastEnd, e)
	}
	w.StartSkew, w.EndSkew = w.Start.Sub(firstStart), lastEnd.Sub(w.End)
	if !w.End.After(w.Start) {
		return w, fmt.Errorf("the %d netperf processes never all ran at once (start skew %s, end skew %s): use a longer --duration", len(rs), w.StartSkew, w.EndSkew)
	}
	return w, nil
}

// rateOver is the mean rate of a process over [from, to], integrating its
// piecewise-constant interim rates.
func rateOver(iv []Interval, from, to time.Time) float64 {
	var work float64
	for _, i := range iv {
		s, e := maxTime(i.Start(), from), minTime(i.End, to)
		if e.After(s) {
			work += i.Rate * e.Sub(s).Seconds()
		}
	}
	return work / to.Sub(from).Seconds()
}

func combineLatency(rs []Result) (upper, lower *Latency) {
	col := func(f func(*Latency) float64) []float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r.Latency)
		}
		return v
	}
	p50, p90, p99 := col(func(l *Latency) float64 { return l.P50 }), col(func(l *Latency) float64 { return l.P90 }), col(func(l *Latency) float64 { return l.P99 })
	mins, maxs := col(func(l *Latency) float64 { return l.Min }), col(func(l *Latency) float64 { return l.Max })
	var mean, n float64
	for _, r := range rs {
		t := r.Throughput * r.Elapsed.Seconds() // transactions this process completed
		mean += r.Latency.Mean * t
		n += t
	}
	if n > 0 {
		mean /= n
	}
	upper = &Latency{P50: slices.Max(p50), P90: slices.Max(p90), P99: slices.Max(p99), Mean: mean, Min: slices.Min(mins), Max: slices.Max(maxs)}
	lower = &Latency{P50: slices.Min(p50), P90: slices.Min(p90), P99: slices.Min(p99), Mean: mean, Min: slices.Min(mins), Max: slices.Max(maxs)}
	return upper, lower
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

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
