package e2e

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"k8s.io/kubernetes/test/e2e/framework"
	admissionapi "k8s.io/pod-security-admission/api"

	"podperf/framework/endpoints"
	"podperf/framework/measure"
	"podperf/framework/results"
	"podperf/framework/scenario"
	"podperf/framework/verdict"
)

// The four tests of the cross-node pod benchmark, one spec each. They run
// serially: concurrent measurements would share the wire and the CPUs.
var _ = ginkgo.Describe("Cross-node pod network", ginkgo.Serial, func() {
	if cfg.Target == "kubernetes" {
		// One framework per spec: a fresh namespace at the restricted Pod
		// Security level for the pod-network pods, deleted after the spec.
		f := framework.NewDefaultFramework("podperf")
		f.NamespacePodSecurityLevel = admissionapi.LevelRestricted
		ginkgo.BeforeEach(func(ctx context.Context) {
			framework.ExpectNoError(kubeTarget.Bind(ctx, f))
		})
	}
	var entries []ginkgo.TableEntry
	for _, sc := range scenario.Benchmark {
		entries = append(entries, ginkgo.Entry(sc.Title, ginkgo.Label(sc.Labels...), sc))
	}
	ginkgo.DescribeTable("netperf benchmark", measureAndJudge, entries)
})

func measureAndJudge(ctx context.Context, sc scenario.Scenario) {
	s := scenario.Settings{Duration: cfg.Duration, Samples: cfg.Samples, ControlPort: cfg.ControlPort, DataPortBase: cfg.DataPortBase,
		Confidence: cfg.Confidence}
	res := sc.NewResult()
	// Whatever happens below, what was measured is attached for results.json.
	ginkgo.DeferCleanup(func() { ginkgo.AddReportEntry(resultEntry, res, ginkgo.ReportEntryVisibilityNever) })
	fail := func(err error, what string) {
		if err != nil {
			res.Error = what + ": " + err.Error()
			framework.Failf("%s: %v", what, err)
		}
	}

	pairs := make([]endpoints.Pair, 0, 2)
	for _, p := range []endpoints.Path{endpoints.NodePath, endpoints.PodPath} {
		ginkgo.By(fmt.Sprintf("setting up the %s path with netserver on the server side (%s)", p.Title(), cpuText(sc.CPUs)))
		pair, err := tgt.Setup(ctx, sc.Request(p, s))
		if err != nil {
			attachDiagnostics(ctx)
		}
		fail(err, "set up the "+p.Title()+" path")
		ginkgo.DeferCleanup(pair.Close)
		info := pair.Info()
		framework.Logf("%s path: client %s on %s -> server %s on %s, %d CPUs granted %s, ready in %s", p, info.ClientAddress, info.ClientNode, info.ServerAddress, info.ServerNode, info.CPUsGranted, info.CPUSet, info.Startup.Round(time.Millisecond))
		for _, n := range info.Notes {
			framework.Logf("notice: %s", n)
			res.Notes = append(res.Notes, fmt.Sprintf("%s path: %s", p, n))
		}
		pairs = append(pairs, pair)
	}

	// Registered after the pairs' Close, so it runs before them (last in, first out).
	ginkgo.DeferCleanup(func(ctx context.Context) {
		if ginkgo.CurrentSpecReport().Failed() {
			attachDiagnostics(ctx)
		}
	})

	// Node and pod samples alternate so that drift of a shared machine hits
	// both alike; the verdict is taken after --samples and again after every
	// extra pair while it is inconclusive.
	ginkgo.By(fmt.Sprintf("measuring %d samples per path, judged against baseline %s in %s mode", s.Samples, cfg.Profile.Name, cfg.Mode))
	plan := measure.Plan{Scenario: sc, Settings: s, MaxSamples: cfg.MaxSamples, Budget: cfg.SampleBudget,
		Mode: cfg.Mode, Profile: cfg.Profile, Tol: cfg.Tol, CounterTolerance: cfg.CounterTolerance,
		Step: func(msg string) { ginkgo.By(msg) }, Logf: framework.Logf}
	setupNotes := len(res.Notes)
	fail(measure.Measure(ctx, pairs, plan, res), "measure")
	ginkgo.AddReportEntry("figures", figuresText(res))
	for _, w := range res.Warnings {
		ginkgo.AddReportEntry("WARNING", w)
	}
	for _, n := range res.Notes[setupNotes:] {
		framework.Logf("notice: %s", n)
	}

	var failed, undecided []string
	for _, v := range res.Verdicts {
		framework.Logf("%s", v.Message)
		switch st := verdict.Status(v.Status); {
		case cfg.Policy.Fails(st):
			failed = append(failed, v.Message)
		case st == verdict.Inconclusive:
			undecided = append(undecided, v.Message)
		}
	}
	if len(undecided) > 0 && cfg.Policy == verdict.PolicyWarn {
		msg := strings.Join(undecided, "\n")
		framework.Logf("WARNING (--inconclusive=warn): %s", msg)
		ginkgo.AddReportEntry("WARNING: inconclusive", msg)
	}
	if len(failed) > 0 {
		framework.Fail(strings.Join(failed, "\n"))
	}
}

// attachDiagnostics adds the test pods' logs and events to the spec's report.
func attachDiagnostics(ctx context.Context) {
	if kubeTarget != nil {
		ginkgo.AddReportEntry("pod logs and events", kubeTarget.Diagnostics(ctx))
	}
}

func cpuText(cpus int) string {
	if cpus == 0 {
		return "CPU not limited"
	}
	return fmt.Sprintf("%d CPU allowance", cpus)
}

// figuresText is the human summary attached to the spec's report.
func figuresText(t *results.Test) string {
	var b strings.Builder
	for _, p := range []endpoints.Path{endpoints.NodePath, endpoints.PodPath} {
		st := t.Paths[p].Stats
		r := st[results.Rate]
		fmt.Fprintf(&b, "%-4s %s: median %.4g (95%% CI %.4g-%.4g, cv %.1f%%); client SD %.4g, server SD %.4g %s\n", p, t.Unit(results.Rate),
			r.Median, r.CILow, r.CIHigh, r.CV*100, st[results.ClientCPU].Median, st[results.ServerCPU].Median, t.Unit(results.ClientCPU))
	}
	fmt.Fprintf(&b, "pod/node: rate %.3f, client CPU %.3f, server CPU %.3f", t.Ratios[results.Rate].Median, t.Ratios[results.ClientCPU].Median, t.Ratios[results.ServerCPU].Median)
	return b.String()
}
