package e2e

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"k8s.io/kubernetes/test/e2e/framework"

	"podperf/framework/endpoints"
	"podperf/framework/measure"
	"podperf/framework/report"
	"podperf/framework/scenario"
)

// overheadLabel selects the harness-overhead measurement, which make bench
// runs on a target (docs/bench.md): --label-filter='extended &&
// harness-overhead'. Labelled extended, it stays out of a plain run; an
// extended run that does not name it skips it.
const overheadLabel = "harness-overhead"

var _ = ginkgo.Describe("Harness overhead", ginkgo.Serial, ginkgo.Label(scenario.ExtendedLabel, overheadLabel), func() {
	bindEachSpec()
	ginkgo.It("suite against plain netperf in the same pods", func(ctx context.Context) {
		if !strings.Contains(ginkgo.GinkgoLabelFilter(), overheadLabel) {
			ginkgo.Skip("the harness-overhead measurement runs only when --label-filter names " + overheadLabel)
		}
		sc := scenario.Benchmark[0]
		plan := cfg.Plan(sc, func(msg string) { ginkgo.By(msg) }, framework.Logf)
		res := sc.NewResult()
		pair := setUp(ctx, plan, endpoints.PodPath, res)
		// --samples pairs of one suite sample and one plain netperf run.
		ov, err := measure.MeasureOverhead(ctx, cfg.Target, pair, sc, cfg.Settings(), cfg.Samples, framework.Logf)
		framework.ExpectNoError(err)
		framework.Logf("%s", ov.Line())
		ginkgo.AddReportEntry("harness overhead", ov.Line())
		framework.ExpectNoError(report.WriteJSONFile(filepath.Join(framework.TestContext.ReportDir, "overhead.json"), ov))
	})
})
