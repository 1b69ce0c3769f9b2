package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strings"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Every chart is ChartWidth x ChartHeight pixels at 96 dpi: readable at
// 1200 px wide, the width of a report page.
const (
	ChartWidth  = 1200
	ChartHeight = 640
	chartDPI    = 96
)

// px converts pixels at chartDPI to drawing units (points).
func px(n float64) vg.Length { return vg.Length(n * 72 / chartDPI) }

// barChart is a bar chart in the style of the published benchmark: a title,
// a caption that says what the bars are and how they are normalised, bars
// in groups with optional whiskers, value labels and a legend beside the plot.
type barChart struct {
	Title   string
	Caption []string // lines under the title
	YLabel  string
	Groups  []string // x categories
	Series  []series
	// RefLine draws a dashed horizontal line at this value (0: none), with RefLabel.
	RefLine  float64
	RefLabel string
	// Format writes a bar's value label.
	Format func(float64) string
	// Panels draws each group as its own plot with its own scale: for
	// figures of different magnitudes, such as latency percentiles.
	Panels bool
}

// series is one legend entry: a bar in each group.
type series struct {
	Name  string
	Color color.Color
	Bars  []bar // one per group; a bar with !OK is left out
}

type bar struct {
	OK bool
	V  float64
	// Color overrides the series' colour for this bar.
	Color  color.Color
	Lo, Hi float64 // whisker (95% interval); both 0: none
	// Threshold marks the verdict's threshold on the bar (0: none).
	Threshold float64
}

var (
	textColor = color.RGBA{0x22, 0x22, 0x22, 0xff}
	gridColor = color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
)

func sans(size float64, bold bool) font.Font {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: px(size)}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return f
}

func textStyle(size float64, bold bool) text.Style {
	return text.Style{Color: textColor, Font: sans(size, bold), Handler: plot.DefaultTextHandler}
}

// wrap breaks a label into lines of at most n characters at spaces.
func wrap(s string, n int) string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len(line)+1+len(w) > n {
			lines = append(lines, line)
			line = w
			continue
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return strings.Join(append(lines, line), "\n")
}

// hasData reports whether any bar would be drawn.
func (c *barChart) hasData() bool {
	for _, s := range c.Series {
		for _, b := range s.Bars {
			if b.OK {
				return true
			}
		}
	}
	return false
}

// drawHeader clears the canvas to white and draws a chart's title and
// caption lines, left-aligned; it returns the canvas and the header's height.
func drawHeader(cv vg.CanvasSizer, titleText string, captionLines []string) (draw.Canvas, vg.Length) {
	dc := draw.New(cv)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	pad := px(18)
	y := dc.Max.Y - pad
	title := textStyle(20, true)
	title.YAlign = draw.YTop
	dc.FillText(title, vg.Point{X: dc.Min.X + pad, Y: y}, titleText)
	y -= title.Height(titleText) + px(6)
	capt := textStyle(13.5, false)
	capt.YAlign = draw.YTop
	capt.Color = color.RGBA{0x44, 0x44, 0x44, 0xff}
	for _, l := range captionLines {
		dc.FillText(capt, vg.Point{X: dc.Min.X + pad, Y: y}, l)
		y -= capt.Height(l) + px(2)
	}
	return dc, dc.Max.Y - y + px(8)
}

// render draws the chart on a canvas of the chart's size.
func (c *barChart) render(cv vg.CanvasSizer) {
	dc, header := drawHeader(cv, c.Title, c.Caption)
	pad := px(18)

	legendWidth := vg.Length(0)
	if len(c.Series) > 1 || c.hasThreshold() || (c.RefLine > 0 && c.RefLabel != "") {
		legendWidth = px(300)
	}
	pc := draw.Crop(dc, pad/2, -legendWidth-pad/2, pad/2, -header)
	if !c.Panels {
		all := make([]int, len(c.Groups))
		for i := range all {
			all[i] = i
		}
		c.plot(all, c.YLabel).Draw(pc)
	} else {
		// One panel per group, each on its own scale.
		w := (pc.Max.X - pc.Min.X) / vg.Length(len(c.Groups))
		for i := range c.Groups {
			label := ""
			if i == 0 {
				label = c.YLabel
			}
			x0 := pc.Min.X + w*vg.Length(i)
			c.plot([]int{i}, label).Draw(draw.Crop(pc, x0-pc.Min.X, -(pc.Max.X - x0 - w), 0, 0))
		}
	}

	if legendWidth > 0 {
		l := plot.NewLegend()
		l.TextStyle = textStyle(13.5, false)
		l.Top, l.Left = true, true
		l.ThumbnailWidth = px(22)
		l.Padding = px(7)
		for _, s := range c.Series {
			if s.Name != "" {
				l.Add(wrapLegend(s.Name), swatch{s.Color})
			}
		}
		if c.hasThreshold() {
			l.Add("threshold of the\nrun's verdict", thresholdThumb{})
		}
		if c.RefLine > 0 && c.RefLabel != "" {
			l.Add(wrapLegend(c.RefLabel), refThumb{})
		}
		lc := draw.Crop(dc, dc.Max.X-legendWidth, -pad, pad, -header-px(10))
		l.Draw(lc)
	}
}

