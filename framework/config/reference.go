package config

import (
	"flag"
	"fmt"
	"path/filepath"
	"sync"

	"podperf/framework/report"
	"podperf/framework/results"
)

// storedRun is --reference: a stored run whose raw samples the verdicts use
// instead of the profile's single figures (docs/verdicts.md). It is kept
// beside the Config rather than in it, loaded when the flag is parsed.
type storedRun struct {
	file string
	run  *results.Run
}

var references sync.Map // *Config -> *storedRun

// registerReference adds --reference to fs.
func (c *Config) registerReference(fs *flag.FlagSet) {
	fs.Func("reference", "judge against a stored run's raw samples (its results.json) instead of the baseline's figures: both runs' noise is carried", func(s string) error {
		if s == "" {
			references.Delete(c)
			return nil
		}
		run, err := report.Load(s)
		if err != nil {
			return fmt.Errorf("%w: point --reference at the results.json of an earlier run", err)
		}
		if len(run.Tests) == 0 {
			return fmt.Errorf("%s has no tests: point --reference at a run that measured the specs", s)
		}
		references.Store(c, &storedRun{file: s, run: run})
		return nil
	})
}

// Reference is the run --reference names and a short name for messages, or
// nil when the flag is not set.
func (c *Config) Reference() (*results.Run, string) {
	r, ok := references.Load(c)
	if !ok {
		return nil, ""
	}
	ref := r.(*storedRun)
	return ref.run, filepath.Base(filepath.Dir(ref.file)) + "/" + filepath.Base(ref.file)
}

// referenceName is --reference's file as given, for results.json.
func (c *Config) referenceName() string {
	if r, ok := references.Load(c); ok {
		return r.(*storedRun).file
	}
	return ""
}
