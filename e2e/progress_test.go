package e2e

import (
	"fmt"
	"time"

	"github.com/onsi/ginkgo/v2"
)

// runProgress says which test of how many is starting and, once one has
// finished, about how long the run has left.
var runProgress struct {
	total, started int
	finished       time.Duration // summed wall time of finished specs
}

var _ = ginkgo.ReportBeforeSuite(func(r ginkgo.Report) {
	runProgress.total = r.PreRunStats.SpecsThatWillRun
})

// startTest narrates the start of a spec and times it.
func startTest(title string) {
	runProgress.started++
	msg := fmt.Sprintf("test %d of %d: %s", runProgress.started, runProgress.total, title)
	if done := runProgress.started - 1; done > 0 {
		left := time.Duration(runProgress.total-done) * (runProgress.finished / time.Duration(done))
		msg += fmt.Sprintf(" (about %s left in the run, from the tests so far)", left.Round(time.Second))
	}
	ginkgo.By(msg)
	start := time.Now()
	ginkgo.DeferCleanup(func() { runProgress.finished += time.Since(start) })
}
