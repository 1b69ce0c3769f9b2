package verdict

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"

	"podperf/framework/baseline"
	"podperf/framework/endpoints"
	"podperf/framework/results"
	"podperf/framework/stats"
)

// Against is what a test is judged against, and how.
type Against struct {
	Mode    Mode
	Profile *baseline.Profile
	// Reference is a stored run (--reference): its raw samples replace the
	// profile's figures. RefName names it in messages.
	Reference *results.Run
	RefName   string
	Tol       Tolerances
	// Design is the sequential plan of the looks (zero: a single look at
	// whatever number of samples there are).
	Design stats.Design
}

// reference finds what test t is judged against: the profile's figures
// (with their raw samples when the profile was recorded) or a stored run's
// samples.
func (a Against) reference(t *results.Test) (want baseline.TestFigures, refPod, refNode map[results.Metric][]float64, name string, err error) {
	if a.Reference != nil {
		i := slices.IndexFunc(a.Reference.Tests, func(r *results.Test) bool { return r.ID == t.ID })
		if i < 0 {
			return want, nil, nil, "", fmt.Errorf("reference %s has no %s: judge against a run that measured it, or drop --reference", a.RefName, t.ID)
		}
		r := a.Reference.Tests[i]
		if r.Unit(results.Rate) != t.Unit(results.Rate) {
			return want, nil, nil, "", fmt.Errorf("reference %s gives %s in %s, the test measures %s", a.RefName, t.ID, r.Unit(results.Rate), t.Unit(results.Rate))
		}
		refPod, refNode = map[results.Metric][]float64{}, map[results.Metric][]float64{}
		for _, m := range results.Metrics {
			refPod[m], refNode[m] = r.Values(r.Compared(), m), r.Values(endpoints.NodePath, m)
			if len(refPod[m]) < 2 || len(refPod[m]) != len(refNode[m]) {
				return want, nil, nil, "", fmt.Errorf("reference %s: %s has %d pod and %d node samples: a two-sample verdict needs at least 2 paired samples", a.RefName, t.ID, len(refPod[m]), len(refNode[m]))
			}
		}
		med := func(p endpoints.Path, m results.Metric) float64 {
			s, _ := stats.Summarize(r.Values(p, m))
			return s.Median
		}
		want = baseline.TestFigures{Unit: r.Unit(results.Rate),
			Pod:  baseline.Figures{Rate: med(r.Compared(), results.Rate), ClientSD: med(r.Compared(), results.ClientCPU), ServerSD: med(r.Compared(), results.ServerCPU)},
			Node: baseline.Figures{Rate: med(endpoints.NodePath, results.Rate), ClientSD: med(endpoints.NodePath, results.ClientCPU), ServerSD: med(endpoints.NodePath, results.ServerCPU)}}
		return want, refPod, refNode, "run " + a.RefName, nil
	}
	p := a.Profile
	want, ok := p.Tests[t.ID]
	if !ok {
		return want, nil, nil, "", fmt.Errorf("baseline %q has no figures for %s: record them with --write-baseline or pick another --baseline", p.Name, t.ID)
	}
	if t.Unit(results.Rate) != want.Unit {
		return want, nil, nil, "", fmt.Errorf("baseline %q gives %s in %s, the test measures %s", p.Name, t.ID, want.Unit, t.Unit(results.Rate))
	}
	if s := want.Samples; s != nil {
		for _, m := range results.Metrics {
			if len(s.Pod[m]) < 2 || len(s.Pod[m]) != len(s.Node[m]) {
				// Too few to carry their noise: judged against the figures alone.
				return want, nil, nil, "", nil
			}
		}
		return want, s.Pod, s.Node, "profile " + p.Name, nil
	}
	return want, nil, nil, "", nil
}

func (a Against) inputs(t *results.Test) ([]Input, baseline.TestFigures, error) {
	want, refPod, refNode, name, err := a.reference(t)
	if err != nil {
		return nil, want, err
	}
	// The pod path, or the path an extended spec compares with the reference.
	pod, node := t.Paths[t.Compared()], t.Paths[endpoints.NodePath]
	if pod == nil || node == nil || len(pod.Samples) == 0 || len(pod.Samples) != len(node.Samples) {
		return nil, want, fmt.Errorf("%s has no paired samples on both paths: nothing to judge", t.ID)
	}
	var out []Input
	for _, m := range results.Metrics {
		in := Input{Test: t.ID, Title: t.Title, Metric: m, RR: t.Netperf.IsRR(), Unit: t.Unit(m),
			Pod: t.Values(t.Compared(), m), Node: t.Values(endpoints.NodePath, m), RefName: name, Path: string(t.Path)}
		if refPod != nil {
			in.RefPod, in.RefNode = refPod[m], refNode[m]
		}
		out = append(out, in)
	}
	return out, want, nil
}

