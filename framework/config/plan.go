package config

import (
	"podperf/framework/measure"
	"podperf/framework/results"
	"podperf/framework/scenario"
)

// Settings are the run-wide knobs of every measurement.
func (c *Config) Settings() scenario.Settings {
	return scenario.Settings{Duration: c.Duration, Samples: c.Samples, ControlPort: c.ControlPort,
		DataPortBase: c.DataPortBase, Confidence: c.Confidence}
}

// Plan is how sc is measured and judged under these settings. step narrates
// what is about to happen and logf logs a line (ginkgo.By and
// framework.Logf in the specs); either may be nil.
func (c *Config) Plan(sc scenario.Scenario, step func(string), logf func(string, ...any)) measure.Plan {
	ref, refName := c.Reference()
	return measure.Plan{Scenario: sc, Settings: c.Settings(), MaxSamples: c.MaxSamples, Budget: c.SampleBudget,
		Mode: c.Mode, Profile: c.Profile, Tol: c.Tol, CounterTolerance: c.CounterTolerance, Step: step, Logf: logf,
		Reference: ref, RefName: refName}
}

// Recorded is what results.json records of these settings, so that a result
// can be reproduced.
func (c *Config) Recorded() results.Settings {
	var profile string
	if c.Profile != nil {
		profile = c.Profile.Name
	}
	return c.recordExtended(results.Settings{Target: c.Target, Duration: c.Duration, Samples: c.Samples,
		Baseline: profile, Tolerances: c.Tolerances, ToleranceMode: string(c.Mode),
		ControlPort: c.ControlPort, DataPortBase: c.DataPortBase,
		Inconclusive: string(c.Policy), MaxSamples: c.MaxSamples, SampleBudget: c.SampleBudget,
		CounterTolerance: c.CounterTolerance, NetperfConfidence: c.Confidence, Reference: c.referenceName()})
}
