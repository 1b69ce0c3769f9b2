package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"podperf/framework/baseline"
	"podperf/framework/endpoints"
	"podperf/framework/netperf"
	"podperf/framework/report"
	"podperf/framework/results"
	"podperf/manifests"
)

type fig struct{ rate, clientSD, serverSD float64 }

func path(p endpoints.Path, lat *netperf.Latency, figs ...fig) *results.Path {
	out := &results.Path{Pair: endpoints.PairInfo{Path: p}}
	for i, f := range figs {
		out.Samples = append(out.Samples, results.Sample{Index: i + 1, Rate: f.rate, ClientSD: f.clientSD, ServerSD: f.serverSD, Latency: lat})
	}
	return out
}

// run builds a results.Run of three tests: a stream test and an RR test with
// samples on both paths (summarised as the suite does), and a test that failed
// to set up.
func run(t *testing.T) *results.Run {
	t.Helper()
	stream := &results.Test{ID: "tcp_stream_1", Title: "TCP_STREAM 1 stream", Netperf: netperf.TCPStream, Streams: 1,
		Paths: map[endpoints.Path]*results.Path{
			endpoints.PodPath:  path(endpoints.PodPath, nil, fig{40, 0.23, 0.36}, fig{42, 0.22, 0.35}, fig{41, 0.25, 0.37}),
			endpoints.NodePath: path(endpoints.NodePath, nil, fig{41, 0.21, 0.36}, fig{43, 0.22, 0.34}, fig{42, 0.20, 0.38}),
		},
		Verdicts: []results.Verdict{{Metric: "rate", Status: "pass"}, {Metric: "client_cpu", Status: "pass"}, {Metric: "server_cpu", Status: "pass"}},
	}
	rrLat := &netperf.Latency{P50: 19, P90: 21, P99: 68, Mean: 24.55, Min: 17, Max: 22151}
	rr := &results.Test{ID: "tcp_rr_1", Title: "TCP_RR 1 connection, 1 CPU", Netperf: netperf.TCPRR, Streams: 1, CPUs: 1,
		Paths: map[endpoints.Path]*results.Path{
			endpoints.PodPath:  path(endpoints.PodPath, rrLat, fig{40000, 9.5, 8.3}, fig{40600, 9.2, 8.1}, fig{39000, 9.9, 8.6}),
			endpoints.NodePath: path(endpoints.NodePath, rrLat, fig{47000, 6.1, 5.5}, fig{48000, 6.2, 5.4}, fig{47500, 6.0, 5.6}),
		},
		Verdicts: []results.Verdict{{Metric: "rate", Status: "fail"}, {Metric: "client_cpu", Status: "pass"}, {Metric: "server_cpu", Status: "fail"}},
	}
	for _, tst := range []*results.Test{stream, rr} {
		if err := tst.Summarize(); err != nil {
			t.Fatal(err)
		}
	}
	broken := &results.Test{ID: "tcp_rr_32", Title: "TCP_RR 32 connections, 32 CPUs", Netperf: netperf.TCPRR, Streams: 32,
		Paths: map[endpoints.Path]*results.Path{}, Error: "set up the pod-to-pod path: netserver did not start"}
	return &results.Run{
		Schema:      results.Schema,
		StartedAt:   time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC),
		FinishedAt:  time.Date(2026, 11, 26, 1, 20, 0, 0, time.UTC),
		Environment: endpoints.Environment{Target: "local", Kernel: "6.1.0", CPUModel: "Test CPU", CPUs: 8, CNI: "none"},
		Settings:    results.Settings{Target: "local", Duration: 10 * time.Second, Samples: 3, Baseline: "cilium-ebpf-host-routing", ToleranceMode: "relative"},
		Tests:       []*results.Test{stream, rr, broken},
		Verdict:     "fail",
	}
}

