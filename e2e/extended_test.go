package e2e

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	"k8s.io/kubernetes/test/e2e/framework"

	"podperf/framework/config"
	"podperf/framework/endpoints"
	"podperf/framework/measure"
	"podperf/framework/results"
	"podperf/framework/scenario"
)

// The extended tests (docs/extended.md): TCP_CRR, UDP_STREAM and UDP_RR and,
// with --message-sizes, the message-size sweep. Labelled extended, they run
// only when --label-filter names that label (applyExtendedFilter).
var _ = ginkgo.Describe("Extended tests", ginkgo.Serial, ginkgo.Label(scenario.ExtendedLabel), func() {
	bindEachSpec()
	ginkgo.DescribeTable("netperf extended test", measureExtended, entries(cfg.ExtendedScenarios()))
})

// applyExtendedFilter makes the run's label filter leave the extended specs
// out unless it names their label: a plain run, and the filters written for
// the four (rr, multi, ...), run the four alone. A filter that selects
// extended specs alone (--label-filter=TCP_CRR) is taken as it is: it can
// mean nothing else.
func applyExtendedFilter(specs [][]string) {
	given := ginkgo.GinkgoLabelFilter()
	f := config.ExtendedLabelFilter(given)
	if f != given && selectsOnlyExtended(given, specs) {
		f = given
	}
	if err := flag.Set("ginkgo.label-filter", f); err != nil {
		fmt.Fprintln(os.Stderr, "podperf: --label-filter:", err)
		os.Exit(2)
	}
}

// measureExtended is one extended spec: both paths measured as in the four,
// judged against the node-to-node reference when no baseline has figures.
func measureExtended(ctx context.Context, sc scenario.Scenario) {
	if err := sc.Spec(cfg.Settings()).Validate(); err != nil {
		ginkgo.Skip(oneLine(err)) // a size UDP cannot send, in a sweep
	}
	startTest(sc.Title)
	plan := cfg.ExtendedPlan(sc, func(msg string) { ginkgo.By(msg) }, framework.Logf)
	res := sc.NewResult()
	ginkgo.DeferCleanup(func() { ginkgo.AddReportEntry(resultEntry, res, ginkgo.ReportEntryVisibilityNever) })
	warnAboutCluster(res)

	pod := setUp(ctx, plan, endpoints.PodPath, res)
	node := setUp(ctx, plan, endpoints.NodePath, res)
	err := measure.Measure(ctx, []endpoints.Pair{node, pod}, plan, res)
	checkTransport(res)
	measured(err, res)
	judge(res)
}

// checkTransport sums each path's retransmits and loss, and warns when the
// compared path's retransmits jump against the node path's, whatever the
// verdict on its rate.
func checkTransport(res *results.Test) {
	if err := res.SummarizeTransport(); err != nil {
		framework.Logf("transport figures: %s", oneLine(err))
	}
	for _, p := range []endpoints.Path{endpoints.NodePath, res.Compared()} {
		path := res.Paths[p]
		if path == nil {
			continue
		}
		if r := path.Retransmits; r != nil {
			framework.Logf("%s path: %d TCP retransmits over %d samples, %.3g per %s (%s)", p, r.Total, r.Samples, r.PerWork, r.WorkUnit, r.Source)
		}
		if l, ok := path.Stats[results.Loss]; ok {
			framework.Logf("%s path: UDP loss %.2f%% (median of %d samples)", p, l.Median*100, l.N)
		}
	}
	if w := res.RetransmitJump(cfg.Extended().RetransmitJump); w != "" {
		framework.Logf("WARNING: %s", w)
		res.Warnings = append(res.Warnings, w)
	}
}

// selectsOnlyExtended says whether filter selects some of specs (their
// labels) and every one it selects is an extended one.
func selectsOnlyExtended(filter string, specs [][]string) bool {
	if strings.TrimSpace(filter) == "" {
		return false
	}
	match, err := types.ParseLabelFilter(filter)
	if err != nil {
		return false // checkLabelFilter says what is wrong with it
	}
	extended := 0
	for _, labels := range specs {
		if !match(labels) {
			continue
		}
		if !slices.Contains(labels, scenario.ExtendedLabel) {
			return false
		}
		extended++
	}
	return extended > 0
}
