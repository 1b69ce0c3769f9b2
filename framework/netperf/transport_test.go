package netperf_test

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"podperf/framework/netperf"
)

// The captures of this file are real netperf 2.7.0 outputs of the suite's
// own command lines (Spec.Args, 2 s runs), between two network namespaces
// joined by a veth pair with addresses in 198.19.213.0/24, on a busy 2-CPU
// machine: tcp_crr.out, udp_rr.out (RR, -r 1,1), udp_stream.out (-m 1472),
// udp_stream_m64.out (-m 64), tcp_stream_m1024.out (-m 1024), and
// tcp_stream_transport.out and tcp_rr_transport.out (netperf's default sizes).
// proc_net_snmp.txt is the client namespace's /proc/net/snmp after them.

func count(n int64) *int64 { return &n }

func TestParseTransportFigures(t *testing.T) {
	tests := []struct {
		file                  string
		throughput            float64
		unit                  string
		latency               *netperf.Latency
		localRetr, remoteRetr *int64
		sendSize              int
		sent, received        float64
		sentRate              float64
	}{
		{file: "tcp_crr.out", throughput: 8200.00, unit: "trans/s",
			latency:   &netperf.Latency{P50: 69, P90: 108, P99: 1550, Mean: 121.81, Min: 60, Max: 44503},
			localRetr: count(0), sent: 16401, received: 16401},
		{file: "udp_rr.out", throughput: 24769.98, unit: "trans/s",
			latency: &netperf.Latency{P50: 13, P90: 16, P99: 129, Mean: 39.45, Min: 12, Max: 33535},
			sent:    49552, received: 49552},
		{file: "udp_stream.out", throughput: 494.90e6, unit: "bit/s",
			sendSize: 1472, sent: 174230336, received: 123843776, sentRate: 696.25e6},
		{file: "udp_stream_m64.out", throughput: 36.19e6, unit: "bit/s",
			sendSize: 64, sent: 12141056, received: 9048704, sentRate: 48.56e6},
		{file: "tcp_stream_m1024.out", throughput: 427.13e6, unit: "bit/s",
			localRetr: count(79), remoteRetr: count(0), sendSize: 1024, sent: 106856448, received: 106856448},
		{file: "tcp_stream_transport.out", throughput: 6721.04e6, unit: "bit/s",
			localRetr: count(0), remoteRetr: count(0), sendSize: 16384, sent: 1681915904, received: 1681915904},
		{file: "tcp_rr_transport.out", throughput: 39000.86, unit: "trans/s",
			latency:   &netperf.Latency{P50: 14, P90: 17, P99: 97, Mean: 25.58, Min: 13, Max: 25999},
			localRetr: count(0), remoteRetr: count(0), sent: 78050, received: 78050},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			r := parseOut(t, tc.file)
			checkNear(t, "Throughput", r.Throughput, tc.throughput)
			if r.Unit != tc.unit {
				t.Errorf("Unit = %q, want %q", r.Unit, tc.unit)
			}
			if (r.Latency == nil) != (tc.latency == nil) || (r.Latency != nil && *r.Latency != *tc.latency) {
				t.Errorf("Latency = %+v, want %+v", r.Latency, tc.latency)
			}
			for _, c := range []struct {
				name      string
				got, want *int64
			}{{"LocalRetrans", r.LocalRetrans, tc.localRetr}, {"RemoteRetrans", r.RemoteRetrans, tc.remoteRetr}} {
				if (c.got == nil) != (c.want == nil) || (c.got != nil && *c.got != *c.want) {
					t.Errorf("%s = %v, want %v", c.name, deref(c.got), deref(c.want))
				}
			}
			if r.SendSize != tc.sendSize {
				t.Errorf("SendSize = %d, want %d", r.SendSize, tc.sendSize)
			}
			checkNear(t, "BytesSent", r.BytesSent, tc.sent)
			checkNear(t, "BytesReceived", r.BytesReceived, tc.received)
			checkNear(t, "SentRate", r.SentRate, tc.sentRate)
		})
	}
}

