package netns

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"podperf/framework/endpoints"
)

// Run runs argv in the client namespace, on the client's CPUs.
func (p *pair) Run(ctx context.Context, argv []string) (endpoints.Output, error) {
	full := pinned(p.client.ns, p.clientCPUs, argv...)
	cmd := exec.CommandContext(ctx, full[0], full[1:]...)
	// Should the suite die without cleaning up, the command dies with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	o := endpoints.Output{Started: time.Now()}
	err := cmd.Run()
	o.Ended, o.Stdout, o.Stderr = time.Now(), stdout.String(), stderr.String()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && ctx.Err() == nil:
		o.ExitCode = exit.ExitCode()
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			o.ExitCode = 128 + int(ws.Signal()) // as a shell reports it, and the Kubernetes target's exec
		}
	case err != nil && ctx.Err() != nil:
		// Killed because the run was interrupted or ran out of time: say
		// that, not "signal: killed".
		return o, fmt.Errorf("%s in %s stopped before it finished: %w", filepath.Base(argv[0]), p.client.ns, context.Cause(ctx))
	case err != nil:
		return o, fmt.Errorf("run %s in %s: %w", filepath.Base(argv[0]), p.client.ns, err)
	}
	return o, nil
}

// pinned runs argv inside ns, confined to cpus when set.
func pinned(ns, cpus string, argv ...string) []string {
	// nsenter joins only the network namespace; "ip netns exec" also remounts
	// /sys in a new mount namespace, which costs ~10x more per process and
	// skews the start of 32 concurrent netperfs on a small machine.
	full := []string{"nsenter", "--net=/run/netns/" + ns}
	if cpus != "" {
		full = append(full, "taskset", "-c", cpus)
	}
	return append(full, argv...)
}

// toolError is a tool that failed: the message is what the tool printed, and
// the cause (an *exec.ExitError, or why it could not run) stays unwrappable.
type toolError struct {
	cmd string // the command as the message names it
	out string // its trimmed combined output
	err error
}

func (e *toolError) Error() string {
	if e.out == "" {
		return e.cmd + ": " + e.err.Error()
	}
	return e.cmd + ": " + e.out
}

func (e *toolError) Unwrap() error { return e.err }

func ip(ctx context.Context, args ...string) error {
	if out, err := execOut(ctx, "ip", args...); err != nil {
		return &toolError{cmd: "ip " + strings.Join(args, " "), out: out, err: err}
	}
	return nil
}

// execOut runs a tool and returns its trimmed combined output.
func execOut(ctx context.Context, name string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// nsExec runs argv inside ns.
func nsExec(ctx context.Context, ns string, argv ...string) error {
	if out, err := execOut(ctx, "ip", append([]string{"netns", "exec", ns}, argv...)...); err != nil {
		return &toolError{cmd: strings.Join(argv, " "), out: out, err: err}
	}
	return nil
}
