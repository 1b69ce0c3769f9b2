package e2e

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"podperf/framework/config"
)

// checkLabelFilter rejects, before anything is created, a --label-filter
// that does not parse, names a label no spec has, or selects no spec (Ginkgo
// would run nothing and report success), and a baseline that lacks a selected
// test. specs are the labels of each spec (specLabels).
func checkLabelFilter(specs [][]string) error {
	_, err := cfg.Select(ginkgo.GinkgoLabelFilter(), specs, compileLabelFilter)
	return err
}

// specLabels are the labels of each spec of the suite's tree, previewed.
func specLabels() [][]string {
	var specs [][]string
	for _, s := range ginkgo.PreviewSpecs("podperf: label check").SpecReports {
		if s.LeafNodeType.Is(types.NodeTypeIt) {
			specs = append(specs, s.Labels())
		}
	}
	return specs
}

// compileLabelFilter is Ginkgo's label-filter parser, with its syntax error
// reduced to the reason (its message repeats the filter with terminal markup).
func compileLabelFilter(filter string) (config.LabelMatcher, error) {
	f, err := types.ParseLabelFilter(filter)
	var ge types.GinkgoError
	if errors.As(err, &ge) {
		reason := ge.Message
		if i := strings.LastIndex(reason, "\n"); i >= 0 {
			reason = reason[i+1:]
		}
		return nil, errors.New(reason)
	}
	if err != nil {
		return nil, err
	}
	return config.LabelMatcher(f), nil
}

// updateDocs rewrites the label-filter table in docs/bad-input.md:
// go test ./e2e -run TestLabelFilter -update-docs
var updateDocs = flag.Bool("update-docs", false, "rewrite the label-filter table in docs/bad-input.md")

// TestLabelFilter holds the label-filter checks to the contract of every bad
// input (one line, naming --label-filter and the known labels) on the real
// spec tree and Ginkgo's parser, and keeps their table in docs/bad-input.md.
func TestLabelFilter(t *testing.T) {
	specs := specLabels()
	var c config.Config
	fs := flag.NewFlagSet("podperf", flag.ContinueOnError)
	c.Register(fs)
	if err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	for _, ok := range []string{"", "rr", "TCP_STREAM && single", "rr || throughput", "!multi", "/STREAM/"} {
		if _, err := c.Select(ok, specs, compileLabelFilter); err != nil {
			t.Errorf("--label-filter=%q: %v", ok, err)
		}
	}
	var doc strings.Builder
	doc.WriteString("| case | flags | message |\n|---|---|---|\n")
	for _, tc := range []struct{ what, filter string }{
		{"unknown label", "rr || latency"},
		{"a filter that selects no spec", "rr && throughput"},
		{"a regexp that matches no label", "/udp/"},
		{"a filter that does not parse", "rr &&"},
	} {
		_, err := c.Select(tc.filter, specs, compileLabelFilter)
		var ie *config.InputError
		if !errors.As(err, &ie) || ie.Flag != "--label-filter" {
			t.Errorf("--label-filter=%q: %v, want an *InputError for --label-filter", tc.filter, err)
			continue
		}
		msg := err.Error()
		if strings.ContainsAny(msg, "\n\r") || !strings.Contains(msg, "the labels are ") {
			t.Errorf("--label-filter=%q: %q is not one line naming the labels", tc.filter, msg)
		}
		for _, ls := range config.BenchmarkLabels() {
			for _, l := range ls {
				if !strings.Contains(msg, l) {
					t.Errorf("--label-filter=%q: %q does not name the label %s", tc.filter, msg, l)
				}
			}
		}
		doc.WriteString(fmt.Sprintf("| %s | `--label-filter='%s'` | `podperf: %s` |\n", tc.what, tc.filter, msg))
	}
	if t.Failed() {
		return
	}
	path := filepath.Join("docs", "bad-input.md")
	if _, err := os.Stat(path); err != nil {
		path = filepath.Join("..", path) // run from e2e/
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		// The compiled suite run away from the repository (the suite image):
		// the checks above ran, the table has nothing to be held to.
		t.Skipf("%s not found from %s: the table is checked where the repository is", filepath.Base(path), mustGetwd())
	}
	if err != nil {
		t.Fatal(err)
	}
	text, begin, end := string(b), "<!-- labels:begin -->\n", "<!-- labels:end -->"
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("%s needs a %q line and a %q line around the label-filter table", path, begin, end)
	}
	if got := text[i+len(begin) : j]; got != doc.String() {
		if !*updateDocs {
			t.Fatalf("the label-filter table in %s differs from the messages; regenerate it with: go test ./e2e -run TestLabelFilter -update-docs\nwant:\n%s", path, doc.String())
		}
		if err := os.WriteFile(path, []byte(text[:i+len(begin)]+doc.String()+text[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func mustGetwd() string {
	wd, err := os.Getwd()
	if err != nil {
		return "an unknown directory"
	}
	return wd
}
