package scenario

import (
	"fmt"
	"strconv"
	"strings"

	"podperf/framework/netperf"
)

// ExtendedLabel marks the specs beyond the published four (docs/extended.md):
// a run leaves them out unless its label filter names it.
const ExtendedLabel = "extended"

// UDPDatagram is the UDP_STREAM payload that fills a 1500-byte IPv4 packet
// (1500 - 20 - 8): one datagram a packet, no fragments.
const UDPDatagram = 1472

// Extended are the tests beyond the published benchmark. No published figure
// exists for them: they are judged against the node-to-node reference of the
// same run, or a recorded baseline that has them. The request/response tests
// run in 1-CPU endpoints like TCP_RR 1 connection, so that the three compare.
var Extended = []Scenario{
	{ID: "tcp_crr_1", Title: "TCP_CRR 1 connection at a time, 1 CPU", Test: netperf.TCPCRR, Streams: 1, CPUs: 1, RequestSize: 1, ResponseSize: 1,
		Labels: []string{ExtendedLabel, "TCP_CRR", "rr", "single"}},
	{ID: "udp_stream_1", Title: fmt.Sprintf("UDP_STREAM 1 stream, %d-byte datagrams", UDPDatagram), Test: netperf.UDPStream, Streams: 1, MessageSize: UDPDatagram,
		Labels: []string{ExtendedLabel, "UDP_STREAM", "throughput", "single"}},
	{ID: "udp_rr_1", Title: "UDP_RR 1 flow, 1 CPU", Test: netperf.UDPRR, Streams: 1, CPUs: 1, RequestSize: 1, ResponseSize: 1,
		Labels: []string{ExtendedLabel, "UDP_RR", "rr", "single"}},
}

// sweepBases are the stream tests a message-size sweep measures.
var sweepBases = []struct {
	sweep, name string
	test        netperf.Test
	datagrams   bool
}{
	{"tcp_stream_sweep", "TCP_STREAM", netperf.TCPStream, false},
	{"udp_stream_sweep", "UDP_STREAM", netperf.UDPStream, true},
}

// Sweeps are the scenarios of the message-size sweeps (--message-sizes): a
// single-stream TCP_STREAM and UDP_STREAM per size, each its own test named
// after its sweep and size. A size UDP cannot send stays in the list: its
// Spec does not validate, which says why (see Spec.Validate).
func Sweeps(sizes []int) []Scenario {
	var out []Scenario
	for _, b := range sweepBases {
		for _, n := range sizes {
			what := "sends"
			if b.datagrams {
				what = "datagrams"
			}
			out = append(out, Scenario{ID: b.sweep + "_" + strconv.Itoa(n), Title: fmt.Sprintf("%s 1 stream, %d-byte %s", b.name, n, what),
				Test: b.test, Streams: 1, MessageSize: n, Sweep: b.sweep,
				Labels: []string{ExtendedLabel, "sweep", b.name, "throughput", "single"}})
		}
	}
	return out
}

// WithStreams returns scs with the multi-stream scenarios (more than one
// stream) set to n streams, and their CPUs to n where they had one per
// stream, titles following (--streams). IDs stay, so that the published
// figures of the 32-stream tests still judge them. n <= 0 changes nothing.
func WithStreams(scs []Scenario, n int) []Scenario {
	out := make([]Scenario, len(scs))
	for i, sc := range scs {
		out[i] = sc
		if n <= 0 || sc.Streams <= 1 || sc.Streams == n {
			continue
		}
		old := strconv.Itoa(sc.Streams)
		out[i].Title = strings.ReplaceAll(sc.Title, old, strconv.Itoa(n))
		if sc.CPUs == sc.Streams {
			out[i].CPUs = n
		}
		out[i].Streams = n
		out[i].Labels = append([]string(nil), sc.Labels...)
	}
	return out
}
