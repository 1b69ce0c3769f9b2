// Package config holds the suite's own command-line settings and turns them
// into a baseline profile, tolerances and a mode, with one-line errors.
package config

import (
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/distribution/reference"
	"k8s.io/apimachinery/pkg/labels"

	"podperf/framework/baseline"
	"podperf/framework/endpoints/netns"
	"podperf/framework/netperf"
	"podperf/framework/results"
	"podperf/framework/scenario"
	"podperf/framework/verdict"
	"podperf/manifests"
)

// Config is the suite's settings. Flags are parsed before the specs are built.
type Config struct {
	Target        string
	Duration      time.Duration
	Samples       int
	Baseline      string
	Tolerances    string
	ToleranceMode string
	WriteBaseline string
	ControlPort   int
	DataPortBase  int

	// Statistics: how undecided verdicts and suspect figures are handled.
	Inconclusive      string
	MaxSamples        int
	SampleBudget      time.Duration
	CounterTolerance  float64
	NetperfConfidence string

	// Kubernetes target.
	Image        string
	ClientNode   string
	ServerNode   string
	NodeSelector string
	PodTimeout   time.Duration

	// Kubernetes target: a throwaway kind cluster created for the run.
	KindCluster string
	KindConfig  string // made absolute by Resolve
	KindImage   string
	KindLoad    string
	KindCNI     string
	KindKeep    bool

	// Local target: impairments injected on purpose (see netns.ParseShapes).
	LocalTC string

	// Resolved by Resolve.
	Profile *baseline.Profile
	Tol     verdict.Tolerances
	Mode    verdict.Mode
	Policy  verdict.Policy
	// Confidence is --netperf-confidence parsed; nil when not set.
	Confidence *netperf.Confidence
	// KindArchives are --kind-load's files, absolute.
	KindArchives []string
	// baselineDefaulted, tolerancesDefaulted: --baseline, --tolerances were
	// not given, so the cluster may choose them.
	baselineDefaulted, tolerancesDefaulted bool
	// flags is the flag set Register added to: which flags were given.
	flags *flag.FlagSet
}

// Defaults per target: the local miniature routes through the kernel over
// veth pairs, which is what Cilium's legacy host routing does, so it is
// checked against that profile with its own tolerances (see docs/targets.md).
var defaults = map[string]struct{ baseline, tolerances string }{
	"local":      {"cilium-legacy-host-routing", "local"},
	"kubernetes": {"cilium-ebpf-host-routing", "default"},
}

// DefaultImage is the netperf image the scripts build and load into kind
// (manifests/podperf.env).
var DefaultImage = manifests.Constants().NetperfImage

// DefaultKindConfig is --kind-config's default, relative to the repository.
const DefaultKindConfig = "kind-config/kind-default-cni.yaml"

// kindName is what kind accepts as a cluster name (and its length limit, 50).
var kindName = regexp.MustCompile(`^[a-z0-9.-]{1,50}$`)

