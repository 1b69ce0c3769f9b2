package report_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"podperf/framework/report"
)

func TestTestcaseProperties(t *testing.T) {
	r := fullRun(t)
	props := func(i int) map[string]string {
		m := map[string]string{}
		for _, p := range report.TestcaseProperties(r.Tests[i]) {
			if _, dup := m[p.Name]; dup {
				t.Errorf("property %s twice", p.Name)
			}
			m[p.Name] = p.Value
		}
		return m
	}
	rr := props(0)
	for _, name := range []string{
		"podperf.test", "podperf.outcome",
		"podperf.rate.unit", "podperf.rate.node.median", "podperf.rate.pod.median", "podperf.rate.pod.ciLow", "podperf.rate.pod.ciHigh", "podperf.rate.pod.n",
		"podperf.rate.ratio.median", "podperf.rate.ratio.ciLow", "podperf.rate.ratio.ciHigh",
		"podperf.rate.verdict", "podperf.rate.mode", "podperf.rate.measured", "podperf.rate.reference", "podperf.rate.expected", "podperf.rate.threshold", "podperf.rate.tolerance",
		"podperf.client_cpu.verdict", "podperf.server_cpu.ratio.median",
		"podperf.p50_latency.pod.median", "podperf.p99_latency.node.ciHigh",
	} {
		if rr[name] == "" {
			t.Errorf("RR test lacks %s", name)
		}
	}
	tst := r.Tests[0]
	if rr["podperf.test"] != "tcp_rr_32" || rr["podperf.rate.unit"] != "trans/s" || rr["podperf.rate.mode"] != "relative" || rr["podperf.rate.pod.n"] != "3" {
		t.Errorf("properties %v", rr)
	}
	if want := string(tst.Verdicts[0].Status); rr["podperf.rate.verdict"] != want {
		t.Errorf("rate verdict %q, want %q", rr["podperf.rate.verdict"], want)
	}
	// The errored test has no figures: only what it is and that it errored.
	if broken := props(1); len(broken) != 2 || broken["podperf.outcome"] != "error" {
		t.Errorf("errored test: %v", broken)
	}
}

// junit.xml as the suite writes it validates against junit.xsd, and the
// schema refuses what CI readers would refuse. Needs xmllint (Debian's
// libxml2-utils, which make test installs).
func TestJUnitSchema(t *testing.T) {
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint not found: install libxml2-utils (apt-get install libxml2-utils) to check junit.xml against framework/report/junit.xsd")
	}
	good, err := os.ReadFile(filepath.Join("testdata", "junit.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := report.CheckJUnit(filepath.Join("testdata", "junit.xml")); err != nil {
		t.Fatalf("the suite's junit.xml: %v", err)
	}
	dir := t.TempDir()
	for _, tc := range []struct{ name, from, to, want string }{
		{"a time in exponent form", `time="0.003"`, `time="3e-03"`, "time"},
		{"a testcase without a name", `<testcase name="[BeforeSuite]"`, `<testcase`, "name"},
		{"a count that is not a number", `failures="0"`, `failures="none"`, "failures"},
		{"an element CI readers do not know", `<properties>`, `<figures/><properties>`, "figures"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(string(good), tc.from) {
				t.Fatalf("testdata/junit.xml has no %q", tc.from)
			}
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".xml")
			if err := os.WriteFile(p, []byte(strings.Replace(string(good), tc.from, tc.to, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			err := report.CheckJUnit(p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CheckJUnit = %v, want an error about %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestCheckJUnitWithoutXmllint(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	if err := report.CheckJUnit("junit.xml"); !errors.Is(err, report.ErrNoXmllint) {
		t.Errorf("CheckJUnit without xmllint = %v, want ErrNoXmllint", err)
	}
}
