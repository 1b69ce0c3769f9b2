package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	clientset "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/kubernetes/test/e2e/framework"

	"podperf/framework/endpoints"
	"podperf/framework/endpoints/kube"
	"podperf/framework/endpoints/netns"
	"podperf/framework/kindcluster"
	"podperf/framework/report"
	"podperf/framework/results"
)

// resultEntry names the report entry that carries a spec's results.Test to
// ReportAfterSuite, which may run in another process.
const resultEntry = "podperf/result"

var (
	tgt        endpoints.Target
	kubeTarget *kube.Target // set when --target=kubernetes
	startedAt  = time.Now()
	// suiteWarnings concern every test (a datapath the baseline does not
	// describe): each spec repeats them in its log and results.
	suiteWarnings []string
)

// followCluster fits the baseline and tolerances to the cluster, and says
// plainly when the baseline describes another datapath than the cluster's.
func followCluster(env endpoints.Environment) error {
	notes, warning, err := cfg.FollowCluster(env)
	if err != nil {
		return err
	}
	for _, n := range notes {
		framework.Logf("%s", n)
	}
	if warning != "" {
		framework.Logf("WARNING: %s", warning)
		suiteWarnings = append(suiteWarnings, warning)
	}
	return nil
}

var _ = ginkgo.BeforeSuite(func(ctx context.Context) {
	var err error
	switch cfg.Target {
	case "local":
		var shapes []netns.Shape
		if shapes, err = netns.ParseShapes(cfg.LocalTC); err != nil {
			break
		}
		var t *netns.Target
		if t, err = netns.New(framework.Logf, shapes); err == nil {
			tgt = t
		}
	case "kubernetes":
		if cfg.KindCluster != "" {
			if err = startKindCluster(ctx); err != nil {
				break
			}
		}
		var c *clientset.Clientset
		if c, err = framework.LoadClientset(); err != nil {
			err = fmt.Errorf("cannot reach the cluster (set --kubeconfig or KUBECONFIG): %w", err)
			break
		}
		var rc *rest.Config
		if rc, err = framework.LoadConfig(); err != nil {
			err = fmt.Errorf("cannot reach the cluster (set --kubeconfig or KUBECONFIG): %w", err)
			break
		}
		opts := kube.Options{Image: cfg.Image, StartTimeout: cfg.PodTimeout, Config: rc,
			Nodes: kube.NodeChoice{Client: cfg.ClientNode, Server: cfg.ServerNode, Selector: cfg.NodeSelector}}
		// The preflight only reads: it comes before the target takes the
		// cluster's lease, and with --preflight-only instead of the target.
		pf := kube.NewPreflight(ctx, c, opts)
		runPreflight(ctx, pf)
		if cfg.PreflightOnly() {
			env := pf.Environment(ctx)
			preflightEnv = &env
			break
		}
		var t *kube.Target
		t, err = kube.New(ctx, c, opts, framework.Logf)
		if err == nil {
			tgt, kubeTarget = t, t
			err = followCluster(t.Environment(ctx))
		}
	}
	// Registered as soon as the target exists, so a failure or an interrupt
	// from here on still removes what it built and gives up its lease.
	if tgt != nil {
		ginkgo.DeferCleanup(func(ctx context.Context) error { return tgt.Teardown(ctx) })
	}
	var skip *endpoints.ErrSkip
	if errors.As(err, &skip) {
		ginkgo.Skip(skip.Reason)
	}
	if err != nil {
		framework.Failf("set up the %s target: %s", cfg.Target, oneLine(err))
	}
	if local, ok := tgt.(*netns.Target); ok {
		runPreflight(ctx, local.Preflight())
	}
	if cfg.PreflightOnly() {
		endPreflightOnly()
		return
	}
	env := tgt.Environment(ctx)
	framework.Logf("target %s: kernel %s, %d CPUs (%s), %s", env.Target, env.Kernel, env.CPUs, env.CPUModel, env.Netperf)
	framework.Logf("baseline %s, tolerances %s, mode %s, %d samples of %s per path", cfg.Profile.Name, cfg.Tolerances, cfg.Mode, cfg.Samples, cfg.Duration)
	if _, ref := cfg.Reference(); ref != "" {
		framework.Logf("verdicts against the raw samples of %s (--reference): two-sample, both runs' noise counted", ref)
	}
})

// startKindCluster creates the --kind-cluster cluster and points the framework
// at it. Its deletion is registered before anything else is built, so a
// failure or an interrupt later in the run still deletes it.
func startKindCluster(ctx context.Context) error {
	if s, _ := ginkgo.GinkgoConfiguration(); s.ParallelTotal > 1 {
		return fmt.Errorf("--kind-cluster creates one cluster per process: run without ginkgo -p")
	}
	ginkgo.By(fmt.Sprintf("creating the throwaway kind cluster %s (%s)", cfg.KindCluster, cfg.KindConfig))
	start := time.Now()
	c, err := kindcluster.Create(ctx, kindcluster.Options{Name: cfg.KindCluster, ConfigFile: cfg.KindConfig,
		NodeImage: cfg.KindImage, ImageArchives: cfg.KindArchives, CNI: cfg.KindCNI, Wait: 5 * time.Minute}, framework.Logf)
	if err != nil {
		return err
	}
	framework.Logf("kind cluster %s up in %s, kubeconfig %s", c.Name(), time.Since(start).Round(100*time.Millisecond), c.Kubeconfig())
	if cfg.KindKeep {
		framework.Logf("--kind-keep: the cluster stays; delete it with: kind delete cluster --name %s", c.Name())
	} else {
		ginkgo.DeferCleanup(func(ctx context.Context) error {
			ginkgo.By("deleting the throwaway kind cluster " + c.Name())
			start := time.Now()
			err := c.Delete(ctx)
			framework.Logf("kind cluster %s deleted in %s", c.Name(), time.Since(start).Round(100*time.Millisecond))
			return err
		})
	}
	framework.TestContext.KubeConfig = c.Kubeconfig()
	// Without a kubeconfig at start-up the framework set a default host, which
	// would override the kubeconfig's server.
	framework.TestContext.Host = ""
	return nil
}