// plot makes the plot of the given groups.
func (c *barChart) plot(groups []int, yLabel string) *plot.Plot {
	p := plot.New()
	p.BackgroundColor = nil
	p.Y.Label.Text = yLabel
	p.Y.Label.TextStyle.Font, p.Y.Label.TextStyle.Color = sans(14, false), textColor
	for _, l := range []*text.Style{&p.Y.Tick.Label, &p.X.Tick.Label} {
		l.Font, l.Color = sans(13.5, false), textColor
	}
	p.Y.Min = 0
	p.Y.Tick.Marker = plot.TickerFunc(yTicks)
	// Group labels wrap to the width of their group (about 7.5 px a character).
	perLine := max(10, int(float64(ChartWidth-420)/float64(max(1, len(c.Groups)))/7.5))
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = wrap(c.Groups[g], perLine)
	}
	p.NominalX(names...)
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	grid.Horizontal.Color = gridColor
	p.Add(grid)
	p.Add(&barsPlotter{chart: c, groups: groups})
	return p
}

func wrapLegend(s string) string { return wrap(s, 30) }

func (c *barChart) hasThreshold() bool {
	for _, s := range c.Series {
		for _, b := range s.Bars {
			if b.OK && b.Threshold > 0 {
				return true
			}
		}
	}
	return false
}

// png encodes the chart as PNG at ChartWidth x ChartHeight pixels.
func (c *barChart) png() ([]byte, error) {
	cv := vgimg.NewWith(vgimg.UseWH(px(ChartWidth), px(ChartHeight)), vgimg.UseDPI(chartDPI))
	c.render(cv)
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: cv}).WriteTo(&b); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return b.Bytes(), nil
}

// svg encodes the chart as SVG of the same size (fonts by name, not embedded).
func (c *barChart) svg() ([]byte, error) {
	cv := vgsvg.NewWith(vgsvg.UseWH(px(ChartWidth), px(ChartHeight)))
	c.render(cv)
	var b bytes.Buffer
	if _, err := cv.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("encode svg: %w", err)
	}
	return b.Bytes(), nil
}

// barsPlotter draws the chart's bars, whiskers, thresholds, value labels and
// reference line on the plot's data area.
type barsPlotter struct {
	chart  *barChart
	groups []int // indices of the chart's groups this plot shows
}

// layout returns the centre and width (in data units) of bar j of group i.
func (bp *barsPlotter) layout(i, j int) (x, w float64) {
	n := len(bp.chart.Series)
	w = 0.84 / float64(n)
	return float64(i) - 0.42 + w*(float64(j)+0.5), w
}

// bars calls f on every bar the plot shows, with its place in the plot.
func (bp *barsPlotter) bars(f func(i, j int, s series, b bar)) {
	for j, s := range bp.chart.Series {
		for i, g := range bp.groups {
			if g < len(s.Bars) && s.Bars[g].OK {
				f(i, j, s, s.Bars[g])
			}
		}
	}
}

// DataRange fits the bars, thresholds and reference line, and the whiskers
// as long as they do not squash the bars: one reaching past 1.5 times the
// tallest bar is cut at the top of the plot, with an arrow.
func (bp *barsPlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	top, hi := bp.chart.RefLine, 0.0
	bp.bars(func(_, _ int, _ series, b bar) {
		top = math.Max(top, math.Max(b.V, b.Threshold))
		hi = math.Max(hi, b.Hi)
	})
	top = math.Max(top, math.Min(hi, top*1.5))
	if top <= 0 {
		top = 1
	}
	// Room above the tallest bar for its value label.
	return -0.5, float64(len(bp.groups)) - 0.5, 0, top * 1.14
}

