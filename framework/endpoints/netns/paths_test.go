package netns

import (
	"strings"
	"testing"

	"podperf/framework/endpoints"
)

// The Service's ports and ruleset; the translation itself is exercised by
// the extended specs on the local target (e2e/paths_test.go).
func TestServicePorts(t *testing.T) {
	for _, tc := range []struct {
		req  endpoints.Request
		want string
	}{
		{endpoints.Request{ControlPort: 12865, DataPortBase: 12866, DataPorts: 1}, "12865, 12866"},
		{endpoints.Request{ControlPort: 12865, DataPortBase: 12866, DataPorts: 32}, "12865, 12866-12897"},
	} {
		if got, err := servicePorts(tc.req); err != nil || got != tc.want {
			t.Errorf("servicePorts(%+v) = %q, %v; want %q", tc.req, got, err, tc.want)
		}
	}
	for _, bad := range []endpoints.Request{{ControlPort: 12865, DataPortBase: 12866}, {DataPortBase: 12866, DataPorts: 1}, {ControlPort: 1, DataPortBase: 65535, DataPorts: 2}} {
		if _, err := servicePorts(bad); err == nil || !strings.Contains(err.Error(), "a Service needs a control port and data ports") {
			t.Errorf("servicePorts(%+v) = %v, want an error", bad, err)
		}
	}
	rs := serviceRuleset("12865, 12866")
	for _, want := range []string{"table ip " + serviceTable, "type nat hook prerouting priority dstnat",
		"ip daddr " + serviceIP + " meta l4proto { tcp, udp } th dport { 12865, 12866 } dnat to " + podB.addr} {
		if !strings.Contains(rs, want) {
			t.Errorf("ruleset lacks %q:\n%s", want, rs)
		}
	}
	for _, a := range []string{serviceIP, podA2.addr} {
		if !strings.HasPrefix(a, "198.18.") && !strings.HasPrefix(a, "198.19.") {
			t.Errorf("%s is outside 198.18.0.0/15", a)
		}
	}
	for _, l := range ipv6Links {
		if !strings.HasPrefix(l.addr, "2001:2:0:") {
			t.Errorf("%s is outside 2001:2::/48", l.addr)
		}
	}
}
