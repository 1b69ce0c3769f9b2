package netperf_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"podperf/framework/netperf"
)

var selectorArg = strings.Join(netperf.Selectors, ",")

func TestSpecArgs(t *testing.T) {
	tests := []struct {
		name string
		spec netperf.Spec
		host string
		port int
		want []string
	}{
		{
			name: "TCP_STREAM",
			spec: netperf.Spec{Test: netperf.TCPStream, Duration: 10 * time.Second, ControlPort: 12865},
			host: "198.18.241.10", port: 12866,
			want: []string{"netperf", "-H", "198.18.241.10", "-p", "12865", "-t", "TCP_STREAM", "-l", "10", "-c", "-C",
				"-f", "m", "--", "-P", "12866,12866", "-k", selectorArg},
		},
		{
			name: "TCP_STREAM ignores RR sizes",
			spec: netperf.Spec{Test: netperf.TCPStream, Duration: time.Second, ControlPort: 1, RequestSize: 64, ResponseSize: 64},
			host: "h", port: 2,
			want: []string{"netperf", "-H", "h", "-p", "1", "-t", "TCP_STREAM", "-l", "1", "-c", "-C",
				"-f", "m", "--", "-P", "2,2", "-k", selectorArg},
		},
		{
			name: "TCP_RR with -r 1,1",
			spec: netperf.Spec{Test: netperf.TCPRR, Duration: 30 * time.Second, ControlPort: 12865, RequestSize: 1, ResponseSize: 1},
			host: "198.18.250.2", port: 12897,
			want: []string{"netperf", "-H", "198.18.250.2", "-p", "12865", "-t", "TCP_RR", "-l", "30", "-c", "-C",
				"--", "-P", "12897,12897", "-r", "1,1", "-k", selectorArg},
		},
		{
			name: "TCP_RR with netperf's default sizes",
			spec: netperf.Spec{Test: netperf.TCPRR, Duration: 2 * time.Second, ControlPort: 12865},
			host: "h", port: 12866,
			want: []string{"netperf", "-H", "h", "-p", "12865", "-t", "TCP_RR", "-l", "2", "-c", "-C",
				"--", "-P", "12866,12866", "-k", selectorArg},
		},
		{
			name: "TCP_RR with one size given",
			spec: netperf.Spec{Test: netperf.TCPRR, Duration: 2 * time.Second, ControlPort: 12865, ResponseSize: 4096},
			host: "h", port: 12866,
			want: []string{"netperf", "-H", "h", "-p", "12865", "-t", "TCP_RR", "-l", "2", "-c", "-C",
				"--", "-P", "12866,12866", "-r", "1,4096", "-k", selectorArg},
		},
		{
			name: "TCP_STREAM with interim and confidence",
			spec: netperf.Spec{Test: netperf.TCPStream, Duration: 10 * time.Second, ControlPort: 12865, Interim: time.Second,
				Confidence: &netperf.Confidence{Level: 99, Width: 5, MinIter: 3, MaxIter: 10}},
			host: "h", port: 12866,
			want: []string{"netperf", "-H", "h", "-p", "12865", "-t", "TCP_STREAM", "-l", "10", "-c", "-C",
				"-f", "m", "-D", "-1", "-i", "10,3", "-I", "99,5", "--", "-P", "12866,12866", "-k", selectorArg},
		},
		{
			name: "concurrent TCP_STREAM with a start delay",
			spec: netperf.Spec{Test: netperf.TCPStream, Duration: 10 * time.Second, ControlPort: 12865, Interim: time.Second, StartDelay: 2 * time.Second},
			host: "h", port: 12897,
			want: []string{"netperf", "-H", "h", "-p", "12865", "-t", "TCP_STREAM", "-l", "10", "-c", "-C",
				"-f", "m", "-s", "2", "-D", "-1", "--", "-P", "12897,12897", "-k", selectorArg},
		},
		{
			name: "start delay rounded to whole seconds",
			spec: netperf.Spec{Test: netperf.TCPRR, Duration: 10 * time.Second, ControlPort: 12865, StartDelay: 1500 * time.Millisecond},
			host: "h", port: 12866,
			want: []string{"netperf", "-H", "h", "-p", "12865", "-t", "TCP_RR", "-l", "10", "-c", "-C",
				"-s", "2", "--", "-P", "12866,12866", "-k", selectorArg},
		},
		{
			name: "TCP_RR with fractional interim and confidence width",
			spec: netperf.Spec{Test: netperf.TCPRR, Duration: 5 * time.Second, ControlPort: 12865, Interim: 250 * time.Millisecond,
				RequestSize: 1, ResponseSize: 1, Confidence: &netperf.Confidence{Level: 95, Width: 2.5, MinIter: 3, MaxIter: 3}},
			host: "h", port: 12866,
			want: []string{"netperf", "-H", "h", "-p", "12865", "-t", "TCP_RR", "-l", "5", "-c", "-C",
				"-D", "-0.25", "-i", "3,3", "-I", "95,2.5", "--", "-P", "12866,12866", "-r", "1,1", "-k", selectorArg},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.spec.Validate(); err != nil {
				t.Fatalf("test spec is invalid: %v", err)
			}
			got := tc.spec.Args(tc.host, tc.port)
			if !slices.Equal(got, tc.want) {
				t.Errorf("Args =\n  %q\nwant\n  %q", got, tc.want)
			}
		})
	}
}

