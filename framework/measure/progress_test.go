package measure_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"podperf/framework/endpoints"
	"podperf/framework/measure"
)

// The narration says which sample of how many is running, how long the
// test has left, and the figure so far.
func TestMeasureNarratesProgress(t *testing.T) {
	node, pod := pairs(t, 0.88, 0.92, 0.9, 0.88) // on the threshold: 2 samples, then extra ones up to 4
	p := plan(t, 2, 4)
	var steps, logs []string
	p.Step = func(s string) { steps = append(steps, s) }
	p.Logf = func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }
	res := p.Scenario.NewResult()
	if err := measure.Measure(context.Background(), []endpoints.Pair{node, pod}, p, res); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"sample 1 of 2 on the node-to-node reference path", "sample 1 of 2 on the pod-to-pod path",
		"sample 2 of 2 on the node-to-node reference path", "sample 2 of 2 on the pod-to-pod path",
		"sample 3 of up to 4 on the node-to-node reference path", "sample 3 of up to 4 on the pod-to-pod path",
		"sample 4 of up to 4 on the node-to-node reference path", "sample 4 of up to 4 on the pod-to-pod path",
	}
	if len(steps) != len(want) {
		t.Fatalf("%d steps, want %d:\n%s", len(steps), len(want), strings.Join(steps, "\n"))
	}
	eta := regexp.MustCompile(`\((about|at most) [0-9.hms]+ left in this test\)$`)
	for i, w := range want {
		if !strings.HasPrefix(steps[i], w) {
			t.Errorf("step %d = %q, want it to start %q", i+1, steps[i], w)
		}
		m := eta.FindStringSubmatch(steps[i])
		if m == nil {
			t.Errorf("step %q gives no time left", steps[i])
			continue
		}
		if extra := i >= 4; extra != (m[1] == "at most") {
			t.Errorf("step %q: %q, want \"at most\" only during extra samples", steps[i], m[1])
		}
	}
	all := strings.Join(logs, "\n")
	for _, w := range []string{"pod sample 2 of 2: ", "after sample 2 of 2: pod/node throughput 0.900 so far", "taking one more of each path, sample 3 of up to 4"} {
		if !strings.Contains(all, w) {
			t.Errorf("logs lack %q:\n%s", w, all)
		}
	}
}
