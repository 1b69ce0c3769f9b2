package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"gonum.org/v1/gonum/stat/distuv"
)

// Alpha is the one-sided error rate of every decision the suite takes: a
// figure on the good side of its threshold is failed, or one on the bad side
// passed, with probability at most Alpha over all the looks of a test (the
// two-sided Level interval splits 1-Level into two such halves).
const Alpha = (1 - Level) / 2

// Design is a group-sequential plan: the data are looked at after First
// samples and after every further sample up to Max. Each look tests at a
// nominal level chosen so that, over all the looks, a one-sided test at level
// alpha rejects a true hypothesis with probability at most alpha. The levels
// come from Lan and DeMets' alpha-spending approach with the Pocock-type
// spending function alpha*ln(1+(e-1)t), t = n/Max the information fraction:
// it spends much of alpha early, so a clear case is decided at the first
// looks. The boundaries are computed for z statistics by numerical
// integration (Armitage, McPherson and Rowe's recursion); a look with n
// samples turns its nominal p into a Student t quantile with the look's
// degrees of freedom.
type Design struct {
	First, Max int
}

// NewDesign is the design of a test that judges after first samples and may
// take up to max; first below 2 starts at 2 (one sample has no interval).
func NewDesign(first, max int) Design {
	first = max2(first, 2)
	return Design{First: first, Max: max2(max, first)}
}

func max2(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// Spent is the part of alpha spent up to information fraction t (Pocock-type).
func Spent(alpha, t float64) float64 {
	t = math.Min(math.Max(t, 0), 1)
	return alpha * math.Log(1+(math.E-1)*t)
}

// Nominal is the nominal one-sided p-value a look with n samples must reach
// for the whole design to keep alpha. Outside the design's looks it is 0
// (nothing is rejected at a look the design did not plan).
func (d Design) Nominal(n int, alpha float64) float64 {
	if n < d.First || n > d.Max || alpha <= 0 {
		return 0
	}
	b := boundaries(d, alpha)
	return 1 - normal.CDF(b[n-d.First])
}

// Critical is the t quantile a look with n samples and df degrees of freedom
// compares its statistic with (one-sided, at the look's nominal level).
func (d Design) Critical(n int, alpha, df float64) float64 {
	p := d.Nominal(n, alpha)
	if p <= 0 || df <= 0 {
		return math.Inf(1)
	}
	if df == float64(n-1) {
		// One sample: the boundaries of the t statistic itself.
		return tBoundaries(d, alpha)[n-d.First]
	}
	// Welch's degrees of freedom are fractional: rounded down to a
	// hundredth (a slightly wider interval), so that quantiles are cached.
	k := quantileKey{p, math.Floor(df*100) / 100}
	if q, ok := quantileCache.Load(k); ok {
		return q.(float64)
	}
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: k.df}.Quantile(1 - p)
	quantileCache.Store(k, q)
	return q
}

type quantileKey struct{ p, df float64 }

var quantileCache sync.Map // quantileKey -> float64

// tBoundaries are the boundaries of a one-sample t statistic at the looks
// First..Max, spending alpha as the z boundaries do. Converting each look's
// nominal p to a t quantile lets the design exceed alpha by a tenth or more
// when the first looks have few degrees of freedom (the looks share their
// variance estimate), so these are found by simulating the t statistic
// itself: tPaths standard normal streams (a fixed seed: the same boundaries
// every run), the boundary of each look being the quantile of the streams
// not stopped before that crosses it with the alpha spent at that look.
func tBoundaries(d Design, alpha float64) []float64 {
	k := designKey{d.First, d.Max, alpha}
	if b, ok := tCache.Load(k); ok {
		return b.([]float64)
	}
	rng := rand.New(rand.NewPCG(20240601, uint64(d.First)<<32|uint64(d.Max)))
	sum, sq := make([]float64, tPaths), make([]float64, tPaths)
	alive := make([]bool, tPaths)
	for i := range alive {
		alive[i] = true
	}
	out := make([]float64, 0, d.Max-d.First+1)
	ts := make([]float64, 0, tPaths)
	spent := 0.0
	for n := 1; n <= d.Max; n++ {
		for i := range sum {
			x := rng.NormFloat64()
			sum[i] += x
			sq[i] += x * x
		}
		if n < d.First {
			continue
		}
		fn := float64(n)
		stat := func(i int) float64 {
			m := sum[i] / fn
			v := (sq[i] - fn*m*m) / (fn - 1)
			return m / math.Sqrt(math.Max(v, 1e-300)/fn)
		}
		ts = ts[:0]
		for i := range sum {
			if alive[i] {
				ts = append(ts, stat(i))
			}
		}
		target := Spent(alpha, fn/float64(d.Max)) - spent
		spent += target
		slices.Sort(ts)
		// The number of streams allowed to cross at this look.
		cross := int(math.Round(target * tPaths))
		c := math.Inf(1)
		if cross > 0 && cross <= len(ts) {
			c = ts[len(ts)-cross]
			if cross < len(ts) {
				c = (c + ts[len(ts)-cross-1]) / 2
			}
		}
		out = append(out, c)
		for i := range sum {
			if alive[i] && stat(i) > c {
				alive[i] = false
			}
		}
	}
	tCache.Store(k, out)
	return out
}

