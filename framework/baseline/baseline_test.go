package baseline_test

import (
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"podperf/framework/results"
	"reflect"
	"strings"
	"testing"

	"podperf/framework/baseline"
	"podperf/framework/scenario"
	"podperf/manifests"
)

func embedded(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := fs.Glob(manifests.FS, "baselines/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 4 {
		t.Fatalf("found %d embedded baselines, want at least the four published configurations: %v", len(files), files)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := manifests.FS.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = b
	}
	return out
}

func load(t *testing.T, name string) *baseline.Profile {
	t.Helper()
	p, err := baseline.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEmbeddedProfilesLoad(t *testing.T) {
	for file, b := range embedded(t) {
		t.Run(file, func(t *testing.T) {
			p, err := baseline.Parse(b, file)
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.TrimSuffix(filepath.Base(file), ".yaml"); p.Name != want {
				t.Errorf("name %q, want the file's name %q (--baseline looks profiles up by file name)", p.Name, want)
			}
			if p.Testbed.CPUsPerNode != 32 {
				t.Errorf("cpusPerNode = %d, want 32 (the published test bed)", p.Testbed.CPUsPerNode)
			}
			// Every test of the benchmark has figures, in the unit it measures.
			for _, sc := range scenario.Benchmark {
				tf, ok := p.Tests[sc.ID]
				if !ok {
					t.Errorf("profile lacks %s", sc.ID)
					continue
				}
				want := "Gbit/s"
				if sc.Test.IsRR() {
					want = "trans/s"
				}
				if tf.Unit != want {
					t.Errorf("%s: unit %q, want %q", sc.ID, tf.Unit, want)
				}
				if tf.ReadingError == nil {
					t.Errorf("%s: no readingError for figures read off charts", sc.ID)
				}
			}
			if len(p.Tests) != len(scenario.Benchmark) {
				t.Errorf("profile has %d tests, the benchmark %d", len(p.Tests), len(scenario.Benchmark))
			}
		})
	}
}

// The published reference table for Cilium with eBPF host routing, pod over
// node: rate and client CPU.
func TestCiliumEBPFRatios(t *testing.T) {
	p := load(t, "cilium-ebpf-host-routing")
	tests := []struct {
		test                 string
		rateRatio, cpuRatio  float64
		rateTol, cpuRatioTol float64
	}{
		{"tcp_stream_1", 1.014, 1.048, 0.0005, 0.01},
		{"tcp_stream_32", 0.996, 1.203, 0.0005, 0.01},
		{"tcp_rr_1", 0.946, 1.51, 0.0005, 0.01},
		{"tcp_rr_32", 0.875, 1.52, 0.0005, 0.01},
	}
	for _, tc := range tests {
		t.Run(tc.test, func(t *testing.T) {
			tf := p.Tests[tc.test]
			if got := tf.Ratio("rate"); math.Abs(got-tc.rateRatio) > tc.rateTol {
				t.Errorf("rate ratio = %.4f, want %.3f", got, tc.rateRatio)
			}
			if got := tf.Ratio("client_cpu"); math.Abs(got-tc.cpuRatio) > tc.cpuRatioTol {
				t.Errorf("client CPU ratio = %.4f, want %.3f", got, tc.cpuRatio)
			}
			// The service-demand ratio is the published CPU % ratio (both paths
			// are normalised to the same work).
			pct := tf.Pod.ClientCPUPercent / tf.Node.ClientCPUPercent
			if got := tf.Ratio("client_cpu"); math.Abs(got-pct) > 0.03*pct {
				t.Errorf("client CPU ratio by SD %.4f disagrees with the %% ratio %.4f", got, pct)
			}
		})
	}
	if got := p.Tests["tcp_stream_1"].Ratio("unknown"); got != 0 {
		t.Errorf("Ratio of an unknown metric = %v, want 0", got)
	}
}

func TestCiliumEBPFServiceDemand(t *testing.T) {
	p := load(t, "cilium-ebpf-host-routing")
	tests := []struct {
		name string
		got  float64
		want float64
		tol  float64
		pct  float64
		test string
	}{
		{"tcp_stream_1 pod client", p.Tests["tcp_stream_1"].Pod.ClientSD, 0.228, 0.0005, 8.7, "tcp_stream_1"},
		{"tcp_stream_1 pod server", p.Tests["tcp_stream_1"].Pod.ServerSD, 0.364, 0.0005, 13.9, "tcp_stream_1"},
		{"tcp_rr_1 pod client", p.Tests["tcp_rr_1"].Pod.ClientSD, 9.28, 0.005, 1.45, "tcp_rr_1"},
		{"tcp_rr_1 pod server", p.Tests["tcp_rr_1"].Pod.ServerSD, 8.19, 0.005, 1.28, "tcp_rr_1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if math.Abs(tc.got-tc.want) > tc.tol {
				t.Errorf("service demand = %v, want %v", tc.got, tc.want)
			}
			tf := p.Tests[tc.test]
			if sd := baseline.SDFromPercent(tc.pct, 32, tf.CPUNormalisedTo, tf.Unit); math.Abs(sd-tc.got) > 0.001*tc.got {
				t.Errorf("SDFromPercent(%v%%) = %v, profile has %v", tc.pct, sd, tc.got)
			}
		})
	}
}

