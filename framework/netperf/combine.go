package netperf

import (
	"fmt"
	"slices"
	"time"
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

	// Retransmits are the client's TCP retransmissions during the group's
	// run: the sum of netperf's per-connection figures where every process
	// reported one (RetransmitSource "netperf"), else the client's TCP
	// counter (RetransmitSource "counter", see Run); nil when neither is known.
	Retransmits      *int64 `json:"retransmits,omitempty"`
	RetransmitSource string `json:"retransmitSource,omitempty"`
	// BytesSent and BytesReceived sum the processes' byte counts; SentRate
	// their UDP send rates (bit/s), beside Throughput's receive rate.
	BytesSent     float64 `json:"bytesSent,omitempty"`
	BytesReceived float64 `json:"bytesReceived,omitempty"`
	SentRate      float64 `json:"sentRate,omitempty"`
}

// Retransmit sources.
const (
	FromNetperf = "netperf" // netperf's LOCAL_TRANSPORT_RETRANS, per data connection
	FromCounter = "counter" // the client's TcpRetransSegs over the run (/proc/net/snmp)
)

// Loss is the fraction of the bytes sent that were not received (UDP_STREAM);
// ok is false for other tests or without byte counts.
func (g Group) Loss() (loss float64, ok bool) {
	if len(g.Processes) == 0 || g.Processes[0].Test != UDPStream || g.BytesSent <= 0 {
		return 0, false
	}
	return max(0, 1-g.BytesReceived/g.BytesSent), true
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

// Combine aggregates per-process results; see Group for the rules.
func Combine(rs []Result) (Group, error) {
	if len(rs) == 0 {
		return Group{}, fmt.Errorf("no netperf results to combine")
	}
	g := Group{Processes: rs, Unit: rs[0].Unit, SDUnit: rs[0].SDUnit, LocalCPUs: rs[0].LocalCPUs, RemoteCPUs: rs[0].RemoteCPUs}
	var retrans int64
	all := true
	for _, r := range rs {
		g.NaiveSum += r.Throughput
		g.LocalCPU += r.LocalCPU / float64(len(rs))
		g.RemoteCPU += r.RemoteCPU / float64(len(rs))
		g.BytesSent += r.BytesSent
		g.BytesReceived += r.BytesReceived
		g.SentRate += r.SentRate
		if r.LocalRetrans == nil {
			all = false
		} else {
			retrans += *r.LocalRetrans
		}
	}
	if all && rs[0].Test.ReportsRetransmits() {
		g.Retransmits, g.RetransmitSource = &retrans, FromNetperf
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