// JudgeTest judges every metric of test t at one look of the sequential
// design. prev are the verdicts of the test's previous look: a metric
// decided there keeps its verdict (a decision is final). Failures are tested
// with Holm's procedure across the metrics, in its sequential form (Maurer
// and Bretz's graphical approach): each undecided metric gets alpha/k, k
// being the number of metrics not failed yet, so that when one fails its
// share passes to the others. A test the reference lacks is an error: a
// silent pass would hide it.
func JudgeTest(a Against, t *results.Test, prev []results.Verdict) ([]results.Verdict, error) {
	ins, want, err := a.inputs(t)
	if err != nil {
		return nil, err
	}
	out := make([]results.Verdict, len(ins))
	done := make([]bool, len(ins))
	failed := 0
	for i, in := range ins {
		for _, p := range prev {
			if p.Metric == in.Metric && (p.Status == results.Pass || p.Status == results.Fail) {
				out[i], done[i] = p, true
				if p.Status == results.Fail {
					failed++
				}
			}
		}
	}
	for {
		af := stats.Alpha / float64(len(ins)-failed)
		newly := 0
		for i, in := range ins {
			if done[i] {
				continue
			}
			v, err := Judge(a.Mode, in, want, a.Tol.For(t.ID, in.Metric), Look{Design: a.Design, AlphaFail: af})
			if err != nil {
				return nil, err
			}
			out[i] = v
			if v.Status == results.Fail {
				done[i] = true
				newly++
			}
		}
		if newly == 0 || failed+newly == len(ins) {
			break
		}
		failed += newly
	}
	return out, nil
}

// Outlook says whether an undecided metric can still be decided within the
// design, and how many samples it would take at the noise measured so far.
type Outlook struct {
	Metric results.Metric
	// Decidable: some look up to the design's last could decide it, even at
	// the low end of what the noise may be.
	Decidable bool
	// Needed is the number of samples per path that would decide a figure
	// as far from the threshold as the tolerance with 80% probability; 0
	// when no number would (the reference's own noise is too large).
	Needed int
	// Line says so in one line, for a log and the test's notes.
	Line string
}

// Forecast plans, from the noise measured so far, the inconclusive metrics
// of vs (the verdicts of the look just taken).
func Forecast(a Against, t *results.Test, vs []results.Verdict) ([]Outlook, error) {
	ins, want, err := a.inputs(t)
	if err != nil {
		return nil, err
	}
	var out []Outlook
	for _, in := range ins {
		i := slices.IndexFunc(vs, func(v results.Verdict) bool { return v.Metric == in.Metric })
		if i < 0 || vs[i].Status != results.Inconclusive {
			continue
		}
		tol := a.Tol.For(t.ID, in.Metric)
		as, err := assess(a.Mode, in, want, tol, Look{Design: a.Design})
		if err != nil {
			return nil, err
		}
		if as.est.N < 2 {
			continue
		}
		out = append(out, forecast(a, in, as, tol))
	}
	return out, nil
}

func forecast(a Against, in Input, as assessment, tol float64) Outlook {
	d := a.Design
	if d.Max == 0 {
		d = stats.NewDesign(as.est.N, as.est.N)
	}
	n0, sd, refSE, refN := as.est.N, as.est.SD, as.est.RefSE, as.est.RefN
	gap := math.Abs(as.expected - as.limit)
	if as.twoSample {
		gap = math.Abs(as.limit)
	}
	gap = math.Max(gap, math.Abs(as.est.Mean-as.limit))
	// The t quantile of a look with n samples; beyond the design, that of
	// its last look's z boundary.
	critical := func(n int) float64 {
		df := float64(n - 1)
		if as.twoSample && refN > 1 {
			vx, vr := sd*sd/float64(n), refSE*refSE
			if vx+vr > 0 {
				df = (vx + vr) * (vx + vr) / (vx*vx/float64(n-1) + vr*vr/float64(refN-1))
			}
		}
		if n <= d.Max {
			return d.Critical(n, stats.Alpha, df)
		}
		p := 1 - distuv.UnitNormal.CDF(d.LastZ(stats.Alpha))
		return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(1 - p)
	}
	half := func(n int, sd, z float64) float64 {
		return (critical(n) + z) * math.Sqrt(sd*sd/float64(n)+refSE*refSE)
	}
	o := Outlook{Metric: in.Metric}
	// Optimistic: the low end (90% one-sided) of what the noise may be.
	sdLow := sd * math.Sqrt(float64(n0-1)/distuv.ChiSquared{K: float64(n0 - 1)}.Quantile(0.9))
	for n := n0 + 1; n <= d.Max; n++ {
		if half(n, sdLow, 0) <= gap {
			o.Decidable = true
			break
		}
	}
	z := distuv.UnitNormal.Quantile(power)
	for n := max(n0, 2); n <= 10000; n++ {
		if half(n, sd, z) <= gap {
			o.Needed = n
			break
		}
	}
	what := "the pod " + in.Metric.Title(in.RR)
	if a.Mode == Relative {
		what = "the pod/node " + in.Metric.Title(in.RR) + " ratio"
	}
	spread := sd
	if !as.twoSample && as.est.Mean != 0 {
		spread = sd / math.Abs(as.est.Mean)
	}
	o.Line = fmt.Sprintf("%s: %s varies %.1f%% sample to sample here", in.Title, what, spread*100)
	switch {
	case o.Needed > 0:
		o.Line += fmt.Sprintf("; a %.3g%% tolerance needs about %d samples per path", tol*100, o.Needed)
	default:
		o.Line += fmt.Sprintf("; the reference's own %d samples leave it uncertain by %.1f%% (one standard error), which no number of samples here can make up for a %.3g%% tolerance: record the reference with more samples or raise the tolerance", refN, refSE*100, tol*100)
	}
	if !o.Decidable && o.Needed > 0 {
		o.Line += "; raise --max-samples or the tolerance"
	}
	return o
}
