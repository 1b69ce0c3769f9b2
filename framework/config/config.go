// Package config holds the suite's own command-line settings and turns them
// into a baseline profile, tolerances and a mode, with one-line errors.
package config

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"podperf/framework/baseline"
	"podperf/framework/netperf"
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
	fs.StringVar(&c.Target, "target", "local", "where to run: local (network namespaces on this machine, needs root) or kubernetes")
	fs.DurationVar(&c.Duration, "duration", 10*time.Second, "length of one netperf run (whole seconds)")
	fs.IntVar(&c.Samples, "samples", 3, "samples per path and test; node and pod samples are interleaved")
	fs.StringVar(&c.Baseline, "baseline", "", "baseline profile: a name in manifests/baselines (e.g. cilium-ebpf-host-routing) or a YAML file (default per target)")
	fs.StringVar(&c.Tolerances, "tolerances", "", "tolerance file: a name in manifests/tolerances or a YAML file (default per target)")
	fs.StringVar(&c.ToleranceMode, "tolerance-mode", "relative", "relative (pod/node ratio vs the published ratio) or absolute (pod figure vs the baseline's)")
	fs.StringVar(&c.WriteBaseline, "write-baseline", "", "write this run's medians as a baseline profile to FILE")
	fs.StringVar(&c.Inconclusive, "inconclusive", "fail", "what an inconclusive verdict (confidence interval straddling the threshold) does to a spec: fail, warn or pass")
	fs.IntVar(&c.MaxSamples, "max-samples", 10, "while a verdict is inconclusive, take one more sample of each path, up to this many per path (--samples or less: never)")
	fs.DurationVar(&c.SampleBudget, "sample-budget", 0, "wall time a test may spend on samples beyond --samples (0: --max-samples alone bounds them)")
	fs.Float64Var(&c.CounterTolerance, "counter-tolerance", 0.05, "warn when netperf's throughput and the client interface's byte counter differ by more than this fraction (0: never)")
	fs.StringVar(&c.NetperfConfidence, "netperf-confidence", "", "single-process tests: let netperf repeat each sample until its LEVEL% interval is WIDTH% wide: LEVEL,WIDTH[,MIN,MAX] iterations, e.g. 99,5,3,10")
	fs.IntVar(&c.ControlPort, "control-port", 12865, "netserver control port")
	fs.IntVar(&c.DataPortBase, "data-port", 12866, "first netperf data port; N concurrent processes use N ports from here")
	fs.StringVar(&c.Image, "image", DefaultImage, "netperf image for the Kubernetes target (built from manifests/netperf/Dockerfile)")
	fs.StringVar(&c.ClientNode, "client-node", "", "Kubernetes node for the client pods (with --server-node; default: picked)")
	fs.StringVar(&c.ServerNode, "server-node", "", "Kubernetes node for the server pods (with --client-node)")
	fs.StringVar(&c.NodeSelector, "node-selector", "", "label selector the picked nodes must match, e.g. podperf=true")
	fs.StringVar(&c.LocalTC, "local-tc", "", "local target: inject an impairment, e.g. pod:rate=2gbit (pod path only), wire:rate=2gbit (both paths), pod:filters=600 (per-packet latency); ';' between several")
	fs.DurationVar(&c.PodTimeout, "pod-start-timeout", 3*time.Minute, "how long a test pod may take to become Ready")
	fs.StringVar(&c.KindCluster, "kind-cluster", "", "Kubernetes: create a throwaway kind cluster of this name for the run and delete it afterwards")
	fs.StringVar(&c.KindConfig, "kind-config", DefaultKindConfig, "kind config of the throwaway cluster (relative paths: current directory, then the repository)")
	fs.StringVar(&c.KindImage, "kind-image", "", "node image of the throwaway cluster (default: kind's); offline: "+manifests.Constants().NodeImage)
	fs.StringVar(&c.KindLoad, "kind-load", "", "comma-separated image archives to load into the throwaway cluster's nodes, e.g. _kind-offline/images/netperf.tar")
	fs.StringVar(&c.KindCNI, "kind-cni", "", "CNI of the throwaway cluster: empty (the config's own) or ptp (as scripts/kind-offline/41-cni.sh)")
	fs.BoolVar(&c.KindKeep, "kind-keep", false, "keep the throwaway cluster at the end (for debugging)")
}

