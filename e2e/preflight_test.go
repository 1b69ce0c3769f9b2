package e2e

import (
	"context"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"k8s.io/kubernetes/test/e2e/framework"

	"podperf/framework/endpoints"
	"podperf/framework/endpoints/kube"
	"podperf/framework/preflight"
)

var (
	// preflightChecks are the preflight's checks (docs/preflight.md), made in
	// BeforeSuite and written to results.json and the JUnit properties.
	preflightChecks []preflight.Check
	// preflightEnv is the cluster's facts when --preflight-only builds no
	// Kubernetes target.
	preflightEnv *endpoints.Environment
)

// runPreflight makes the checks of src and logs each on one line.
func runPreflight(ctx context.Context, src preflight.Source) {
	ginkgo.By("preflight: checking what would skew the results")
	want := 0
	for _, sc := range cfg.Benchmark() {
		want = max(want, sc.CPUs)
	}
	preflightChecks = preflight.Run(ctx, src, preflight.Options{CPUs: want})
	for _, c := range preflightChecks {
		line := c.String()
		if c.Status == preflight.Warn || c.Status == preflight.Fail {
			line = "WARNING: " + line
		}
		framework.Logf("%s", line)
	}
}

// endPreflightOnly ends BeforeSuite under --preflight-only: the checks are
// recorded and every spec skips (a skip in BeforeSuite skips the suite, and
// the run passes), unless a check failed, which fails the run.
func endPreflightOnly() {
	if failed := preflight.Failed(preflightChecks); len(failed) > 0 {
		framework.Failf("preflight: %s failed (--preflight-only: no test ran; see the checks in results.json)", strings.Join(failed, ", "))
	}
	ginkgo.Skip(preflightOnlySkip)
}

// preflightOnlySkip is why every spec skipped under --preflight-only.
const preflightOnlySkip = "--preflight-only: the preflight checks ran, the tests do not"

// recordedPreflight is the checks for results.json: on Kubernetes, the MTU
// check is judged from the first spec's pods when one recorded them.
func recordedPreflight(env endpoints.Environment) []preflight.Check {
	if c, ok := kube.PathMTUCheck(env); ok && preflightChecks != nil {
		return preflight.Replace(preflightChecks, c)
	}
	return preflightChecks
}