func (bp *barsPlotter) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	ch := bp.chart
	label := textStyle(12, false)
	label.XAlign = draw.XCenter
	whisker := draw.LineStyle{Color: color.Black, Width: px(1.6)}
	dashed := draw.LineStyle{Color: color.Black, Width: px(2.2), Dashes: []vg.Length{px(5), px(3)}}
	axis := draw.LineStyle{Color: rgb(0x444444), Width: px(1.2)}
	c.StrokeLine2(axis, c.Min.X, trY(0), c.Max.X, trY(0))
	if ch.RefLine > 0 {
		ref := draw.LineStyle{Color: color.RGBA{0x66, 0x66, 0x66, 0xff}, Width: px(1.5), Dashes: []vg.Length{px(8), px(4)}}
		y := trY(ch.RefLine)
		c.StrokeLine2(ref, c.Min.X, y, c.Max.X, y)
	}
	bp.bars(func(i, j int, s series, b bar) {
		x, w := bp.layout(i, j)
		x0, x1 := trX(x-w/2*0.92), trX(x+w/2*0.92)
		y0, y1 := trY(0), trY(math.Max(b.V, 0))
		fill := s.Color
		if b.Color != nil {
			fill = b.Color
		}
		c.FillPolygon(fill, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
		top := y1
		if b.Lo != 0 || b.Hi != 0 {
			xc, capW := trX(x), min((x1-x0)/4, px(12))
			lo, hi := trY(math.Max(b.Lo, 0)), trY(math.Min(b.Hi, p.Y.Max))
			c.StrokeLine2(whisker, xc, lo, xc, hi)
			c.StrokeLine2(whisker, xc-capW, lo, xc+capW, lo)
			if b.Hi > p.Y.Max {
				// Cut: an arrow says the interval goes on.
				c.FillPolygon(color.Black, []vg.Point{{X: xc - px(6), Y: hi - px(9)}, {X: xc + px(6), Y: hi - px(9)}, {X: xc, Y: hi}})
			} else {
				c.StrokeLine2(whisker, xc-capW, hi, xc+capW, hi)
				top = max(top, hi)
			}
		}
		if b.Threshold > 0 {
			ty := trY(b.Threshold)
			ext := (x1 - x0) * 0.12
			c.StrokeLine2(dashed, x0-ext, ty, x1+ext, ty)
		}
		if ch.Format != nil {
			// On a white ground, so that a gridline or the reference line
			// under it does not cross the digits.
			// Over a cut whisker, the label sits on the bar and hides the
			// line behind it.
			txt, pt := ch.Format(b.V), vg.Point{X: trX(x), Y: top + px(4)}
			r := label.Rectangle(txt).Add(pt)
			c.FillPolygon(color.White, []vg.Point{{X: r.Min.X - px(1), Y: r.Min.Y}, {X: r.Max.X + px(1), Y: r.Min.Y}, {X: r.Max.X + px(1), Y: r.Max.Y}, {X: r.Min.X - px(1), Y: r.Max.Y}})
			c.FillText(label, pt, txt)
		}
	})
}

// yTicks labels about six round values between min and max, with k and M
// for large ones.
func yTicks(lo, hi float64) []plot.Tick {
	span := hi - lo
	if span <= 0 {
		return []plot.Tick{{Value: lo, Label: compact(lo)}}
	}
	raw := span / 6
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if step = m * mag; step >= raw {
			break
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: compact(v)})
	}
	return ticks
}

// swatch is a legend thumbnail: a filled square of the series' colour.
type swatch struct{ color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	h := c.Max.Y - c.Min.Y
	side := min(h, c.Max.X-c.Min.X)
	y0 := c.Min.Y + (h-side)/2
	c.FillPolygon(s.Color, []vg.Point{{X: c.Min.X, Y: y0}, {X: c.Min.X + side, Y: y0}, {X: c.Min.X + side, Y: y0 + side}, {X: c.Min.X, Y: y0 + side}})
}

type thresholdThumb struct{}

func (thresholdThumb) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(draw.LineStyle{Color: color.Black, Width: px(2.2), Dashes: []vg.Length{px(5), px(3)}}, c.Min.X, y, c.Max.X, y)
}

type refThumb struct{}

func (refThumb) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(draw.LineStyle{Color: color.RGBA{0x66, 0x66, 0x66, 0xff}, Width: px(1.5), Dashes: []vg.Length{px(8), px(4)}}, c.Min.X, y, c.Max.X, y)
}