// Register adds the suite's flags to fs.
func (c *Config) Register(fs *flag.FlagSet) {
	c.flags = fs
	fs.StringVar(&c.Target, "target", "local", "where to run: local (network namespaces on this machine, needs root) or kubernetes")
	fs.DurationVar(&c.Duration, "duration", 10*time.Second, "length of one netperf run: whole seconds, 1s to "+MaxDuration.String())
	fs.IntVar(&c.Samples, "samples", 3, "samples per path and test; node and pod samples are interleaved")
	fs.StringVar(&c.Baseline, "baseline", "", "baseline profile: a name in manifests/baselines (e.g. cilium-ebpf-host-routing) or a YAML file (default per target)")
	fs.StringVar(&c.Tolerances, "tolerances", "", "tolerance file: a name in manifests/tolerances or a YAML file (default per target)")
	fs.StringVar(&c.ToleranceMode, "tolerance-mode", "relative", "relative (pod/node ratio vs the published ratio) or absolute (pod figure vs the baseline's)")
	fs.StringVar(&c.WriteBaseline, "write-baseline", "", "write this run's medians as a baseline profile to FILE")
	fs.StringVar(&c.Inconclusive, "inconclusive", "fail", "what an inconclusive verdict (confidence interval straddling the threshold) does to a spec: fail, warn or pass")
	fs.IntVar(&c.MaxSamples, "max-samples", maxSamplesDefault, "while a verdict is inconclusive, take one more sample of each path, up to this many per path: --samples (no extra samples) to 100; when not given and --samples is larger, --samples")
	fs.DurationVar(&c.SampleBudget, "sample-budget", 0, "wall time a test may spend on samples beyond --samples (0: --max-samples alone bounds them)")
	fs.Float64Var(&c.CounterTolerance, "counter-tolerance", 0.05, "warn when netperf's throughput and the client interface's byte counter differ by more than this fraction (0: never)")
	fs.StringVar(&c.NetperfConfidence, "netperf-confidence", "", "single-process tests: let netperf repeat each sample until its LEVEL% interval is WIDTH% wide: LEVEL,WIDTH[,MIN,MAX] iterations, e.g. 99,5,3,10")
	fs.IntVar(&c.ControlPort, "control-port", 12865, "netserver control port")
	fs.IntVar(&c.DataPortBase, "data-port", 12866, "first netperf data port; N concurrent processes use N ports from here")
	fs.StringVar(&c.Image, "image", DefaultImage, "netperf image for the Kubernetes target (built from manifests/netperf/Dockerfile)")
	fs.StringVar(&c.ClientNode, "client-node", "", "Kubernetes node for the client pods (with --server-node; default: picked)")
	fs.StringVar(&c.ServerNode, "server-node", "", "Kubernetes node for the server pods (with --client-node)")
	fs.StringVar(&c.NodeSelector, "node-selector", "", "label selector the picked nodes must match, e.g. podperf=true")
	fs.StringVar(&c.LocalTC, "local-tc", "", "local target: inject an impairment, e.g. pod:rate=2gbit (pod path only), wire:rate=2gbit (both paths), pod:filters=600 (per-packet latency), pod:rate=2gbit,node=node-c (node-c's pod, with --node-pairs=2 or more); ';' between several")
	fs.DurationVar(&c.PodTimeout, "pod-start-timeout", 3*time.Minute, "how long a test pod may take to become Ready")
	fs.StringVar(&c.KindCluster, "kind-cluster", "", "Kubernetes: create a throwaway kind cluster of this name for the run and delete it afterwards")
	fs.StringVar(&c.KindConfig, "kind-config", DefaultKindConfig, "kind config of the throwaway cluster (relative paths: current directory, then the repository)")
	fs.StringVar(&c.KindImage, "kind-image", "", "node image of the throwaway cluster (default: kind's); offline: "+manifests.Constants().NodeImage)
	fs.StringVar(&c.KindLoad, "kind-load", "", "comma-separated image archives to load into the throwaway cluster's nodes, e.g. _kind-offline/images/netperf.tar")
	fs.StringVar(&c.KindCNI, "kind-cni", "", "CNI of the throwaway cluster: empty (the config's own) or ptp (as scripts/kind-offline/41-cni.sh)")
	fs.BoolVar(&c.KindKeep, "kind-keep", false, "keep the throwaway cluster at the end (for debugging)")
	c.registerPaths(fs)
	c.registerExtended(fs)
	c.registerReference(fs)
	c.registerPreflight(fs)
}

// MaxDuration bounds --duration: one netperf run of an hour is already far
// beyond what a sample needs, and a typo (10m for 10s) should not hold a CI
// job for a day.
const MaxDuration = time.Hour

// maxSamplesDefault is --max-samples' default; below --samples, when not given,
// it follows --samples.
const maxSamplesDefault = 10

