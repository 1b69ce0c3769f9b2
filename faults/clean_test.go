package faults

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// prefix starts the name of every network namespace the local target makes
// (netns.Prefix; not imported, so that this package sees the suite only from
// outside).
const prefix = "podperf-"

// lockFile is the local target's lock (netns.lockFile): it may exist after a
// run but must be free.
const lockFile = "/run/podperf-local.lock"

// nsWatch records the inode of every podperf- network namespace that exists
// while a run goes on, so that afterwards a process or a mount still holding
// one of them (a namespace deleted by name but alive) can be found.
type nsWatch struct {
	mu     sync.Mutex
	inodes map[uint64]string
	quit   chan struct{}
	wg     sync.WaitGroup
}

func watchNamespaces() *nsWatch {
	w := &nsWatch{inodes: map[uint64]string{}, quit: make(chan struct{})}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			w.scan()
			select {
			case <-w.quit:
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

func (w *nsWatch) scan() {
	ents, _ := os.ReadDir("/run/netns")
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		var st syscall.Stat_t
		if syscall.Stat(filepath.Join("/run/netns", e.Name()), &st) == nil {
			w.mu.Lock()
			w.inodes[st.Ino] = e.Name()
			w.mu.Unlock()
		}
	}
}

func (w *nsWatch) stop() {
	close(w.quit)
	w.wg.Wait()
}

// machine is what the root namespace looked like before a run, for the
// things a run could leave there.
type machine struct {
	qdiscs, rules map[string]bool
}

// ours matches the qdiscs, rules and links the suite or a fault could add
// in the root namespace: none of them belongs there.
var (
	ourQdisc = regexp.MustCompile(`^qdisc (netem|blackhole|tbf|clsact|pfifo) `)
	ourRule  = regexp.MustCompile(`198\.18\.|1286[5-9]|1287\d`)
	ourLink  = regexp.MustCompile(`^\d+: (wire0|lxc-pod-a|lxc-pod-b)[@:]`)
)

func snapshot(t *testing.T) machine {
	t.Helper()
	m := machine{qdiscs: map[string]bool{}, rules: map[string]bool{}}
	for _, l := range lines(sh(t, "tc", "qdisc", "show")) {
		m.qdiscs[l] = true
	}
	for _, l := range lines(sh(t, "iptables-save")) {
		m.rules[l] = true
	}
	return m
}

// checkClean fails t for anything r left behind: namespaces, processes in
// them or orphaned by the suite, links, qdiscs and rules in the root
// namespace, a held lock, temporary files, files outside the report dir.
func checkClean(t *testing.T, r *run, before machine) {
	t.Helper()
	for _, p := range leftovers(t, r, before) {
		t.Error(p)
	}
}

// leftovers lists what r left behind, killing the processes it finds.
func leftovers(t *testing.T, r *run, before machine) []string {
	t.Helper()
	var found []string
	errorf := func(format string, args ...any) { found = append(found, fmt.Sprintf(format, args...)) }
	for _, l := range lines(sh(t, "ip", "netns", "list")) {
		if strings.HasPrefix(l, prefix) {
			errorf("network namespace left behind: %s", l)
		}
	}
	r.seen.mu.Lock()
	seen := r.seen.inodes
	r.seen.mu.Unlock()
	if len(seen) == 0 && r.exit == 0 {
		errorf("the run made no %s namespace that the check could watch", prefix)
	}
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range procs {
		pid, _ := strconv.Atoi(filepath.Base(p))
		if link, err := os.Readlink(p + "/ns/net"); err == nil {
			var ino uint64
			if _, err := fmt.Sscanf(link, "net:[%d]", &ino); err == nil && seen[ino] != "" {
				errorf("process %d (%s) still runs in the run's namespace %s", pid, comm(pid), seen[ino])
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		if ppid, state := parent(pid); ppid == os.Getpid() {
			if state == "Z" {
				var ws syscall.WaitStatus
				_, _ = syscall.Wait4(pid, &ws, syscall.WNOHANG, nil) // an orphan that died: reap it
				continue
			}
			errorf("process %d (%s) outlived the suite that started it", pid, comm(pid))
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	if mi, err := os.ReadFile("/proc/self/mountinfo"); err == nil {
		for ino, name := range seen {
			if strings.Contains(string(mi), fmt.Sprintf("net:[%d]", ino)) {
				errorf("namespace %s is still mounted", name)
			}
		}
	}
	for _, l := range lines(sh(t, "ip", "-o", "link", "show", "type", "veth")) {
		if ourLink.MatchString(l) {
			errorf("veth left in the root namespace: %s", l)
		}
	}
	for _, l := range lines(sh(t, "tc", "qdisc", "show")) {
		if !before.qdiscs[l] && ourQdisc.MatchString(l) {
			errorf("qdisc left in the root namespace: %s", l)
		}
	}
	for _, l := range lines(sh(t, "iptables-save")) {
		if !before.rules[l] && ourRule.MatchString(l) && !strings.HasPrefix(l, "#") {
			errorf("iptables rule left in the root namespace: %s", l)
		}
	}
	if f, err := os.Open(lockFile); err == nil {
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			errorf("%s is still held after the run: %v", lockFile, err)
		}
		f.Close()
	}
	for _, d := range []string{r.tmp, r.work} {
		if ents, _ := os.ReadDir(d); len(ents) > 0 {
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			errorf("the run left files in %s: %s", d, strings.Join(names, " "))
		}
	}
	if left, _ := filepath.Glob(filepath.Join(r.dir, ".*.tmp")); len(left) > 0 {
		errorf("temporary files left in the report dir: %v", left)
	}
	return found
}

// parent returns the parent and state of pid from /proc/<pid>/stat.
func parent(pid int) (int, string) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, ""
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, ""
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return 0, ""
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid, f[0]
}

func comm(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// netnsPids lists the processes in a namespace of the run.
func netnsPids(ns string) []int {
	out, _ := exec.Command("ip", "netns", "pids", ns).Output()
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		if pid, err := strconv.Atoi(f); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}
