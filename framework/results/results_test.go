package results_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"podperf/framework/endpoints"
	"podperf/framework/netperf"
	"podperf/framework/results"
)

func TestNewSample(t *testing.T) {
	started := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	lat := &netperf.Latency{P50: 1}
	tests := []struct {
		name                    string
		g                       netperf.Group
		rate, naive, tx         float64
		unit                    string
		wantLatency, wantLowerL bool
	}{
		{"stream group in Gbit/s",
			netperf.Group{Processes: make([]netperf.Result, 3), Throughput: 7.25e9, NaiveSum: 7.23e9, Unit: "bit/s", ClientTxRate: 7.4e9},
			7.25, 7.23, 7.4, "Gbit/s", false, false},
		{"single stream has no naive sum",
			netperf.Group{Processes: make([]netperf.Result, 1), Throughput: 5.7e9, NaiveSum: 5.7e9, Unit: "bit/s"},
			5.7, 0, 0, "Gbit/s", false, false},
		{"RR group stays in trans/s",
			netperf.Group{Processes: make([]netperf.Result, 2), Throughput: 44481.7, NaiveSum: 44461.9, Unit: "trans/s", Latency: lat, LatencyLower: lat, ClientTxRate: 123},
			44481.7, 44461.9, 0, "trans/s", true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := tc.g
			g.LocalCPU, g.RemoteCPU, g.LocalSD, g.RemoteSD, g.LocalCPUs, g.RemoteCPUs, g.SDUnit = 10, 20, 0.5, 0.7, 2, 4, "usec/KB"
			g.Window = netperf.Window{StartSkew: time.Millisecond}
			s := results.NewSample(2, started, g)
			if s.Index != 2 || !s.Started.Equal(started) || s.RateUnit != tc.unit {
				t.Errorf("index/started/unit = %d/%v/%q", s.Index, s.Started, s.RateUnit)
			}
			if !close(s.Rate, tc.rate) || !close(s.NaiveSum, tc.naive) || !close(s.ClientTxRate, tc.tx) {
				t.Errorf("rate/naive/tx = %v/%v/%v, want %v/%v/%v", s.Rate, s.NaiveSum, s.ClientTxRate, tc.rate, tc.naive, tc.tx)
			}
			if s.ClientCPUPercent != 10 || s.ServerCPUPercent != 20 || s.ClientSD != 0.5 || s.ServerSD != 0.7 ||
				s.ClientCPUs != 2 || s.ServerCPUs != 4 || s.SDUnit != "usec/KB" || s.Window.StartSkew != time.Millisecond {
				t.Errorf("CPU figures not carried over: %+v", s)
			}
			if (s.Latency != nil) != tc.wantLatency || (s.LatencyLower != nil) != tc.wantLowerL || len(s.Processes) != len(tc.g.Processes) {
				t.Errorf("latency/processes not carried over: %+v", s)
			}
			for m, want := range map[results.Metric]float64{results.Rate: s.Rate, results.ClientCPU: 0.5, results.ServerCPU: 0.7, "p99": 0} {
				if got := s.Value(m); got != want {
					t.Errorf("Value(%q) = %v, want %v", m, got, want)
				}
			}
		})
	}
}

func close(a, b float64) bool { d := a - b; return d < 1e-9 && d > -1e-9 }

func TestUnit(t *testing.T) {
	stream := &results.Test{Netperf: netperf.TCPStream}
	rr := &results.Test{Netperf: netperf.TCPRR}
	for _, c := range []struct {
		t      *results.Test
		metric results.Metric
		want   string
	}{
		{stream, results.Rate, "Gbit/s"}, {stream, results.ClientCPU, "usec/KB"}, {stream, results.ServerCPU, "usec/KB"},
		{rr, results.Rate, "trans/s"}, {rr, results.ClientCPU, "usec/Tran"}, {rr, results.ServerCPU, "usec/Tran"},
	} {
		if got := c.t.Unit(c.metric); got != c.want {
			t.Errorf("%s Unit(%s) = %q, want %q", c.t.Netperf, c.metric, got, c.want)
		}
	}
}

func samples(rates ...float64) *results.Path {
	p := &results.Path{}
	for i, r := range rates {
		p.Samples = append(p.Samples, results.Sample{Index: i + 1, Rate: r, ClientSD: r / 10, ServerSD: r / 5})
	}
	return p
}

