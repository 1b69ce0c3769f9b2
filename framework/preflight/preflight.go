// Package preflight is the fast check, before the long tests, of what skews
// the figures of a run: too few nodes or CPUs, an MTU that differs between
// pod and node, an undetected CNI, a missing image, CPU frequency scaling,
// irqbalance, offloads turned off, client and server in different zones.
// Each check says what it observed, what that skews and what to do about it.
//
// The targets observe; this package judges. Run asks a Source for each
// observation through one small interface per check, so that a target
// answers what it can see and the rest is skipped with a reason.
package preflight

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Status is the outcome of one check.
type Status string

const (
	// OK: nothing found that skews the figures.
	OK Status = "ok"
	// Warn: the run can go on, but its figures are skewed as Skews says.
	Warn Status = "warn"
	// Fail: the run cannot measure what it is asked to (too few nodes, no
	// CPU for the 32-CPU test's pods).
	Fail Status = "fail"
	// Skip: not checked, for the reason in Observed.
	Skip Status = "skip"
)

// The checks, in the order Run makes them. The names are those of
// results.json and of the JUnit properties podperf.preflight.<name>.
const (
	Nodes      = "nodes"
	CPU        = "cpu"
	Zones      = "zones"
	CNI        = "cni"
	Image      = "image"
	MTU        = "mtu"
	Governor   = "governor"
	IRQBalance = "irqbalance"
	Offloads   = "offloads"
)

// Names lists every check in the order Run makes them.
var Names = []string{Nodes, CPU, Zones, CNI, Image, MTU, Governor, IRQBalance, Offloads}

// Check is the outcome of one check: one line each.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	// Observed is what was found (or why the check was skipped).
	Observed string `json:"observed"`
	// Skews is what a warn or fail does to the figures; Action what to do.
	Skews  string `json:"skews,omitempty"`
	Action string `json:"action,omitempty"`
}

// String is the check on one line, as the suite logs it.
func (c Check) String() string {
	s := fmt.Sprintf("preflight %s: %s: %s", c.Name, c.Status, c.Observed)
	if c.Status == Warn || c.Status == Fail {
		if c.Skews != "" {
			s += "; skews: " + c.Skews
		}
		if c.Action != "" {
			s += "; do: " + c.Action
		}
	}
	return strings.Join(strings.Fields(s), " ")
}

// Failed returns the names of the checks that failed.
func Failed(checks []Check) []string {
	var out []string
	for _, c := range checks {
		if c.Status == Fail {
			out = append(out, c.Name)
		}
	}
	return out
}

// Replace returns checks with the check of c's name replaced by c (appended
// when absent): a check completed later in the run, such as the MTU read
// from the first spec's pods.
func Replace(checks []Check, c Check) []Check {
	out := make([]Check, 0, len(checks)+1)
	done := false
	for _, old := range checks {
		if old.Name == c.Name {
			old, done = c, true
		}
		out = append(out, old)
	}
	if !done {
		out = append(out, c)
	}
	return out
}

// SkipError is returned by a source that cannot observe what its check
// needs here; the check is skipped with Reason.
type SkipError struct{ Reason string }

func (e *SkipError) Error() string { return e.Reason }

// Source is what a target offers the checks: its name, and any of the
// interfaces below. A check whose interface the source lacks is skipped.
type Source interface {
	Target() string
}

// NodeSource tells how many nodes could host the test pods and which two
// the run will use.
type NodeSource interface {
	Nodes(ctx context.Context) (NodeFacts, error)
}

// CPUSource tells what CPU allowance each pod of a want-CPU test gets.
type CPUSource interface {
	CPU(ctx context.Context, want int) (CPUFacts, error)
}

// ZoneSource tells the zones of the client and server nodes.
type ZoneSource interface {
	Zones(ctx context.Context) (ZoneFacts, error)
}

// CNISource tells which CNI was detected.
type CNISource interface {
	CNI(ctx context.Context) (CNIFacts, error)
}

// ImageSource tells on which nodes the test image is present.
type ImageSource interface {
	Image(ctx context.Context) (ImageFacts, error)
}

// MTUSource tells the MTU of the pod and node interfaces.
type MTUSource interface {
	MTU(ctx context.Context) (MTUFacts, error)
}

