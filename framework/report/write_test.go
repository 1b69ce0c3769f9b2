package report_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"podperf/framework/endpoints"
	"podperf/framework/report"
	"podperf/framework/results"
)

// Every chart is a PNG of the documented size with a drawing on it, and an
// SVG of the same size.
func TestCharts(t *testing.T) {
	refs, err := report.BuiltinProfiles()
	if err != nil {
		t.Fatal(err)
	}
	charts, err := report.Charts(fullRun(t), refs)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range charts {
		names = append(names, c.Name)
	}
	// tcp_rr_1 errored: no chart of it; tcp_stream_32 has no latency.
	want := "overview-ratio tcp_stream_32-ratio tcp_stream_32-rate tcp_stream_32-cpu tcp_rr_32-ratio tcp_rr_32-rate tcp_rr_32-cpu tcp_rr_32-latency"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("charts %s, want %s", got, want)
	}
	for _, c := range charts {
		img, err := png.Decode(bytes.NewReader(c.PNG))
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		if b := img.Bounds(); b.Dx() != report.ChartWidth || b.Dy() != report.ChartHeight {
			t.Errorf("%s is %dx%d, want %dx%d", c.Name, b.Dx(), b.Dy(), report.ChartWidth, report.ChartHeight)
		}
		if ink, colours := drawn(img); ink < 0.04 || colours < 5 {
			t.Errorf("%s looks blank: %.1f%% of pixels drawn, %d colours", c.Name, ink*100, colours)
		}
		svg := string(c.SVG)
		if !strings.Contains(svg, "<svg") || !strings.Contains(svg, `width="900pt" height="480pt"`) {
			t.Errorf("%s: SVG head %q", c.Name, svg[:min(len(svg), 200)])
		}
		if c.Title == "" || c.Caption == "" {
			t.Errorf("%s has no title or caption", c.Name)
		}
	}
}

// drawn is the share of pixels that are not white and the number of
// distinct colours (counted up to 64).
func drawn(img image.Image) (float64, int) {
	b := img.Bounds()
	ink, colours := 0, map[color.RGBA]bool{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				ink++
			}
			if len(colours) < 64 {
				colours[color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), 0xff}] = true
			}
		}
	}
	return float64(ink) / float64(b.Dx()*b.Dy()), len(colours)
}

