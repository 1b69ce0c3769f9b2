// Package results holds what a run measured, in the documented results.json
// schema, and the statistics of every figure.
package results

import (
	"fmt"
	"time"

	"podperf/framework/endpoints"
	"podperf/framework/netperf"
	"podperf/framework/preflight"
	"podperf/framework/stats"
)

// Schema identifies the results.json format; bump it on incompatible changes.
const Schema = "podperf.results/v1"

// Metric names a figure of a test: the judged metrics, whose names the
// baseline profiles and tolerance files share, and the latency figures.
type Metric string

const (
	Rate      Metric = "rate"       // throughput or transaction rate: higher is better
	ClientCPU Metric = "client_cpu" // client service demand: lower is better
	ServerCPU Metric = "server_cpu" // server service demand: lower is better
)

// Metrics lists every metric a test is judged on.
var Metrics = []Metric{Rate, ClientCPU, ServerCPU}

// Title names the metric for a reader.
func (m Metric) Title(rr bool) string {
	switch m {
	case Rate:
		if rr {
			return "transaction rate"
		}
		return "throughput"
	case ClientCPU:
		return "client CPU (service demand)"
	case ServerCPU:
		return "server CPU (service demand)"
	}
	return string(m)
}

// Latency figures (µs) of RR tests: summarised like the metrics, so that they
// too have an interval, but not judged (the published figures have none).
const (
	P50Latency  Metric = "p50_latency"
	P90Latency  Metric = "p90_latency"
	P99Latency  Metric = "p99_latency"
	MeanLatency Metric = "mean_latency"
)

// Status is the one vocabulary of outcomes: of a check (one metric), of a
// test (its worst check) and of a run.
type Status string

const (
	Pass Status = "pass"
	Fail Status = "fail"
	// Inconclusive: the confidence interval straddles the threshold, so the
	// samples cannot tell a pass from a fail; --inconclusive says what a run
	// makes of it.
	Inconclusive Status = "inconclusive"
	// Errored: the test could not be measured or judged (tests only).
	Errored Status = "error"
	// NoTests: no test ran (runs only).
	NoTests Status = "no tests ran"
)

var latencyFigures = map[Metric]func(*netperf.Latency) float64{
	P50Latency:  func(l *netperf.Latency) float64 { return l.P50 },
	P90Latency:  func(l *netperf.Latency) float64 { return l.P90 },
	P99Latency:  func(l *netperf.Latency) float64 { return l.P99 },
	MeanLatency: func(l *netperf.Latency) float64 { return l.Mean },
}

// Run is the whole results.json document.
type Run struct {
	Schema      string                `json:"schema"`
	StartedAt   time.Time             `json:"startedAt"`
	FinishedAt  time.Time             `json:"finishedAt"`
	Environment endpoints.Environment `json:"environment"`
	Settings    Settings              `json:"settings"`
	Tests       []*Test               `json:"tests"`
	// Verdict is fail when a spec failed, else inconclusive when a test had an
	// undecided metric (that --inconclusive let pass), else pass; NoTests when
	// no test ran.
	Verdict Status `json:"verdict"`
	// Warnings concern the whole run, such as a cluster whose datapath is
	// not the one the baseline describes.
	Warnings []string `json:"warnings,omitempty"`
	// Error is why the run as a whole failed, on one line, when it was not a
	// test's own failure: the target could not be set up, an interrupt, a
	// timeout.
	Error string `json:"error,omitempty"`
	// Preflight are the checks made before the tests of what skews their
	// figures (docs/preflight.md).
	Preflight []preflight.Check `json:"preflight,omitempty"`
}