func TestConversions(t *testing.T) {
	if got := baseline.WorkPerSecond(100, "Gbit/s"); got != 100e9/8/1024 {
		t.Errorf("WorkPerSecond(100 Gbit/s) = %v KB/s", got)
	}
	if got := baseline.WorkPerSecond(50000, "trans/s"); got != 50000 {
		t.Errorf("WorkPerSecond(50000 trans/s) = %v", got)
	}
	// 8.7% of 32 CPUs at 100 Gbit/s.
	if got := baseline.SDFromPercent(8.7, 32, 100, "Gbit/s"); math.Abs(got-0.22806528) > 1e-12 {
		t.Errorf("SDFromPercent = %v, want 0.22806528", got)
	}
	for _, c := range []struct {
		pct  float64
		cpus int
		norm float64
		unit string
	}{{8.7, 32, 100, "Gbit/s"}, {1.45, 32, 50000, "trans/s"}, {33.4, 32, 1e6, "trans/s"}, {50, 2, 1, "Gbit/s"}} {
		sd := baseline.SDFromPercent(c.pct, c.cpus, c.norm, c.unit)
		if back := baseline.PercentFromSD(sd, c.cpus, c.norm, c.unit); math.Abs(back-c.pct) > 1e-12*c.pct {
			t.Errorf("PercentFromSD(SDFromPercent(%v)) = %v", c.pct, back)
		}
	}
	f := baseline.Figures{Rate: 1, ClientSD: 2, ServerSD: 3}
	for m, want := range map[results.Metric]float64{"rate": 1, "client_cpu": 2, "server_cpu": 3, "other": 0} {
		if got := f.Get(m); got != want {
			t.Errorf("Get(%q) = %v, want %v", m, got, want)
		}
	}
}

func TestValidateFailures(t *testing.T) {
	src, err := manifests.FS.ReadFile("baselines/cilium-ebpf-host-routing.yaml")
	if err != nil {
		t.Fatal(err)
	}
	good := string(src)
	edit := func(old, new string) string {
		t.Helper()
		if strings.Count(good, old) < 1 {
			t.Fatalf("profile lacks %q", old)
		}
		return strings.Replace(good, old, new, 1)
	}
	tests := []struct {
		name     string
		yaml     string
		contains string
	}{
		{"wrong apiVersion", edit("apiVersion: podperf/v1", "apiVersion: podperf/v2"), `apiVersion/kind are "podperf/v2"/"BaselineProfile"`},
		{"wrong kind", edit("kind: BaselineProfile", "kind: Profile"), "apiVersion/kind"},
		{"empty name", edit("name: cilium-ebpf-host-routing", "name: \"\""), "name is empty"},
		{"no cpusPerNode", edit("cpusPerNode: 32", "cpusPerNode: 0"), "cpusPerNode must be positive"},
		{"CPU % disagrees with service demand", edit("clientCPUPercent: 8.7", "clientCPUPercent: 10"),
			"tests.tcp_stream_1.pod: client CPU 10% and service demand 0.2281 disagree"},
		{"zero rate", edit("rate: 42.2", "rate: 0"), "tests.tcp_stream_1.pod: rate and both service demands must be positive"},
		{"negative service demand", edit("serverServiceDemand: 0.367", "serverServiceDemand: -0.367"), "tests.tcp_stream_1.node: rate and both service demands must be positive"},
		{"unknown unit", edit("unit: Gbit/s", "unit: Mbit/s"), `tests.tcp_stream_1.unit is "Mbit/s"`},
		{"zero normalisation", edit("cpuNormalisedTo: 100", "cpuNormalisedTo: 0"), "tests.tcp_stream_1.cpuNormalisedTo must be positive"},
		{"unknown field", edit("  cpusPerNode: 32", "  cpusPerNode: 32\n  gpus: 2"), `unknown field "gpus"`},
		{"misspelt figure", edit("clientServiceDemand: 0.2281", "clientServiceDemnd: 0.2281"), "unknown field"},
		{"not YAML", "tests: [", "not a valid profile"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := baseline.Parse([]byte(tc.yaml), "test.yaml")
			if err == nil {
				t.Fatalf("Parse accepted the profile: %+v", p)
			}
			if !strings.Contains(err.Error(), tc.contains) || !strings.Contains(err.Error(), "baseline test.yaml") {
				t.Errorf("error %q lacks %q or the file's name", err, tc.contains)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
	t.Run("no tests", func(t *testing.T) {
		p := load(t, "cilium-ebpf-host-routing")
		p.Tests = nil
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "has no tests") {
			t.Errorf("Validate = %v", err)
		}
	})
	t.Run("rounding within 3% is accepted", func(t *testing.T) {
		// 8.7% gives 0.2281; 2.9% off is still the same figure.
		if _, err := baseline.Parse([]byte(edit("clientServiceDemand: 0.2281", "clientServiceDemand: 0.2215")), "x"); err != nil {
			t.Errorf("Parse: %v", err)
		}
	})
}

func TestWriteParseRoundTrip(t *testing.T) {
	for file, b := range embedded(t) {
		t.Run(file, func(t *testing.T) {
			p, err := baseline.Parse(b, file)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "profile.yaml")
			if err := p.Write(path, "Recorded by a test.\nSecond line."); err != nil {
				t.Fatal(err)
			}
			out, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(out), "# Recorded by a test.\n# Second line.\n") {
				t.Errorf("header not written as comments:\n%s", out[:min(len(out), 120)])
			}
			q, err := baseline.Parse(out, path)
			if err != nil {
				t.Fatalf("Parse of the written file: %v", err)
			}
			if !reflect.DeepEqual(p, q) {
				t.Errorf("round trip changed the profile:\n%+v\n%+v", p, q)
			}
		})
	}
}

func TestWriteRefusesInvalid(t *testing.T) {
	p := &baseline.Profile{APIVersion: baseline.APIVersion, Kind: baseline.Kind, Name: "x"}
	path := filepath.Join(t.TempDir(), "bad.yaml")
	err := p.Write(path, "h")
	if err == nil || !strings.Contains(err.Error(), "refusing to write baseline") {
		t.Fatalf("Write = %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("an invalid profile left a file behind (%v)", err)
	}
}