// Write leaves every file beside results.json, report.html standing alone.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	// A chart of a test this run lacks, left by an earlier report.
	if err := os.MkdirAll(filepath.Join(dir, "charts"), 0o755); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, "charts", "tcp_stream_1-rate.png")
	if err := os.WriteFile(stale, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := report.Write(dir, fullRun(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2*8+4 {
		t.Errorf("wrote %d files, want 20: %v", len(files), files)
	}
	for _, f := range []string{"report.md", "report.html", "summary.md", "results.csv", "charts/overview-ratio.png", "charts/tcp_rr_32-latency.svg"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale chart is still there: %v", err)
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(html)
	for _, want := range []string{`src="data:image/svg`, "TCP_RR 32 connections, 32 CPUs", "cilium 1.20.2: routing Native, host routing Legacy",
		"the cilium agents report host routing Legacy", "the aggregate is suspect", "error: set up the pod-to-pod path", `class="badge fail"`} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	// Nothing is fetched from elsewhere: no external images, scripts or styles.
	if m := regexp.MustCompile(`(src|href)="(https?:)?//`).FindString(page); m != "" {
		t.Errorf("report.html refers outside itself: %s", m)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`\]\((charts/[^)]+)\)`).FindAllStringSubmatch(string(md), -1) {
		if _, err := os.Stat(filepath.Join(dir, m[1])); err != nil {
			t.Errorf("report.md links %s: %v", m[1], err)
		}
	}
}

// Odd but valid files (no tests, a test with one path, paths without
// statistics, verdicts without ratios) make reports, never a panic.
func TestWriteSparseRuns(t *testing.T) {
	pod := &results.Path{Samples: []results.Sample{{Rate: 5, RateUnit: "Gbit/s", ClientSD: 1, ServerSD: 1}}}
	for name, run := range map[string]*results.Run{
		"no tests":        {Schema: results.Schema, Verdict: results.NoTests},
		"a nil test":      {Schema: results.Schema, Tests: []*results.Test{nil}},
		"empty paths":     {Schema: results.Schema, Tests: []*results.Test{{ID: "tcp_stream_1"}}},
		"one path":        {Schema: results.Schema, Tests: []*results.Test{{ID: "tcp_stream_1", Paths: map[endpoints.Path]*results.Path{endpoints.PodPath: pod}}}},
		"a nil path":      {Schema: results.Schema, Tests: []*results.Test{{ID: "tcp_rr_1", Paths: map[endpoints.Path]*results.Path{endpoints.PodPath: nil}}}},
		"verdicts only":   {Schema: results.Schema, Tests: []*results.Test{{ID: "tcp_rr_32", Verdicts: []results.Verdict{{Metric: results.Rate, Status: results.Fail}}}}},
		"unknown test id": {Schema: results.Schema, Settings: results.Settings{Baseline: "mine.yaml"}, Tests: []*results.Test{{ID: "udp_rr_1", Paths: map[endpoints.Path]*results.Path{endpoints.PodPath: pod, endpoints.NodePath: pod}}}},
	} {
		t.Run(name, func(t *testing.T) {
			if run.Tests != nil && run.Tests[0] != nil && run.Tests[0].Paths[endpoints.NodePath] != nil {
				if err := run.Tests[0].Summarize(); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := report.Write(t.TempDir(), run); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestWriteUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := report.Write(filepath.Join(file, "dir"), fullRun(t)); err == nil || !strings.Contains(err.Error(), "report dir") {
		t.Errorf("Write under a file = %v", err)
	}
}

// The summary is appended to $GITHUB_STEP_SUMMARY, run after run, and only
// when it is set.
func TestStepSummary(t *testing.T) {
	t.Setenv("GITHUB_STEP_SUMMARY", "")
	if wrote, err := report.StepSummary(fullRun(t)); wrote || err != nil {
		t.Fatalf("without GITHUB_STEP_SUMMARY: wrote %v, %v", wrote, err)
	}
	path := filepath.Join(t.TempDir(), "step_summary.md")
	if err := os.WriteFile(path, []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GITHUB_STEP_SUMMARY", path)
	for range 2 {
		if wrote, err := report.StepSummary(fullRun(t)); !wrote || err != nil {
			t.Fatalf("wrote %v, %v", wrote, err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.HasPrefix(s, "earlier step\n") || strings.Count(s, "# podperf report: FAIL") != 2 {
		t.Errorf("summary file:\n%s", s)
	}
	if strings.Contains(s, "](charts/") {
		t.Error("the job summary links charts it cannot show")
	}
}

// The fixture survives a round trip through results.json unchanged in what
// the reports read, so the golden files cover what the suite writes.
func TestLoadRoundTrip(t *testing.T) {
	r := fullRun(t)
	p, err := report.WriteJSON(t.TempDir(), r)
	if err != nil {
		t.Fatal(err)
	}
	back, err := report.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(r)
	b, _ := json.Marshal(back)
	if !bytes.Equal(a, b) {
		t.Error("results.json does not round-trip")
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	put := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, path, want string
	}{
		{"missing file", filepath.Join(dir, "none.json"), "no such file"},
		{"not JSON", put("a.json", "schema: v1\n"), "is not JSON"},
		{"not an object", put("b.json", "[1, 2]"), "top level is not a JSON object"},
		{"no schema", put("c.json", `{"tests": []}`), `no "schema" string`},
		{"another schema", put("d.json", `{"schema": "podperf.bench/v1"}`), `has schema "podperf.bench/v1"`},
		{"breaks the schema", put("e.json", `{"schema": "podperf.results/v1", "tests": [{"id": "x"}]}`), "missing property 'paths'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := report.Load(tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load = %v, want an error with %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}
