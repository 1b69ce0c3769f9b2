package report

import (
	"bytes"
	"fmt"
	"os"

	"podperf/framework/results"
)

// StepSummary appends the short Markdown summary of run to the file that
// $GITHUB_STEP_SUMMARY names, when it is set; it reports whether it wrote.
func StepSummary(run *results.Run) (bool, error) {
	path := os.Getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return false, nil
	}
	refs, err := BuiltinProfiles()
	if err != nil {
		return false, err
	}
	var b bytes.Buffer
	if err := Markdown(&b, run, refs, MarkdownOptions{Summary: true}); err != nil {
		return false, err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return false, fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err)
	}
	if _, err := f.Write(append(b.Bytes(), '\n')); err != nil {
		f.Close()
		return false, fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err)
	}
	if err := f.Close(); err != nil {
		return false, fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err)
	}
	return true, nil
}
