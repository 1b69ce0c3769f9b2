package e2e

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"k8s.io/kubernetes/test/e2e/framework"

	"podperf/framework/endpoints"
	"podperf/framework/measure"
	"podperf/framework/results"
	"podperf/framework/scenario"
	"podperf/framework/stats"
)

// extendedTests are the tests measured over each extended path: the single
// stream and the single connection, cheap enough to run on every path.
var extendedTests = []string{"tcp_stream_1", "tcp_rr_1"}

// The extended paths (docs/paths.md): each test over a pod-to-Service,
// same-node and IPv6 path, set beside the node-to-node reference measured in
// the same spec; and one test over several node pairs. Labelled extended,
// they run only when a --label-filter selects them.
var _ = ginkgo.Describe("Extended paths", ginkgo.Serial, ginkgo.Label("extended"), func() {
	bindEachSpec()
	var entries []ginkgo.TableEntry
	for _, path := range endpoints.ExtendedPaths {
		for _, sc := range scenario.Benchmark {
			if !slices.Contains(extendedTests, sc.ID) {
				continue
			}
			labels := append([]string{string(path)}, sc.Labels...)
			entries = append(entries, ginkgo.Entry(sc.Title+", "+path.Title(), ginkgo.Label(labels...), path, sc))
		}
	}
	ginkgo.DescribeTable("netperf over an extended path", measurePath, entries)

	single := scenario.Benchmark[slices.IndexFunc(scenario.Benchmark, func(s scenario.Scenario) bool { return s.ID == "tcp_stream_1" })]
	ginkgo.It(single.Title+" on each of --node-pairs node pairs", ginkgo.Label(append([]string{"node-pairs"}, single.Labels...)...), func(ctx context.Context) {
		measureNodePairs(ctx, single)
	})
})

// pathScenario is sc over path: its own id and title, sc's figures otherwise.
func pathScenario(sc scenario.Scenario, path endpoints.Path) scenario.Scenario {
	sc.ID = strings.ReplaceAll(string(path), "-", "_") + "_" + sc.ID
	sc.Title += ", " + path.Title()
	return sc
}

// measurePath is one extended spec: set up the path and the node-to-node
// reference, measure both until decided, judge the path's ratio to the
// reference as the four are judged. No profile publishes figures for an
// extended path: unless a recorded baseline or --reference has the test, it
// is judged against the reference itself (a ratio of 1) and says so.
func measurePath(ctx context.Context, path endpoints.Path, base scenario.Scenario) {
	sc := pathScenario(base, path)
	startTest(sc.Title)
	plan := cfg.ExtendedPlan(sc, func(msg string) { ginkgo.By(msg) }, framework.Logf)
	res := sc.NewResult()
	res.Path = path
	skipped := false
	ginkgo.DeferCleanup(func() {
		if !skipped {
			ginkgo.AddReportEntry(resultEntry, res, ginkgo.ReportEntryVisibilityNever)
		}
	})
	warnAboutCluster(res)

	pair, err := plan.Setup(ctx, tgt, path, res)
	var skip *endpoints.ErrSkip
	if errors.As(err, &skip) {
		skipped = true
		ginkgo.Skip(skip.Reason)
	}
	if err != nil {
		attachDiagnostics(ctx)
		failTest(res, err)
	}
	ginkgo.DeferCleanup(pair.Close)
	node := setUp(ctx, plan, endpoints.NodePath, res)
	err = measure.Measure(ctx, []endpoints.Pair{node, pair}, plan, res)
	measured(err, res)
	judge(res)
}

