package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"podperf/framework/measure"
)

// kubeOverhead measures the harness overhead on the Kubernetes target: the
// suite's harness-overhead spec takes -pairs pairs of a suite sample and a
// plain netperf run in the same pods, and writes overhead.json.
func kubeOverhead(ctx context.Context, o Options, logf func(string, ...any)) (*Overhead, error) {
	dir, err := filepath.Abs(filepath.Join(filepath.Dir(o.Out), "bench-kube-overhead"))
	if err != nil {
		return nil, err
	}
	goTool := os.Getenv("GO")
	if goTool == "" {
		goTool = "go"
	}
	args := []string{"tool", "ginkgo", "run", "--timeout=" + o.SuiteTimeout.String(), "--label-filter=extended && harness-overhead", "./e2e", "--",
		"--target=kubernetes", "--duration=" + o.Duration.String(), fmt.Sprintf("--samples=%d", o.Pairs), "--report-dir=" + dir}
	args = append(args, strings.Fields(o.SuiteFlags)...)
	logf("harness overhead on kubernetes: %s %s (log in %s/suite.log)", goTool, strings.Join(args, " "), dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(dir, "suite.log"))
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.CommandContext(ctx, goTool, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	start := time.Now()
	runErr := cmd.Run()
	logf("harness overhead on kubernetes: the suite ran %s (%v)", time.Since(start).Round(time.Second), runErr)
	b, err := os.ReadFile(filepath.Join(dir, "overhead.json"))
	if err != nil {
		return nil, fmt.Errorf("the suite wrote no overhead.json (%v; see %s)", runErr, logFile.Name())
	}
	var ov measure.Overhead
	if err := json.Unmarshal(b, &ov); err != nil {
		return nil, fmt.Errorf("read %s/overhead.json: %w", dir, err)
	}
	return &Overhead{ov}, nil
}
