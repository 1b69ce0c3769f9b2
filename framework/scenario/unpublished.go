package scenario

import (
	"maps"
	"strings"

	"podperf/framework/baseline"
	"podperf/framework/results"
)

// UnpublishedNote ends the verdict of a test no profile has figures for.
const UnpublishedNote = "no published figure: judged against this run's node-to-node reference"

// Reference is the profile that judges sc: prof itself when it has figures
// for sc (a recorded baseline), else a copy of prof that has sc as a pod/node
// ratio of 1 on every metric, to be judged in relative mode against the
// node-to-node reference measured in the same run; unpublished says which.
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
	cp.Tests[sc.ID] = baseline.TestFigures{Unit: results.UnitOf(results.Rate, sc.Test.IsRR()), Pod: one, Node: one}
	return &cp, true
}

// NoteUnpublished makes the verdicts of a test judged against a Reference
// without figures say so: the expected ratio of 1 is the node-to-node
// reference of this run, not a published figure.
func NoteUnpublished(t *results.Test) {
	for i, v := range t.Verdicts {
		if strings.Contains(v.Message, UnpublishedNote) {
			continue
		}
		msg := strings.Replace(v.Message, "(published ", "(node-to-node ", 1)
		t.Verdicts[i].Message = msg + "; " + UnpublishedNote
	}
}
