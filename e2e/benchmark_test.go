package e2e

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"k8s.io/kubernetes/test/e2e/framework"
	admissionapi "k8s.io/pod-security-admission/api"

	"podperf/framework/results"
	"podperf/framework/scenario"
	"podperf/framework/target"
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
	s := scenario.Settings{Duration: cfg.Duration, Samples: cfg.Samples, ControlPort: cfg.ControlPort, DataPortBase: cfg.DataPortBase}
	res := sc.NewResult()
	// Whatever happens below, what was measured is attached for results.json.
	ginkgo.DeferCleanup(func() { ginkgo.AddReportEntry(resultEntry, res, ginkgo.ReportEntryVisibilityNever) })
	fail := func(err error, what string) {
		if err != nil {
			res.Error = what + ": " + err.Error()
			framework.Failf("%s: %v", what, err)
		}
	}

	pairs := make([]target.Pair, 0, 2)
	for _, p := range []target.Path{target.NodePath, target.PodPath} {
		ginkgo.By(fmt.Sprintf("setting up the %s path with netserver on the server side (%s)", pathName(p), cpuText(sc.CPUs)))
		pair, err := tgt.Setup(ctx, sc.Request(p, s))
		if err != nil {
			attachDiagnostics(ctx)
		}
		fail(err, "set up the "+pathName(p)+" path")
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

	// Interleave the paths so that drift of a shared machine hits both alike.
	for i := 1; i <= s.Samples; i++ {
		for _, pair := range pairs {
			p := pair.Info().Path
			ginkgo.By(fmt.Sprintf("sample %d/%d on the %s path: %d x netperf %s for %s", i, s.Samples, pathName(p), sc.Streams, sc.Test, s.Duration))
			fail(sc.Sample(ctx, pair, s, res), "measure")
			sample := res.Paths[p].Samples[i-1]
			framework.Logf("%s sample %d: %.4g %s, client SD %.4g, server SD %.4g %s%s", p, i, sample.Rate, sample.RateUnit, sample.ClientSD, sample.ServerSD, sample.SDUnit, skewText(sample))
		}
	}

	ginkgo.By(fmt.Sprintf("judging against baseline %s in %s mode", cfg.Profile.Name, cfg.Mode))
	fail(res.Summarize(), "summarise")
	verdicts, err := verdict.JudgeTest(cfg.Mode, res, cfg.Profile, cfg.Tol)
	fail(err, "judge")
	res.Verdicts = verdicts
	ginkgo.AddReportEntry("figures", figuresText(res))
	var failed []string
	for _, v := range verdicts {
		framework.Logf("%s", v.Message)
		if v.Status != "pass" {
			failed = append(failed, v.Message)
		}
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

func pathName(p target.Path) string {
	if p == target.NodePath {
		return "node-to-node reference"
	}
	return "pod-to-pod"
}

func cpuText(cpus int) string {
	if cpus == 0 {
		return "CPU not limited"
	}
	return fmt.Sprintf("%d CPU allowance", cpus)
}

func skewText(s results.Sample) string {
	var b strings.Builder
	if s.ClientTxRate > 0 {
		fmt.Fprintf(&b, "; client interface counter %.4g %s (%+.1f%%)", s.ClientTxRate, s.RateUnit, (s.ClientTxRate/s.Rate-1)*100)
	}
	if len(s.Processes) > 1 {
		fmt.Fprintf(&b, "; %d processes, common window %.2fs, start skew %s, end skew %s, naive sum %.4g %s",
			len(s.Processes), s.Window.Length().Seconds(), s.Window.StartSkew, s.Window.EndSkew, s.NaiveSum, s.RateUnit)
	}
	return b.String()
}

// figuresText is the human summary attached to the spec's report.
func figuresText(t *results.Test) string {
	var b strings.Builder
	for _, p := range []target.Path{target.NodePath, target.PodPath} {
		st := t.Paths[p].Stats
		r := st[results.Rate]
		fmt.Fprintf(&b, "%-4s %s: median %.4g (95%% CI %.4g-%.4g, cv %.1f%%); client SD %.4g, server SD %.4g %s\n", p, t.Unit(results.Rate),
			r.Median, r.CILow, r.CIHigh, r.CV*100, st[results.ClientCPU].Median, st[results.ServerCPU].Median, t.Unit(results.ClientCPU))
	}
	fmt.Fprintf(&b, "pod/node: rate %.3f, client CPU %.3f, server CPU %.3f", t.Ratios[results.Rate].Median, t.Ratios[results.ClientCPU].Median, t.Ratios[results.ServerCPU].Median)
	return b.String()
}
