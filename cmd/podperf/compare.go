package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"podperf/framework/report"
	"podperf/framework/verdict"
)

// errRegressed is the outcome of a comparison that found a regression (or,
// with --strict, an undecided metric): exit status 1, after the table.
type errRegressed struct{ msg string }

func (e *errRegressed) Error() string { return e.msg }

// runCompare lines up two results.json files test by test and metric by
// metric (docs/compare.md).
func runCompare(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	tolText := fs.String("tolerance", "5%", "how far B may differ from A and still be no change: 5% or 0.05")
	format := fs.String("format", "text", "text, markdown or json")
	figure := fs.String("figure", "ratio", "what is compared per metric: ratio (the pod/node ratio, paired samples) or pod (the pod path's figure)")
	strict := fs.Bool("strict", false, "also fail (exit 1) when a metric is inconclusive")
	force := fs.Bool("force", false, "compare runs of different tests, durations or targets (the common tests only)")
	out := fs.String("out", "", "also write comparison.md, comparison.json and charts/comparison.{png,svg} to this directory")
	files, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 2 {
		return &usageError{fmt.Sprintf("want two results.json files (A, then B), got %d", len(files))}
	}
	tol, err := parseTolerance(*tolText)
	if err != nil {
		return &usageError{err.Error()}
	}
	if *format != "text" && *format != "markdown" && *format != "json" {
		return &usageError{fmt.Sprintf("--format=%q: use text, markdown or json", *format)}
	}
	if *figure != string(verdict.RatioFigure) && *figure != string(verdict.PodFigure) {
		return &usageError{fmt.Sprintf("--figure=%q: use ratio or pod", *figure)}
	}
	a, err := report.Load(files[0])
	if err != nil {
		return fmt.Errorf("run A: %w", err)
	}
	b, err := report.Load(files[1])
	if err != nil {
		return fmt.Errorf("run B: %w", err)
	}
	c, err := verdict.Compare(a, b, files[0], files[1], verdict.Figure(*figure), tol, *force)
	if err != nil {
		return err
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(c)
	case "markdown":
		err = report.CompareMarkdown(stdout, c, "")
	default:
		err = report.CompareText(stdout, c)
	}
	if err != nil {
		return err
	}
	if *out != "" {
		if _, err := report.WriteCompare(*out, c); err != nil {
			return fmt.Errorf("write the comparison to %s: %w", *out, err)
		}
	}
	switch {
	case c.Regressed > 0:
		return &errRegressed{fmt.Sprintf("%d of %d metrics regressed", c.Regressed, c.Comparisons)}
	case *strict && c.Undecided > 0:
		return &errRegressed{fmt.Sprintf("%d of %d metrics inconclusive (--strict)", c.Undecided, c.Comparisons)}
	}
	return nil
}

// parseTolerance reads 5% or 0.05.
func parseTolerance(s string) (float64, error) {
	v, pct := strings.CutSuffix(strings.TrimSpace(s), "%")
	f, err := strconv.ParseFloat(v, 64)
	if err == nil && pct {
		f /= 100
	}
	if err != nil || f <= 0 || f >= 1 {
		return 0, fmt.Errorf("--tolerance=%q: use a percentage such as 5%% or a fraction such as 0.05", s)
	}
	return f, nil
}

// compareStatus is the exit status of a compare error: 1 for a regression
// (the table is printed), 2 for anything that kept the comparison from being
// made, so that a script can tell a regression from a broken input.
func compareStatus(err error) int {
	var r *errRegressed
	if errors.As(err, &r) {
		return 1
	}
	return 2
}
