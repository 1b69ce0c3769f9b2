package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"podperf/framework/results"
	"podperf/framework/stats"
)

// csvMetrics are the figures results.csv has a row for, in this order.
var csvMetrics = []results.Metric{results.Rate, results.ClientCPU, results.ServerCPU,
	results.P50Latency, results.P90Latency, results.P99Latency, results.MeanLatency}

// CSV writes results.csv: one row per test, path and metric with the
// statistics of its samples, then the pod/node ratios as path "pod/node".
// Numbers are written in full precision; absent figures are left out.
func CSV(w io.Writer, run *results.Run) error {
	cw := csv.NewWriter(w)
	header := []string{"test", "title", "path", "metric", "unit", "n", "median", "ci_low", "ci_high", "mean", "stddev", "cv", "min", "max", "level"}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	row := func(t *results.Test, path string, m results.Metric, u string, s stats.Summary) error {
		f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
		return cw.Write([]string{t.ID, title(t), path, string(m), u, strconv.Itoa(s.N), f(s.Median), f(s.CILow), f(s.CIHigh),
			f(s.Mean), f(s.StdDev), f(s.CV), f(s.Min), f(s.Max), f(s.Level)})
	}
	for _, t := range ordered(run) {
		for _, p := range pathsOf(t) {
			for _, m := range csvMetrics {
				if s, ok := stat(t, p, m); ok {
					if err := row(t, string(p), m, unit(t, m), s); err != nil {
						return fmt.Errorf("write csv: %w", err)
					}
				}
			}
		}
		for _, m := range results.Metrics {
			if s, ok := ratio(t, m); ok {
				if err := row(t, "pod/node", m, "ratio", s); err != nil {
					return fmt.Errorf("write csv: %w", err)
				}
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}
