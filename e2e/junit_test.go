package e2e

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/reporters"

	"podperf/framework/report"
)

// writeJUnit writes Ginkgo's JUnit report (one testcase per spec, the
// failure text) with the run's facts added as suite properties, so that CI
// dashboards can group and graph by them.
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
	for i := range suites.TestSuites {
		ps := &suites.TestSuites[i].Properties.Properties
		for _, p := range props {
			*ps = append(*ps, reporters.JUnitProperty{Name: p.Name, Value: p.Value})
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
