package e2e

import (
	"context"
	"fmt"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"k8s.io/kubernetes/test/e2e/framework"
	admissionapi "k8s.io/pod-security-admission/api"

	"podperf/framework/endpoints"
	"podperf/framework/measure"
	"podperf/framework/report"
	"podperf/framework/results"
	"podperf/framework/scenario"
)

// The four tests of the cross-node pod benchmark, one spec each. They run
// serially: concurrent measurements would share the wire and the CPUs.
var _ = ginkgo.Describe("Cross-node pod network", ginkgo.Serial, func() {
	bindEachSpec()
	ginkgo.DescribeTable("netperf benchmark", measureAndJudge, entries(cfg.Benchmark()))
})

// entries are the table entries of scenarios: one spec each, with its labels.
func entries(scs []scenario.Scenario) []ginkgo.TableEntry {
	var out []ginkgo.TableEntry
	for _, sc := range scs {
		out = append(out, ginkgo.Entry(sc.Title, ginkgo.Label(sc.Labels...), sc))
	}
	return out
}

// bindEachSpec gives each spec of the container, on the Kubernetes target,
// a framework of its own: a fresh namespace at the restricted Pod Security
// level for the pod-network pods (and the target's privileged one for the
// hostNetwork reference), deleted after the spec.
func bindEachSpec() {
	if cfg.Target != "kubernetes" {
		return
	}
	f := framework.NewDefaultFramework("podperf")
	f.NamespacePodSecurityLevel = admissionapi.LevelRestricted
	ginkgo.BeforeEach(func(ctx context.Context) {
		framework.ExpectNoError(kubeTarget.Bind(ctx, f))
	})
}

// measureAndJudge is one spec: place the pods, set up the node-to-node
// reference, measure both paths, judge the pod path against the baseline.
func measureAndJudge(ctx context.Context, sc scenario.Scenario) {
	startTest(sc.Title)
	plan := cfg.Plan(sc, func(msg string) { ginkgo.By(msg) }, framework.Logf)
	res := sc.NewResult()
	// Whatever happens below, what was measured is attached for results.json.
	ginkgo.DeferCleanup(func() { ginkgo.AddReportEntry(resultEntry, res, ginkgo.ReportEntryVisibilityNever) })
	warnAboutCluster(res)

	pod := setUp(ctx, plan, endpoints.PodPath, res)
	node := setUp(ctx, plan, endpoints.NodePath, res)
	err := measure.Measure(ctx, []endpoints.Pair{node, pod}, plan, res)
	checkTransport(res)
	measured(err, res)
	judge(res)
}

// warnAboutCluster repeats the run's warnings (a datapath the baseline does
// not describe) in the spec's log, report and results.
func warnAboutCluster(res *results.Test) {
	for _, w := range suiteWarnings {
		framework.Logf("WARNING: %s", w)
		ginkgo.AddReportEntry("WARNING", w)
		res.Warnings = append(res.Warnings, w)
	}
}

// setUp makes the pair of one path, to be closed when the spec ends.
func setUp(ctx context.Context, plan measure.Plan, p endpoints.Path, res *results.Test) endpoints.Pair {
	pair, err := plan.Setup(ctx, tgt, p, res)
	if err != nil {
		attachDiagnostics(ctx)
		failTest(res, err)
	}
	ginkgo.DeferCleanup(pair.Close)
	return pair
}

// measured ends the spec when the measurement failed, and otherwise attaches
// the figures and warnings to the spec's report. Should the spec fail from
// here on, the pods' logs and events are attached too.
func measured(err error, res *results.Test) {
	// Registered after the pairs' Close, so it runs before them (last in, first out).
	ginkgo.DeferCleanup(func(ctx context.Context) {
		if ginkgo.CurrentSpecReport().Failed() {
			attachDiagnostics(ctx)
		}
	})
	if err != nil {
		failTest(res, fmt.Errorf("measure: %w", err))
	}
	ginkgo.AddReportEntry("figures", report.Figures(res))
	for _, w := range res.Warnings {
		ginkgo.AddReportEntry("WARNING", w)
	}
}

// judge logs every verdict and fails the spec on what --inconclusive says fails it.
func judge(res *results.Test) {
	for _, v := range res.Verdicts {
		framework.Logf("%s", v.Message)
	}
	d := cfg.Policy.Decide(res.Verdicts)
	if len(d.Warnings) > 0 {
		msg := strings.Join(d.Warnings, "\n")
		framework.Logf("WARNING (--inconclusive=warn): %s", msg)
		ginkgo.AddReportEntry("WARNING: inconclusive", msg)
	}
	if len(d.Failures) > 0 {
		framework.Fail(strings.Join(d.Failures, "\n"))
	}
}

// failTest records err as the test's error and fails the spec with it, on one line.
func failTest(res *results.Test, err error) {
	res.Error = oneLine(err)
	framework.Failf("%s", res.Error)
}

// oneLine flattens an error for a failure message: the one place errors are
// folded, so everything below keeps its cause.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// attachDiagnostics adds the test pods' logs and events to the spec's report.
func attachDiagnostics(ctx context.Context) {
	if kubeTarget != nil {
		ginkgo.AddReportEntry("pod logs and events", kubeTarget.Diagnostics(ctx))
	}
}