// Resolve validates the settings and loads the baseline and tolerances. Every
// error is an *InputError that names the flag; nothing is created before it.
func (c *Config) Resolve() error {
	d, ok := defaults[c.Target]
	if !ok {
		return reject("--target", "--target=%q: use local or kubernetes", c.Target)
	}
	if err := c.checkRun(); err != nil {
		return err
	}
	if err := c.checkPorts(); err != nil {
		return err
	}
	if err := c.checkTarget(); err != nil {
		return err
	}
	if err := c.resolveKind(); err != nil {
		return err
	}
	var err error
	if c.Mode, err = verdict.ParseMode(c.ToleranceMode); err != nil {
		return rejectErr("--tolerance-mode", err)
	}
	if c.Policy, err = verdict.ParsePolicy(c.Inconclusive); err != nil {
		return rejectErr("--inconclusive", err)
	}
	if c.Confidence, err = parseConfidence(c.NetperfConfidence); err != nil {
		return rejectErr("--netperf-confidence", err)
	}
	if c.Baseline == "" {
		c.Baseline, c.baselineDefaulted = d.baseline, true
	}
	if c.Tolerances == "" {
		c.Tolerances, c.tolerancesDefaulted = d.tolerances, true
	}
	if c.Profile, err = loadProfile(c.Baseline); err != nil {
		return rejectErr("--baseline", fmt.Errorf("--baseline: %w", err))
	}
	if c.Tol, _, err = loadTolerances(c.Tolerances); err != nil {
		return rejectErr("--tolerances", fmt.Errorf("--tolerances: %w", err))
	}
	if c.WriteBaseline != "" {
		if dir := filepath.Dir(c.WriteBaseline); dir != "" {
			if st, err := os.Stat(dir); err != nil || !st.IsDir() {
				return reject("--write-baseline", "--write-baseline=%s: directory %s does not exist", c.WriteBaseline, dir)
			}
		}
	}
	return c.resolveExtended()
}

// checkRun checks how long and how often netperf runs, and the statistics.
func (c *Config) checkRun() error {
	switch {
	case c.Duration < time.Second || c.Duration > MaxDuration || c.Duration%time.Second != 0:
		return reject("--duration", "--duration=%s: use whole seconds from 1s to %s (netperf -l takes whole seconds)", c.Duration, MaxDuration)
	case c.Samples < 1 || c.Samples > 100:
		return reject("--samples", "--samples=%d: use 1 to 100", c.Samples)
	}
	if !c.isSet("max-samples") && c.MaxSamples == maxSamplesDefault && c.Samples > c.MaxSamples {
		c.MaxSamples = c.Samples
	}
	switch {
	case c.MaxSamples < c.Samples:
		return reject("--max-samples", "--max-samples=%d is below --samples=%d: use %d to 100 (equal to --samples: no extra samples)", c.MaxSamples, c.Samples, c.Samples)
	case c.MaxSamples > 100:
		return reject("--max-samples", "--max-samples=%d: use --samples (%d) to 100", c.MaxSamples, c.Samples)
	case c.SampleBudget < 0:
		return reject("--sample-budget", "--sample-budget=%s: use 0 (no limit beyond --max-samples) or a positive duration such as 5m", c.SampleBudget)
	case !(c.CounterTolerance >= 0 && c.CounterTolerance < 1):
		return reject("--counter-tolerance", "--counter-tolerance=%v: use a fraction from 0 (never warn) to below 1, e.g. 0.05 for 5%%", c.CounterTolerance)
	}
	return nil
}

// checkPorts checks the control port and the data ports of the widest test.
func (c *Config) checkPorts() error {
	n := maxStreams()
	switch {
	case c.ControlPort < 1 || c.ControlPort > 65535:
		return reject("--control-port", "--control-port=%d: use 1-65535", c.ControlPort)
	case c.DataPortBase < 1 || c.DataPortBase+n > 65536:
		return reject("--data-port", "--data-port=%d: the %d ports from there must fit below 65536: use 1-%d", c.DataPortBase, n, 65536-n)
	case c.ControlPort >= c.DataPortBase && c.ControlPort < c.DataPortBase+n:
		return reject("--control-port", "--control-port=%d falls inside the data ports %d-%d (--data-port=%d and the %d that follow): move one of them", c.ControlPort, c.DataPortBase, c.DataPortBase+n-1, c.DataPortBase, n-1)
	}
	return nil
}

