package config_test

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"podperf/framework/results"
	"strings"
	"testing"
	"time"

	"podperf/framework/config"
	"podperf/framework/netperf"
	"podperf/framework/verdict"
	"podperf/manifests"
)

// parse registers the suite's flags on a fresh set and parses args, so each
// test starts from the real defaults.
func parse(t *testing.T, args ...string) *config.Config {
	t.Helper()
	var c config.Config
	fs := flag.NewFlagSet("podperf", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("flags %q: %v", args, err)
	}
	return &c
}

func TestDefaults(t *testing.T) {
	c := parse(t)
	if c.Target != "local" || c.Duration != 10*time.Second || c.Samples != 3 || c.ToleranceMode != "relative" ||
		c.ControlPort != 12865 || c.DataPortBase != 12866 || c.Baseline != "" || c.Tolerances != "" || c.WriteBaseline != "" {
		t.Errorf("flag defaults = %+v", c)
	}
}

func TestResolveDefaultsPerTarget(t *testing.T) {
	tests := []struct {
		target, baseline, tolerances string
		rateTol                      float64
	}{
		{"local", "cilium-legacy-host-routing", "local", 0.25},
		{"kubernetes", "cilium-ebpf-host-routing", "default", 0.10},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			c := parse(t, "--target="+tc.target)
			if err := c.Resolve(); err != nil {
				t.Fatal(err)
			}
			if c.Baseline != tc.baseline || c.Profile == nil || c.Profile.Name != tc.baseline {
				t.Errorf("baseline %q / profile %v, want %s", c.Baseline, c.Profile, tc.baseline)
			}
			if c.Tolerances != tc.tolerances || c.Tol.For("tcp_stream_1", results.Rate) != tc.rateTol {
				t.Errorf("tolerances %q (%+v), want %s", c.Tolerances, c.Tol, tc.tolerances)
			}
			if c.Mode != verdict.Relative {
				t.Errorf("Mode = %q", c.Mode)
			}
		})
	}
}

func TestResolveExplicitChoices(t *testing.T) {
	c := parse(t, "--target=local", "--baseline=calico", "--tolerances=default", "--tolerance-mode=absolute", "--samples=100", "--duration=1s")
	if err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if c.Profile.Name != "calico" || c.Mode != verdict.Absolute || c.Tol.For("tcp_rr_32", results.Rate) != 0.15 {
		t.Errorf("resolved %s %s %+v", c.Profile.Name, c.Mode, c.Tol)
	}
}

