package report_test

import (
	"slices"
	"testing"

	"podperf/framework/endpoints"
	"podperf/framework/report"
)

func TestPropertiesAndDatapath(t *testing.T) {
	r := run(t)
	r.Verdict = "fail"
	r.Environment.Datapath = &endpoints.Datapath{CNI: "cilium", Version: "1.20.2", Routing: "Native", HostRouting: "Legacy",
		KubeProxyReplacement: "True", Masquerading: "BPF", Source: "cilium-dbg status -o json in the agents on a and b"}
	r.Environment.Details = map[string]string{"zeta": "last", "alpha": "first", "empty": ""}
	r.Warnings = []string{"the cilium agents report host routing Legacy"}
	got := map[string]string{}
	var names []string
	for _, p := range report.Properties(r) {
		got[p.Name] = p.Value
		names = append(names, p.Name)
	}
	for name, want := range map[string]string{
		"podperf.verdict": "fail", "podperf.target": "local", "podperf.baseline": "cilium-ebpf-host-routing",
		"podperf.datapath.hostRouting": "Legacy", "podperf.datapath.version": "1.20.2", "podperf.datapath.masquerading": "BPF",
		"podperf.environment.alpha": "first", "podperf.warning.1": "the cilium agents report host routing Legacy",
		"podperf.cpus": "8", "podperf.kernel": "6.1.0",
	} {
		if got[name] != want {
			t.Errorf("%s = %q, want %q", name, got[name], want)
		}
	}
	if _, ok := got["podperf.environment.empty"]; ok {
		t.Error("an empty detail became a property")
	}
	if a, z := slices.Index(names, "podperf.environment.alpha"), slices.Index(names, "podperf.environment.zeta"); a < 0 || a > z {
		t.Errorf("details not in name order: %v", names)
	}

	// A baseline recorded on that cluster names its datapath.
	p, err := report.Baseline(r, "recorded", ref(t))
	if err != nil {
		t.Fatal(err)
	}
	if p.Datapath == nil || p.Datapath.CNI != "cilium" || p.Datapath.HostRouting != "Legacy" {
		t.Errorf("recorded datapath %+v, want cilium with Legacy host routing", p.Datapath)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("the recorded profile does not validate: %v", err)
	}
	r.Environment.Datapath.HostRouting = "BPF on a, Legacy on b"
	if p, _ := report.Baseline(r, "recorded", ref(t)); p.Datapath != nil {
		t.Errorf("agents that disagree recorded as %+v", p.Datapath)
	}
}
