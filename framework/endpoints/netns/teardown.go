package netns

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
)

// Teardown stops every netserver and removes the namespaces. Safe to call twice.
func (t *Target) Teardown(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	var errs []error
	for _, p := range t.pairs {
		errs = append(errs, p.Close(ctx))
	}
	t.pairs = nil
	if t.up {
		if _, err := t.Sweep(ctx); err != nil {
			errs = append(errs, err)
		}
		t.up = false
	}
	if t.lock != nil {
		t.lock.Close() // releases the flock
		t.lock = nil
	}
	return errors.Join(errs...)
}

// Sweep removes namespaces (and the processes in them) left by an earlier run
// that was killed before it could clean up. It returns what it removed.
func (t *Target) Sweep(ctx context.Context) ([]string, error) {
	return removeNamespaces(ctx, func(name string) bool { return strings.HasPrefix(name, Prefix) })
}

// removeNamespaces kills the processes in, and deletes, every network
// namespace whose name match selects, and returns those it removed. It stops
// at the first that cannot be deleted.
func removeNamespaces(ctx context.Context, match func(string) bool) ([]string, error) {
	out, err := exec.CommandContext(ctx, "ip", "netns", "list").Output()
	if err != nil {
		return nil, fmt.Errorf("ip netns list: %w", err)
	}
	var removed []string
	for _, l := range strings.Split(string(out), "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(l), " ")
		if name == "" || !match(name) {
			continue
		}
		killNamespace(ctx, name)
		if err := ip(ctx, "netns", "delete", name); err != nil {
			return removed, err
		}
		removed = append(removed, name)
	}
	return removed, nil
}

// killNamespace kills every process inside ns (a netserver left running).
func killNamespace(ctx context.Context, ns string) {
	out, _ := exec.CommandContext(ctx, "ip", "netns", "pids", ns).Output()
	for _, f := range strings.Fields(string(out)) {
		var pid int
		if _, err := fmt.Sscan(f, &pid); err == nil && pid > 1 {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// Close stops the pair's netserver (with the children it forked per test) and
// the process parked in the client namespace, then removes what an extended
// path added to the miniature.
func (p *pair) Close(ctx context.Context) error {
	if p.anchor != nil {
		_ = p.anchor.Process.Kill()
		_ = p.anchor.Wait()
		p.anchor = nil
	}
	if p.srv != nil {
		_ = syscall.Kill(-p.srv.Process.Pid, syscall.SIGKILL) // netserver and the children it forked per test
		<-p.srvDone
		p.srv = nil
	}
	if p.undo == nil {
		return nil
	}
	undo := p.undo
	p.undo = nil
	return undo(ctx)
}
