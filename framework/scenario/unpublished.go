package scenario

import (
	"maps"

	"podperf/framework/baseline"
	"podperf/framework/results"
)

// Reference is the profile that judges sc: prof itself when it has figures
// for sc (a recorded baseline), else a copy of prof that has sc as a pod/node
// ratio of 1 on every metric, to be judged in relative mode against the
// node-to-node reference measured in the same run (its verdicts say so);
// unpublished says which.
func Reference(prof *baseline.Profile, sc Scenario) (ref *baseline.Profile, unpublished bool) {
	if prof != nil {
		if _, ok := prof.Tests[sc.ID]; ok {
			return prof, false
		}
	}
	cp := baseline.Profile{Name: "node-to-node reference"}
	if prof != nil {
		cp = *prof
	}
	cp.Tests = maps.Clone(cp.Tests)
	if cp.Tests == nil {
		cp.Tests = map[string]baseline.TestFigures{}
	}
	one := baseline.Figures{Rate: 1, ClientSD: 1, ServerSD: 1}
	// CPUNormalisedTo 0: there is no published form to put the CPU in.
	cp.Tests[sc.ID] = baseline.TestFigures{Unit: results.UnitOf(results.Rate, sc.Test.IsRR()), Pod: one, Node: one, Unpublished: true}
	return &cp, true
}
