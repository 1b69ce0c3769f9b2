// Package netperf builds netperf command lines for the omni tests, runs one or
// several netperf processes through a target, and parses their keyval output.
package netperf

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Test is a netperf test name. Every test runs through the omni code path
// (netperf 2.5+ maps the classic names onto it), which is what makes the -k
// output selectors available.
type Test string

const (
	TCPStream Test = "TCP_STREAM"
	TCPRR     Test = "TCP_RR"
	TCPCRR    Test = "TCP_CRR"
	UDPRR     Test = "UDP_RR"
	UDPStream Test = "UDP_STREAM"
)

// IsRR reports whether the test's figure is a transaction rate rather than a
// bit rate.
func (t Test) IsRR() bool { return t == TCPRR || t == TCPCRR || t == UDPRR }

// Valid reports whether the suite knows how to run and parse t.
func (t Test) Valid() bool {
	switch t {
	case TCPStream, TCPRR, TCPCRR, UDPRR, UDPStream:
		return true
	}
	return false
}

// Selectors are the omni output selectors every run asks for (-k). Asking for
// the same set for every test keeps the parser single; figures a test does not
// produce come back as netperf's placeholders and are ignored.
var Selectors = []string{
	"THROUGHPUT", "THROUGHPUT_UNITS", "TRANSACTION_RATE",
	"P50_LATENCY", "P90_LATENCY", "P99_LATENCY", "MEAN_LATENCY", "MIN_LATENCY", "MAX_LATENCY",
	"LOCAL_CPU_UTIL", "REMOTE_CPU_UTIL", "LOCAL_SD", "REMOTE_SD", "SD_UNITS",
	"LOCAL_CPU_COUNT", "REMOTE_CPU_COUNT",
	"CONFIDENCE_LEVEL", "CONFIDENCE_ITERATION", "THROUGHPUT_CONFID", "LOCAL_CPU_CONFID", "REMOTE_CPU_CONFID",
	"ELAPSED_TIME", "PROTOCOL", "DIRECTION", "REQUEST_SIZE", "RESPONSE_SIZE",
	// Transport figures: the data connection's TCP retransmissions on each side
	// (from TCP_INFO; -1 where netperf cannot read them: UDP, and TCP_CRR,
	// whose connections are gone when it asks), the send size, and the bytes
	// sent and received, whose difference is a UDP_STREAM's loss.
	"LOCAL_TRANSPORT_RETRANS", "REMOTE_TRANSPORT_RETRANS", "LOCAL_SEND_SIZE",
	"LOCAL_BYTES_SENT", "REMOTE_BYTES_RECVD", "LOCAL_SEND_THROUGHPUT",
}

// MaxUDPMessage is the largest UDP payload over IPv4 (65535 - 20 - 8 bytes).
const MaxUDPMessage = 65507

// ReportsRetransmits reports whether netperf itself reports the TCP
// retransmissions of the test's data connection. TCP_CRR opens a connection
// per transaction and its figures come back as -1: the client's TCP counters
// stand in (see Run).
func (t Test) ReportsRetransmits() bool { return t == TCPStream || t == TCPRR }

// IsTCP reports whether the test runs over TCP (and so can retransmit).
func (t Test) IsTCP() bool { return t == TCPStream || t == TCPRR || t == TCPCRR }

// Confidence asks netperf to repeat a test internally until the result is
// within Width percent (total) at Level percent confidence, or MaxIter runs.
type Confidence struct {
	Level   int     // 95 or 99
	Width   float64 // percent, total width of the interval
	MinIter int     // >= 3 for netperf to compute an interval
	MaxIter int     // <= 30
}

// Spec describes one netperf invocation, minus the host and data port, which
// the caller supplies per process.
type Spec struct {
	Test        Test
	Duration    time.Duration
	ControlPort int
	// RequestSize and ResponseSize are the RR message sizes in bytes (0: netperf's default).
	RequestSize, ResponseSize int
	// MessageSize is the bytes of each send of a stream test (-m; 0: netperf's
	// default, the socket buffer size for TCP and the largest datagram for UDP).
	MessageSize int
	// Interim is the -D reporting interval; interim results carry timestamps that
	// the multi-process aggregation needs. 0 disables them. It is passed negated,
	// which makes netperf read the clock after every send or transaction: in its
	// default mode it guesses how much work fills an interval, and under CPU
	// contention one guess can stretch an "interval" over the whole run, which
	// smears a process's start-up burst into the common window.
	Interim time.Duration
	// StartDelay holds traffic back after the control connection is set up
	// (-s), so that concurrent processes that were launched one after another
	// begin sending together instead of the first ones hogging the CPU while
	// the others are still connecting.
	StartDelay time.Duration
	Confidence *Confidence
}