// tPaths is the number of simulated streams behind the t boundaries.
const tPaths = 100000

var tCache sync.Map // designKey -> []float64

// LastZ is the z boundary of the design's last look: for planning how many
// samples a design longer than this one would need.
func (d Design) LastZ(alpha float64) float64 {
	b := boundaries(d, alpha)
	return b[len(b)-1]
}

func (d Design) String() string {
	return fmt.Sprintf("looks at n=%d..%d, Pocock-type alpha spending", d.First, d.Max)
}

var normal = distuv.Normal{Mu: 0, Sigma: 1}

type designKey struct {
	first, max int
	alpha      float64
}

var boundaryCache sync.Map // designKey -> []float64

// boundaries are the z boundaries of the looks First..Max at one-sided level
// alpha: cached, as a test asks for the same ones at every look.
func boundaries(d Design, alpha float64) []float64 {
	k := designKey{d.First, d.Max, alpha}
	if b, ok := boundaryCache.Load(k); ok {
		return b.([]float64)
	}
	b := computeBoundaries(d, alpha)
	boundaryCache.Store(k, b)
	return b
}

// computeBoundaries follows the sum S_n of n standard normal increments
// (Z_n = S_n/sqrt(n)) on a grid: at each look it finds the boundary c whose
// crossing probability, among the paths not stopped before, is the alpha
// spent at that look, then carries the density of the paths that continue
// to the next look.
func computeBoundaries(d Design, alpha float64) []float64 {
	// Grid step on the S scale (the increments have variance 1 per sample),
	// coarser for long designs so that their cost stays bounded.
	h := math.Max(0.05, 0.02*math.Sqrt(float64(d.Max)))
	looks := d.Max - d.First + 1
	out := make([]float64, looks)
	n0 := float64(d.First)
	// First look: S ~ N(0, n0), no earlier stopping.
	c := normal.Quantile(1 - Spent(alpha, n0/float64(d.Max)))
	out[0] = c
	lo := -6 * math.Sqrt(float64(d.Max))
	hi := c * math.Sqrt(n0)
	grid, dens := densityGrid(lo, hi, h, func(s float64) float64 {
		return math.Exp(-s*s/(2*n0)) / math.Sqrt(2*math.Pi*n0)
	})
	spentBefore := Spent(alpha, n0/float64(d.Max))
	for k := 1; k < looks; k++ {
		n := n0 + float64(k)
		target := Spent(alpha, n/float64(d.Max)) - spentBefore
		spentBefore += target
		// P(cross at this look) = sum over s of dens(s) * P(s + N(0,1) > c*sqrt(n)).
		cross := func(c float64) float64 {
			var p float64
			for i, s := range grid {
				p += dens[i] * (1 - normal.CDF(c*math.Sqrt(n)-s))
			}
			return p * h
		}
		a, b := -2.0, 12.0
		for range 60 {
			m := (a + b) / 2
			if cross(m) > target {
				a = m
			} else {
				b = m
			}
		}
		c = (a + b) / 2
		out[k] = c
		// Density at this look of the paths that continue (S below c*sqrt(n)).
		top := c * math.Sqrt(n)
		next, nd := densityGrid(lo, top, h, func(float64) float64 { return 0 })
		for j, y := range next {
			var v float64
			for i, s := range grid {
				if x := y - s; x < 8 && x > -8 {
					v += dens[i] * math.Exp(-x*x/2)
				}
			}
			nd[j] = v * h / math.Sqrt(2*math.Pi)
		}
		grid, dens = next, nd
	}
	return out
}

func densityGrid(lo, hi, h float64, f func(float64) float64) ([]float64, []float64) {
	if hi <= lo {
		return nil, nil
	}
	n := int((hi-lo)/h) + 1
	g, d := make([]float64, n), make([]float64, n)
	for i := range g {
		g[i] = lo + float64(i)*h
		d[i] = f(g[i])
	}
	return g, d
}
