package faults

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"podperf/framework/endpoints"
	"podperf/framework/report"
	"podperf/framework/results"
)

// outcome is what a fault's run must have reported.
type outcome struct {
	// junit matches the one-line message of the failed testcase: the spec's,
	// or the [BeforeSuite]'s when runLevel.
	junit *regexp.Regexp
	// result matches the test's error in results.json, or the run's when runLevel.
	result   *regexp.Regexp
	runLevel bool
	// node and pod are the samples of each path results.json must keep.
	node, pod int
}

type junitSuites struct {
	Suites []struct {
		Cases []junitCase `xml:"testcase"`
	} `xml:"testsuite"`
}

type junitCase struct {
	Name    string `xml:"name,attr"`
	Status  string `xml:"status,attr"`
	Failure *struct {
		Message string `xml:"message,attr"`
	} `xml:"failure"`
	Error *struct {
		Message string `xml:"message,attr"`
	} `xml:"error"`
}

// checkReport checks r's junit.xml and results.json against want and
// returns the one-line failure a user sees.
func checkReport(t *testing.T, r *run, want outcome) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, "junit.xml"))
	if err != nil {
		t.Fatalf("junit.xml: %v", err)
	}
	var js junitSuites
	if err := xml.Unmarshal(b, &js); err != nil {
		t.Fatalf("junit.xml: %v", err)
	}
	caseName := "[It] "
	if want.runLevel {
		caseName = "[BeforeSuite]"
	}
	var msg string
	found := false
	for _, s := range js.Suites {
		for _, c := range s.Cases {
			if !strings.HasPrefix(c.Name, caseName) || c.Status == "skipped" {
				continue
			}
			found = true
			switch {
			case c.Failure != nil:
				msg = c.Failure.Message
			case c.Error != nil:
				msg = c.Error.Message
			default:
				t.Errorf("junit.xml: testcase %q has status %q and no failure", c.Name, c.Status)
			}
		}
	}
	if !found {
		t.Errorf("junit.xml has no %s testcase that ran", caseName)
	}
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("junit.xml: the failure is not one line: %q", msg)
	}
	if !want.junit.MatchString(msg) {
		t.Errorf("junit.xml: failure %q does not match %q", msg, want.junit)
	}

	run, err := report.Load(filepath.Join(r.dir, "results.json"))
	if err != nil {
		t.Fatalf("results.json: %v", err)
	}
	if run.Verdict != results.Fail {
		t.Errorf("results.json: verdict %q, want %q", run.Verdict, results.Fail)
	}
	got := run.Error
	if !want.runLevel {
		if len(run.Tests) != 1 {
			t.Fatalf("results.json has %d tests, want 1", len(run.Tests))
		}
		tst := run.Tests[0]
		got = tst.Error
		for p, n := range map[endpoints.Path]int{endpoints.NodePath: want.node, endpoints.PodPath: want.pod} {
			kept := 0
			if tst.Paths[p] != nil {
				kept = len(tst.Paths[p].Samples)
			}
			if kept < n {
				t.Errorf("results.json keeps %d samples of the %s path, want at least %d measured before the fault", kept, p, n)
			}
		}
	}
	if strings.ContainsAny(got, "\r\n") || !want.result.MatchString(got) {
		t.Errorf("results.json: error %q does not match %q on one line", got, want.result)
	}
	return msg
}