// Settings are the knobs a run used, so that a result can be reproduced.
type Settings struct {
	Target        string        `json:"target"`
	Duration      time.Duration `json:"duration"`
	Samples       int           `json:"samples"`
	Baseline      string        `json:"baseline"`
	Tolerances    string        `json:"tolerances"`
	ToleranceMode string        `json:"toleranceMode"`
	ControlPort   int           `json:"controlPort"`
	DataPortBase  int           `json:"dataPortBase"`
	// How undecided verdicts and suspect figures were handled.
	Inconclusive      string              `json:"inconclusive"`
	MaxSamples        int                 `json:"maxSamples"`
	SampleBudget      time.Duration       `json:"sampleBudget,omitempty"`
	CounterTolerance  float64             `json:"counterTolerance"`
	NetperfConfidence *netperf.Confidence `json:"netperfConfidence,omitempty"`
	// Reference is the stored run the verdicts were judged against (--reference).
	Reference string `json:"reference,omitempty"`
	// Extended knobs (docs/extended.md): the streams of the multi tests when
	// --streams changed them, the message sizes of the sweep, and the factor
	// by which a path's retransmits may exceed the node path's unwarned.
	Streams        int     `json:"streams,omitempty"`
	MessageSizes   []int   `json:"messageSizes,omitempty"`
	RetransmitJump float64 `json:"retransmitJump,omitempty"`
}

// Test is one spec's measurements on both paths, their statistics and verdicts.
type Test struct {
	ID      string                   `json:"id"`
	Title   string                   `json:"title"`
	Netperf netperf.Test             `json:"netperfTest"`
	Streams int                      `json:"streams"`
	CPUs    int                      `json:"cpusRequested"`
	Paths   map[endpoints.Path]*Path `json:"paths"`
	// Ratios are statistics of the paired ratios of Path to node per metric.
	Ratios   map[Metric]stats.Summary `json:"ratios,omitempty"`
	Verdicts []Verdict                `json:"verdicts,omitempty"`
	Error    string                   `json:"error,omitempty"`
	Notes    []string                 `json:"notes,omitempty"`
	// Warnings are figures the suite does not trust, such as an aggregate the
	// interface counters disagree with.
	Warnings []string `json:"warnings,omitempty"`
	// Path is the path compared with the node-to-node reference: the pod path
	// (also when empty) or an extended path (docs/paths.md).
	Path endpoints.Path `json:"path,omitempty"`
	// NodePairs is the same test measured on several node pairs (--node-pairs).
	NodePairs *NodePairs `json:"nodePairs,omitempty"`
	// MessageSize is the bytes of each send of a stream test (0: netperf's
	// default); Sweep names the message-size sweep the test belongs to.
	MessageSize int    `json:"messageSize,omitempty"`
	Sweep       string `json:"sweep,omitempty"`
}

// Verdict is the judgement of one metric of a test (made by package verdict).
type Verdict struct {
	Metric    Metric  `json:"metric"`
	Mode      string  `json:"mode"`
	Status    Status  `json:"status"`
	Measured  float64 `json:"measured"`
	CILow     float64 `json:"ciLow"`
	CIHigh    float64 `json:"ciHigh"`
	N         int     `json:"n"` // samples behind the interval
	Reference float64 `json:"reference"`
	Expected  float64 `json:"expected"`
	Threshold float64 `json:"threshold"`
	Tolerance float64 `json:"tolerance"`
	Message   string  `json:"message"`
	// MDE is the smallest worsening (a fraction of Expected) this look would
	// have failed with 80% probability: what the run could have detected.
	MDE float64 `json:"mde,omitempty"`
	// ReferenceN is the number of samples of a recorded reference (a profile
	// written by --write-baseline, or --reference) whose noise the interval
	// carries; 0 when the reference is a published figure.
	ReferenceN int `json:"referenceN,omitempty"`
}

// Outcome is the test's worst verdict: Errored, Fail, Inconclusive or Pass,
// with the metrics that have it (none for Errored and Pass).
func (t *Test) Outcome() (Status, []Metric) {
	if t.Error != "" || len(t.Verdicts) == 0 {
		return Errored, nil
	}
	for _, o := range []Status{Fail, Inconclusive} {
		if ms := t.MetricsWith(o); len(ms) > 0 {
			return o, ms
		}
	}
	return Pass, nil
}

