// Command podperf-bench measures the suite itself on the local target (make
// bench): what its harness costs, how far its multi-stream aggregate is from
// the interface counters, how often its verdict catches a regression and how
// often it fails a healthy run, and how long a verdict takes. It prints a
// table and writes bench.json. Missed targets are reported, not hidden: the
// exit status is non-zero only when the benchmark itself could not run.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"podperf/framework/endpoints"
	"podperf/framework/endpoints/netns"
	"podperf/framework/report"
)

// Schema identifies bench.json.
const Schema = "podperf.bench/v1"

// Options are the benchmark's flags.
type Options struct {
	Out          string        `json:"-"`
	Parts        string        `json:"parts"`
	Runs         int           `json:"runs"`
	Pairs        int           `json:"pairs"`
	Duration     time.Duration `json:"duration"`
	Samples      int           `json:"samples"`
	MaxSamples   int           `json:"maxSamples"`
	Cut          float64       `json:"cut"`
	Filters      int           `json:"latencyFilters"`
	Tolerances   string        `json:"tolerances"`
	SuiteTimeout time.Duration `json:"suiteTimeout"`
	// Gate (-parts gate): rounds of a healthy and a cut run per test type.
	Rounds             int `json:"rounds,omitempty"`
	CalibrationSamples int `json:"calibrationSamples,omitempty"`
	// Target is local, or kubernetes for the harness overhead (run through
	// the suite's harness-overhead spec with SuiteFlags).
	Target     string `json:"target,omitempty"`
	SuiteFlags string `json:"suiteFlags,omitempty"`
}

// Report is bench.json.
type Report struct {
	Schema        string                `json:"schema"`
	StartedAt     time.Time             `json:"startedAt"`
	FinishedAt    time.Time             `json:"finishedAt"`
	Environment   endpoints.Environment `json:"environment"`
	Options       Options               `json:"options"`
	Overhead      *Overhead             `json:"harnessOverhead,omitempty"`
	Aggregation   *Aggregation          `json:"aggregation,omitempty"`
	Detection     *Detection            `json:"detection,omitempty"`
	TimeToVerdict *TimeToVerdict        `json:"timeToVerdict,omitempty"`
	Gate          *Gate                 `json:"gate,omitempty"`
	Checks        []Check               `json:"checks"`
	Error         string                `json:"error,omitempty"`
}

// Check is one line of the table: a figure against its target.
type Check struct {
	Name     string `json:"name"`
	Measured string `json:"measured"`
	Target   string `json:"target"`
	Met      bool   `json:"met"`
}