// checkTarget checks the flags of one target, and that the other target's are
// not given.
func (c *Config) checkTarget() error {
	if c.Target == "local" {
		for _, f := range []struct{ name, value string }{{"--client-node", c.ClientNode}, {"--server-node", c.ServerNode}, {"--node-selector", c.NodeSelector}} {
			if f.value != "" {
				return reject(f.name, "%s applies to --target=kubernetes only (got --target=local)", f.name)
			}
		}
		k := c.Paths().NodePairs
		shapes, err := netns.ParseShapes(c.LocalTC)
		if err == nil {
			err = netns.CheckShapes(shapes, k)
		}
		if err != nil {
			return rejectErr("--local-tc", err)
		}
		if k > netns.MaxNodePairs {
			return reject("--node-pairs", "--node-pairs=%d: the local target builds at most %d node pairs: lower it, or use --target=kubernetes", k, netns.MaxNodePairs)
		}
	} else if c.LocalTC != "" {
		return reject("--local-tc", "--local-tc applies to --target=local only (got --target=%s)", c.Target)
	}
	switch {
	case (c.ClientNode == "") != (c.ServerNode == ""):
		return reject("--client-node", "--client-node=%q --server-node=%q: give both nodes or neither", c.ClientNode, c.ServerNode)
	case c.ClientNode != "" && c.ClientNode == c.ServerNode:
		return reject("--client-node", "--client-node and --server-node are both %q: name two different nodes", c.ClientNode)
	case c.ClientNode != "" && c.NodeSelector != "":
		return reject("--node-selector", "--node-selector=%q with --client-node/--server-node: the selector picks nodes, the names fix them: give one or the other", c.NodeSelector)
	}
	if _, err := labels.Parse(c.NodeSelector); err != nil {
		return reject("--node-selector", "--node-selector=%q is not a label selector (e.g. podperf=true or pool in (a,b)): %w", c.NodeSelector, err)
	}
	if _, err := reference.ParseNormalizedNamed(c.Image); err != nil {
		return reject("--image", "--image=%q is not an image reference (e.g. %s): %w", c.Image, DefaultImage, err)
	}
	if c.PodTimeout <= 0 {
		return reject("--pod-start-timeout", "--pod-start-timeout=%s: use a positive duration, e.g. 3m", c.PodTimeout)
	}
	return nil
}

// resolveKind checks the --kind-* flags and makes their paths absolute.
func (c *Config) resolveKind() error {
	if c.KindCluster == "" {
		for _, f := range []struct {
			name string
			set  bool
		}{{"--kind-config", c.KindConfig != DefaultKindConfig}, {"--kind-image", c.KindImage != ""},
			{"--kind-load", c.KindLoad != ""}, {"--kind-cni", c.KindCNI != ""}, {"--kind-keep", c.KindKeep}} {
			if f.set {
				return reject(f.name, "%s configures the throwaway cluster: it needs --kind-cluster=NAME", f.name)
			}
		}
		return nil
	}
	if c.Target != "kubernetes" {
		return reject("--kind-cluster", "--kind-cluster needs --target=kubernetes (got --target=%s)", c.Target)
	}
	if c.isSet("kubeconfig") {
		return reject("--kubeconfig", "--kubeconfig with --kind-cluster: the throwaway cluster brings its own kubeconfig: give one or the other")
	}
	if !kindName.MatchString(c.KindCluster) {
		return reject("--kind-cluster", "--kind-cluster=%q: kind cluster names use a-z, 0-9, '.' and '-', at most 50 characters", c.KindCluster)
	}
	if c.KindCNI != "" && c.KindCNI != "ptp" {
		return reject("--kind-cni", "--kind-cni=%q: use ptp, or leave it empty for the kind config's own CNI", c.KindCNI)
	}
	if c.KindImage != "" {
		if _, err := reference.ParseNormalizedNamed(c.KindImage); err != nil {
			return reject("--kind-image", "--kind-image=%q is not an image reference (e.g. %s): %w", c.KindImage, manifests.Constants().NodeImage, err)
		}
	}
	var err error
	if c.KindConfig, err = findFile("--kind-config", c.KindConfig); err != nil {
		return rejectErr("--kind-config", err)
	}
	c.KindArchives = nil
	for _, a := range strings.Split(c.KindLoad, ",") {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		if a, err = findFile("--kind-load", a); err != nil {
			return rejectErr("--kind-load", err)
		}
		c.KindArchives = append(c.KindArchives, a)
	}
	return nil
}