// MetricsWith lists the metrics whose verdict has status st.
func (t *Test) MetricsWith(st Status) []Metric {
	var ms []Metric
	for _, v := range t.Verdicts {
		if v.Status == st {
			ms = append(ms, v.Metric)
		}
	}
	return ms
}

// Path is one path's pair and samples.
type Path struct {
	Pair    endpoints.PairInfo       `json:"pair"`
	Samples []Sample                 `json:"samples"`
	Stats   map[Metric]stats.Summary `json:"stats,omitempty"`
	// CPU is the median service demand in the published form.
	CPU *NormalisedCPU `json:"cpuNormalised,omitempty"`
	// Retransmits sums the client's TCP retransmissions over the samples.
	Retransmits *Retransmits `json:"retransmits,omitempty"`
}

// NormalisedCPU is CPU as the published figures give it: the percentage of all
// of a node's CPUs that Work (e.g. 100 Gbit/s or 50,000 trans/s) would take at
// the measured service demand. It is given for the CPUs of the nodes measured
// and for those of the baseline's test bed, the form to set beside its figures.
type NormalisedCPU struct {
	Work          float64 `json:"work"`
	Unit          string  `json:"unit"`
	ClientCPUs    int     `json:"clientCPUCount"`
	ServerCPUs    int     `json:"serverCPUCount"`
	ClientPercent float64 `json:"clientPercent"`
	ServerPercent float64 `json:"serverPercent"`
	// The 95% intervals of the two, from those of the service demand.
	ClientPercentCI      [2]float64 `json:"clientPercentCI"`
	ServerPercentCI      [2]float64 `json:"serverPercentCI"`
	TestbedCPUs          int        `json:"testbedCPUCount,omitempty"`
	ClientPercentTestbed float64    `json:"clientPercentTestbed,omitempty"`
	ServerPercentTestbed float64    `json:"serverPercentTestbed,omitempty"`
}

// Sample is one measurement of a path: one netperf run, or N run together.
type Sample struct {
	Index   int       `json:"index"`
	Started time.Time `json:"started"`
	// Rate in the test's unit (RateUnit): Gbit/s for streams, trans/s for RR.
	Rate     float64 `json:"rate"`
	RateUnit string  `json:"rateUnit"`
	// NaiveSum is the plain sum of the processes' own figures (multi only).
	NaiveSum float64 `json:"naiveSum,omitempty"`
	// CPU utilisation (% of all CPUs of the side) and service demand.
	ClientCPUPercent float64          `json:"clientCPUPercent"`
	ServerCPUPercent float64          `json:"serverCPUPercent"`
	ClientSD         float64          `json:"clientServiceDemand"`
	ServerSD         float64          `json:"serverServiceDemand"`
	SDUnit           string           `json:"serviceDemandUnit"`
	ClientCPUs       int              `json:"clientCPUCount"`
	ServerCPUs       int              `json:"serverCPUCount"`
	Latency          *netperf.Latency `json:"latency,omitempty"`
	LatencyLower     *netperf.Latency `json:"latencyLower,omitempty"`
	Window           netperf.Window   `json:"window"`
	// ClientTxRate is the client interface's transmit rate over the sample, in RateUnit for streams.
	ClientTxRate float64          `json:"clientTxRate,omitempty"`
	Processes    []netperf.Result `json:"processes"`
	// Transport figures (SetTransport): the client's TCP retransmissions and
	// where they were read, the bytes the client sent, and for UDP_STREAM the
	// send rate (RateUnit; Rate is what arrived) and the fraction lost.
	Retransmits      *int64   `json:"retransmits,omitempty"`
	RetransmitSource string   `json:"retransmitSource,omitempty"`
	BytesSent        float64  `json:"bytesSent,omitempty"`
	SentRate         float64  `json:"sentRate,omitempty"`
	Loss             *float64 `json:"loss,omitempty"`
}

