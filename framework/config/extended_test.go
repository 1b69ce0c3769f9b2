package config

import (
	"flag"
	"slices"
	"strings"
	"testing"
)

func TestExtendedLabelFilter(t *testing.T) {
	for given, want := range map[string]string{
		"":                        "!extended",
		"  ":                      "!extended",
		"rr":                      "(rr) && !extended",
		"TCP_STREAM && single":    "(TCP_STREAM && single) && !extended",
		"extended":                "extended",
		"extended && TCP_CRR":     "extended && TCP_CRR",
		"(Extended) || rr":        "(Extended) || rr",
		"!extended":               "!extended",
		"not-extended-label || x": "(not-extended-label || x) && !extended",
	} {
		if got := ExtendedLabelFilter(given); got != want {
			t.Errorf("ExtendedLabelFilter(%q) = %q, want %q", given, got, want)
		}
	}
}

func TestExtendedFlags(t *testing.T) {
	parse := func(args ...string) (*Config, error) {
		var c Config
		fs := flag.NewFlagSet("podperf", flag.ContinueOnError)
		fs.SetOutput(new(strings.Builder))
		c.Register(fs)
		if err := fs.Parse(args); err != nil {
			return &c, err
		}
		return &c, c.Resolve()
	}
	c, err := parse("--streams=8", "--message-sizes=65536, 64,1024")
	if err != nil {
		t.Fatal(err)
	}
	es := c.Extended()
	if es.Streams != 8 || !slices.Equal(es.MessageSizes, []int{64, 1024, 65536}) || es.RetransmitJump != 4 {
		t.Errorf("settings = %+v", es)
	}
	if b := c.Benchmark(); b[1].Streams != 8 || b[3].CPUs != 8 {
		t.Errorf("--streams=8: multi tests %+v %+v", b[1], b[3])
	}
	rec := c.Recorded()
	if rec.Streams != 8 || len(rec.MessageSizes) != 3 || rec.RetransmitJump != 4 {
		t.Errorf("recorded %+v", rec)
	}
	if n := len(c.ExtendedScenarios()); n != 3+2*3 {
		t.Errorf("%d extended scenarios, want 9", n)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--streams=0"}, "use a whole number of streams from 1 to 256"},
		{[]string{"--streams=x"}, "use a whole number of streams"},
		{[]string{"--message-sizes=64,abc"}, `"abc" is not a size`},
		{[]string{"--message-sizes=64,64"}, "64 is given twice"},
		{[]string{"--message-sizes=0"}, `"0" is not a size`},
		{[]string{"--retransmit-jump=-1"}, "--retransmit-jump=-1"},
		{[]string{"--streams=200", "--data-port=65400"}, "must fit below 65536"},
		{[]string{"--streams=100", "--control-port=12900"}, "take in --control-port=12900"},
	} {
		_, err := parse(tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: err = %v, want one line containing %q", tc.args, err, tc.want)
		}
	}
	var none Config
	if none.Extended().RetransmitJump != 4 || none.Extended().Streams != 0 {
		t.Error("defaults without Register")
	}
}
