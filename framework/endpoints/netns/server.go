package netns

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// listenTimeout is how long netserver has to start listening.
const listenTimeout = 5 * time.Second

// startServer starts netserver in the server namespace on its CPUs and waits
// until it listens on port.
func (p *pair) startServer(ctx context.Context, port int) error {
	argv := pinned(p.server.ns, p.serverCPUs, "netserver", "-D", "-p", fmt.Sprint(port))
	// Not bound to ctx: netserver must outlive the setup step; Close stops it.
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	p.srvOut = &strings.Builder{}
	cmd.Stdout, cmd.Stderr = p.srvOut, p.srvOut
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start netserver in %s: %w", p.server.ns, err)
	}
	p.srv, p.srvDone = cmd, make(chan struct{})
	go func() { p.srvErr = cmd.Wait(); close(p.srvDone) }()
	return waitListening(ctx, p.server.ns, port, listenTimeout, p.srvDone, func() error {
		out := strings.TrimSpace(p.srvOut.String())
		if p.srvErr == nil {
			return fmt.Errorf("netserver in %s exited at start: %s", p.server.ns, out)
		}
		return fmt.Errorf("netserver in %s exited at start: %s: %w", p.server.ns, out, p.srvErr)
	})
}

// waitListening polls ns until a TCP socket listens on port, for at most
// timeout. When exited closes first, it returns exitErr's error.
func waitListening(ctx context.Context, ns string, port int, timeout time.Duration, exited <-chan struct{}, exitErr func() error) error {
	err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		out, _ := exec.CommandContext(ctx, "ip", "netns", "exec", ns, "ss", "-Hltn", fmt.Sprintf("sport = :%d", port)).Output()
		if strings.Contains(string(out), "LISTEN") {
			return true, nil
		}
		select {
		case <-exited:
			return false, exitErr()
		default:
			return false, nil
		}
	})
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("wait for netserver in %s to listen on port %d: %w", ns, port, err)
	case wait.Interrupted(err):
		return fmt.Errorf("netserver in %s is not listening on port %d after %s though it still runs (machine overloaded? see ip netns exec %s ss -ltnp): %w", ns, port, timeout, ns, err)
	default:
		return err
	}
}
