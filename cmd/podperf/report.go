package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"podperf/framework/report"
)

// runReport regenerates every report of a results.json, of this run or of
// an older one: fields the file lacks are left out of the report.
func runReport(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("out", "", "directory to write the report to (default: the directory of RESULTS.json)")
	summary := fs.Bool("github-summary", false, "also append the short summary to $GITHUB_STEP_SUMMARY")
	files, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return &usageError{fmt.Sprintf("want one results.json, got %d", len(files))}
	}
	run, err := report.Load(files[0])
	if err != nil {
		return err
	}
	dir := *out
	if dir == "" {
		dir = filepath.Dir(files[0])
	}
	written, err := report.Write(dir, run)
	if err != nil {
		return fmt.Errorf("write the report to %s: %w", dir, err)
	}
	fmt.Fprintf(stdout, "verdict %s: %s (%d files in %s)\n", run.Verdict, filepath.Join(dir, "report.html"), len(written), dir)
	if *summary {
		wrote, err := report.StepSummary(run)
		if err != nil {
			return err
		}
		if !wrote {
			return fmt.Errorf("--github-summary: GITHUB_STEP_SUMMARY is not set")
		}
	}
	return nil
}
