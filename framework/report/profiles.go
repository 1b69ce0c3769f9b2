package report

import (
	"slices"
	"strings"

	"podperf/framework/baseline"
)

// published is the order and the short name of the built-in profiles in the
// charts: the configurations of the published benchmark, in its order.
var published = []struct{ name, label string }{
	{"cilium-ebpf-host-routing", "Cilium eBPF host routing"},
	{"cilium-legacy-host-routing", "Cilium legacy host routing"},
	{"calico", "Calico"},
	{"calico-ebpf", "Calico eBPF"},
}

// Reference is a published configuration set beside the run.
type Reference struct {
	Label   string
	Profile *baseline.Profile
}

// BuiltinProfiles reads the baseline profiles of manifests/baselines in the
// published order (others after them, by name).
func BuiltinProfiles() ([]Reference, error) {
	names, err := baseline.BuiltinNames()
	if err != nil {
		return nil, err
	}
	var out []Reference
	for _, name := range names {
		p, err := baseline.Builtin(name)
		if err != nil {
			return nil, err
		}
		out = append(out, Reference{Label: profileLabel(name), Profile: p})
	}
	rank := func(r Reference) int {
		if i := slices.IndexFunc(published, func(p struct{ name, label string }) bool { return p.name == r.Profile.Name }); i >= 0 {
			return i
		}
		return len(published)
	}
	slices.SortStableFunc(out, func(a, b Reference) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		return strings.Compare(a.Profile.Name, b.Profile.Name)
	})
	return out, nil
}

func profileLabel(name string) string {
	for _, p := range published {
		if p.name == name {
			return p.label
		}
	}
	return name
}