func TestSummarize(t *testing.T) {
	tst := &results.Test{ID: "tcp_stream_1", Netperf: netperf.TCPStream, Paths: map[endpoints.Path]*results.Path{
		endpoints.PodPath:  samples(40, 30, 44),
		endpoints.NodePath: samples(20, 20, 22),
	}}
	if got := tst.Values(endpoints.PodPath, results.ServerCPU); len(got) != 3 || got[1] != 6 {
		t.Errorf("Values(pod, server_cpu) = %v", got)
	}
	if got := tst.Values("other", results.Rate); got != nil {
		t.Errorf("Values of a missing path = %v, want nil", got)
	}
	if err := tst.Summarize(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []endpoints.Path{endpoints.PodPath, endpoints.NodePath} {
		for _, m := range results.Metrics {
			if st, ok := tst.Paths[p].Stats[m]; !ok || st.N != 3 {
				t.Errorf("%s %s stats = %+v", p, m, st)
			}
		}
	}
	// Ratios are paired sample by sample: 40/20, 30/20, 44/22 = 2, 1.5, 2.
	r := tst.Ratios[results.Rate]
	if r.N != 3 || r.Min != 1.5 || r.Max != 2 || !close(r.Mean, 5.5/3) {
		t.Errorf("rate ratio stats = %+v", r)
	}
	// The same ratio for the CPU metrics, since the SDs scale with the rate here.
	if c := tst.Ratios[results.ClientCPU]; c.Min != 1.5 || c.Max != 2 {
		t.Errorf("client CPU ratio stats = %+v", c)
	}
}

func TestSummarizeErrors(t *testing.T) {
	tests := []struct {
		name     string
		paths    map[endpoints.Path]*results.Path
		contains string
	}{
		{"unequal sample counts", map[endpoints.Path]*results.Path{endpoints.PodPath: samples(1, 2), endpoints.NodePath: samples(1)}, "tcp_rr_1 rate ratio: cannot pair 2 samples with 1"},
		{"a path without samples", map[endpoints.Path]*results.Path{endpoints.PodPath: samples(1), endpoints.NodePath: samples()}, "no samples"},
		{"missing node path", map[endpoints.Path]*results.Path{endpoints.PodPath: samples(1)}, "cannot pair 1 samples with 0"},
		{"zero reference", map[endpoints.Path]*results.Path{endpoints.PodPath: samples(1), endpoints.NodePath: samples(0)}, "reference sample 1 is zero"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tst := &results.Test{ID: "tcp_rr_1", Netperf: netperf.TCPRR, Paths: tc.paths}
			err := tst.Summarize()
			if err == nil || !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("Summarize = %v, want an error containing %q", err, tc.contains)
			}
		})
	}
}

func TestOutcome(t *testing.T) {
	v := func(metric results.Metric, status results.Status) results.Verdict {
		return results.Verdict{Metric: metric, Status: status}
	}
	for _, tc := range []struct {
		name    string
		test    results.Test
		want    results.Status
		metrics []results.Metric
	}{
		{"all pass", results.Test{Verdicts: []results.Verdict{v("rate", "pass"), v("client_cpu", "pass")}}, "pass", nil},
		{"fail beats inconclusive", results.Test{Verdicts: []results.Verdict{v("rate", "inconclusive"), v("client_cpu", "fail"), v("server_cpu", "fail")}}, "fail", []results.Metric{"client_cpu", "server_cpu"}},
		{"inconclusive beats pass", results.Test{Verdicts: []results.Verdict{v("rate", "pass"), v("server_cpu", "inconclusive")}}, "inconclusive", []results.Metric{"server_cpu"}},
		{"error", results.Test{Error: "measure: boom", Verdicts: []results.Verdict{v("rate", "pass")}}, "error", nil},
		{"nothing judged", results.Test{}, "error", nil},
	} {
		got, ms := tc.test.Outcome()
		if got != tc.want || !slices.Equal(ms, tc.metrics) {
			t.Errorf("%s: Outcome = %s %v, want %s %v", tc.name, got, ms, tc.want, tc.metrics)
		}
	}
}

func TestSummarizeLatency(t *testing.T) {
	sample := func(rate, p99 float64) results.Sample {
		return results.Sample{Rate: rate, ClientSD: 1, ServerSD: 1, Latency: &netperf.Latency{P50: p99 / 4, P90: p99 / 2, P99: p99, Mean: p99 / 3}}
	}
	tt := &results.Test{ID: "tcp_rr_1", Netperf: netperf.TCPRR, Paths: map[endpoints.Path]*results.Path{
		endpoints.NodePath: {Samples: []results.Sample{sample(100, 40), sample(100, 60)}},
		endpoints.PodPath:  {Samples: []results.Sample{sample(90, 80), sample(90, 100), sample(90, 120)}[:2]},
	}}
	if err := tt.Summarize(); err != nil {
		t.Fatal(err)
	}
	p99 := tt.Paths[endpoints.PodPath].Stats[results.P99Latency]
	if p99.N != 2 || p99.Median != 90 || p99.CILow >= 90 || p99.CIHigh <= 90 {
		t.Errorf("pod P99 stats = %+v", p99)
	}
	if m := tt.Paths[endpoints.NodePath].Stats[results.MeanLatency]; m.Median != 50.0/3 {
		t.Errorf("node mean latency median = %v", m.Median)
	}
	stream := &results.Test{ID: "tcp_stream_1", Netperf: netperf.TCPStream, Paths: map[endpoints.Path]*results.Path{
		endpoints.NodePath: {Samples: []results.Sample{{Rate: 5, ClientSD: 1, ServerSD: 1}}},
		endpoints.PodPath:  {Samples: []results.Sample{{Rate: 4, ClientSD: 1, ServerSD: 1}}},
	}}
	if err := stream.Summarize(); err != nil {
		t.Fatal(err)
	}
	if _, ok := stream.Paths[endpoints.PodPath].Stats[results.P99Latency]; ok {
		t.Error("a stream test got latency statistics")
	}
}

func TestMetricTitle(t *testing.T) {
	tests := []struct {
		m    results.Metric
		rr   bool
		want string
	}{
		{results.Rate, false, "throughput"},
		{results.Rate, true, "transaction rate"},
		{results.ClientCPU, true, "client CPU (service demand)"},
		{results.ServerCPU, false, "server CPU (service demand)"},
	}
	for _, tc := range tests {
		if got := tc.m.Title(tc.rr); got != tc.want {
			t.Errorf("%s.Title(%v) = %q, want %q", tc.m, tc.rr, got, tc.want)
		}
	}
}
