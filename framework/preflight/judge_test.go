package preflight

import (
	"strings"
	"testing"
)

func TestJudge(t *testing.T) {
	for _, tc := range []struct {
		name   string
		got    Check
		status Status
		// observed is a part of Observed.
		observed string
	}{
		{"two nodes", JudgeNodes(NodeFacts{Usable: 3, Client: "a", Server: "b", Detail: "picked"}), OK, "3 usable; client a, server b (picked)"},
		{"one node", JudgeNodes(NodeFacts{Usable: 1, Detail: "the cluster has 1"}), Fail, "1 usable: the cluster has 1"},
		{"named node not found", JudgeNodes(NodeFacts{Usable: 3, Detail: "no such node"}), Fail, "no such node"},
		{"32 CPUs granted", JudgeCPU(CPUFacts{Want: 32, GrantedMilli: 32000}), OK, "32 CPUs requested per pod, 32 granted"},
		{"fewer CPUs", JudgeCPU(CPUFacts{Want: 32, GrantedMilli: 1800, Detail: "n1 3600m free"}), Warn, "1800m granted: n1 3600m free"},
		{"no CPU", JudgeCPU(CPUFacts{Want: 32, Detail: "50m free"}), Fail, "none can be granted: 50m free"},
		{"one zone", JudgeZones(ZoneFacts{ClientNode: "a", ServerNode: "b", Client: "z1", Server: "z1"}), OK, "both in zone z1"},
		{"two zones", JudgeZones(ZoneFacts{ClientNode: "a", ServerNode: "b", Client: "z1", Server: "z2"}), Warn, "client a in zone z1, server b in zone z2"},
		{"one labelled", JudgeZones(ZoneFacts{ClientNode: "a", ServerNode: "b", Client: "z1"}), Warn, "zone (none)"},
		{"no zones", JudgeZones(ZoneFacts{ClientNode: "a", ServerNode: "b"}), Skip, "neither a nor b"},
		{"CNI", JudgeCNI(CNIFacts{Name: "cilium"}), OK, "cilium"},
		{"no CNI", JudgeCNI(CNIFacts{Detail: "unknown (no known CNI DaemonSet in kube-system)"}), Warn, "not detected: unknown"},
		{"image everywhere", JudgeImage(ImageFacts{Image: "i:v1", Present: []string{"a", "b"}}), OK, "i:v1 present on a and b"},
		{"image missing", JudgeImage(ImageFacts{Image: "i:v1", Present: []string{"a"}, Missing: []string{"b"}}), Warn, "not among the images b reports"},
		{"image list cut", JudgeImage(ImageFacts{Image: "i:v1", Missing: []string{"a", "b"}, Truncated: []string{"b"}}), Warn, "b lists the most images"},
		{"same MTU", JudgeMTU(MTUFacts{Pod: map[string]int{"p eth0": 1500}, Node: map[string]int{"n wire0": 1500, "m wire0": 1500}}), OK, "pod 1500 (p eth0); node 1500 (m wire0, n wire0)"},
		{"tunnel MTU", JudgeMTU(MTUFacts{Pod: map[string]int{"p eth0": 1450}, Node: map[string]int{"n eth0": 1500}}), Warn, "pod 1450 (p eth0); node 1500 (n eth0)"},
		{"MTU unread", JudgeMTU(MTUFacts{Pod: map[string]int{"p eth0": 1450}}), Skip, "could not be read"},
		{"performance", JudgeGovernors(GovernorFacts{Where: "m", CPUs: map[string]int{"performance": 4}}), OK, "m: performance on 4 of 4 CPUs"},
		{"powersave", JudgeGovernors(GovernorFacts{Where: "m", CPUs: map[string]int{"performance": 3, "powersave": 1}}), Warn, "performance on 3 of 4 CPUs, powersave on 1 of 4 CPUs"},
		{"no governor", JudgeGovernors(GovernorFacts{Where: "m"}), Skip, "no CPU reports"},
		{"no irqbalance", JudgeIRQBalance(IRQBalanceFacts{Where: "m"}), OK, "m: not running"},
		{"irqbalance", JudgeIRQBalance(IRQBalanceFacts{Where: "m", PIDs: []int{7, 9}}), Warn, "m: running (pid 7, 9)"},
		{"offloads on", JudgeOffloads([]InterfaceOffloads{{Where: "a eth0", Veth: true, Features: map[string]string{"tcp-segmentation-offload": "on", "generic-receive-offload": "off"}}}), OK, "on for a eth0"},
		{"GRO off on a NIC", JudgeOffloads([]InterfaceOffloads{{Where: "a eth0", Features: map[string]string{"tcp-segmentation-offload": "on", "generic-receive-offload": "off"}}}), Warn, "a eth0: generic-receive-offload off"},
		{"TSO fixed off", JudgeOffloads([]InterfaceOffloads{{Where: "a eth0", Veth: true, Features: map[string]string{"tcp-segmentation-offload": "off [fixed]"}}}), Warn, "tcp-segmentation-offload off [fixed]"},
		{"no interfaces", JudgeOffloads(nil), Skip, "no interface"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got.Status != tc.status || !strings.Contains(tc.got.Observed, tc.observed) {
				t.Errorf("got %s %q, want %s with %q", tc.got.Status, tc.got.Observed, tc.status, tc.observed)
			}
			warned := tc.status == Warn || tc.status == Fail
			if warned != (tc.got.Skews != "" && tc.got.Action != "") {
				t.Errorf("%s check: skews %q, action %q: want both exactly when it warns or fails", tc.got.Status, tc.got.Skews, tc.got.Action)
			}
			if strings.Contains(tc.got.Observed+tc.got.Skews+tc.got.Action, "\n") {
				t.Errorf("check spans lines: %+v", tc.got)
			}
		})
	}
}

func TestCPUSkewsNamesTheTest(t *testing.T) {
	c := JudgeCPU(CPUFacts{Want: 8, GrantedMilli: 2000})
	if !strings.Contains(c.Skews, "the 8-CPU test") || !strings.Contains(c.Action, "16 free allocatable CPUs (two 8-CPU pods") {
		t.Errorf("skews %q, action %q", c.Skews, c.Action)
	}
}
