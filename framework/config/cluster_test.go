package config_test

import (
	"strings"
	"testing"

	"podperf/framework/endpoints"
	"podperf/framework/results"
)

func TestFollowCluster(t *testing.T) {
	cilium := func(hostRouting string) *endpoints.Datapath {
		return &endpoints.Datapath{CNI: "cilium", HostRouting: hostRouting, Routing: "Native"}
	}
	for _, tc := range []struct {
		name       string
		args       []string
		dp         *endpoints.Datapath
		unreadable string
		baseline   string // after
		note       string // substring; "" for none
		warning    string // substring; "" for none
	}{
		{"eBPF host routing keeps the Kubernetes default", []string{"--target=kubernetes"}, cilium("BPF"), "",
			"cilium-ebpf-host-routing", "", ""},
		{"legacy host routing chooses the legacy profile", []string{"--target=kubernetes"}, cilium("Legacy"), "",
			"cilium-legacy-host-routing", "the cilium agents report host routing Legacy (no --baseline given)", ""},
		{"an explicit baseline stays, and a fallback is named", []string{"--target=kubernetes", "--baseline=cilium-ebpf-host-routing"}, cilium("Legacy"), "",
			"cilium-ebpf-host-routing", "", "report host routing Legacy, but baseline cilium-ebpf-host-routing describes cilium with BPF host routing"},
		{"an explicit legacy baseline on eBPF routing is named too", []string{"--target=kubernetes", "--baseline=cilium-legacy-host-routing"}, cilium("BPF"), "",
			"cilium-legacy-host-routing", "", "report host routing BPF, but baseline cilium-legacy-host-routing"},
		{"agents that disagree choose nothing and are named", []string{"--target=kubernetes"}, cilium("BPF on a, Legacy on b"), "",
			"cilium-ebpf-host-routing", "", "report host routing BPF on a, Legacy on b"},
		{"another CNI's baseline is not Cilium's business", []string{"--target=kubernetes", "--baseline=calico"}, cilium("Legacy"), "",
			"calico", "", ""},
		{"no datapath, nothing to say", []string{"--target=kubernetes"}, nil, "",
			"cilium-ebpf-host-routing", "", ""},
		{"an unreadable datapath is named", []string{"--target=kubernetes"}, nil, "exec refused",
			"cilium-ebpf-host-routing", "", "could not be read (exec refused)"},
		{"the local target's default follows too", []string{"--target=local"}, cilium("BPF"), "",
			"cilium-ebpf-host-routing", "cilium agents report host routing BPF", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := parse(t, tc.args...)
			if err := c.Resolve(); err != nil {
				t.Fatal(err)
			}
			notes, warning, err := c.FollowCluster(endpoints.Environment{Datapath: tc.dp, Details: map[string]string{"datapathError": tc.unreadable}})
			if err != nil {
				t.Fatal(err)
			}
			note := strings.Join(notes, "; ")
			if c.Profile.Name != tc.baseline || c.Baseline != tc.baseline {
				t.Errorf("baseline %s (profile %s), want %s", c.Baseline, c.Profile.Name, tc.baseline)
			}
			if (tc.note == "") != (note == "") || !strings.Contains(note, tc.note) {
				t.Errorf("note %q, want %q", note, tc.note)
			}
			if (tc.warning == "") != (warning == "") || !strings.Contains(warning, tc.warning) {
				t.Errorf("warning %q, want %q", warning, tc.warning)
			}
		})
	}
}

func TestFollowClusterKindTolerances(t *testing.T) {
	kind := map[string]string{"clientNodeProviderID": "kind://docker/podperf/podperf-worker", "serverNodeProviderID": "kind://docker/podperf/podperf-worker2"}
	for _, tc := range []struct {
		name    string
		args    []string
		details map[string]string
		want    string
		rate    float64
	}{
		{"kind nodes get the kind tolerances", []string{"--target=kubernetes"}, kind, "kind", 0.25},
		{"an explicit file stays", []string{"--target=kubernetes", "--tolerances=default"}, kind, "default", 0.10},
		{"other nodes keep the default", []string{"--target=kubernetes"}, map[string]string{"clientNodeProviderID": "aws:///eu-west-1a/i-1", "serverNodeProviderID": "kind://x"}, "default", 0.10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := parse(t, tc.args...)
			if err := c.Resolve(); err != nil {
				t.Fatal(err)
			}
			notes, _, err := c.FollowCluster(endpoints.Environment{Details: tc.details})
			if err != nil {
				t.Fatal(err)
			}
			if c.Tolerances != tc.want || c.Tol.For("tcp_stream_1", results.Rate) != tc.rate {
				t.Errorf("tolerances %s (rate %v), want %s (%v); notes %q", c.Tolerances, c.Tol.For("tcp_stream_1", results.Rate), tc.want, tc.rate, notes)
			}
			if (tc.want == "kind") != (len(notes) == 1) {
				t.Errorf("notes %q", notes)
			}
		})
	}
}
