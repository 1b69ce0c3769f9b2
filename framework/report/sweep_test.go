package report

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"podperf/framework/results"
)

// The sweep chart of a real run (the local target, --message-sizes=64,1024,16384,65536,
// two samples of 2 s): one line per sweep and path, sizes in increasing order.
func TestSweepChart(t *testing.T) {
	run, err := Load("testdata/sweep-run.json")
	if err != nil {
		t.Fatal(err)
	}
	lines := sweepLines(run)
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4 (TCP and UDP sweeps, node and pod paths)", len(lines))
	}
	for _, l := range lines {
		for i := 1; i < len(l.pts); i++ {
			if l.pts[i].X <= l.pts[i-1].X {
				t.Errorf("%s: sizes out of order: %v", l.name, l.pts)
			}
		}
	}
	if n := len(lines[0].pts); n != 4 {
		t.Errorf("TCP sweep has %d sizes, want 4", n)
	}
	if n := len(lines[2].pts); n != 3 {
		t.Errorf("UDP sweep has %d sizes, want 3 (65536 is more than a datagram carries)", n)
	}
	c, err := sweepChart(run)
	if err != nil || c == nil {
		t.Fatalf("sweepChart = %v, %v", c, err)
	}
	img, err := png.Decode(bytes.NewReader(c.PNG))
	if err != nil {
		t.Fatal(err)
	}
	if r := img.Bounds(); r.Dx() != ChartWidth || r.Dy() != ChartHeight {
		t.Errorf("PNG is %v, want %dx%d", r, ChartWidth, ChartHeight)
	}
	if !bytes.Contains(c.SVG, []byte("<svg")) || !strings.Contains(string(c.SVG), "16 KiB") {
		t.Error("SVG lacks the size ticks")
	}
	if c, err := sweepChart(&results.Run{}); c != nil || err != nil {
		t.Errorf("a run without a sweep has a sweep chart: %v, %v", c, err)
	}
	for n, want := range map[float64]string{64: "64 B", 1024: "1 KiB", 65536: "64 KiB", 1500: "1500 B", 1 << 20: "1 MiB"} {
		if got := sizeText(n); got != want {
			t.Errorf("sizeText(%v) = %q, want %q", n, got, want)
		}
	}
}
