package config

import (
	"flag"
	"sync"
)

// preflightOnly holds --preflight-only of each Config that registered its
// flags, beside the benchmark's own settings.
var preflightOnly sync.Map // *Config -> *bool

// registerPreflight adds the preflight's flag to fs (docs/preflight.md).
func (c *Config) registerPreflight(fs *flag.FlagSet) {
	only := new(bool)
	preflightOnly.Store(c, only)
	fs.BoolVar(only, "preflight-only", false,
		"run only the preflight checks of the target (nodes, CPU, zones, CNI, image, MTU, governor, irqbalance, offloads), print them, write results.json and skip every test; exit status 1 only when a check fails")
}

// PreflightOnly reports whether --preflight-only was given.
func (c *Config) PreflightOnly() bool {
	if v, ok := preflightOnly.Load(c); ok {
		return *v.(*bool)
	}
	return false
}
