package results_test

import (
	"strings"
	"testing"
	"time"

	"podperf/framework/endpoints"
	"podperf/framework/netperf"
	"podperf/framework/results"
)

func sampleWith(retrans int64, gb float64, loss *float64) results.Sample {
	r := retrans
	return results.Sample{Rate: 8, RateUnit: "Gbit/s", Retransmits: &r, RetransmitSource: netperf.FromNetperf, BytesSent: gb * 1e9, Loss: loss}
}

func TestSummarizeTransportAndJump(t *testing.T) {
	test := func(pod, node []results.Sample) *results.Test {
		return &results.Test{ID: "tcp_stream_1", Netperf: netperf.TCPStream, Paths: map[endpoints.Path]*results.Path{
			endpoints.PodPath: {Samples: pod}, endpoints.NodePath: {Samples: node}}}
	}
	tc := test([]results.Sample{sampleWith(300, 2, nil), sampleWith(100, 2, nil)}, []results.Sample{sampleWith(10, 2, nil), sampleWith(10, 2, nil)})
	if err := tc.SummarizeTransport(); err != nil {
		t.Fatal(err)
	}
	pr := tc.Paths[endpoints.PodPath].Retransmits
	if pr == nil || pr.Total != 400 || pr.Samples != 2 || pr.Work != 4 || pr.WorkUnit != "GB" || pr.PerWork != 100 || pr.Source != netperf.FromNetperf {
		t.Fatalf("pod retransmits = %+v", pr)
	}
	// 100 per GB against the node's 5, floored to 10: 10 times, above 4.
	if w := tc.RetransmitJump(4); !strings.Contains(w, "400 segments retransmitted, 100 per GB, against 5 per GB") {
		t.Errorf("jump warning = %q", w)
	}
	if w := tc.RetransmitJump(12); w != "" {
		t.Errorf("factor 12: %q", w)
	}
	if w := tc.RetransmitJump(0); w != "" {
		t.Errorf("factor 0 (never): %q", w)
	}
	// A handful of retransmits on a quiet reference is no jump.
	few := test([]results.Sample{sampleWith(15, 0.1, nil)}, []results.Sample{sampleWith(0, 0.1, nil)})
	_ = few.SummarizeTransport()
	if w := few.RetransmitJump(4); w != "" {
		t.Errorf("15 retransmits: %q", w)
	}
	// RR: per million transactions over the sample's window.
	start := time.Unix(1e9, 0)
	rr := results.Sample{Rate: 10000, RateUnit: "trans/s", Retransmits: new(int64), Window: netperf.Window{Start: start, End: start.Add(2 * time.Second)}}
	*rr.Retransmits = 3
	rt := test([]results.Sample{rr}, []results.Sample{rr})
	_ = rt.SummarizeTransport()
	if r := rt.Paths[endpoints.PodPath].Retransmits; r == nil || r.WorkUnit != "Mtrans" || r.Work != 0.02 || r.PerWork != 150 {
		t.Errorf("RR retransmits = %+v", r)
	}
	// UDP: no retransmits, the loss summarised.
	l1, l2 := 0.1, 0.3
	udp := test([]results.Sample{{Rate: 1, RateUnit: "Gbit/s", Loss: &l1}, {Rate: 1, RateUnit: "Gbit/s", Loss: &l2}}, nil)
	if err := udp.SummarizeTransport(); err != nil {
		t.Fatal(err)
	}
	p := udp.Paths[endpoints.PodPath]
	if p.Retransmits != nil || p.Stats[results.Loss].N != 2 || p.Stats[results.Loss].Median != 0.2 {
		t.Errorf("UDP path: retransmits %v, loss %+v", p.Retransmits, p.Stats[results.Loss])
	}
	if w := udp.RetransmitJump(4); w != "" {
		t.Errorf("UDP: %q", w)
	}
}

func TestSetTransport(t *testing.T) {
	n := int64(7)
	g := netperf.Group{Processes: []netperf.Result{{Test: netperf.UDPStream}}, Throughput: 5e8, Unit: "bit/s", SentRate: 7e8,
		BytesSent: 100, BytesReceived: 75, ClientTxRate: 7e8}
	s := results.NewSample(1, time.Now(), g)
	s.SetTransport(g)
	if s.Loss == nil || *s.Loss != 0.25 || s.SentRate != 0.7 || s.ClientTxRate != 0 || s.Retransmits != nil {
		t.Errorf("UDP sample = loss %v sent %v counter %v", s.Loss, s.SentRate, s.ClientTxRate)
	}
	g = netperf.Group{Processes: []netperf.Result{{Test: netperf.TCPStream}}, Throughput: 5e8, Unit: "bit/s", Retransmits: &n, RetransmitSource: netperf.FromCounter, BytesSent: 100, ClientTxRate: 5e8}
	s = results.NewSample(1, time.Now(), g)
	s.SetTransport(g)
	if s.Loss != nil || s.Retransmits == nil || *s.Retransmits != 7 || s.RetransmitSource != netperf.FromCounter || s.ClientTxRate != 0.5 {
		t.Errorf("TCP sample = %+v", s)
	}
}
