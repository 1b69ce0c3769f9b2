package report

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"podperf/framework/results"
	"podperf/framework/stats"
)

// JUnitXSD is the XML Schema junit.xml is checked against (junit.xsd).
//
//go:embed junit.xsd
var JUnitXSD []byte

// ErrNoXmllint says that xmllint (Debian's libxml2-utils) is not installed,
// so junit.xml cannot be checked against the schema.
var ErrNoXmllint = errors.New("xmllint not found (install libxml2-utils)")

// TestcaseProperties are a test's figures as JUnit testcase properties, so
// that a CI dashboard can graph them: per metric (rate, client_cpu,
// server_cpu) the median and 95% interval of each path and of the pod/node
// ratio, and the verdict with what it compared; the latency percentiles of
// RR tests. Names are podperf.<metric>.<figure>; absent figures are left out.
func TestcaseProperties(t *results.Test) []Property {
	var out []Property
	add := func(name, value string) {
		if value != "" {
			out = append(out, Property{"podperf." + name, value})
		}
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	summary := func(prefix string, s stats.Summary) {
		add(prefix+".median", f(s.Median))
		if s.N > 1 {
			add(prefix+".ciLow", f(s.CILow))
			add(prefix+".ciHigh", f(s.CIHigh))
		}
		add(prefix+".n", strconv.Itoa(s.N))
	}
	add("test", t.ID)
	add("outcome", outcome(t))
	for _, m := range results.Metrics {
		name := string(m)
		if _, ok := stat(t, t.Compared(), m); ok {
			add(name+".unit", unit(t, m))
		}
		for _, p := range pathsOf(t) {
			if s, ok := stat(t, p, m); ok {
				summary(name+"."+string(p), s)
			}
		}
		if s, ok := ratio(t, m); ok {
			summary(name+".ratio", s)
		}
		if v, ok := verdictOf(t, m); ok {
			add(name+".verdict", string(v.Status))
			add(name+".mode", v.Mode)
			add(name+".measured", f(v.Measured))
			add(name+".reference", f(v.Reference))
			add(name+".expected", f(v.Expected))
			add(name+".threshold", f(v.Threshold))
			add(name+".tolerance", f(v.Tolerance))
		}
	}
	for _, l := range latencies {
		for _, p := range pathsOf(t) {
			if s, ok := stat(t, p, l.metric); ok {
				summary(string(l.metric)+"."+string(p), s)
			}
		}
	}
	return out
}

// CheckJUnit validates the JUnit file at path against JUnitXSD with
// xmllint. It returns ErrNoXmllint (wrapped) when xmllint is missing, and
// xmllint's complaints when the file does not validate.
func CheckJUnit(path string) error {
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		return fmt.Errorf("check %s: %w", filepath.Base(path), ErrNoXmllint)
	}
	dir, err := os.MkdirTemp("", "podperf-junit-")
	if err != nil {
		return fmt.Errorf("check %s: %w", filepath.Base(path), err)
	}
	defer os.RemoveAll(dir)
	xsd := filepath.Join(dir, "junit.xsd")
	if err := os.WriteFile(xsd, JUnitXSD, 0o644); err != nil {
		return fmt.Errorf("check %s: %w", filepath.Base(path), err)
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "--noout", "--nonet", "--schema", xsd, path)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			if l != "" && !strings.HasSuffix(l, "fails to validate") {
				lines = append(lines, strings.TrimPrefix(l, path+":"))
			}
		}
		if len(lines) > 5 {
			lines = append(lines[:5], fmt.Sprintf("and %d more", len(lines)-5))
		}
		return fmt.Errorf("%s does not follow the JUnit schema: %s: %w", filepath.Base(path), strings.Join(lines, "; "), err)
	}
	return nil
}