func deref(p *int64) string {
	if p == nil {
		return "nil"
	}
	return strconv.FormatInt(*p, 10)
}

// Outputs captured before the suite asked for the transport figures parse
// as before, with those figures unknown.
func TestParseWithoutTransportSelectors(t *testing.T) {
	r := parseOut(t, "tcp_stream.out")
	if r.LocalRetrans != nil || r.RemoteRetrans != nil || r.SendSize != 0 || r.BytesSent != 0 || r.SentRate != 0 {
		t.Errorf("transport figures of an older capture = %v %v %d %v %v, want none",
			r.LocalRetrans, r.RemoteRetrans, r.SendSize, r.BytesSent, r.SentRate)
	}
	r.Test = netperf.TCPStream
	if _, ok := r.Loss(); ok {
		t.Error("Loss of a TCP stream is known")
	}
}

// A UDP stream's rate is what the server received; what was sent and the
// loss between them come beside it.
func TestUDPStreamLoss(t *testing.T) {
	for _, tc := range []struct {
		file string
		loss float64
	}{
		{"udp_stream.out", 1 - 123843776.0/174230336},
		{"udp_stream_m64.out", 1 - 9048704.0/12141056},
	} {
		r := parseOut(t, tc.file)
		if _, ok := r.Loss(); ok {
			t.Errorf("%s: Parse alone does not know the test, yet Loss is known", tc.file)
		}
		r.Test = netperf.UDPStream
		got, ok := r.Loss()
		if !ok || math.Abs(got-tc.loss) > 1e-12 {
			t.Errorf("%s: Loss = %v, %v, want %v", tc.file, got, ok, tc.loss)
		}
		g, err := netperf.Combine([]netperf.Result{r})
		if err != nil {
			t.Fatal(err)
		}
		if gl, ok := g.Loss(); !ok || math.Abs(gl-tc.loss) > 1e-12 {
			t.Errorf("%s: Group.Loss = %v, %v, want %v", tc.file, gl, ok, tc.loss)
		}
		if g.SentRate != r.SentRate || g.SentRate <= g.Throughput {
			t.Errorf("%s: group sent %v, received %v: the sent rate must be kept and exceed the received one", tc.file, g.SentRate, g.Throughput)
		}
		if g.Retransmits != nil {
			t.Errorf("%s: a UDP test has %d retransmits", tc.file, *g.Retransmits)
		}
	}
}

// The group's retransmits are netperf's own where every connection reported
// them, and unknown for TCP_CRR, whose figure is its last connection's.
func TestGroupRetransmits(t *testing.T) {
	stream := parseOut(t, "tcp_stream_m1024.out")
	stream.Test = netperf.TCPStream
	g, err := netperf.Combine([]netperf.Result{stream})
	if err != nil {
		t.Fatal(err)
	}
	if g.Retransmits == nil || *g.Retransmits != 79 || g.RetransmitSource != netperf.FromNetperf {
		t.Errorf("TCP_STREAM retransmits = %v from %q, want 79 from netperf", g.Retransmits, g.RetransmitSource)
	}
	if g.BytesSent != 106856448 {
		t.Errorf("BytesSent = %v", g.BytesSent)
	}
	crr := parseOut(t, "tcp_crr.out")
	crr.Test = netperf.TCPCRR
	if g, _ := netperf.Combine([]netperf.Result{crr}); g.Retransmits != nil {
		t.Errorf("TCP_CRR retransmits from netperf = %d, want unknown (the counter stands in)", *g.Retransmits)
	}
	// Several connections: the sum, and unknown as soon as one lacks it.
	a, b := parseOut(t, "multi_stream_0.out"), parseOut(t, "multi_stream_1.out")
	for _, r := range []*netperf.Result{&a, &b} {
		r.Test = netperf.TCPStream
	}
	if g, err := netperf.Combine([]netperf.Result{a, b}); err != nil || g.Retransmits != nil {
		t.Errorf("captures without the selectors: retransmits %v (err %v), want unknown", g.Retransmits, err)
	}
	rr := parseOut(t, "tcp_rr_transport.out")
	rr.Test = netperf.TCPRR
	if !netperf.TCPRR.ReportsRetransmits() || netperf.TCPCRR.ReportsRetransmits() || netperf.UDPRR.IsTCP() || !netperf.TCPCRR.IsTCP() {
		t.Error("ReportsRetransmits/IsTCP disagree with netperf 2.7")
	}
	if g, _ := netperf.Combine([]netperf.Result{rr}); g.Retransmits == nil || *g.Retransmits != 0 {
		t.Errorf("TCP_RR retransmits = %v, want 0", g.Retransmits)
	}
}

