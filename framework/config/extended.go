package config

import (
	"flag"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"podperf/framework/measure"
	"podperf/framework/results"
	"podperf/framework/scenario"
	"podperf/framework/verdict"
)

// MaxStreams bounds --streams: one netperf process and data port per stream.
const MaxStreams = 256

// ExtendedSettings are the knobs of the extended tests (docs/extended.md).
type ExtendedSettings struct {
	// Streams replaces the 32 of the multi-stream tests (0: unchanged).
	Streams int
	// MessageSizes are the sizes of the message-size sweep (none: no sweep).
	MessageSizes []int
	// RetransmitJump is the factor beyond which a path's retransmits, per
	// unit of work, against the node path's make a warning (0: never).
	RetransmitJump float64
}

// extendedSettings holds the ExtendedSettings of each Config that registered
// its flags, beside the benchmark's own settings.
var extendedSettings sync.Map // *Config -> *ExtendedSettings

// registerExtended adds the extended tests' flags to fs.
func (c *Config) registerExtended(fs *flag.FlagSet) {
	es := &ExtendedSettings{RetransmitJump: results.DefaultRetransmitJump}
	extendedSettings.Store(c, es)
	fs.Var((*streamsFlag)(&es.Streams), "streams",
		fmt.Sprintf("streams (and connections, and CPUs where one per connection) of the multi tests instead of 32, e.g. more flows where a cloud caps each flow's rate (1 to %d)", MaxStreams))
	fs.Var((*sizesFlag)(&es.MessageSizes), "message-sizes",
		"message-size sweep (label sweep, extended): comma-separated send sizes in bytes, each measured with TCP_STREAM and UDP_STREAM 1 stream, e.g. 64,1024,16384,65536")
	fs.Float64Var(&es.RetransmitJump, "retransmit-jump", results.DefaultRetransmitJump,
		fmt.Sprintf("warn when a path retransmits more than this many times as often as the node-to-node path, per GB or per million transactions (and at least %d segments; 0: never)", results.MinJumpRetransmits))
}

// Extended returns the extended tests' settings.
func (c *Config) Extended() ExtendedSettings {
	if v, ok := extendedSettings.Load(c); ok {
		return *v.(*ExtendedSettings)
	}
	return ExtendedSettings{RetransmitJump: results.DefaultRetransmitJump}
}

// resolveExtended checks what the flags cannot check alone: the data ports
// of --streams processes, and the retransmit factor.
func (c *Config) resolveExtended() error {
	es := c.Extended()
	if es.RetransmitJump < 0 {
		return reject("--retransmit-jump", "--retransmit-jump=%v: use a factor above 1, e.g. 4, or 0 to never warn", es.RetransmitJump)
	}
	if n := es.Streams; n > 0 {
		switch {
		case c.DataPortBase+n > 65536:
			return reject("--streams", "--streams=%d: the %d data ports from --data-port=%d must fit below 65536", n, n, c.DataPortBase)
		case c.ControlPort >= c.DataPortBase && c.ControlPort < c.DataPortBase+n:
			return reject("--streams", "--streams=%d: the data ports %d-%d take in --control-port=%d: move one of them", n, c.DataPortBase, c.DataPortBase+n-1, c.ControlPort)
		}
	}
	return nil
}

// Benchmark is the benchmark's four tests, the multi ones with --streams.
func (c *Config) Benchmark() []scenario.Scenario {
	return scenario.WithStreams(scenario.Benchmark, c.Extended().Streams)
}

// ExtendedScenarios are the extended tests and, with --message-sizes, the
// sweep's.
func (c *Config) ExtendedScenarios() []scenario.Scenario {
	return append(slices.Clone(scenario.Extended), scenario.Sweeps(c.Extended().MessageSizes)...)
}

// ExtendedPlan is how an extended test is measured and judged: against the
// stored run of --reference or the baseline when either has the test (a
// recorded one), otherwise in relative mode against this run's
// node-to-node reference (scenario.Reference), which its verdicts say.
func (c *Config) ExtendedPlan(sc scenario.Scenario, step func(string), logf func(string, ...any)) measure.Plan {
	p := c.Plan(sc, step, logf)
	if p.Reference != nil && slices.ContainsFunc(p.Reference.Tests, func(t *results.Test) bool { return t.ID == sc.ID }) {
		return p // a stored run (--reference) that measured the test
	}
	p.Reference, p.RefName = nil, ""
	var unpublished bool
	p.Profile, unpublished = scenario.Reference(c.Profile, sc)
	if unpublished {
		p.Mode = verdict.Relative
	}
	return p
}

// recordExtended adds the extended knobs to the recorded settings.
func (c *Config) recordExtended(s results.Settings) results.Settings {
	es := c.Extended()
	s.Streams, s.MessageSizes, s.RetransmitJump = es.Streams, es.MessageSizes, es.RetransmitJump
	return s
}

// extendedTerm finds the label extended in a label filter.
var extendedTerm = regexp.MustCompile(`(?i)(^|[^A-Za-z0-9_-])` + scenario.ExtendedLabel + `($|[^A-Za-z0-9_-])`)

// ExtendedLabelFilter is the label filter a run applies: the extended specs
// run only when the filter names their label, so that a plain run, and a
// filter written for the four (rr, multi, ...), select the four alone.
func ExtendedLabelFilter(given string) string {
	given = strings.TrimSpace(given)
	switch {
	case given == "":
		return "!" + scenario.ExtendedLabel
	case extendedTerm.MatchString(given):
		return given
	}
	return "(" + given + ") && !" + scenario.ExtendedLabel
}

// streamsFlag is --streams, checked as it is parsed.
type streamsFlag int

func (n *streamsFlag) String() string {
	if n == nil || *n == 0 {
		return ""
	}
	return strconv.Itoa(int(*n))
}

func (n *streamsFlag) Set(s string) error {
	k, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || k < 1 || k > MaxStreams {
		return fmt.Errorf("--streams=%q: use a whole number of streams from 1 to %d (the multi tests run 32 without it)", s, MaxStreams)
	}
	*n = streamsFlag(k)
	return nil
}

// sizesFlag is --message-sizes, checked as it is parsed.
type sizesFlag []int

func (l *sizesFlag) String() string {
	if l == nil {
		return ""
	}
	parts := make([]string, len(*l))
	for i, n := range *l {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

// maxMessageSize bounds a sweep's size: netperf's send buffer of one call.
const maxMessageSize = 1 << 20

func (l *sizesFlag) Set(s string) error {
	var out []int
	for _, p := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 || n > maxMessageSize {
			return fmt.Errorf("--message-sizes=%q: %q is not a size; use comma-separated byte counts from 1 to %d, e.g. 64,1024,16384,65536", s, strings.TrimSpace(p), maxMessageSize)
		}
		if slices.Contains(out, n) {
			return fmt.Errorf("--message-sizes=%q: %d is given twice", s, n)
		}
		out = append(out, n)
	}
	slices.Sort(out)
	*l = out
	return nil
}
