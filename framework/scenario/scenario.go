// Package scenario holds the four tests of the cross-node pod benchmark as data,
// and the small action that measures one of them on a target.
package scenario

import (
	"context"
	"fmt"
	"time"

	"podperf/framework/endpoints"
	"podperf/framework/netperf"
	"podperf/framework/results"
)

// Scenario is one test of the benchmark.
type Scenario struct {
	ID      string // key in baseline profiles and results
	Title   string
	Test    netperf.Test
	Streams int // concurrent netperf processes
	CPUs    int // CPU allowance of each endpoint; 0: not limited
	// RR message sizes (bytes).
	RequestSize, ResponseSize int
	// MessageSize is the bytes of each send of a stream test (0: netperf's
	// default); Sweep names the message-size sweep the scenario is part of.
	MessageSize int
	Sweep       string
	Labels      []string
}

// Benchmark is the published benchmark: streams are not CPU-limited; TCP_RR
// runs in 1-CPU pods for one connection and 32-CPU pods for 32 connections.
var Benchmark = []Scenario{
	{ID: "tcp_stream_1", Title: "TCP_STREAM 1 stream", Test: netperf.TCPStream, Streams: 1,
		Labels: []string{"TCP_STREAM", "throughput", "single"}},
	{ID: "tcp_stream_32", Title: "TCP_STREAM 32 streams", Test: netperf.TCPStream, Streams: 32,
		Labels: []string{"TCP_STREAM", "throughput", "multi"}},
	{ID: "tcp_rr_1", Title: "TCP_RR 1 connection, 1 CPU", Test: netperf.TCPRR, Streams: 1, CPUs: 1, RequestSize: 1, ResponseSize: 1,
		Labels: []string{"TCP_RR", "rr", "single"}},
	{ID: "tcp_rr_32", Title: "TCP_RR 32 connections, 32 CPUs", Test: netperf.TCPRR, Streams: 32, CPUs: 32, RequestSize: 1, ResponseSize: 1,
		Labels: []string{"TCP_RR", "rr", "multi"}},
}

// Settings are the run-wide knobs of a measurement.
type Settings struct {
	Duration     time.Duration
	Samples      int
	ControlPort  int
	DataPortBase int
	// Confidence makes netperf repeat a single-process sample until its own
	// interval is narrow enough. Tests of several processes ignore it: each
	// process would iterate on its own schedule and they would no longer share
	// a window.
	Confidence *netperf.Confidence
}

// Spec is the netperf spec of the scenario under s.
func (sc Scenario) Spec(s Settings) netperf.Spec {
	spec := netperf.Spec{Test: sc.Test, Duration: s.Duration, ControlPort: s.ControlPort,
		RequestSize: sc.RequestSize, ResponseSize: sc.ResponseSize, MessageSize: sc.MessageSize}
	if sc.Streams == 1 {
		spec.Confidence = s.Confidence
	}
	if sc.Streams > 1 {
		// Timestamps to find the processes' common window. Short intervals keep
		// each process's start-up and wind-down out of that window: with 1 s
		// intervals the window sum read 4% above the interface counters, with
		// 0.2 s it agreed within 0.2% (32 streams, local target).
		spec.Interim = 200 * time.Millisecond
		spec.StartDelay = 2 * time.Second
	}
	return spec
}

// Request is what the scenario asks of the target for path p.
func (sc Scenario) Request(p endpoints.Path, s Settings) endpoints.Request {
	return endpoints.Request{Path: p, CPUs: sc.CPUs, ControlPort: s.ControlPort, DataPortBase: s.DataPortBase, DataPorts: sc.Streams}
}

// NewResult starts the results of the scenario.
func (sc Scenario) NewResult() *results.Test {
	return &results.Test{ID: sc.ID, Title: sc.Title, Netperf: sc.Test, Streams: sc.Streams, CPUs: sc.CPUs,
		MessageSize: sc.MessageSize, Sweep: sc.Sweep, Paths: map[endpoints.Path]*results.Path{}}
}

// Sample runs one sample of the scenario on pair and appends it to res.
func (sc Scenario) Sample(ctx context.Context, pair endpoints.Pair, s Settings, res *results.Test) error {
	info := pair.Info()
	path := res.Paths[info.Path]
	if path == nil {
		path = &results.Path{Pair: info}
		res.Paths[info.Path] = path
	}
	started := time.Now()
	g, err := netperf.Run(ctx, pair, sc.Spec(s), sc.Streams, s.DataPortBase)
	if err != nil {
		return fmt.Errorf("%s, %s path, sample %d: %w", sc.Title, info.Path, len(path.Samples)+1, err)
	}
	sample := results.NewSample(len(path.Samples)+1, started, g)
	sample.SetTransport(g)
	path.Samples = append(path.Samples, sample)
	return nil
}