func TestParseRetransSegs(t *testing.T) {
	snmp := readOut(t, "proc_net_snmp.txt")
	n, err := netperf.ParseRetransSegs(snmp)
	if err != nil || n != 79 {
		t.Fatalf("ParseRetransSegs = %d, %v, want 79", n, err)
	}
	header := "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors"
	values := "Tcp: 1 200 120000 -1 16412 0 0 0 0 194564 1411076 79 0 0 0"
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", "has no Tcp counters"},
		{"no Tcp lines", "Ip: Forwarding\nIp: 1\n", "has no Tcp counters"},
		{"names only", header + "\n", "has no Tcp counters"},
		{"short values", strings.Replace(snmp, values, "Tcp: 1 200", 1), "16 names and 3 values"},
		{"not a count", strings.Replace(snmp, values, strings.Replace(values, " 79 ", " x ", 1), 1), `RetransSegs "x" is not a count`},
		{"no RetransSegs", strings.Replace(snmp, header, strings.Replace(header, "RetransSegs", "Other", 1), 1), "lack RetransSegs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := netperf.ParseRetransSegs(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %v, want one line containing %q", err, tc.want)
			}
		})
	}
}

func TestMessageSize(t *testing.T) {
	base := netperf.Spec{Test: netperf.TCPStream, Duration: 2 * time.Second, ControlPort: 12865}
	with := func(test netperf.Test, m int) netperf.Spec { s := base; s.Test, s.MessageSize = test, m; return s }
	args := with(netperf.UDPStream, 1472).Args("h", 12866)
	i := slices.Index(args, "--")
	if j := slices.Index(args, "-m"); i < 0 || j < i || args[j+1] != "1472" {
		t.Errorf("Args = %q: want -m 1472 among the test options after --", args)
	}
	if j := slices.Index(args, "-R"); j < i || args[j+1] != "1" {
		t.Errorf("Args = %q: a UDP stream needs -R 1 to be routed (pod to pod across nodes)", args)
	}
	if slices.Contains(base.Args("h", 12866), "-m") || slices.Contains(base.Args("h", 12866), "-R") {
		t.Error("a spec without a message size passes -m")
	}
	for _, tc := range []struct {
		spec netperf.Spec
		want string
	}{
		{with(netperf.TCPStream, 65536), ""},
		{with(netperf.UDPStream, netperf.MaxUDPMessage), ""},
		{with(netperf.UDPStream, 65536), "a UDP datagram carries at most 65507 bytes"},
		{with(netperf.TCPStream, -1), "message size -1 is negative"},
		{with(netperf.TCPRR, 64), "applies to stream tests, not TCP_RR"},
	} {
		err := tc.spec.Validate()
		if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Validate(%s, -m %d) = %v, want %q", tc.spec.Test, tc.spec.MessageSize, err, tc.want)
		}
	}
	var nerr *netperf.Error
	if _, err := netperf.Parse(strings.Replace(readOut(t, "udp_stream.out"), "LOCAL_TRANSPORT_RETRANS=-1", "LOCAL_TRANSPORT_RETRANS=many", 1)); !errors.As(err, &nerr) || nerr.Kind != netperf.ErrBadOutput {
		t.Errorf("a malformed retransmit count: err = %v, want a bad-output error", err)
	}
}
