package config_test

import (
	"flag"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"podperf/framework/config"
	"podperf/framework/scenario"
)

func TestReferenceFlag(t *testing.T) {
	parse := func(args ...string) (*config.Config, error) {
		var c config.Config
		fs := flag.NewFlagSet("suite", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		c.Register(fs)
		return &c, fs.Parse(args)
	}
	c, err := parse()
	if err != nil {
		t.Fatal(err)
	}
	if run, name := c.Reference(); run != nil || name != "" {
		t.Errorf("no --reference: got %q", name)
	}
	// A real run's results (the compare command's testdata).
	file := filepath.Join("..", "..", "cmd", "podperf", "testdata", "a.json")
	if c, err = parse("--reference=" + file); err != nil {
		t.Fatal(err)
	}
	run, name := c.Reference()
	if run == nil || len(run.Tests) != 4 || name != "testdata/a.json" {
		t.Errorf("--reference: %d tests, name %q", len(run.Tests), name)
	}
	if s := c.Recorded(); s.Reference != file {
		t.Errorf("results.json records reference %q, want %q", s.Reference, file)
	}
	if p := c.Plan(scenario.Benchmark[0], nil, nil); p.Reference == nil {
		t.Error("the plan does not carry the reference")
	}
	for _, bad := range []string{filepath.Join(t.TempDir(), "none.json"), filepath.Join("..", "..", "manifests", "results.schema.json")} {
		if _, err := parse("--reference=" + bad); err == nil || !strings.Contains(err.Error(), "point --reference at") {
			t.Errorf("--reference=%s: %v", bad, err)
		}
	}
}
