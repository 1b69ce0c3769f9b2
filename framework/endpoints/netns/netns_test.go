package netns

// Only the pure helpers are tested here; building the namespaces, netserver
// and the pairs is exercised by the e2e suite on the local target.

import (
	"slices"
	"strings"
	"testing"

	"podperf/framework/endpoints"
)

func TestCPUSets(t *testing.T) {
	tests := []struct {
		name           string
		want, have     int
		client, server string
		granted        int
		cpuSet         string
		notes          []string
	}{
		{"not limited", 0, 8, "", "", 8, "", nil},
		{"negative means not limited", -1, 4, "", "", 4, "", nil},
		{"one CPU each, apart", 1, 8, "0", "1", 1, "client 0, server 1", nil},
		{"four CPUs each, apart", 4, 8, "0-3", "4-7", 4, "client 0-3, server 4-7", nil},
		{"exactly enough to keep apart", 16, 32, "0-15", "16-31", 16, "client 0-15, server 16-31", nil},
		{"too few to keep apart", 3, 4, "0-2", "0-2", 3, "client 0-2, server 0-2",
			[]string{"client and server share CPUs 0-2: the machine has too few to keep them apart"}},
		{"one CPU on a one-CPU machine", 1, 1, "0", "0", 1, "client 0, server 0",
			[]string{"client and server share CPUs 0: the machine has too few to keep them apart"}},
		{"scaled down to the machine", 32, 2, "0-1", "0-1", 2, "client 0-1, server 0-1",
			[]string{"32 CPUs requested, 2 granted: this machine has 2", "client and server share CPUs 0-1: the machine has too few to keep them apart"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info := endpoints.PairInfo{Notes: []string{"earlier note"}}
			c, s := cpuSets(tc.want, tc.have, &info)
			if c != tc.client || s != tc.server {
				t.Errorf("cpuSets(%d, %d) = %q, %q, want %q, %q", tc.want, tc.have, c, s, tc.client, tc.server)
			}
			if info.CPUsGranted != tc.granted || info.CPUSet != tc.cpuSet {
				t.Errorf("granted %d cpuSet %q, want %d %q", info.CPUsGranted, info.CPUSet, tc.granted, tc.cpuSet)
			}
			if want := append([]string{"earlier note"}, tc.notes...); !slices.Equal(info.Notes, want) {
				t.Errorf("notes = %q, want %q", info.Notes, want)
			}
		})
	}
}

func TestParseShapes(t *testing.T) {
	got, err := ParseShapes("pod:rate=2gbit; wire:rate=1gbit,delay=1ms;pod:filters=150")
	if err != nil {
		t.Fatal(err)
	}
	want := []Shape{{Where: "pod", Rate: "2gbit"}, {Where: "wire", Rate: "1gbit", Delay: "1ms"}, {Where: "pod", Filters: 150}}
	if !slices.Equal(got, want) {
		t.Errorf("ParseShapes = %+v, want %+v", got, want)
	}
	if s := want[2].String(); s != "pod: 150 egress filters" {
		t.Errorf("String = %q", s)
	}
	for in, msg := range map[string]string{
		"node:rate=1gbit":  "start with pod: or wire:",
		"pod:rate=":        `"rate=" is not rate=<tc rate>, delay=<tc time>, filters=<count> or node=<node-a..>`,
		"pod:filters=0":    `filters="0": use a count from 1 to 100000`,
		"pod:filters=many": `filters="many"`,
		"pod:burst=1mb":    `"burst=1mb" is not`,
	} {
		if _, err := ParseShapes(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseShapes(%q) = %v, want an error with %q", in, err, msg)
		}
	}
}