func main() {
	var o Options
	flag.StringVar(&o.Out, "out", "_artifacts/bench.json", "where to write the results")
	flag.StringVar(&o.Parts, "parts", "overhead,aggregation,detection,time", "which measurements to run, comma-separated")
	flag.IntVar(&o.Runs, "runs", 20, "detection: verdict runs per condition (healthy and impaired, for each of two tests)")
	flag.IntVar(&o.Pairs, "pairs", 10, "overhead and aggregation: samples of each kind")
	flag.DurationVar(&o.Duration, "duration", 10*time.Second, "length of one netperf run (the suite's default is 10s)")
	flag.IntVar(&o.Samples, "samples", 3, "detection: samples per path before the first verdict (the suite's default)")
	flag.IntVar(&o.MaxSamples, "max-samples", 10, "detection: samples per path while the verdict is inconclusive (the suite's default)")
	flag.Float64Var(&o.Cut, "cut", 0.10, "detection: the throughput cut injected on the pod path (fraction)")
	flag.IntVar(&o.Filters, "latency-filters", 600, "detection: u32 filters put on the pod path's egress to add per-packet latency")
	flag.StringVar(&o.Tolerances, "tolerances", "regression", "detection: tolerances the verdict uses against the profile recorded by the calibration")
	flag.DurationVar(&o.SuiteTimeout, "suite-timeout", 60*time.Minute, "time: how long the four specs may take")
	flag.IntVar(&o.Rounds, "rounds", 40, "gate: rounds of a healthy and a cut run per test type (resumable: finished rounds in -out are kept)")
	flag.IntVar(&o.CalibrationSamples, "calibration-samples", 10, "gate: samples per path of the recorded profile the runs are judged against")
	flag.StringVar(&o.Target, "target", "local", "local, or kubernetes (the overhead part only, through the suite's harness-overhead spec)")
	flag.StringVar(&o.SuiteFlags, "suite-flags", "", "kubernetes: more suite flags for the harness-overhead spec, e.g. \"--kubeconfig=$HOME/.kube/config --image=...\"")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := run(ctx, o)
	if rep != nil {
		rep.FinishedAt = time.Now()
		if err != nil {
			rep.Error = err.Error()
		}
		printTable(rep)
		if werr := report.WriteJSONFile(o.Out, rep); werr != nil {
			fmt.Fprintln(os.Stderr, "podperf-bench:", werr)
			os.Exit(1)
		}
		fmt.Printf("written to %s\n", o.Out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "podperf-bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o Options) (*Report, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	rep := &Report{Schema: Schema, StartedAt: time.Now(), Options: o}
	parts := map[string]bool{}
	for _, p := range strings.Split(o.Parts, ",") {
		parts[strings.TrimSpace(p)] = true
	}
	logf := func(format string, args ...any) {
		fmt.Printf("%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	}
	if o.Target == "kubernetes" {
		ov, err := kubeOverhead(ctx, o, logf)
		if ov != nil {
			rep.Overhead = ov
			rep.Checks = append(rep.Checks, ov.check())
		}
		rep.Environment.Target = "kubernetes"
		return rep, err
	}
	var prevGate *Gate
	if parts["gate"] {
		// Resumable: the rounds a stopped gate finished are in -out.
		if prev, err := readReport(o.Out); err == nil && prev.Gate != nil {
			prevGate = prev.Gate
			rep.StartedAt = prev.StartedAt
		}
	}
	if parts["overhead"] || parts["aggregation"] || parts["detection"] || parts["gate"] {
		tgt, err := netns.New(logf, nil)
		var skip *endpoints.ErrSkip
		if errors.As(err, &skip) {
			return rep, fmt.Errorf("the local target cannot run here: %s", skip.Reason)
		}
		if err != nil {
			return rep, err
		}
		err = measureLocal(ctx, tgt, o, parts, prevGate, rep, logf, func() {
			// After each part, so a long run that is stopped keeps what it measured.
			if werr := report.WriteJSONFile(o.Out, rep); werr != nil {
				logf("cannot write %s: %v", o.Out, werr)
			}
		})
		rep.Environment = tgt.Environment(ctx)
		// The four specs below take the local target's lock: release it first.
		if terr := tgt.Teardown(context.WithoutCancel(ctx)); terr != nil {
			err = errors.Join(err, terr)
		}
		if err != nil {
			return rep, err
		}
	}
	if parts["time"] {
		t, err := timeToVerdict(ctx, o, logf)
		rep.TimeToVerdict = t
		if t != nil {
			rep.Checks = append(rep.Checks, t.check())
		}
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func measureLocal(ctx context.Context, tgt *netns.Target, o Options, parts map[string]bool, prevGate *Gate, rep *Report, logf func(string, ...any), saved func()) error {
	if parts["overhead"] {
		logf("harness overhead: %d pairs of suite and plain netperf, TCP_STREAM 1 stream, %s each", o.Pairs, o.Duration)
		ov, err := harnessOverhead(ctx, tgt, o, logf)
		if err != nil {
			return fmt.Errorf("harness overhead: %w", err)
		}
		rep.Overhead = ov
		record(rep, ov.check(), logf, saved)
	}
	if parts["aggregation"] {
		logf("aggregation: %d samples of TCP_STREAM 32 streams per path, %s each", o.Pairs, o.Duration)
		ag, err := aggregation(ctx, tgt, o, logf)
		if err != nil {
			return fmt.Errorf("aggregation: %w", err)
		}
		rep.Aggregation = ag
		record(rep, ag.check(), logf, saved)
	}
	if parts["detection"] {
		d, err := detection(ctx, tgt, o, logf, func(d *Detection) {
			rep.Detection = d
			saved()
		})
		rep.Detection = d
		if d != nil {
			rep.Checks = append(rep.Checks, d.checks()...)
		}
		if err != nil {
			return fmt.Errorf("detection: %w", err)
		}
	}
	if parts["gate"] {
		g, err := gate(ctx, tgt, o, prevGate, logf, func(g *Gate) {
			rep.Gate = g
			saved()
		})
		rep.Gate = g
		if g != nil {
			rep.Checks = append(rep.Checks, g.checks()...)
		}
		if err != nil {
			return fmt.Errorf("gate: %w", err)
		}
	}
	return nil
}

// readReport reads an earlier bench.json.
func readReport(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.Schema != Schema {
		return nil, fmt.Errorf("%s has schema %q, want %q", path, r.Schema, Schema)
	}
	return &r, nil
}

// record adds a part's check to the report, logs it and saves the report.
func record(rep *Report, c Check, logf func(string, ...any), saved func()) {
	rep.Checks = append(rep.Checks, c)
	logf("  %s: %s", c.Name, c.Measured)
	saved()
}

func (o Options) validate() error {
	switch {
	case o.Runs < 1:
		return fmt.Errorf("-runs=%d: use at least 1", o.Runs)
	case o.Pairs < 2:
		return fmt.Errorf("-pairs=%d: use at least 2 (an interval needs two)", o.Pairs)
	case o.Duration < time.Second || o.Duration%time.Second != 0:
		return fmt.Errorf("-duration=%s: use a whole number of seconds, at least 1s", o.Duration)
	case o.Samples < 1 || o.MaxSamples < o.Samples:
		return fmt.Errorf("-samples=%d -max-samples=%d: need 1 <= samples <= max-samples", o.Samples, o.MaxSamples)
	case o.Cut <= 0 || o.Cut >= 1:
		return fmt.Errorf("-cut=%v: use a fraction such as 0.10", o.Cut)
	case o.Filters < 1:
		return fmt.Errorf("-latency-filters=%d: use at least 1", o.Filters)
	case o.Target != "local" && o.Target != "kubernetes":
		return fmt.Errorf("-target=%q: use local or kubernetes", o.Target)
	case o.Target == "kubernetes" && strings.TrimSpace(o.Parts) != "overhead":
		return fmt.Errorf("-target=kubernetes measures the harness overhead only: add -parts overhead")
	case o.Rounds < 1:
		return fmt.Errorf("-rounds=%d: use at least 1", o.Rounds)
	case o.CalibrationSamples < 2:
		return fmt.Errorf("-calibration-samples=%d: use at least 2 (the verdicts carry the recording's noise)", o.CalibrationSamples)
	}
	for _, p := range strings.Split(o.Parts, ",") {
		switch strings.TrimSpace(p) {
		case "overhead", "aggregation", "detection", "time", "gate":
		default:
			return fmt.Errorf("-parts: %q is not one of overhead, aggregation, detection, time, gate", p)
		}
	}
	return nil
}

func printTable(rep *Report) {
	fmt.Println()
	fmt.Printf("podperf-bench on %s (%d CPUs, kernel %s), %s per netperf run\n", runtime.GOOS, rep.Environment.CPUs, rep.Environment.Kernel, rep.Options.Duration)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "check\tmeasured\ttarget\tresult")
	met := 0
	for _, c := range rep.Checks {
		r := "MISSED"
		if c.Met {
			r, met = "met", met+1
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Name, c.Measured, c.Target, r)
	}
	tw.Flush()
	fmt.Printf("%d of %d targets met\n", met, len(rep.Checks))
	if rep.Error != "" {
		fmt.Printf("stopped early: %s\n", rep.Error)
	}
}
