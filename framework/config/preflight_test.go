package config

import (
	"flag"
	"testing"
)

func TestPreflightOnlyFlag(t *testing.T) {
	for args, want := range map[string]bool{"": false, "--preflight-only": true, "--preflight-only=false": false} {
		var c Config
		fs := flag.NewFlagSet("podperf", flag.ContinueOnError)
		c.Register(fs)
		var argv []string
		if args != "" {
			argv = []string{args}
		}
		if err := fs.Parse(argv); err != nil {
			t.Fatal(err)
		}
		if got := c.PreflightOnly(); got != want {
			t.Errorf("%q: PreflightOnly = %v, want %v", args, got, want)
		}
	}
	if (&Config{}).PreflightOnly() {
		t.Error("a Config without flags is preflight-only")
	}
}
