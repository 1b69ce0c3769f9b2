package config

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"podperf/framework/results"
	"podperf/manifests"
)

// The loaders of --baseline and --tolerances files, held to one property on
// any input: they return without a panic, and give either a value the suite
// can judge with or an error that, as Resolve reports it, is one line naming
// the flag and the file. Seeds: the built-in files (manifests/) and the bad
// input of the table test (testdata/badinput); "make fuzz" runs them.

// addFiles seeds f with the built-in manifests of dir and the table test's
// files whose names start with prefix.
func addFiles(f *testing.F, dir, prefix string) {
	builtin, err := fs.Glob(manifests.FS, dir+"/*.yaml")
	if err != nil || len(builtin) == 0 {
		f.Fatalf("no built-in %s: %v", dir, err)
	}
	for _, file := range builtin {
		b, err := manifests.FS.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	bad, err := filepath.Glob(filepath.Join("testdata", "badinput", prefix+"*.yaml"))
	if err != nil || len(bad) == 0 {
		f.Fatalf("no testdata/badinput/%s*.yaml: %v", prefix, err)
	}
	for _, file := range bad {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// checkRejected fails t unless err, wrapped as Resolve wraps it, is one line
// naming flag and the file.
func checkRejected(t *testing.T, flag string, err error) {
	t.Helper()
	e := rejectErr(flag, errors.New(flag+": "+err.Error()))
	if msg := e.Error(); strings.ContainsAny(msg, "\n\r") || !strings.Contains(msg, "fuzz.yaml") {
		t.Fatalf("error %q is not one line naming fuzz.yaml", msg)
	}
}

func FuzzTolerances(f *testing.F) {
	addFiles(f, "tolerances", "tolerances-")
	f.Fuzz(func(t *testing.T, b []byte) {
		tol, err := parseTolerances(b, "fuzz.yaml")
		if err != nil {
			checkRejected(t, "--tolerances", err)
			return
		}
		for _, id := range testIDs() {
			for _, m := range results.Metrics {
				v := tol.For(id, m)
				if math.IsNaN(v) || v <= 0 || (m == results.Rate && v >= maxRateTolerance) || v > maxCPUTolerance {
					t.Fatalf("accepted a %s tolerance of %v for %s", m, v, id)
				}
			}
		}
	})
}

func FuzzProfile(f *testing.F) {
	addFiles(f, "baselines", "profile-")
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parseProfile(b, "fuzz.yaml")
		if err != nil {
			checkRejected(t, "--baseline", err)
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("accepted a profile that does not validate: %v", err)
		}
		for id, tf := range p.Tests {
			sc, ok := scenarioByID(id)
			if !ok || tf.Unit != results.UnitOf(results.Rate, sc.Test.IsRR()) {
				t.Fatalf("accepted tests.%s in %s", id, tf.Unit)
			}
		}
	})
}