// lab writes a valid profile named name into dir and returns its path.
func lab(t *testing.T, dir, file, name string) string {
	t.Helper()
	b, err := manifests.FS.ReadFile("baselines/cilium-ebpf-host-routing.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b = []byte(strings.Replace(string(b), "name: cilium-ebpf-host-routing", "name: "+name, 1))
	path := filepath.Join(dir, file)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// resolve parses args and resolves them, failing the test on an error.
func resolve(t *testing.T, args ...string) *config.Config {
	t.Helper()
	c := parse(t, args...)
	if err := c.Resolve(); err != nil {
		t.Fatalf("Resolve(%q): %v", args, err)
	}
	return c
}

func TestResolveStatistics(t *testing.T) {
	c := resolve(t, "--inconclusive=warn", "--netperf-confidence=95,2.5,4,12")
	if c.Policy != verdict.PolicyWarn {
		t.Errorf("Policy = %q", c.Policy)
	}
	if got := *c.Confidence; got != (netperf.Confidence{Level: 95, Width: 2.5, MinIter: 4, MaxIter: 12}) {
		t.Errorf("Confidence = %+v", got)
	}
	c = resolve(t, "--netperf-confidence=99,5")
	if got := *c.Confidence; got != (netperf.Confidence{Level: 99, Width: 5, MinIter: 3, MaxIter: 10}) {
		t.Errorf("Confidence with default iterations = %+v", got)
	}
	if c := resolve(t); c.Policy != verdict.PolicyFail || c.Confidence != nil || c.MaxSamples != 10 || c.CounterTolerance != 0.05 {
		t.Errorf("defaults: policy %q, confidence %v, max samples %d, counter tolerance %v", c.Policy, c.Confidence, c.MaxSamples, c.CounterTolerance)
	}
}

func TestResolveBaselineFile(t *testing.T) {
	dir := t.TempDir()
	path := lab(t, dir, "my-lab.yaml", "my-lab")
	c := parse(t, "--baseline="+path, "--write-baseline="+filepath.Join(dir, "out.yaml"))
	if err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if c.Profile.Name != "my-lab" || c.Baseline != path {
		t.Errorf("profile %q from %q", c.Profile.Name, c.Baseline)
	}

	t.Run("invalid file names its path", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.yaml")
		if err := os.WriteFile(bad, []byte("apiVersion: podperf/v0\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		err := parse(t, "--baseline="+bad).Resolve()
		if err == nil || !strings.Contains(err.Error(), "--baseline: baseline "+bad) {
			t.Errorf("Resolve = %v, want an error naming %s", err, bad)
		}
	})
	t.Run("tolerances file", func(t *testing.T) {
		tol := filepath.Join(dir, "tol.yaml")
		if err := os.WriteFile(tol, []byte("defaults: {rate: 0.3, client_cpu: 0.4, server_cpu: 0.45}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		c := parse(t, "--tolerances="+tol)
		if err := c.Resolve(); err != nil {
			t.Fatal(err)
		}
		if c.Tol.For("tcp_rr_1", results.ServerCPU) != 0.45 {
			t.Errorf("tolerances = %+v", c.Tol)
		}
	})
}

// The flag's help says a baseline is "a name in manifests/baselines ... or a
// YAML file"; a file whose name has neither a slash nor a dot is never looked
// at, yet the error says it is "neither a file nor" a built-in.
func TestResolveBaselineFileWithoutExtension(t *testing.T) {
	dir := t.TempDir()
	lab(t, dir, "mylab", "mylab")
	t.Chdir(dir)
	c := parse(t, "--baseline=mylab")
	err := c.Resolve()
	if err != nil && strings.Contains(err.Error(), "is neither a file") {
		t.Fatalf("config.read treats a name without '/' or '.' as built-in only, though the file exists: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if c.Profile.Name != "mylab" {
		t.Errorf("profile %q", c.Profile.Name)
	}
}

func TestResolveKind(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(wd, "..", "..") // framework/config
	t.Run("no kind cluster", func(t *testing.T) {
		c := parse(t, "--target=kubernetes")
		if err := c.Resolve(); err != nil {
			t.Fatal(err)
		}
		if c.KindCluster != "" || c.KindConfig != config.DefaultKindConfig || c.KindArchives != nil {
			t.Errorf("kind settings %q %q %q", c.KindCluster, c.KindConfig, c.KindArchives)
		}
	})
	t.Run("default config found in the repository from a subdirectory", func(t *testing.T) {
		c := parse(t, "--target=kubernetes", "--kind-cluster=podperf-throwaway")
		if err := c.Resolve(); err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(root, "kind-config", "kind-default-cni.yaml"); c.KindConfig != filepath.Clean(want) {
			t.Errorf("KindConfig = %q, want %q", c.KindConfig, want)
		}
	})
	t.Run("current directory first; archives split and made absolute", func(t *testing.T) {
		dir := t.TempDir()
		for _, f := range []string{"kind.yaml", "a.tar", "b.tar"} {
			if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Chdir(dir)
		c := parse(t, "--target=kubernetes", "--kind-cluster=p.1-x", "--kind-config=kind.yaml", "--kind-load= a.tar,,"+filepath.Join(dir, "b.tar")+" ",
			"--kind-cni=ptp", "--kind-image=localhost/podperf/kind-node:v1.37.2", "--kind-keep")
		if err := c.Resolve(); err != nil {
			t.Fatal(err)
		}
		if c.KindConfig != filepath.Join(dir, "kind.yaml") {
			t.Errorf("KindConfig = %q", c.KindConfig)
		}
		if want := []string{filepath.Join(dir, "a.tar"), filepath.Join(dir, "b.tar")}; strings.Join(c.KindArchives, ",") != strings.Join(want, ",") {
			t.Errorf("KindArchives = %q, want %q", c.KindArchives, want)
		}
		if err := c.Resolve(); err != nil { // idempotent: the paths are absolute now
			t.Errorf("second Resolve: %v", err)
		}
	})
	t.Run("outside the repository a relative default is not found", func(t *testing.T) {
		t.Chdir(t.TempDir())
		err := parse(t, "--target=kubernetes", "--kind-cluster=x").Resolve()
		if err == nil || !strings.Contains(err.Error(), "--kind-config=kind-config/kind-default-cni.yaml: no such file") {
			t.Errorf("Resolve = %v", err)
		}
	})
}

func TestReportDir(t *testing.T) {
	t.Setenv("ARTIFACTS", "")
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ given, env, want string }{
		{"/tmp/given", "/tmp/env", "/tmp/given"},
		{"", "/tmp/env", "/tmp/env"},
		// From a package directory (as ginkgo runs the suite): the repository's, not e2e/_artifacts.
		{"", "", filepath.Join(root, "_artifacts")},
		{"rel", "", filepath.Join(mustWd(t), "rel")},
	} {
		t.Setenv("ARTIFACTS", tc.env)
		got, err := config.ReportDir(tc.given)
		if err != nil || got != tc.want {
			t.Errorf("ReportDir(%q) with ARTIFACTS=%q = %q, %v; want %q", tc.given, tc.env, got, err, tc.want)
		}
	}
}

func mustWd(t *testing.T) string {
	d, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return d
}