func ref(t *testing.T) *baseline.Profile {
	t.Helper()
	b, err := manifests.FS.ReadFile("baselines/cilium-ebpf-host-routing.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := baseline.Parse(b, "ref")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBaseline(t *testing.T) {
	r := run(t)
	p, err := report.Baseline(r, "my-run", ref(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("recorded profile does not validate: %v", err)
	}
	if p.Name != "my-run" || p.Testbed.CPUsPerNode != 8 || p.Testbed.CPU != "Test CPU" || p.Testbed.Kernel != "6.1.0" {
		t.Errorf("profile header = %+v %+v", p.Name, p.Testbed)
	}
	if len(p.Tests) != 2 {
		t.Fatalf("profile has tests %v, want tcp_stream_1 and tcp_rr_1 (tcp_rr_32 errored)", keys(p.Tests))
	}
	for _, tst := range r.Tests[:2] {
		tf := p.Tests[tst.ID]
		if tf.Unit != tst.Unit(results.Rate) {
			t.Errorf("%s: unit %q, want %q", tst.ID, tf.Unit, tst.Unit(results.Rate))
		}
		if want := ref(t).Tests[tst.ID].CPUNormalisedTo; tf.CPUNormalisedTo != want {
			t.Errorf("%s: cpuNormalisedTo %v, want the reference's %v", tst.ID, tf.CPUNormalisedTo, want)
		}
		pod, node := tst.Paths[endpoints.PodPath].Stats, tst.Paths[endpoints.NodePath].Stats
		for _, m := range results.Metrics {
			if got := tf.Pod.Get(m); got != pod[m].Median {
				t.Errorf("%s pod %s = %v, want the run's median %v", tst.ID, m, got, pod[m].Median)
			}
			if got := tf.Node.Get(m); got != node[m].Median {
				t.Errorf("%s node %s = %v, want the run's median %v", tst.ID, m, got, node[m].Median)
			}
			if got, want := tf.Ratio(m), pod[m].Median/node[m].Median; math.Abs(got-want) > 1e-15 {
				t.Errorf("%s %s ratio = %v, want %v", tst.ID, m, got, want)
			}
		}
		// The CPU percentages are the service demands in the published form.
		wantPct := tf.Pod.ClientSD * baseline.WorkPerSecond(tf.CPUNormalisedTo, tf.Unit) / (8 * 1e6) * 100
		if math.Abs(tf.Pod.ClientCPUPercent-wantPct) > 1e-12*wantPct {
			t.Errorf("%s pod client CPU %% = %v, want %v", tst.ID, tf.Pod.ClientCPUPercent, wantPct)
		}
	}

	// The profile survives Write and Parse, as --write-baseline uses it.
	file := filepath.Join(t.TempDir(), "my-run.yaml")
	if err := p.Write(file, "recorded by a test"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	q, err := baseline.Parse(b, file)
	if err != nil {
		t.Fatalf("written profile does not parse: %v", err)
	}
	if !reflect.DeepEqual(p, q) {
		t.Errorf("round trip changed the profile")
	}
}

func TestBaselineWithoutReferenceTest(t *testing.T) {
	r := run(t)
	r.Tests[0].ID = "tcp_stream_4" // not in the reference profile
	p, err := report.Baseline(r, "x", ref(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Tests["tcp_stream_4"].CPUNormalisedTo; got != 1 {
		t.Errorf("cpuNormalisedTo = %v, want 1 when the reference lacks the test", got)
	}
	if err := p.Validate(); err != nil {
		t.Error(err)
	}
}

func TestBaselineErrors(t *testing.T) {
	t.Run("no CPU count", func(t *testing.T) {
		r := run(t)
		r.Environment.CPUs = 0
		if _, err := report.Baseline(r, "x", ref(t)); err == nil || !strings.Contains(err.Error(), "no CPU count") {
			t.Errorf("Baseline = %v", err)
		}
	})
	t.Run("no test with both paths", func(t *testing.T) {
		r := run(t)
		r.Tests = r.Tests[2:]
		if _, err := report.Baseline(r, "x", ref(t)); err == nil || !strings.Contains(err.Error(), "nothing to write") {
			t.Errorf("Baseline = %v", err)
		}
	})
}

func TestWriteJSON(t *testing.T) {
	r := run(t)
	dir := filepath.Join(t.TempDir(), "artifacts", "nested")
	p, err := report.WriteJSON(dir, r)
	if err != nil {
		t.Fatal(err)
	}
	if p != filepath.Join(dir, "results.json") {
		t.Errorf("path = %s", p)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("results.json is not valid JSON: %v", err)
	}
	if raw["schema"] != "podperf.results/v1" || raw["verdict"] != "fail" {
		t.Errorf("schema/verdict = %v/%v", raw["schema"], raw["verdict"])
	}
	var back results.Run
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Schema != results.Schema || len(back.Tests) != 3 || back.Tests[1].Paths[endpoints.PodPath].Stats[results.Rate] != r.Tests[1].Paths[endpoints.PodPath].Stats[results.Rate] {
		t.Errorf("decoded run differs: %+v", back)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("dir holds %d entries, want only results.json (no temporary file left)", len(entries))
	}
	// A second write replaces the file.
	r.Verdict = "pass"
	if _, err := report.WriteJSON(dir, r); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); !bytes.Contains(b, []byte(`"verdict": "pass"`)) {
		t.Errorf("second write did not replace results.json")
	}
}

func TestWriteJSONUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := report.WriteJSON(filepath.Join(file, "dir"), run(t)); err == nil || !strings.Contains(err.Error(), "report dir") {
		t.Errorf("WriteJSON under a file = %v", err)
	}
}

func TestSummary(t *testing.T) {
	r := run(t)
	var b bytes.Buffer
	report.Summary(&b, r)
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	// Header, two lines (node, pod) per test, and the verdict.
	if len(lines) != 1+2*len(r.Tests)+1 {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), 2+2*len(r.Tests), b.String())
	}
	if h := strings.Fields(lines[0]); h[0] != "test" || h[1] != "path" || h[2] != "rate" {
		t.Errorf("header = %q", lines[0])
	}
	stream, rr := r.Tests[0], r.Tests[1]
	// The rate median as the summary prints it (4 significant digits).
	med := func(tst *results.Test, p endpoints.Path) string {
		return fmt.Sprintf("%.4g", tst.Paths[p].Stats[results.Rate].Median)
	}
	fmt3 := func(f float64) string { return fmt.Sprintf("%.3f", f) }
	want := []struct {
		id, path string
		contains []string
	}{
		{"tcp_stream_1", "node", []string{med(stream, endpoints.NodePath), "Gbit/s"}},
		{"tcp_stream_1", "pod", []string{med(stream, endpoints.PodPath), "Gbit/s", fmt3(stream.Ratios[results.Rate].Median), "pass"}},
		{"tcp_rr_1", "node", []string{med(rr, endpoints.NodePath), "trans/s", "19/21/68"}},
		{"tcp_rr_1", "pod", []string{med(rr, endpoints.PodPath), "trans/s", "19/21/68", fmt3(rr.Ratios[results.Rate].Median), "FAIL (rate,server_cpu)"}},
		{"tcp_rr_32", "node", []string{"error: set up the pod-to-pod path"}},
		{"tcp_rr_32", "pod", []string{"error: set up the pod-to-pod path"}},
	}
	for i, w := range want {
		l := lines[1+i]
		f := strings.Fields(l)
		if len(f) < 2 || f[0] != w.id || f[1] != w.path {
			t.Errorf("line %d = %q, want test %s path %s", i+1, l, w.id, w.path)
			continue
		}
		for _, s := range w.contains {
			if !strings.Contains(l, s) {
				t.Errorf("line %q lacks %q", l, s)
			}
		}
	}
	if lines[len(lines)-1] != "verdict: fail" {
		t.Errorf("last line = %q", lines[len(lines)-1])
	}
}

func TestSummaryNoData(t *testing.T) {
	r := &results.Run{Verdict: "no tests ran", Tests: []*results.Test{{ID: "tcp_stream_32", Netperf: netperf.TCPStream}}}
	var b bytes.Buffer
	report.Summary(&b, r)
	if n := strings.Count(b.String(), "no data"); n != 2 {
		t.Errorf("%d 'no data' cells, want 2:\n%s", n, b.String())
	}
	if !strings.HasSuffix(b.String(), "verdict: no tests ran\n") {
		t.Errorf("summary ends %q", b.String())
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A node-pairs test prints its pairs, each on its own rows with its nodes,
// the outlier marked and a failed pair's error, not an empty "no data" row.
func TestSummaryNodePairs(t *testing.T) {
	r := withPaths(fullRun(t))
	r.Tests = r.Tests[len(r.Tests)-1:]
	var b bytes.Buffer
	report.Summary(&b, r)
	out := b.String()
	for _, want := range []string{
		"service_tcp_rr_32 pair 1 node-a→node-b",
		"service_tcp_rr_32 pair 2 node-c→node-d",
		"service_tcp_rr_32 pair 3 node-e→node-f OUTLIER (robust z 8.1)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "no data") || strings.Count(out, "OUTLIER") != 2 { // pair 3's two paths
		t.Errorf("summary:\n%s", out)
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "pair 3") && strings.Contains(l, " service ") && !strings.Contains(l, " error ") {
			t.Errorf("pair 3 failed to measure, but its row does not say error: %q", l)
		}
	}
}
