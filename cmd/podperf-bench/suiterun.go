package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// runSuite runs the suite with ginkgo (go tool ginkgo run ginkgoArgs ./e2e
// -- suiteArgs) for what, writing its output to dir/suite.log, and returns
// how long it ran, the log's path, and the run's error (the suite's own
// failure is not an error of the bench: its files say what happened).
func runSuite(ctx context.Context, what, dir string, ginkgoArgs, suiteArgs []string, logf func(string, ...any)) (time.Duration, string, error, error) {
	goTool := os.Getenv("GO")
	if goTool == "" {
		goTool = "go"
	}
	args := append(append(append([]string{"tool", "ginkgo", "run"}, ginkgoArgs...), "./e2e", "--"), suiteArgs...)
	logPath := filepath.Join(dir, "suite.log")
	logf("%s: %s %s (log in %s)", what, goTool, strings.Join(args, " "), logPath)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, logPath, nil, err
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return 0, logPath, nil, err
	}
	defer logFile.Close()
	cmd := exec.CommandContext(ctx, goTool, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = append(os.Environ(), "PODPERF_CWD="+mustGetwd())
	start := time.Now()
	runErr := cmd.Run()
	took := time.Since(start)
	logf("%s: the suite ran %s (%v)", what, took.Round(time.Second), runErr)
	return took, logPath, runErr, nil
}
