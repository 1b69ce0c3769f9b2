package e2e

import (
	"encoding/xml"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/reporters"

	"podperf/framework/report"
)

// writeJUnit writes Ginkgo's JUnit report (one testcase per spec, the
// failure text) with the run's facts added as suite properties and each
// test's figures and verdicts as testcase properties, so that CI dashboards
// can group and graph by them. The spec's results.Test entry is left out of
// the testcase: it is in results.json, and would make the file megabytes.
func writeJUnit(r ginkgo.Report, path string, props []report.Property) error {
	if err := reporters.GenerateJUnitReport(r, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read back %s: %w", path, err)
	}
	var suites reporters.JUnitTestSuites
	if err := xml.Unmarshal(b, &suites); err != nil {
		return fmt.Errorf("read back %s: %w", path, err)
	}
	suites.Time = millis(suites.Time)
	for i := range suites.TestSuites {
		s := &suites.TestSuites[i]
		s.Time = millis(s.Time)
		ps := &s.Properties.Properties
		for _, p := range props {
			*ps = append(*ps, reporters.JUnitProperty{Name: p.Name, Value: p.Value})
		}
		// Ginkgo writes one testcase per spec report, in order.
		for j := range s.TestCases {
			tc := &s.TestCases[j]
			tc.Time = millis(tc.Time)
			if j < len(r.SpecReports) {
				addFigures(tc, r.SpecReports[j])
			}
		}
	}
	out, err := xml.MarshalIndent(suites, "  ", "    ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, append([]byte(xml.Header), out...), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	return os.Rename(tmp, path)
}

// addFigures replaces the spec's results entry among the testcase's
// properties with the test's figures and verdicts (report.TestcaseProperties).
func addFigures(tc *reporters.JUnitTestCase, s ginkgo.SpecReport) {
	t := testFromReport(s)
	if t == nil {
		return
	}
	if tc.Properties == nil {
		tc.Properties = &reporters.JUnitProperties{}
	}
	kept := tc.Properties.Properties[:0]
	for _, p := range tc.Properties.Properties {
		if p.Name != resultEntry {
			kept = append(kept, p)
		}
	}
	for _, p := range report.TestcaseProperties(t) {
		kept = append(kept, reporters.JUnitProperty{Name: p.Name, Value: p.Value})
	}
	tc.Properties.Properties = kept
}

// millis rounds a time in seconds to milliseconds, so that encoding/xml
// never writes one in exponent form (5e-06), which readers that take the
// time as a decimal reject.
func millis(s float64) float64 { return math.Round(s*1000) / 1000 }
