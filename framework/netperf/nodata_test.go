package netperf_test

import (
	"errors"
	"strings"
	"testing"

	"podperf/framework/netperf"
)

// TestNoData: with the data port dropped by iptables in the server's
// namespace, netperf 2.7.0 exits 0 after the test's length and prints a rate
// of zero with an infinite service demand. The captures are that output, for
// a stream and an RR test; it must be a no-data error naming the cause, not
// a figure and not a complaint about "inf".
func TestNoData(t *testing.T) {
	for _, tc := range []struct{ file, unit string }{
		{"err_data_blocked_stream.out", "10^6bits/s"},
		{"err_data_blocked_rr.out", "Trans/s"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			r, err := netperf.Check(readOut(t, tc.file), 0)
			var ne *netperf.Error
			if !errors.As(err, &ne) || ne.Kind != netperf.ErrNoData {
				t.Fatalf("Check = %+v, %v; want a %q error", r, err, netperf.ErrNoData)
			}
			msg := err.Error()
			for _, want := range []string{"the data connection moved nothing", "0 " + tc.unit, "2.00 s"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
			if strings.Contains(msg, "inf") || strings.ContainsAny(msg, "\r\n") {
				t.Errorf("message %q should be one line about the data, not the service demand", msg)
			}
		})
	}
}
