package report_test

import (
	"podperf/framework/netperf"
	"podperf/framework/results"
	"podperf/framework/stats"
)

// withTransport sets the transport figures and the extended knobs on the
// fixture run, so that the schema test covers them: retransmits on every
// sample and process, the fields a UDP stream fills, and on the test that
// errored a message-size sweep's (the figures of tcp_stream_m1024.out and
// udp_stream.out in framework/netperf/testdata).
func withTransport(r *results.Run) *results.Run {
	r.Settings.Streams, r.Settings.MessageSizes, r.Settings.RetransmitJump = 32, []int{64, 1024}, 4
	for _, t := range r.Tests {
		if t.Error != "" {
			// On the test without figures, so that no sweep chart is drawn.
			t.MessageSize, t.Sweep = 1024, "tcp_stream_sweep"
		}
		for _, p := range t.Paths {
			n := int64(79)
			p.Retransmits = &results.Retransmits{Total: 79 * int64(len(p.Samples)), Samples: len(p.Samples), Work: 0.107 * float64(len(p.Samples)),
				WorkUnit: "GB", PerWork: 739, Source: netperf.FromNetperf}
			loss := 1 - 123843776.0/174230336
			for i := range p.Samples {
				s := &p.Samples[i]
				s.Retransmits, s.RetransmitSource, s.BytesSent, s.SentRate, s.Loss = &n, netperf.FromNetperf, 106856448, 0.69625, &loss
				for j := range s.Processes {
					pr := &s.Processes[j]
					zero := int64(0)
					pr.LocalRetrans, pr.RemoteRetrans, pr.SendSize = &n, &zero, 1024
					pr.BytesSent, pr.BytesReceived, pr.SentRate = 174230336, 123843776, 696.25e6
				}
			}
			if p.Stats != nil {
				p.Stats[results.Loss] = stats.Summary{N: 3, Median: loss, Mean: loss, Min: loss, Max: loss, CILow: loss, CIHigh: loss, Level: 0.95}
			}
		}
	}
	return r
}