// NewSample converts a netperf group into a sample in the profile's units.
func NewSample(i int, started time.Time, g netperf.Group) Sample {
	s := Sample{
		Index: i, Started: started, Rate: g.Throughput, RateUnit: "trans/s", NaiveSum: g.NaiveSum,
		ClientCPUPercent: g.LocalCPU, ServerCPUPercent: g.RemoteCPU,
		ClientSD: g.LocalSD, ServerSD: g.RemoteSD, SDUnit: g.SDUnit,
		ClientCPUs: g.LocalCPUs, ServerCPUs: g.RemoteCPUs,
		Latency: g.Latency, LatencyLower: g.LatencyLower, Window: g.Window,
		Processes: g.Processes,
	}
	if g.Unit == "bit/s" {
		s.Rate, s.RateUnit, s.NaiveSum = g.Throughput/1e9, "Gbit/s", g.NaiveSum/1e9
		s.ClientTxRate = g.ClientTxRate / 1e9
	}
	if len(g.Processes) == 1 {
		s.NaiveSum = 0
	}
	return s
}

// Value is one metric of the sample: the rate, or a service demand.
func (s Sample) Value(metric Metric) float64 {
	switch metric {
	case Rate:
		return s.Rate
	case ClientCPU:
		return s.ClientSD
	case ServerCPU:
		return s.ServerSD
	}
	return 0
}

// Unit is the unit of a metric's values in this test.
func (t *Test) Unit(metric Metric) string {
	return UnitOf(metric, t.Netperf.IsRR())
}

// UnitOf is the unit of a metric in a stream test or (rr) a request/response
// test: the rate's, service demand's, or µs for the latency figures.
func UnitOf(metric Metric, rr bool) string {
	switch {
	case metric == Rate && rr:
		return "trans/s"
	case metric == Rate:
		return "Gbit/s"
	case metric != ClientCPU && metric != ServerCPU:
		return "µs"
	case rr:
		return "usec/Tran"
	}
	return "usec/KB"
}

// Values are the samples of one metric on one path.
func (t *Test) Values(p endpoints.Path, metric Metric) []float64 {
	path := t.Paths[p]
	if path == nil {
		return nil
	}
	v := make([]float64, len(path.Samples))
	for i, s := range path.Samples {
		v[i] = s.Value(metric)
	}
	return v
}

// Summarize fills the statistics of both paths and the ratios of the compared
// path (Compared) to the node path. It
// needs the same number of samples on both paths.
func (t *Test) Summarize() error {
	for _, m := range Metrics {
		for p, path := range t.Paths {
			s, err := stats.Summarize(t.Values(p, m))
			if err != nil {
				return fmt.Errorf("%s %s path %s: %w", t.ID, p, m, err)
			}
			if path.Stats == nil {
				path.Stats = map[Metric]stats.Summary{}
			}
			path.Stats[m] = s
		}
		r, err := stats.Ratios(t.Values(t.Compared(), m), t.Values(endpoints.NodePath, m))
		if err != nil {
			return fmt.Errorf("%s %s ratio: %w", t.ID, m, err)
		}
		if t.Ratios == nil {
			t.Ratios = map[Metric]stats.Summary{}
		}
		if t.Ratios[m], err = stats.Summarize(r); err != nil {
			return fmt.Errorf("%s %s ratio: %w", t.ID, m, err)
		}
	}
	for _, path := range t.Paths {
		for name, get := range latencyFigures {
			var v []float64
			for _, s := range path.Samples {
				if s.Latency != nil {
					v = append(v, get(s.Latency))
				}
			}
			if len(v) == 0 {
				continue
			}
			sum, err := stats.Summarize(v)
			if err != nil {
				return fmt.Errorf("%s %s: %w", t.ID, name, err)
			}
			path.Stats[name] = sum
		}
	}
	return nil
}
