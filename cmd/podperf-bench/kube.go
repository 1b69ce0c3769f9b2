package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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
	suiteArgs := append([]string{"--target=kubernetes", "--duration=" + o.Duration.String(), fmt.Sprintf("--samples=%d", o.Pairs), "--report-dir=" + dir},
		strings.Fields(o.SuiteFlags)...)
	_, logPath, runErr, err := runSuite(ctx, "harness overhead on kubernetes", dir,
		[]string{"--timeout=" + o.SuiteTimeout.String(), "--label-filter=extended && harness-overhead"}, suiteArgs, logf)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, "overhead.json"))
	if err != nil {
		return nil, fmt.Errorf("the suite wrote no overhead.json (%v; see %s)", runErr, logPath)
	}
	var ov measure.Overhead
	if err := json.Unmarshal(b, &ov); err != nil {
		return nil, fmt.Errorf("read %s/overhead.json: %w", dir, err)
	}
	return &Overhead{ov}, nil
}