// GovernorSource counts the CPUs per cpufreq scaling governor.
type GovernorSource interface {
	Governors(ctx context.Context) (GovernorFacts, error)
}

// IRQBalanceSource tells where irqbalance runs.
type IRQBalanceSource interface {
	IRQBalance(ctx context.Context) (IRQBalanceFacts, error)
}

// OffloadSource tells the offload features of the measured interfaces.
type OffloadSource interface {
	Offloads(ctx context.Context) ([]InterfaceOffloads, error)
}

// Options are what the checks compare with.
type Options struct {
	// CPUs is the largest CPU allowance a test asks for (32: the 32-CPU TCP_RR).
	CPUs int
	// Timeout bounds each check (default 20s): the preflight is meant to be fast.
	Timeout time.Duration
}

// DefaultTimeout bounds one check when Options.Timeout is zero.
const DefaultTimeout = 20 * time.Second

// Run makes every check in Names order against src. It never fails: a check
// that cannot be made is skipped with the reason.
func Run(ctx context.Context, src Source, opts Options) []Check {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	out := make([]Check, 0, len(Names))
	for _, name := range Names {
		cctx, cancel := context.WithTimeout(ctx, opts.Timeout)
		out = append(out, one(cctx, src, name, opts))
		cancel()
	}
	return out
}

// one makes the check name: it asks src through the check's interface and
// judges what src observed.
func one(ctx context.Context, src Source, name string, opts Options) Check {
	var c Check
	var err error
	supported := true
	switch name {
	case Nodes:
		if s, ok := src.(NodeSource); !ok {
			supported = false
		} else if f, e := s.Nodes(ctx); e != nil {
			err = e
		} else {
			c = JudgeNodes(f)
		}
	case CPU:
		if s, ok := src.(CPUSource); !ok {
			supported = false
		} else if opts.CPUs <= 0 {
			err = &SkipError{Reason: "no test asks for a CPU allowance"}
		} else if f, e := s.CPU(ctx, opts.CPUs); e != nil {
			err = e
		} else {
			c = JudgeCPU(f)
		}
	case Zones:
		if s, ok := src.(ZoneSource); !ok {
			supported = false
		} else if f, e := s.Zones(ctx); e != nil {
			err = e
		} else {
			c = JudgeZones(f)
		}
	case CNI:
		if s, ok := src.(CNISource); !ok {
			supported = false
		} else if f, e := s.CNI(ctx); e != nil {
			err = e
		} else {
			c = JudgeCNI(f)
		}
	case Image:
		if s, ok := src.(ImageSource); !ok {
			supported = false
		} else if f, e := s.Image(ctx); e != nil {
			err = e
		} else {
			c = JudgeImage(f)
		}
	case MTU:
		if s, ok := src.(MTUSource); !ok {
			supported = false
		} else if f, e := s.MTU(ctx); e != nil {
			err = e
		} else {
			c = JudgeMTU(f)
		}
	case Governor:
		if s, ok := src.(GovernorSource); !ok {
			supported = false
		} else if f, e := s.Governors(ctx); e != nil {
			err = e
		} else {
			c = JudgeGovernors(f)
		}
	case IRQBalance:
		if s, ok := src.(IRQBalanceSource); !ok {
			supported = false
		} else if f, e := s.IRQBalance(ctx); e != nil {
			err = e
		} else {
			c = JudgeIRQBalance(f)
		}
	case Offloads:
		if s, ok := src.(OffloadSource); !ok {
			supported = false
		} else if f, e := s.Offloads(ctx); e != nil {
			err = e
		} else {
			c = JudgeOffloads(f)
		}
	}
	switch {
	case !supported:
		return Check{Name: name, Status: Skip, Observed: "not observable on the " + src.Target() + " target"}
	case err != nil:
		var skip *SkipError
		if errors.As(err, &skip) {
			return Check{Name: name, Status: Skip, Observed: skip.Reason}
		}
		return Check{Name: name, Status: Skip, Observed: "could not check: " + oneLine(err.Error())}
	}
	c.Name = name
	if c.Status == OK || c.Status == Skip {
		c.Skews, c.Action = "", ""
	}
	return c
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