// Validate returns a one-line error for a spec netperf would reject or the
// suite could not interpret.
func (s Spec) Validate() error {
	switch {
	case !s.Test.Valid():
		return fmt.Errorf("netperf test %q is not supported (use TCP_STREAM, TCP_RR, TCP_CRR, UDP_RR or UDP_STREAM)", s.Test)
	case s.Duration < time.Second:
		return fmt.Errorf("netperf duration %s is too short: use at least 1s", s.Duration)
	case s.Duration%time.Second != 0:
		return fmt.Errorf("netperf duration %s is not a whole number of seconds", s.Duration)
	case s.ControlPort <= 0 || s.ControlPort > 65535:
		return fmt.Errorf("netperf control port %d is out of range 1-65535", s.ControlPort)
	case s.Interim != 0 && s.Interim < 100*time.Millisecond:
		return fmt.Errorf("netperf interim interval %s is too short: use at least 100ms", s.Interim)
	case s.MessageSize < 0:
		return fmt.Errorf("netperf message size %d is negative: use a size in bytes, or 0 for netperf's default", s.MessageSize)
	case s.MessageSize > 0 && s.Test.IsRR():
		return fmt.Errorf("netperf message size %d applies to stream tests, not %s (which use request and response sizes)", s.MessageSize, s.Test)
	case s.Test == UDPStream && s.MessageSize > MaxUDPMessage:
		return fmt.Errorf("netperf message size %d is too large for UDP_STREAM: a UDP datagram carries at most %d bytes", s.MessageSize, MaxUDPMessage)
	}
	if c := s.Confidence; c != nil {
		if c.Level != 95 && c.Level != 99 {
			return fmt.Errorf("netperf confidence level %d: netperf supports 95 or 99", c.Level)
		}
		if c.MinIter < 3 || c.MaxIter > 30 || c.MinIter > c.MaxIter {
			return fmt.Errorf("netperf confidence iterations %d..%d: need 3 <= min <= max <= 30", c.MinIter, c.MaxIter)
		}
		if c.Width <= 0 {
			return fmt.Errorf("netperf confidence width %.1f%% must be positive", c.Width)
		}
	}
	return nil
}

// Args returns the netperf argv for one process that talks to host and uses
// dataPort on both ends, so that a firewall can be opened for a fixed range.
func (s Spec) Args(host string, dataPort int) []string {
	a := []string{"netperf",
		"-H", host,
		"-p", strconv.Itoa(s.ControlPort),
		"-t", string(s.Test),
		"-l", strconv.Itoa(int(s.Duration / time.Second)),
		"-c", "-C", // CPU utilisation and service demand on both sides
	}
	if !s.Test.IsRR() {
		a = append(a, "-f", "m") // stream throughput in 10^6 bits/s (RR reports Trans/s)
	}
	if s.StartDelay > 0 {
		a = append(a, "-s", strconv.Itoa(int(s.StartDelay.Round(time.Second)/time.Second)))
	}
	if s.Interim > 0 {
		a = append(a, "-D", strconv.FormatFloat(-s.Interim.Seconds(), 'f', -1, 64))
	}
	if c := s.Confidence; c != nil {
		a = append(a,
			"-i", fmt.Sprintf("%d,%d", c.MaxIter, c.MinIter),
			"-I", fmt.Sprintf("%d,%s", c.Level, strconv.FormatFloat(c.Width, 'f', -1, 64)))
	}
	a = append(a, "--", "-P", fmt.Sprintf("%d,%d", dataPort, dataPort))
	if s.MessageSize > 0 {
		a = append(a, "-m", strconv.Itoa(s.MessageSize))
	}
	if s.Test == UDPStream {
		// netperf sets SO_DONTROUTE on a UDP stream unless told otherwise, so
		// that a flood cannot leave the local link: a routed path (pod to pod
		// across nodes) then fails with "Network is unreachable".
		a = append(a, "-R", "1")
	}
	if s.Test.IsRR() && (s.RequestSize > 0 || s.ResponseSize > 0) {
		a = append(a, "-r", fmt.Sprintf("%d,%d", max(s.RequestSize, 1), max(s.ResponseSize, 1)))
	}
	return append(a, "-k", strings.Join(Selectors, ","))
}
