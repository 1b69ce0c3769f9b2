package config

import (
	"regexp"
	"slices"
	"strings"

	"podperf/framework/scenario"
)

// LabelMatcher is a compiled label filter: whether a spec with these labels
// runs.
type LabelMatcher func(labels []string) bool

// BenchmarkLabels are the label sets of the benchmark's specs, one per test.
func BenchmarkLabels() [][]string {
	out := make([][]string, len(scenario.Benchmark))
	for i, s := range scenario.Benchmark {
		out[i] = s.Labels
	}
	return out
}

// filterRegexp is a /regexp/ term of a label filter.
var filterRegexp = regexp.MustCompile(`/[^/]*/`)

// Select checks the label filter the specs run under (Ginkgo's
// --label-filter) against the label sets of the suite's specs, and returns
// the benchmark's tests it selects. compile turns the filter into a matcher
// (Ginkgo's types.ParseLabelFilter in the suite; this package stays free of
// Ginkgo). A filter that does not compile, names a label no spec has, or
// selects no spec is an *InputError naming the known labels; so is a
// baseline without figures for a selected test. Call it after Resolve.
func (c *Config) Select(filter string, specs [][]string, compile func(string) (LabelMatcher, error)) ([]scenario.Scenario, error) {
	var known []string
	for _, ls := range specs {
		for _, l := range ls {
			if !slices.Contains(known, l) {
				known = append(known, l)
			}
		}
	}
	slices.SortFunc(known, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	labelsAre := "the labels are " + strings.Join(known, ", ")
	matches, err := compile(filter)
	if err != nil {
		return nil, reject("--label-filter", "--label-filter=%q does not parse: %v; %s, joined with &&, ||, ! and ()", filter, err, labelsAre)
	}
	// Plain label terms only: regexps and key: value set operations match
	// labels by pattern, and only the selection below can judge them.
	if terms := filterRegexp.ReplaceAllString(filter, ""); !strings.Contains(terms, ":") {
		for _, t := range strings.FieldsFunc(terms, func(r rune) bool { return strings.ContainsRune("&|!,()", r) }) {
			t = strings.TrimSpace(t)
			if t != "" && !slices.ContainsFunc(known, func(l string) bool { return strings.EqualFold(l, t) }) {
				return nil, reject("--label-filter", "--label-filter=%q: no spec has the label %q; %s", filter, t, labelsAre)
			}
		}
	}
	if !slices.ContainsFunc(specs, func(ls []string) bool { return matches(ls) }) {
		return nil, reject("--label-filter", "--label-filter=%q selects none of the %d specs; %s, e.g. --label-filter='rr && single'", filter, len(specs), labelsAre)
	}
	var selected []scenario.Scenario
	for _, s := range scenario.Benchmark {
		if matches(s.Labels) {
			selected = append(selected, s)
		}
	}
	if c.Profile != nil {
		for _, s := range selected {
			if _, ok := c.Profile.Tests[s.ID]; !ok {
				return nil, reject("--baseline", "--baseline=%s has no figures for %s, which the run selects: record them with --write-baseline, pick another --baseline, or leave the test out with --label-filter", c.Baseline, s.ID)
			}
		}
	}
	return selected, nil
}
