package report

import (
	"bytes"
	"fmt"
	"image/color"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"podperf/framework/endpoints"
	"podperf/framework/results"
)

// SweepChart is the name of the message-size sweep's chart (--message-sizes).
const SweepChart = "message_size_sweep-rate"

// sweepLine is one line of the sweep chart: one sweep on one path.
type sweepLine struct {
	name   string
	color  color.Color
	dashed bool
	pts    plotter.XYs     // message size (bytes), median rate (Gbit/s)
	ci     plotter.YErrors // 95% interval around each point
}

// sweepLines gathers the sweeps of run: per sweep and path, the median rate
// of each message size, in increasing size.
func sweepLines(run *results.Run) []sweepLine {
	var sweeps []string
	bySweep := map[string][]*results.Test{}
	for _, t := range run.Tests {
		if t == nil || t.Sweep == "" || t.MessageSize <= 0 || !hasFigures(t) {
			continue
		}
		if _, ok := bySweep[t.Sweep]; !ok {
			sweeps = append(sweeps, t.Sweep)
		}
		bySweep[t.Sweep] = append(bySweep[t.Sweep], t)
	}
	var lines []sweepLine
	for i, sw := range sweeps {
		tests := bySweep[sw]
		slices.SortFunc(tests, func(a, b *results.Test) int { return a.MessageSize - b.MessageSize })
		for _, p := range pathsOf(tests[0]) {
			l := sweepLine{name: fmt.Sprintf("%s, %s", sweepTitle(tests[0]), p.Title()), color: runNodeColor, dashed: i%2 == 1}
			if p != endpoints.NodePath {
				l.color = runPodColor
			}
			for _, t := range tests {
				st, ok := stat(t, p, results.Rate)
				if !ok {
					continue
				}
				l.pts = append(l.pts, plotter.XY{X: float64(t.MessageSize), Y: st.Median})
				e := struct{ Low, High float64 }{}
				if st.N > 1 {
					e.Low, e.High = st.Median-st.CILow, st.CIHigh-st.Median
				}
				l.ci = append(l.ci, e)
			}
			if len(l.pts) > 0 {
				lines = append(lines, l)
			}
		}
	}
	return lines
}

// sweepTitle names a sweep by its netperf test: "TCP_STREAM 1 stream".
func sweepTitle(t *results.Test) string {
	return fmt.Sprintf("%s %d stream", t.Netperf, max(t.Streams, 1))
}

// sizeText writes a message size in bytes for a tick: 64 B, 16 KiB.
func sizeText(n float64) string {
	switch {
	case n >= 1<<20 && int(n)%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", int(n)>>20)
	case n >= 1<<10 && int(n)%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", int(n)>>10)
	}
	return fmt.Sprintf("%d B", int(n))
}

// sweepChart draws the rate of every sweep against the message size, on a
// logarithmic size axis; nil when the run has no sweep.
func sweepChart(run *results.Run) (*Chart, error) {
	lines := sweepLines(run)
	if len(lines) == 0 {
		return nil, nil
	}
	c := &Chart{Name: SweepChart, Title: "Message-size sweep: rate against the size of each send",
		Caption: "This run only (no published figures exist): the median rate of each message size (bars: 95% interval) on the node-to-node reference and the pod-to-pod path. " +
			"Small sends cost a system call and a packet each, so the rate climbs with the size until the path, not the sender, is the limit. " +
			"UDP_STREAM's rate is what the server received; its sizes stop at 65507 bytes, the largest datagram."}
	var err error
	if c.PNG, err = renderSweep(c, lines, func() (vg.CanvasSizer, func(*bytes.Buffer) error) {
		cv := vgimg.NewWith(vgimg.UseWH(px(ChartWidth), px(ChartHeight)), vgimg.UseDPI(chartDPI))
		return cv, func(b *bytes.Buffer) error { _, err := (vgimg.PngCanvas{Canvas: cv}).WriteTo(b); return err }
	}); err != nil {
		return nil, fmt.Errorf("chart %s: %w", SweepChart, err)
	}
	if c.SVG, err = renderSweep(c, lines, func() (vg.CanvasSizer, func(*bytes.Buffer) error) {
		cv := vgsvg.NewWith(vgsvg.UseWH(px(ChartWidth), px(ChartHeight)))
		return cv, func(b *bytes.Buffer) error { _, err := cv.WriteTo(b); return err }
	}); err != nil {
		return nil, fmt.Errorf("chart %s: %w", SweepChart, err)
	}
	return c, nil
}

func renderSweep(c *Chart, lines []sweepLine, canvas func() (vg.CanvasSizer, func(*bytes.Buffer) error)) ([]byte, error) {
	cv, encode := canvas()
	dc, header := drawHeader(cv, c.Title, caption(c.Caption))
	pad := px(18)

	p := plot.New()
	p.BackgroundColor = nil
	p.X.Label.Text, p.Y.Label.Text = "message size (bytes per send, log scale)", "rate (Gbit/s)"
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font, a.Label.TextStyle.Color = sans(14, false), textColor
		a.Tick.Label.Font, a.Tick.Label.Color = sans(13.5, false), textColor
	}
	p.X.Scale = plot.LogScale{}
	var sizes []float64
	for _, l := range lines {
		for _, pt := range l.pts {
			if !slices.Contains(sizes, pt.X) {
				sizes = append(sizes, pt.X)
			}
		}
	}
	slices.Sort(sizes)
	var ticks []plot.Tick
	for _, s := range sizes {
		ticks = append(ticks, plot.Tick{Value: s, Label: sizeText(s)})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	// Some room either side of the smallest and largest size on the log axis.
	p.X.Min, p.X.Max = sizes[0]/1.5, sizes[len(sizes)-1]*1.5
	// The rate axis fits the medians: an interval reaching past 1.5 times the
	// highest (two samples give wide ones) is cut there, and none goes below 0.
	top := 0.0
	for _, l := range lines {
		for _, pt := range l.pts {
			top = max(top, pt.Y)
		}
	}
	top = max(top*1.5, 1e-9)
	p.Y.Min, p.Y.Max = 0, top*1.05
	p.Y.Tick.Marker = plot.TickerFunc(yTicks)
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = gridColor, gridColor
	p.Add(grid)
	p.Legend.TextStyle = textStyle(13.5, false)
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.ThumbnailWidth = px(36)
	p.Legend.Padding = px(7)
	p.Legend.XOffs, p.Legend.YOffs = px(12), -px(4)
	for _, l := range lines {
		ln, pts, err := plotter.NewLinePoints(l.pts)
		if err != nil {
			return nil, err
		}
		ln.Color, ln.Width = l.color, px(2.5)
		if l.dashed {
			ln.Dashes = []vg.Length{px(8), px(4)}
		}
		pts.Color, pts.Shape, pts.Radius = l.color, draw.CircleGlyph{}, px(4.5)
		if l.dashed {
			pts.Shape = draw.BoxGlyph{}
		}
		ci := make(plotter.YErrors, len(l.ci))
		for i, e := range l.ci {
			y := l.pts[i].Y
			ci[i].Low, ci[i].High = min(e.Low, y), min(e.High, top-y)
		}
		bars, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{l.pts, ci})
		if err != nil {
			return nil, err
		}
		bars.Color, bars.Width, bars.CapWidth = l.color, px(1.5), px(10)
		p.Add(ln, pts, bars)
		p.Legend.Add(strings.TrimSpace(l.name), ln, pts)
	}
	p.Draw(draw.Crop(dc, pad/2, -pad/2, pad/2, -header))
	var b bytes.Buffer
	if err := encode(&b); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return b.Bytes(), nil
}
