package measure

import (
	"testing"
	"time"
)

func TestProgressEstimate(t *testing.T) {
	g := &progress{paths: 2, planned: 3, max: 5, nominal: 10 * time.Second}
	check := func(got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	// Before any sample: netperf's run time for each of the 6 planned samples.
	check(g.left(1, 0), "about 1m0s left in this test")
	check(g.of(1), "sample 1 of 3")
	g.record(20 * time.Second)
	g.record(20 * time.Second)
	// Sample 2 of 3 on the second path: that one and the 2 of round 3 remain.
	check(g.left(2, 1), "about 1m0s left in this test")
	// Extra samples: up to max, an upper bound, cut by the budget.
	check(g.of(4), "sample 4 of up to 5")
	check(g.left(4, 0), "at most 1m20s left in this test")
	g.budget = 30 * time.Second
	g.startExtra()
	check(g.left(4, 0), "at most 30s left in this test")
	check(short(4200*time.Millisecond), "4.2s")
	check(short(2*time.Hour+31*time.Minute), "2h31m0s")
}
