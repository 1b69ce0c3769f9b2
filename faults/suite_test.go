package faults

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// spec is the short spec every fault runs: one TCP_STREAM stream, two
// samples of each path of one second each (node 1, pod 1, node 2, pod 2).
const spec = "TCP_STREAM && single"

// suiteArgs are the suite's flags for a fault run, short and bounded.
var suiteArgs = []string{"--target=local", "--duration=1s", "--samples=2", "--max-samples=2", "--inconclusive=warn"}

// Lines of the suite's log that mark where a run is: after the first pod
// sample, and as the second pod sample (the last netperf of the spec) starts.
const (
	afterPodSample1  = "pod sample 1 of 2:"
	duringPodSample2 = "sample 2 of 2 on the pod-to-pod path"
)

var (
	buildOnce sync.Once
	suiteBin  string
	buildErr  error
)

// binary compiles the suite once (go test -c ./e2e) for all the faults.
func binary(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the fault tests build network namespaces: run them as root (make faults)")
	}
	for _, tool := range []string{"ip", "tc", "iptables", "netperf", "netserver", "nsenter", "taskset"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the fault tests need %s: run make deps", tool)
		}
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "podperf-faults-")
		if err != nil {
			buildErr = err
			return
		}
		suiteBin = filepath.Join(dir, "e2e.test")
		out, err := exec.Command("go", "test", "-c", "-o", suiteBin, "podperf/e2e").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go test -c ./e2e: %v: %s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return suiteBin
}

func TestMain(m *testing.M) {
	// Orphans of the suite (a netserver whose parent died) are re-parented to
	// this process instead of init, so that a leak can be seen: after a run,
	// no process may still have this one as its parent.
	const prSetChildSubreaper = 36
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		fmt.Fprintln(os.Stderr, "faults: PR_SET_CHILD_SUBREAPER:", errno)
		os.Exit(2)
	}
	code := m.Run()
	if suiteBin != "" {
		os.RemoveAll(filepath.Dir(suiteBin))
	}
	os.Exit(code)
}

// run is one run of the suite.
type run struct {
	t         *testing.T
	name      string
	dir       string // report dir
	tmp, work string // its TMPDIR and working directory: both must stay empty
	cmd       *exec.Cmd
	log       *logBuffer
	started   time.Time
	done      chan struct{}
	exit      int
	ended     time.Time
	seen      *nsWatch
}

// options change how a run starts.
type options struct {
	path string   // PATH for the suite (a directory of wrappers first); empty: this process's
	env  []string // more environment
	// args replace the label filter and the local target's flags (the
	// Kubernetes rows); nil: the short local spec.
	args []string
}

// start starts the suite on the short spec, its report in a directory of its own.
func start(t *testing.T, name string, o options) *run {
	t.Helper()
	bin := binary(t)
	base := t.TempDir()
	r := &run{t: t, name: name, dir: filepath.Join(base, "report"), tmp: filepath.Join(base, "tmp"), work: filepath.Join(base, "work"),
		log: &logBuffer{}, done: make(chan struct{})}
	for _, d := range []string{r.tmp, r.work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The suite alone: the package's plain Go tests are not what a fault run is about.
	args := []string{"-test.run=^TestE2E$", "--ginkgo.v", "--ginkgo.no-color"}
	if o.args != nil {
		args = append(args, o.args...)
	} else {
		args = append(append(args, "--ginkgo.label-filter="+spec), suiteArgs...)
	}
	r.cmd = exec.Command(bin, append(args, "--report-dir="+r.dir)...)
	r.cmd.Dir = r.work
	env := []string{}
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "PODPERF_CWD=") && !strings.HasPrefix(e, "TMPDIR=") && !(o.path != "" && strings.HasPrefix(e, "PATH=")) {
			env = append(env, e)
		}
	}
	env = append(env, "TMPDIR="+r.tmp)
	if o.path != "" {
		env = append(env, "PATH="+o.path)
	}
	r.cmd.Env = append(env, o.env...)
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	r.seen = watchNamespaces()
	r.started = time.Now()
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := r.cmd.Wait()
		r.ended = time.Now()
		r.exit = r.cmd.ProcessState.ExitCode()
		if err != nil && r.exit < 0 {
			r.exit = 128 + int(r.cmd.ProcessState.Sys().(syscall.WaitStatus).Signal())
		}
		r.seen.stop()
		close(r.done)
	}()
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			_ = r.cmd.Process.Kill()
			<-r.done
		}
		if t.Failed() {
			t.Logf("log of the %s run:\n%s", r.name, r.log.String())
		}
	})
	return r
}

// waitFor waits until the suite's log has line, or the run ends.
func (r *run) waitFor(line string, timeout time.Duration) {
	r.t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 20*time.Millisecond, timeout, true, func(context.Context) (bool, error) {
		select {
		case <-r.done:
			return false, fmt.Errorf("the suite ended before it logged %q", line)
		default:
		}
		return strings.Contains(r.log.String(), line), nil
	})
	if err != nil {
		r.t.Fatalf("waiting for %q: %v", line, err)
	}
}

// wait waits for the run to end, for at most bound, and returns how long
// it took from since.
func (r *run) wait(since time.Time, bound time.Duration) time.Duration {
	r.t.Helper()
	select {
	case <-r.done:
	case <-time.After(time.Until(since.Add(bound))):
		r.t.Errorf("the %s run has not ended %s after the fault (bound %s): killing it", r.name, time.Since(since).Round(time.Millisecond), bound)
		_ = r.cmd.Process.Kill()
		<-r.done
	}
	return r.ended.Sub(since)
}

// signal sends sig to the suite.
func (r *run) signal(sig syscall.Signal) {
	if err := r.cmd.Process.Signal(sig); err != nil {
		r.t.Fatal(err)
	}
}

// logBuffer is the suite's combined output, read while it is written.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// sh runs a command for the test (a fault, a check) and fails the test if it fails.
func sh(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
