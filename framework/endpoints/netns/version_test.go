package netns

import (
	"context"
	"os/exec"
	"testing"
)

// TestCheckNetperf: the installed netperf passes. An old or foreign one is
// the fault test "netperf of another version" (faults/), through the suite.
func TestCheckNetperf(t *testing.T) {
	if _, err := exec.LookPath("netperf"); err != nil {
		t.Skip("netperf is not installed")
	}
	if err := checkNetperf(context.Background()); err != nil {
		t.Fatal(err)
	}
}
