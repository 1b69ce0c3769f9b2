// Package config holds the suite's own command-line settings and turns them
// into a baseline profile, tolerances and a mode, with one-line errors.
package config

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"podperf/framework/baseline"
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

	// Kubernetes target.
	Image        string
	ClientNode   string
	ServerNode   string
	NodeSelector string
	PodTimeout   time.Duration

	// Local target: impairments injected on purpose (see local.ParseShapes).
	LocalTC string

	// Resolved by Resolve.
	Profile *baseline.Profile
	Tol     verdict.Tolerances
	Mode    verdict.Mode
}

// Defaults per target: the local miniature routes through the kernel over
// veth pairs, which is what Cilium's legacy host routing does, so it is
// checked against that profile with its own tolerances (see README).
var defaults = map[string]struct{ baseline, tolerances string }{
	"local":      {"cilium-legacy-host-routing", "local"},
	"kubernetes": {"cilium-ebpf-host-routing", "default"},
}

// DefaultImage is the netperf image the scripts build and load into kind.
const DefaultImage = "localhost/podperf/netperf:v1"

// Register adds the suite's flags to fs.
func (c *Config) Register(fs *flag.FlagSet) {
	fs.StringVar(&c.Target, "target", "local", "where to run: local (network namespaces on this machine, needs root) or kubernetes")
	fs.DurationVar(&c.Duration, "duration", 10*time.Second, "length of one netperf run (whole seconds)")
	fs.IntVar(&c.Samples, "samples", 3, "samples per path and test; node and pod samples are interleaved")
	fs.StringVar(&c.Baseline, "baseline", "", "baseline profile: a name in manifests/baselines (e.g. cilium-ebpf-host-routing) or a YAML file (default per target)")
	fs.StringVar(&c.Tolerances, "tolerances", "", "tolerance file: a name in manifests/tolerances or a YAML file (default per target)")
	fs.StringVar(&c.ToleranceMode, "tolerance-mode", "relative", "relative (pod/node ratio vs the published ratio) or absolute (pod figure vs the baseline's)")
	fs.StringVar(&c.WriteBaseline, "write-baseline", "", "write this run's medians as a baseline profile to FILE")
	fs.IntVar(&c.ControlPort, "control-port", 12865, "netserver control port")
	fs.IntVar(&c.DataPortBase, "data-port", 12866, "first netperf data port; N concurrent processes use N ports from here")
	fs.StringVar(&c.Image, "image", DefaultImage, "netperf image for the Kubernetes target (built from manifests/netperf/Dockerfile)")
	fs.StringVar(&c.ClientNode, "client-node", "", "Kubernetes node for the client pods (with --server-node; default: picked)")
	fs.StringVar(&c.ServerNode, "server-node", "", "Kubernetes node for the server pods (with --client-node)")
	fs.StringVar(&c.NodeSelector, "node-selector", "", "label selector the picked nodes must match, e.g. podperf=true")
	fs.StringVar(&c.LocalTC, "local-tc", "", "local target: inject an impairment, e.g. pod:rate=2gbit (pod path only) or wire:rate=2gbit (both paths); ';' between several")
	fs.DurationVar(&c.PodTimeout, "pod-start-timeout", 3*time.Minute, "how long a test pod may take to become Ready")
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
	if c.LocalTC != "" && c.Target != "local" {
		return fmt.Errorf("--local-tc applies to the local target only (got --target=%s)", c.Target)
	}
	var err error
	if c.Mode, err = verdict.ParseMode(c.ToleranceMode); err != nil {
		return err
	}
	if c.Baseline == "" {
		c.Baseline = d.baseline
	}
	if c.Tolerances == "" {
		c.Tolerances = d.tolerances
	}
	b, where, err := read("baselines", c.Baseline)
	if err != nil {
		return fmt.Errorf("--baseline: %w", err)
	}
	if c.Profile, err = baseline.Parse(b, where); err != nil {
		return fmt.Errorf("--baseline: %w", err)
	}
	if b, where, err = read("tolerances", c.Tolerances); err != nil {
		return fmt.Errorf("--tolerances: %w", err)
	}
	if c.Tol, err = verdict.ParseTolerances(b, where); err != nil {
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

func maxStreams() int {
	n := 1
	for _, s := range scenario.Benchmark {
		n = max(n, s.Streams)
	}
	return n
}

// read finds name as a file path, or as an embedded manifest in dir.
func read(dir, name string) ([]byte, string, error) {
	if _, err := os.Stat(name); err == nil || strings.ContainsAny(name, "/.") {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, name, fmt.Errorf("%v", err)
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
