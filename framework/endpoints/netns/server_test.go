package netns

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"podperf/framework/endpoints"
)

// testTarget makes the local target (root and netperf needed), skipping the
// test where it cannot run; the test tears it down.
func testTarget(t *testing.T) *Target {
	t.Helper()
	for _, tool := range []string{"ip", "tc", "ss", "nsenter", "taskset", "netperf", "netserver"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the local target needs %s: run scripts/install-deps.sh", tool)
		}
	}
	tgt, err := New(t.Logf, nil)
	var skip *endpoints.ErrSkip
	if errors.As(err, &skip) {
		t.Skip(skip.Reason)
	}
	if err != nil {
		t.Fatal(err)
	}
	return tgt
}

// testNamespace takes the local target's lock (skipping where the target
// cannot run) and makes an empty namespace for the test, removed at its end.
func testNamespace(t *testing.T) string {
	t.Helper()
	tgt := testTarget(t)
	ns := Prefix + "test-listen"
	ctx := context.Background()
	killNamespace(ctx, ns)
	_ = ip(ctx, "netns", "delete", ns) // left by a killed test
	if err := ip(ctx, "netns", "add", ns); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		killNamespace(ctx, ns)
		if err := ip(ctx, "netns", "delete", ns); err != nil {
			t.Error(err)
		}
		if err := tgt.Teardown(ctx); err != nil {
			t.Error(err)
		}
	})
	if err := ip(ctx, "-n", ns, "link", "set", "lo", "up"); err != nil {
		t.Fatal(err)
	}
	return ns
}

func listening(t *testing.T, ns string, port string) bool {
	t.Helper()
	out, err := execOut(context.Background(), "ip", "netns", "exec", ns, "ss", "-Hltn", "sport = :"+port)
	if err != nil {
		t.Fatalf("ss: %v: %s", err, out)
	}
	return strings.Contains(out, "LISTEN")
}

func TestStartServer(t *testing.T) {
	ns := testNamespace(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	p := &pair{server: host{ns: ns}}
	if err := p.startServer(ctx, 12901); err != nil {
		t.Fatalf("startServer: %v", err)
	}
	if !listening(t, ns, "12901") {
		t.Error("startServer returned before netserver listened")
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.srvDone:
	default:
		t.Error("netserver still runs after Close")
	}
	if listening(t, ns, "12901") {
		t.Error("port 12901 still listens after Close")
	}

	// nsenter fails on a namespace that does not exist: netserver "exits" at
	// once, which must end the wait with the exit status, long before the timeout.
	gone := &pair{server: host{ns: Prefix + "test-missing"}}
	start := time.Now()
	err := gone.startServer(ctx, 12901)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !strings.Contains(err.Error(), "exited at start") || !strings.Contains(err.Error(), "nsenter") {
		t.Errorf("startServer in a missing namespace = %v, want an exit error with nsenter's message", err)
	}
	if d := time.Since(start); d > listenTimeout/2 {
		t.Errorf("the exit was noticed after %s", d)
	}
	_ = gone.Close(ctx)
}

func TestWaitListening(t *testing.T) {
	ns := testNamespace(t)
	never := make(chan struct{})
	noExit := func() error { t.Error("exitErr called without an exit"); return nil }

	t.Run("a server that listens late", func(t *testing.T) {
		srv := exec.Command("nsenter", "--net=/run/netns/"+ns, "netserver", "-D", "-p", "12902")
		srv.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		started := make(chan error, 1)
		time.AfterFunc(300*time.Millisecond, func() { started <- srv.Start() })
		defer func() {
			if err := <-started; err == nil {
				_ = syscall.Kill(-srv.Process.Pid, syscall.SIGKILL)
				_ = srv.Wait()
			}
		}()
		start := time.Now()
		if err := waitListening(context.Background(), ns, 12902, 10*time.Second, never, noExit); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d < 300*time.Millisecond {
			t.Errorf("waitListening returned after %s, before the server started", d)
		}
	})

	t.Run("nothing listens: timeout", func(t *testing.T) {
		start := time.Now()
		err := waitListening(context.Background(), ns, 12903, 300*time.Millisecond, never, noExit)
		if !errors.Is(err, context.DeadlineExceeded) || !wait.Interrupted(err) || !strings.Contains(err.Error(), "is not listening on port 12903 after 300ms") {
			t.Errorf("err = %v, want a timeout naming the port", err)
		}
		if d := time.Since(start); d < 300*time.Millisecond || d > 5*time.Second {
			t.Errorf("timed out after %s, want about 300ms", d)
		}
	})

	t.Run("the caller gives up", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		err := waitListening(ctx, ns, 12904, 10*time.Second, never, noExit)
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "wait for netserver in "+ns) {
			t.Errorf("err = %v, want the cancellation", err)
		}
	})

	t.Run("the server exits", func(t *testing.T) {
		exited := make(chan struct{})
		close(exited)
		errExit := errors.New("netserver exited")
		err := waitListening(context.Background(), ns, 12905, 10*time.Second, exited, func() error { return errExit })
		if !errors.Is(err, errExit) {
			t.Errorf("err = %v, want the exit error", err)
		}
	})
}

func TestToolError(t *testing.T) {
	ctx := context.Background()
	err := ip(ctx, "link", "show", "dev", "podperf-none")
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("err = %v (%T), want it to wrap the exit", err, err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "ip link show dev podperf-none: ") || !strings.Contains(msg, "does not exist") {
		t.Errorf("err = %q, want the command and what ip said", msg)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	err = nsExec(canceled, Prefix+"test-none", "true")
	if !errors.Is(err, context.Canceled) || err.Error() != "true: context canceled" {
		t.Errorf("err = %q, want the cancellation", err)
	}
}
