package kube

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	e2epod "k8s.io/kubernetes/test/e2e/framework/pod"

	"podperf/framework/endpoints"
)

// Run execs argv in the client pod, then checks that both nodes are still
// Ready: a sample taken while a node was in trouble is not a figure.
func (p *pair) Run(ctx context.Context, argv []string) (endpoints.Output, error) {
	o, err := p.run(ctx, argv)
	if err == nil {
		err = p.checkNodes(ctx)
	}
	return o, err
}

// run execs argv in the client pod.
func (p *pair) run(ctx context.Context, argv []string) (endpoints.Output, error) {
	o := endpoints.Output{Started: time.Now()}
	stdout, stderr, err := e2epod.Exec(p.f.TContext(ctx), e2epod.ExecOptions{
		Command: argv, Namespace: p.ns, PodName: p.clientName, ContainerName: "netperf",
		CaptureStdout: true, CaptureStderr: true, PreserveWhitespace: true, Quiet: true,
	})
	o.Ended, o.Stdout, o.Stderr = time.Now(), stdout, stderr
	var exit interface{ ExitStatus() int }
	switch {
	case err == nil:
	case errors.As(err, &exit):
		o.ExitCode = exit.ExitStatus()
	case ctx.Err() != nil:
		// Interrupted or out of time: the stream was cut on this side.
		return o, fmt.Errorf("exec in %s/%s: %w", p.ns, p.clientName, context.Cause(ctx))
	default:
		if nerr := p.checkNodes(ctx); nerr != nil {
			return o, fmt.Errorf("exec in %s/%s: %w", p.ns, p.clientName, nerr)
		}
		return o, p.execBroken(err)
	}
	return o, nil
}

// exec runs argv in the client pod and returns its trimmed stdout; a non-zero
// exit is an error.
func (p *pair) exec(ctx context.Context, argv ...string) (string, error) {
	o, err := p.run(ctx, argv)
	if err == nil && o.ExitCode != 0 {
		err = fmt.Errorf("%s exited %d: %s", strings.Join(argv, " "), o.ExitCode, strings.TrimSpace(o.Stderr))
	}
	return strings.TrimSpace(o.Stdout), err
}