// The selectors are what Parse reads: every key it requires must be asked for.
func TestSelectorsCoverParsedKeys(t *testing.T) {
	for _, k := range []string{"THROUGHPUT", "THROUGHPUT_UNITS", "P50_LATENCY", "P90_LATENCY", "P99_LATENCY", "MEAN_LATENCY",
		"MIN_LATENCY", "MAX_LATENCY", "LOCAL_CPU_UTIL", "REMOTE_CPU_UTIL", "LOCAL_SD", "REMOTE_SD", "SD_UNITS",
		"LOCAL_CPU_COUNT", "REMOTE_CPU_COUNT", "ELAPSED_TIME", "CONFIDENCE_LEVEL", "CONFIDENCE_ITERATION",
		"THROUGHPUT_CONFID", "LOCAL_CPU_CONFID", "REMOTE_CPU_CONFID"} {
		if !slices.Contains(netperf.Selectors, k) {
			t.Errorf("Selectors lack %s, which Parse requires", k)
		}
	}
}

func TestSpecValidate(t *testing.T) {
	ok := netperf.Spec{Test: netperf.TCPStream, Duration: 10 * time.Second, ControlPort: 12865}
	conf := func(c netperf.Confidence) netperf.Spec { s := ok; s.Confidence = &c; return s }
	with := func(f func(*netperf.Spec)) netperf.Spec { s := ok; f(&s); return s }
	tests := []struct {
		name     string
		spec     netperf.Spec
		contains string // "" = valid
	}{
		{"valid stream", ok, ""},
		{"valid RR with everything", netperf.Spec{Test: netperf.TCPRR, Duration: time.Second, ControlPort: 65535, Interim: 100 * time.Millisecond,
			Confidence: &netperf.Confidence{Level: 95, Width: 1, MinIter: 3, MaxIter: 30}}, ""},
		{"every supported test", with(func(s *netperf.Spec) { s.Test = netperf.UDPStream }), ""},
		{"unknown test", with(func(s *netperf.Spec) { s.Test = "SCTP_STREAM" }), `netperf test "SCTP_STREAM" is not supported`},
		{"empty test", with(func(s *netperf.Spec) { s.Test = "" }), "is not supported"},
		{"zero duration", with(func(s *netperf.Spec) { s.Duration = 0 }), "duration 0s is too short"},
		{"sub-second duration", with(func(s *netperf.Spec) { s.Duration = 500 * time.Millisecond }), "duration 500ms is too short"},
		{"fractional seconds", with(func(s *netperf.Spec) { s.Duration = 1500 * time.Millisecond }), "duration 1.5s is not a whole number of seconds"},
		{"control port 0", with(func(s *netperf.Spec) { s.ControlPort = 0 }), "control port 0 is out of range"},
		{"control port 65536", with(func(s *netperf.Spec) { s.ControlPort = 65536 }), "control port 65536 is out of range"},
		{"interim too short", with(func(s *netperf.Spec) { s.Interim = 50 * time.Millisecond }), "interim interval 50ms is too short"},
		{"negative interim", with(func(s *netperf.Spec) { s.Interim = -time.Second }), "interim interval -1s is too short"},
		{"confidence level 90", conf(netperf.Confidence{Level: 90, Width: 5, MinIter: 3, MaxIter: 10}), "confidence level 90"},
		{"confidence min 2", conf(netperf.Confidence{Level: 99, Width: 5, MinIter: 2, MaxIter: 10}), "iterations 2..10"},
		{"confidence max 31", conf(netperf.Confidence{Level: 99, Width: 5, MinIter: 3, MaxIter: 31}), "iterations 3..31"},
		{"confidence min above max", conf(netperf.Confidence{Level: 99, Width: 5, MinIter: 10, MaxIter: 5}), "iterations 10..5"},
		{"confidence width 0", conf(netperf.Confidence{Level: 99, Width: 0, MinIter: 3, MaxIter: 10}), "width 0.0% must be positive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.spec.Validate()
			if tc.contains == "" {
				if err != nil {
					t.Fatalf("Validate: %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.contains) {
				t.Fatalf("Validate = %v, want an error containing %q", err, tc.contains)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestTestKinds(t *testing.T) {
	tests := []struct {
		test         netperf.Test
		valid, isRR  bool
		knownBugNote string
	}{
		{netperf.TCPStream, true, false, ""},
		{netperf.UDPStream, true, false, ""},
		{netperf.TCPRR, true, true, ""},
		{netperf.UDPRR, true, true, ""},
		// TCP_CRR (connect/request/response) reports Trans/s like TCP_RR.
		{netperf.TCPCRR, true, true, "Test.IsRR checks the suffix \"_RR\", which TCP_CRR (suffix \"CRR\") lacks"},
		{"TCP_MAERTS", false, false, ""},
		{"", false, false, ""},
	}
	for _, tc := range tests {
		t.Run(string(tc.test), func(t *testing.T) {
			if got := tc.test.Valid(); got != tc.valid {
				t.Errorf("Valid() = %v, want %v", got, tc.valid)
			}
			if got := tc.test.IsRR(); got != tc.isRR {
				t.Errorf("IsRR() = %v, want %v", got, tc.isRR)
			}
		})
	}
}

// With TCP_CRR taken for a stream test, its argv asks for -f m and drops the
// message sizes; netperf 2.7.0 then prints THROUGHPUT in 10^6bits/s rather
// than the transaction rate (checked on this machine).
func TestArgsTCPCRRIsRequestResponse(t *testing.T) {
	spec := netperf.Spec{Test: netperf.TCPCRR, Duration: time.Second, ControlPort: 12865, RequestSize: 1, ResponseSize: 1}
	a := spec.Args("h", 12866)
	if slices.Contains(a, "-f") || !slices.Contains(a, "-r") {
		t.Fatalf("TCP_CRR.IsRR() is false, so Args has -f m: %v and -r 1,1: %v (want false, true)", slices.Contains(a, "-f"), slices.Contains(a, "-r"))
	}
	if i := slices.Index(a, "-r"); a[i+1] != "1,1" {
		t.Errorf("-r %s, want 1,1", a[i+1])
	}
}