// isSet reports whether the flag name was given on the command line of the
// flag set Register used (false without one).
func (c *Config) isSet(name string) bool {
	if c.flags == nil {
		return false
	}
	set := false
	c.flags.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// findFile makes a file flag's path absolute. A relative path is tried in the
// current directory (PODPERF_CWD when set), then in the repository, so that
// the defaults and the README's examples work wherever ginkgo starts the suite.
func findFile(flagName, p string) (string, error) {
	var tried []string
	candidates := []string{p}
	if !filepath.IsAbs(p) {
		if root := repoRoot(); root != "" {
			candidates = append(candidates, filepath.Join(root, p))
		}
	}
	for _, f := range candidates {
		abs, err := filepath.Abs(f)
		if err != nil {
			return "", fmt.Errorf("%s=%s: %w", flagName, p, err)
		}
		if st, err := os.Stat(abs); err == nil && !st.IsDir() {
			return abs, nil
		}
		tried = append(tried, abs)
	}
	return "", fmt.Errorf("%s=%s: no such file (tried %s)", flagName, p, strings.Join(tried, ", "))
}

// ReportDir is where a run writes its artifacts, absolute: the
// --report-dir flag (given), else $ARTIFACTS, else _artifacts in the
// repository (so that a plain "ginkgo run ./e2e", which runs the suite from
// e2e/, writes where the Makefile would), else _artifacts here.
func ReportDir(given string) (string, error) {
	dir := given
	if dir == "" {
		dir = os.Getenv("ARTIFACTS")
	}
	if dir == "" {
		dir = "_artifacts"
		if root := repoRoot(); root != "" {
			dir = filepath.Join(root, dir)
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("report directory %s: %w", dir, err)
	}
	return abs, nil
}

// repoRoot is the nearest directory above the current one whose go.mod
// declares module podperf, or "".
func repoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && modfileIsPodperf(b) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func modfileIsPodperf(b []byte) bool {
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "module" {
			return f[1] == "podperf"
		}
	}
	return false
}

// parseConfidence reads --netperf-confidence: LEVEL,WIDTH[,MIN,MAX].
func parseConfidence(s string) (*netperf.Confidence, error) {
	if s == "" {
		return nil, nil
	}
	bad := fmt.Errorf("--netperf-confidence=%q: use LEVEL,WIDTH[,MIN,MAX], e.g. 99,5 or 99,5,3,10 (level 95 or 99, width in %%, 3 <= MIN <= MAX <= 30)", s)
	parts := strings.Split(s, ",")
	if len(parts) != 2 && len(parts) != 4 {
		return nil, bad
	}
	c := &netperf.Confidence{MinIter: 3, MaxIter: 10}
	var err error
	if c.Level, err = strconv.Atoi(strings.TrimSpace(parts[0])); err != nil {
		return nil, bad
	}
	if c.Width, err = strconv.ParseFloat(strings.TrimSpace(parts[1]), 64); err != nil {
		return nil, bad
	}
	if len(parts) == 4 {
		if c.MinIter, err = strconv.Atoi(strings.TrimSpace(parts[2])); err != nil {
			return nil, bad
		}
		if c.MaxIter, err = strconv.Atoi(strings.TrimSpace(parts[3])); err != nil {
			return nil, bad
		}
	}
	// The rest of the checks are netperf's own limits, in one place.
	spec := netperf.Spec{Test: netperf.TCPStream, Duration: time.Second, ControlPort: 1, Confidence: c}
	if err := spec.Validate(); err != nil {
		return nil, fmt.Errorf("--netperf-confidence=%q: %w", s, err)
	}
	return c, nil
}

func maxStreams() int {
	n := 1
	for _, s := range scenario.Benchmark {
		n = max(n, s.Streams)
	}
	return n
}

// loadProfile reads and validates the baseline profile name (a file, or a
// built-in profile).
func loadProfile(name string) (*baseline.Profile, error) {
	b, where, err := Read("baselines", name)
	if err != nil {
		return nil, err
	}
	return parseProfile(b, where)
}

// parseProfile is baseline.Parse plus what only the suite knows: the
// profile's tests are tests of the benchmark, in the units they measure.
func parseProfile(b []byte, where string) (*baseline.Profile, error) {
	p, err := baseline.Parse(b, where)
	if err != nil {
		return nil, err
	}
	for _, id := range slices.Sorted(maps.Keys(p.Tests)) {
		sc, ok := scenarioByID(id)
		if !ok {
			return nil, fmt.Errorf("baseline %s: tests.%s is not a test of the benchmark (%s)", where, id, strings.Join(testIDs(), ", "))
		}
		if unit, want := p.Tests[id].Unit, results.UnitOf(results.Rate, sc.Test.IsRR()); unit != want {
			return nil, fmt.Errorf("baseline %s: tests.%s.unit is %s, but %s measures %s", where, id, unit, id, want)
		}
	}
	return p, nil
}

// loadTolerances reads and validates the tolerance file name (a file, or a
// built-in one), and says where it found it.
func loadTolerances(name string) (verdict.Tolerances, string, error) {
	b, where, err := Read("tolerances", name)
	if err != nil {
		return verdict.Tolerances{}, where, err
	}
	t, err := parseTolerances(b, where)
	return t, where, err
}

// Bounds of a tolerance a user may set. A rate tolerance of 1 puts the
// threshold at zero, where nothing can fail; a CPU tolerance beyond
// maxCPUTolerance lets a test use more than three times the expected CPU.
// Zero is no tolerance at all: a figure equal to the baseline would stay
// inconclusive for ever.
const (
	maxRateTolerance = 1 // exclusive
	maxCPUTolerance  = 2 // inclusive
)

// parseTolerances is verdict.ParseTolerances plus what only the suite knows:
// the tests are tests of the benchmark, and every value is a tolerance that
// can pass and fail.
func parseTolerances(b []byte, where string) (verdict.Tolerances, error) {
	t, err := verdict.ParseTolerances(b, where)
	if err != nil {
		return t, err
	}
	check := func(at string, m map[results.Metric]float64) error {
		for _, metric := range slices.Sorted(maps.Keys(m)) {
			v := m[metric]
			switch {
			case metric == results.Rate && !(v > 0 && v < maxRateTolerance):
				return fmt.Errorf("tolerances %s: %s.%s = %v: use a fraction above 0 and below %d, e.g. 0.10 for 10%%", where, at, metric, v, maxRateTolerance)
			case metric != results.Rate && !(v > 0 && v <= maxCPUTolerance):
				return fmt.Errorf("tolerances %s: %s.%s = %v: use a fraction above 0 and at most %d, e.g. 0.25 for 25%%", where, at, metric, v, maxCPUTolerance)
			}
		}
		return nil
	}
	if err := check("defaults", t.Defaults); err != nil {
		return t, err
	}
	for _, id := range slices.Sorted(maps.Keys(t.Tests)) {
		if _, ok := scenarioByID(id); !ok {
			return t, fmt.Errorf("tolerances %s: tests.%s is not a test of the benchmark (%s)", where, id, strings.Join(testIDs(), ", "))
		}
		if err := check("tests."+id, t.Tests[id]); err != nil {
			return t, err
		}
	}
	return t, nil
}

// scenarioByID is the benchmark's test id.
func scenarioByID(id string) (scenario.Scenario, bool) {
	i := slices.IndexFunc(scenario.Benchmark, func(s scenario.Scenario) bool { return s.ID == id })
	if i < 0 {
		return scenario.Scenario{}, false
	}
	return scenario.Benchmark[i], true
}

// testIDs are the benchmark's test ids, in its order.
func testIDs() []string {
	ids := make([]string, len(scenario.Benchmark))
	for i, s := range scenario.Benchmark {
		ids[i] = s.ID
	}
	return ids
}

// Read finds name as a file path, or as an embedded manifest in dir
// ("baselines" or "tolerances"), and says where it found it.
func Read(dir, name string) ([]byte, string, error) {
	if _, err := os.Stat(name); err == nil || strings.ContainsAny(name, "/.") {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, name, fmt.Errorf("%w: give a YAML file or one of the built-in %s: %s", err, dir, builtins(dir))
		}
		return b, name, nil
	}
	b, err := manifests.FS.ReadFile(dir + "/" + name + ".yaml")
	if err != nil {
		return nil, name, fmt.Errorf("%q is neither a file nor one of the built-in %s: %s", name, dir, builtins(dir))
	}
	return b, "manifests/" + dir + "/" + name + ".yaml", nil
}

// builtins lists the embedded manifests of dir by name.
func builtins(dir string) string {
	entries, _ := fs.Glob(manifests.FS, dir+"/*.yaml")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(filepath.Base(e), ".yaml"))
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