// measureNodePairs measures sc on each of --node-pairs node pairs, judges
// each pair as the benchmark's specs are judged, and flags the pair whose
// pod/node ratio stands out from the others.
func measureNodePairs(ctx context.Context, sc scenario.Scenario) {
	k := cfg.Paths().NodePairs
	if k < stats.MinOutlierValues {
		ginkgo.Skip(fmt.Sprintf("--node-pairs=%d: an outlier pair needs at least %d pairs to stand out from; give --node-pairs=%d or more", k, stats.MinOutlierValues, stats.MinOutlierValues))
	}
	pairer, ok := tgt.(endpoints.NodePairer)
	if !ok {
		ginkgo.Skip(fmt.Sprintf("the %s target measures one node pair", tgt.Name()))
	}
	names, err := pairer.NodePairs(ctx, k)
	var skip *endpoints.ErrSkip
	if errors.As(err, &skip) {
		ginkgo.Skip(skip.Reason)
	}
	framework.ExpectNoError(err)
	title := fmt.Sprintf("%s on %d node pairs", sc.Title, len(names))
	startTest(title)
	res := &results.Test{ID: "node_pairs_" + sc.ID, Title: title, Netperf: sc.Test, Streams: sc.Streams, CPUs: sc.CPUs,
		Paths: map[endpoints.Path]*results.Path{}, NodePairs: &results.NodePairs{Metric: results.Rate}}
	ginkgo.DeferCleanup(func() { ginkgo.AddReportEntry(resultEntry, res, ginkgo.ReportEntryVisibilityNever) })
	warnAboutCluster(res)
	for i, nodes := range names {
		ginkgo.By(fmt.Sprintf("node pair %d of %d: client %s, server %s", i+1, len(names), nodes[0], nodes[1]))
		np := measurePair(ctx, sc, i)
		np.Index, np.ClientNode, np.ServerNode = i+1, nodes[0], nodes[1]
		if np.Error != "" {
			framework.Logf("node pair %d: %s", i+1, np.Error)
		} else {
			framework.Logf("node pair %d (client %s, server %s): pod/node rate ratio %.3f", i+1, nodes[0], nodes[1], np.Ratios[results.Rate].Median)
		}
		res.NodePairs.Pairs = append(res.NodePairs.Pairs, np)
	}
	warnings, err := res.NodePairs.Flag(0)
	if err != nil {
		failTest(res, err)
	}
	o := res.NodePairs.Outliers
	framework.Logf("node pairs: median pod/node rate ratio %.3f, MAD %.3g, robust z %s (limit %.3g)", o.Median, o.MAD, fmtZ(o.Z), o.Limit)
	for _, w := range warnings {
		framework.Logf("WARNING: %s", w)
		ginkgo.AddReportEntry("WARNING", w)
		res.Warnings = append(res.Warnings, w)
	}
	if len(warnings) == 0 {
		framework.Logf("no node pair stands out")
	}
}

// measurePair measures sc on node pair i and closes its pods before the
// next pair starts.
func measurePair(ctx context.Context, sc scenario.Scenario, i int) results.NodePair {
	plan := cfg.Plan(sc, func(msg string) { ginkgo.By(msg) }, framework.Logf)
	res := sc.NewResult()
	var pairs []endpoints.Pair
	defer func() {
		for _, p := range pairs {
			if err := p.Close(ctx); err != nil {
				framework.Logf("node pair %d: %v", i+1, err)
			}
		}
	}()
	np := results.NodePair{}
	for _, path := range []endpoints.Path{endpoints.NodePath, endpoints.PodPath} {
		req := sc.Request(path, plan.Settings)
		req.NodePair = i
		p, err := tgt.Setup(ctx, req)
		if err != nil {
			np.Error = oneLine(fmt.Errorf("set up the %s path: %w", path.Title(), err))
			return np
		}
		pairs = append(pairs, p)
	}
	err := measure.Measure(ctx, pairs, plan, res)
	np.Paths, np.Ratios, np.Verdicts = res.Paths, res.Ratios, res.Verdicts
	if err != nil {
		np.Error = oneLine(err)
	}
	return np
}

func fmtZ(z []float64) string {
	s := make([]string, len(z))
	for i, v := range z {
		s[i] = fmt.Sprintf("%.2f", v)
	}
	return strings.Join(s, " ")
}