// Resolve validates the settings and loads the baseline and tolerances.
func (c *Config) Resolve() error {
	d, ok := defaults[c.Target]
	if !ok {
		return fmt.Errorf("--target=%q: use local or kubernetes", c.Target)
	}
	switch {
	case c.Duration < time.Second || c.Duration%time.Second != 0:
		return fmt.Errorf("--duration=%s: use a whole number of seconds, at least 1s", c.Duration)
	case c.Samples < 1 || c.Samples > 100:
		return fmt.Errorf("--samples=%d: use 1 to 100", c.Samples)
	case c.ControlPort < 1 || c.ControlPort > 65535:
		return fmt.Errorf("--control-port=%d: use 1-65535", c.ControlPort)
	case c.DataPortBase < 1 || c.DataPortBase+maxStreams() > 65536:
		return fmt.Errorf("--data-port=%d: the %d ports from there must fit below 65536", c.DataPortBase, maxStreams())
	case c.ControlPort >= c.DataPortBase && c.ControlPort < c.DataPortBase+maxStreams():
		return fmt.Errorf("--control-port=%d falls inside the data ports %d-%d: move one of them", c.ControlPort, c.DataPortBase, c.DataPortBase+maxStreams()-1)
	}
	if c.MaxSamples < 0 || c.MaxSamples > 100 {
		return fmt.Errorf("--max-samples=%d: use 0 to 100", c.MaxSamples)
	}
	if c.SampleBudget < 0 {
		return fmt.Errorf("--sample-budget=%s: use 0 or a positive duration", c.SampleBudget)
	}
	if c.CounterTolerance < 0 || c.CounterTolerance >= 1 {
		return fmt.Errorf("--counter-tolerance=%v: use a fraction from 0 to 1, e.g. 0.05 for 5%%", c.CounterTolerance)
	}
	if c.LocalTC != "" && c.Target != "local" {
		return fmt.Errorf("--local-tc applies to the local target only (got --target=%s)", c.Target)
	}
	if err := c.resolveKind(); err != nil {
		return err
	}
	var err error
	if c.Mode, err = verdict.ParseMode(c.ToleranceMode); err != nil {
		return err
	}
	if c.Policy, err = verdict.ParsePolicy(c.Inconclusive); err != nil {
		return err
	}
	if c.Confidence, err = parseConfidence(c.NetperfConfidence); err != nil {
		return err
	}
	if c.Baseline == "" {
		c.Baseline, c.baselineDefaulted = d.baseline, true
	}
	if c.Tolerances == "" {
		c.Tolerances, c.tolerancesDefaulted = d.tolerances, true
	}
	if c.Profile, err = loadProfile(c.Baseline); err != nil {
		return fmt.Errorf("--baseline: %w", err)
	}
	var where string
	if c.Tol, where, err = loadTolerances(c.Tolerances); err != nil {
		return fmt.Errorf("--tolerances: %w", err)
	}
	for id := range c.Tol.Tests {
		if !slices.ContainsFunc(scenario.Benchmark, func(s scenario.Scenario) bool { return s.ID == id }) {
			return fmt.Errorf("--tolerances %s: tests.%s is not a test of the benchmark (tcp_stream_1, tcp_stream_32, tcp_rr_1, tcp_rr_32)", where, id)
		}
	}
	if c.WriteBaseline != "" {
		if dir := filepath.Dir(c.WriteBaseline); dir != "" {
			if st, err := os.Stat(dir); err != nil || !st.IsDir() {
				return fmt.Errorf("--write-baseline=%s: directory %s does not exist", c.WriteBaseline, dir)
			}
		}
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
				return fmt.Errorf("%s configures the throwaway cluster: it needs --kind-cluster=NAME", f.name)
			}
		}
		return nil
	}
	if c.Target != "kubernetes" {
		return fmt.Errorf("--kind-cluster needs --target=kubernetes (got --target=%s)", c.Target)
	}
	if !kindName.MatchString(c.KindCluster) {
		return fmt.Errorf("--kind-cluster=%q: kind cluster names use a-z, 0-9, '.' and '-', at most 50 characters", c.KindCluster)
	}
	if c.KindCNI != "" && c.KindCNI != "ptp" {
		return fmt.Errorf("--kind-cni=%q: use ptp, or leave it empty for the kind config's own CNI", c.KindCNI)
	}
	if strings.ContainsAny(c.KindImage, " \t\n") {
		return fmt.Errorf("--kind-image=%q: an image name has no spaces", c.KindImage)
	}
	var err error
	if c.KindConfig, err = findFile("--kind-config", c.KindConfig); err != nil {
		return err
	}
	c.KindArchives = nil
	for _, a := range strings.Split(c.KindLoad, ",") {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		if a, err = findFile("--kind-load", a); err != nil {
			return err
		}
		c.KindArchives = append(c.KindArchives, a)
	}
	return nil
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
	return baseline.Parse(b, where)
}

// loadTolerances reads and validates the tolerance file name (a file, or a
// built-in one), and says where it found it.
func loadTolerances(name string) (verdict.Tolerances, string, error) {
	b, where, err := Read("tolerances", name)
	if err != nil {
		return verdict.Tolerances{}, where, err
	}
	t, err := verdict.ParseTolerances(b, where)
	return t, where, err
}

// Read finds name as a file path, or as an embedded manifest in dir
// ("baselines" or "tolerances"), and says where it found it.
func Read(dir, name string) ([]byte, string, error) {
	if _, err := os.Stat(name); err == nil || strings.ContainsAny(name, "/.") {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, name, err
		}
		return b, name, nil
	}
	b, err := manifests.FS.ReadFile(dir + "/" + name + ".yaml")
	if err != nil {
		entries, _ := fs.Glob(manifests.FS, dir+"/*.yaml")
		var names []string
		for _, e := range entries {
			names = append(names, strings.TrimSuffix(filepath.Base(e), ".yaml"))
		}
		return nil, name, fmt.Errorf("%q is neither a file nor one of the built-in %s: %s", name, dir, strings.Join(names, ", "))
	}
	return b, "manifests/" + dir + "/" + name + ".yaml", nil
}