// ReportAfterSuite runs after everything, on failure and on interrupt too, so
// whatever was measured reaches results.json.
var _ = ginkgo.ReportAfterSuite("write results", func(r ginkgo.Report) {
	// A dry run measured nothing. The upstream framework previews the spec
	// tree as one (ginkgo.PreviewSpecs, from AfterReadingAllFlags) before
	// the real run, and writing then would leave empty results in the
	// current directory.
	if r.SuiteConfig.DryRun {
		return
	}
	dir := framework.TestContext.ReportDir
	var env endpoints.Environment
	if tgt != nil {
		env = tgt.Environment(context.Background())
	} else if preflightEnv != nil {
		env = *preflightEnv
	}
	run := &results.Run{
		Schema: results.Schema, StartedAt: startedAt, FinishedAt: time.Now(), Environment: env,
		Settings: cfg.Recorded(), Verdict: results.Pass, Warnings: suiteWarnings, Preflight: recordedPreflight(env),
	}
	for _, s := range r.SpecReports {
		t := testFromReport(s)
		if t == nil {
			continue
		}
		run.Tests = append(run.Tests, t)
		if s.State.Is(types.SpecStateFailureStates) {
			run.Verdict = results.Fail
		} else if o, _ := t.Outcome(); o == results.Inconclusive && run.Verdict == results.Pass {
			run.Verdict = results.Inconclusive
		}
	}
	if len(run.Tests) == 0 {
		run.Verdict = results.NoTests
	}
	run.Error = suiteError(r)
	if cfg.PreflightOnly() && preflightChecks != nil && r.SuiteSucceeded {
		run.Error = "" // the skip that --preflight-only asked for
	}
	if !r.SuiteSucceeded && (run.Verdict == results.Pass || run.Verdict == results.NoTests) {
		run.Verdict = results.Fail
	}
	path, err := report.WriteJSON(dir, run)
	if err != nil {
		ginkgo.Fail(err.Error())
	}
	junit := filepath.Join(dir, "junit.xml")
	if err := writeJUnit(r, junit, report.Properties(run)); err != nil {
		ginkgo.Fail("junit.xml: " + err.Error())
	}
	// Everything is written before any of these fails the suite.
	var problems []string
	if _, err := report.Load(path); err != nil {
		problems = append(problems, err.Error())
	}
	if err := report.CheckJUnit(junit); errors.Is(err, report.ErrNoXmllint) {
		fmt.Fprintf(os.Stdout, "junit.xml not checked against the JUnit schema: %v\n", err)
	} else if err != nil {
		problems = append(problems, err.Error())
	}
	files, err := report.Write(dir, run)
	if err != nil {
		problems = append(problems, "report: "+err.Error())
	}
	if _, err := report.StepSummary(run); err != nil {
		problems = append(problems, err.Error())
	}
	fmt.Fprintln(os.Stdout)
	report.Summary(os.Stdout, run)
	fmt.Fprintf(os.Stdout, "results: %s, junit: %s\n", path, junit)
	fmt.Fprintf(os.Stdout, "report: %s (and report.md, summary.md, results.csv, charts/: %d files)\n", filepath.Join(dir, "report.html"), len(files))
	if cfg.WriteBaseline != "" {
		p, err := report.Baseline(run, filepath.Base(cfg.WriteBaseline), cfg.Profile)
		if err == nil {
			err = p.Write(cfg.WriteBaseline, fmt.Sprintf("Baseline recorded by podperf (%s target, %s).\nUse it with --baseline=%s --tolerance-mode=absolute.", cfg.Target, run.StartedAt.Format(time.RFC3339), cfg.WriteBaseline))
		}
		if err != nil {
			ginkgo.Fail("--write-baseline: " + err.Error())
		}
		fmt.Fprintf(os.Stdout, "baseline written to %s\n", cfg.WriteBaseline)
	}
	if len(problems) > 0 {
		ginkgo.Fail(strings.Join(problems, "\n"))
	}
})

// suiteError is why the run failed outside the tests' own failures, on one
// line: a suite-level node that failed (the target could not be set up) and
// what ended the run early (an interrupt, the suite's timeout).
func suiteError(r ginkgo.Report) string {
	var reasons []string
	for _, s := range r.SpecReports {
		if s.LeafNodeType.Is(types.NodeTypesForSuiteLevelNodes) && s.State.Is(types.SpecStateFailureStates) {
			reasons = append(reasons, fmt.Sprintf("%s: %s", s.LeafNodeType, s.Failure.Message))
		}
	}
	reasons = append(reasons, r.SpecialSuiteFailureReasons...)
	if len(reasons) == 0 {
		return ""
	}
	return oneLine(errors.New(strings.Join(reasons, "; ")))
}

// testFromReport recovers the last results.Test a spec attached.
func testFromReport(s types.SpecReport) *results.Test {
	var t *results.Test
	for _, e := range s.ReportEntries {
		if e.Name != resultEntry {
			continue
		}
		if v, ok := e.GetRawValue().(*results.Test); ok {
			t = v
			continue
		}
		var v results.Test
		if json.Unmarshal([]byte(e.Value.AsJSON), &v) == nil {
			t = &v
		}
	}
	return t
}
