package faults

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestLeftoversSeen leaves behind, on purpose, what a broken run could (a
// namespace with a process in it, a process of the run, a held lock, a
// temporary file) and checks that the clean-up check of the fault runs
// reports each of them.
func TestLeftoversSeen(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to make a network namespace")
	}
	before := snapshot(t)
	r := &run{dir: t.TempDir(), tmp: t.TempDir(), work: t.TempDir(), seen: watchNamespaces(), exit: 1}
	const ns = prefix + "faults-leak"
	_ = exec.Command("ip", "netns", "delete", ns).Run()
	sh(t, "ip", "netns", "add", ns)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "delete", ns).Run() })
	inside := exec.Command("nsenter", "--net=/run/netns/"+ns, "sleep", "60")
	orphan := exec.Command("sleep", "60")
	for _, c := range []*exec.Cmd{inside, orphan} {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Process.Kill(); _ = c.Wait() })
	}
	r.seen.scan()
	r.seen.stop()
	if err := os.WriteFile(filepath.Join(r.tmp, "podperf-junit-1"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	lock, err := os.OpenFile(lockFile, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Skipf("%s is held by a run: %v", lockFile, err)
	}
	// The check opens the lock file anew: a lock this process holds through
	// another descriptor blocks it as another process's would.
	got := strings.Join(leftovers(t, r, before), "\n")
	_ = syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	for _, want := range []string{
		"network namespace left behind: " + ns,
		"still runs in the run's namespace " + ns,
		"outlived the suite",
		lockFile + " is still held",
		"the run left files in " + r.tmp + ": podperf-junit-1",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the check did not report %q; it reported:\n%s", want, got)
		}
	}
}
