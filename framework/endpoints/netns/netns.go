// Package netns is the local target made of network namespaces on this machine: a
// miniature of two Kubernetes nodes with native (host) routing. Two "node"
// namespaces are joined by a veth "wire"; each node has a "pod" namespace joined
// to it by a veth pair and routes, as a CNI in native-routing mode would set up.
// Pod-to-pod traffic crosses both nodes' routing; the node-to-node reference
// runs over the wire alone. Every address is in 198.18.0.0/15 (RFC 2544).
package netns

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"podperf/framework/endpoints"
)

// Prefix starts the name of every namespace the target creates; a run removes
// any namespace with this prefix that a killed run left behind.
const Prefix = "podperf-"

const lockFile = "/run/podperf-local.lock"

// host is one namespace of the miniature.
type host struct {
	ns    string // namespace name
	node  string // the node it belongs to (for the results)
	iface string // interface traffic leaves by
	addr  string // address without prefix length
}

var (
	nodeA = host{ns: Prefix + "node-a", node: "node-a", iface: "wire0", addr: "198.18.250.1"}
	nodeB = host{ns: Prefix + "node-b", node: "node-b", iface: "wire0", addr: "198.18.250.2"}
	podA  = host{ns: Prefix + "pod-a", node: "node-a", iface: "eth0", addr: "198.18.240.10"}
	podB  = host{ns: Prefix + "pod-b", node: "node-b", iface: "eth0", addr: "198.18.241.10"}
)

const mtu = 1500 // as on the published test bed

// Target is the local network-namespace target.
type Target struct {
	log    func(format string, args ...any)
	lock   *os.File
	shapes []Shape

	mu    sync.Mutex
	pairs []*pair
	up    bool
}

// New checks that the machine can host the miniature and takes the lock that
// keeps two local runs apart. It does not build anything yet. An ErrSkip says
// why the target cannot run here (not root, a tool missing).
func New(logf func(format string, args ...any), shapes []Shape) (*Target, error) {
	if runtime.GOOS != "linux" {
		return nil, &endpoints.ErrSkip{Reason: "the local target needs Linux network namespaces"}
	}
	if os.Geteuid() != 0 {
		return nil, &endpoints.ErrSkip{Reason: "the local target needs root to create network namespaces: run as root, or use --target=kubernetes"}
	}
	for _, tool := range []string{"ip", "tc", "ss", "nsenter", "taskset", "netperf", "netserver"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, &endpoints.ErrSkip{Reason: fmt.Sprintf("the local target needs %s on PATH: run scripts/install-deps.sh (netperf comes from Debian's non-free component)", tool)}
		}
	}
	f, err := os.OpenFile(lockFile, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", lockFile, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("another local run holds %s: wait for it to finish (its namespaces start with %q)", lockFile, Prefix)
	}
	return &Target{log: logf, lock: f, shapes: shapes}, nil
}

func (t *Target) Name() string { return "local" }

// Environment reads the machine's facts.
func (t *Target) Environment(ctx context.Context) endpoints.Environment {
	env := endpoints.Environment{Target: "local", CPUs: runtime.NumCPU(), CNI: "none (network namespaces, kernel routing over veth)",
		Details: map[string]string{"mtu": fmt.Sprint(mtu), "nodeAddresses": nodeA.addr + "," + nodeB.addr, "podAddresses": podA.addr + "," + podB.addr}}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		env.Kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				env.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if out, err := exec.CommandContext(ctx, "netperf", "-V").CombinedOutput(); err == nil {
		env.Netperf = strings.TrimSpace(string(out))
	}
	return env
}

// Sweep removes namespaces (and the processes in them) left by an earlier run
// that was killed before it could clean up. It returns what it removed.
func (t *Target) Sweep(ctx context.Context) ([]string, error) {
	out, err := exec.CommandContext(ctx, "ip", "netns", "list").Output()
	if err != nil {
		return nil, fmt.Errorf("ip netns list: %w", err)
	}
	var removed []string
	for _, l := range strings.Split(string(out), "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(l), " ")
		if !strings.HasPrefix(name, Prefix) {
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

// build creates the four namespaces, the veths, addresses and routes.
func (t *Target) build(ctx context.Context) error {
	if removed, err := t.Sweep(ctx); err != nil {
		return err
	} else if len(removed) > 0 {
		t.log("removed namespaces left by an earlier run: %s", strings.Join(removed, " "))
	}
	steps := [][]string{}
	for _, h := range []host{nodeA, nodeB, podA, podB} {
		steps = append(steps, []string{"netns", "add", h.ns}, []string{"-n", h.ns, "link", "set", "lo", "up"})
	}
	// The wire between the nodes, and each pod's veth to its node. Links are made
	// directly inside their namespaces so nothing ever appears in the root one.
	steps = append(steps,
		[]string{"link", "add", "wire0", "netns", nodeA.ns, "mtu", fmt.Sprint(mtu), "type", "veth", "peer", "name", "wire0", "netns", nodeB.ns},
		[]string{"link", "add", "eth0", "netns", podA.ns, "mtu", fmt.Sprint(mtu), "type", "veth", "peer", "name", "lxc-pod-a", "netns", nodeA.ns},
		[]string{"link", "add", "eth0", "netns", podB.ns, "mtu", fmt.Sprint(mtu), "type", "veth", "peer", "name", "lxc-pod-b", "netns", nodeB.ns},
		[]string{"-n", nodeA.ns, "addr", "add", nodeA.addr + "/30", "dev", "wire0"},
		[]string{"-n", nodeB.ns, "addr", "add", nodeB.addr + "/30", "dev", "wire0"},
		[]string{"-n", nodeA.ns, "addr", "add", "198.18.240.1/24", "dev", "lxc-pod-a"},
		[]string{"-n", nodeB.ns, "addr", "add", "198.18.241.1/24", "dev", "lxc-pod-b"},
		[]string{"-n", podA.ns, "addr", "add", podA.addr + "/24", "dev", "eth0"},
		[]string{"-n", podB.ns, "addr", "add", podB.addr + "/24", "dev", "eth0"},
	)
	for _, l := range [][2]string{{nodeA.ns, "wire0"}, {nodeB.ns, "wire0"}, {nodeA.ns, "lxc-pod-a"}, {nodeB.ns, "lxc-pod-b"}, {podA.ns, "eth0"}, {podB.ns, "eth0"}} {
		steps = append(steps, []string{"-n", l[0], "link", "set", l[1], "up"})
	}
	steps = append(steps,
		[]string{"-n", podA.ns, "route", "add", "default", "via", "198.18.240.1"},
		[]string{"-n", podB.ns, "route", "add", "default", "via", "198.18.241.1"},
		// Native routing: each node routes the other node's pod CIDR over the wire.
		[]string{"-n", nodeA.ns, "route", "add", "198.18.241.0/24", "via", nodeB.addr},
		[]string{"-n", nodeB.ns, "route", "add", "198.18.240.0/24", "via", nodeA.addr},
	)
	for _, s := range steps {
		if err := ip(ctx, s...); err != nil {
			return err
		}
	}
	for _, h := range []host{nodeA, nodeB} {
		if err := nsExec(ctx, h.ns, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward"); err != nil {
			return fmt.Errorf("enable forwarding in %s: %w", h.ns, err)
		}
	}
	for _, sh := range t.shapes {
		if err := sh.apply(ctx); err != nil {
			return err
		}
		t.log("impairment applied on purpose (--local-tc): %s", sh)
	}
	return nil
}

// Setup builds the miniature on first use and returns a pair on req.Path with
// netserver running on the server side.
func (t *Target) Setup(ctx context.Context, req endpoints.Request) (endpoints.Pair, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.up {
		t.up = true // Teardown must run even if build fails halfway
		if err := t.build(ctx); err != nil {
			return nil, fmt.Errorf("local target: %w", err)
		}
	}
	client, server := nodeA, nodeB
	if req.Path == endpoints.PodPath {
		client, server = podA, podB
	} else if req.Path != endpoints.NodePath {
		return nil, fmt.Errorf("local target: unknown path %q", req.Path)
	}
	p := &pair{client: client, server: server, info: endpoints.PairInfo{
		Path: req.Path, ClientNode: client.node, ServerNode: server.node,
		ClientAddress: client.addr, ServerAddress: server.addr, ClientIface: client.iface,
		MTU: mtu, CPUsRequested: req.CPUs,
	}}
	p.clientCPUs, p.serverCPUs = cpuSets(req.CPUs, runtime.NumCPU(), &p.info)
	if err := p.startServer(ctx, req.ControlPort); err != nil {
		p.Close(ctx) // a netserver that started but never listened
		return nil, err
	}
	p.anchor = exec.Command("nsenter", "--net=/run/netns/"+client.ns, "sleep", "infinity")
	p.anchor.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.anchor.Start(); err != nil {
		p.anchor = nil
		p.Close(ctx)
		return nil, fmt.Errorf("start a process in %s: %w", client.ns, err)
	}
	t.pairs = append(t.pairs, p)
	return p, nil
}

// cpuSets confines client and server to want CPUs each, on separate CPUs where
// the machine has enough, as on two real nodes. It scales a request down to
// the machine and says so in info.
func cpuSets(want, have int, info *endpoints.PairInfo) (client, server string) {
	if want <= 0 {
		info.CPUsGranted = have
		return "", ""
	}
	got := min(want, have)
	info.CPUsGranted = got
	if got < want {
		info.Notes = append(info.Notes, fmt.Sprintf("%d CPUs requested, %d granted: this machine has %d", want, got, have))
	}
	span := func(from, n int) string {
		if n == 1 {
			return fmt.Sprint(from)
		}
		return fmt.Sprintf("%d-%d", from, from+n-1)
	}
	client = span(0, got)
	if 2*got <= have {
		server = span(got, got)
	} else {
		server = client
		info.Notes = append(info.Notes, fmt.Sprintf("client and server share CPUs %s: the machine has too few to keep them apart", client))
	}
	info.CPUSet = "client " + client + ", server " + server
	return client, server
}

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

type pair struct {
	client, server         host
	clientCPUs, serverCPUs string
	info                   endpoints.PairInfo

	srv     *exec.Cmd
	srvOut  *strings.Builder
	srvDone chan struct{}
	anchor  *exec.Cmd // parked in the client namespace; its /proc/<pid>/net/dev is the client's
}

func (p *pair) ServerAddress() string    { return p.server.addr }
func (p *pair) Info() endpoints.PairInfo { return p.info }

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
	go func() { _ = cmd.Wait(); close(p.srvDone) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, _ := exec.CommandContext(ctx, "ip", "netns", "exec", p.server.ns, "ss", "-Hltn", fmt.Sprintf("sport = :%d", port)).Output()
		if strings.Contains(string(out), "LISTEN") {
			return nil
		}
		select {
		case <-p.srvDone:
			return fmt.Errorf("netserver in %s exited at start: %s", p.server.ns, strings.TrimSpace(p.srvOut.String()))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("netserver in %s is not listening on port %d after 5s", p.server.ns, port)
		}
	}
}

func (p *pair) Run(ctx context.Context, argv []string) (endpoints.Output, error) {
	full := pinned(p.client.ns, p.clientCPUs, argv...)
	cmd := exec.CommandContext(ctx, full[0], full[1:]...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	o := endpoints.Output{Started: time.Now()}
	err := cmd.Run()
	o.Ended, o.Stdout, o.Stderr = time.Now(), stdout.String(), stderr.String()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && ctx.Err() == nil:
		o.ExitCode = exit.ExitCode()
	case err != nil:
		return o, fmt.Errorf("run %s in %s: %w", filepath.Base(argv[0]), p.client.ns, err)
	}
	return o, nil
}

// ClientTxBytes reads the client interface's counter from /proc/<pid>/net/dev
// of a process parked in the client namespace: a file read, cheap enough to
// sample several times a second while 32 netperfs load the machine.
func (p *pair) ClientTxBytes(context.Context) (uint64, error) {
	if p.anchor == nil {
		return 0, fmt.Errorf("no process in %s to read its counters through", p.client.ns)
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/dev", p.anchor.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("read counters of %s: %w", p.client.ns, err)
	}
	return txBytes(string(b), p.client.iface)
}

// txBytes finds the transmit byte count of iface in /proc/net/dev text.
func txBytes(netdev, iface string) (uint64, error) {
	for _, l := range strings.Split(netdev, "\n") {
		name, rest, ok := strings.Cut(l, ":")
		if !ok || strings.TrimSpace(name) != iface {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 9 {
			break
		}
		var n uint64
		if _, err := fmt.Sscan(f[8], &n); err != nil {
			break
		}
		return n, nil
	}
	return 0, fmt.Errorf("no transmit counter for %s in /proc/net/dev", iface)
}

func (p *pair) Close(context.Context) error {
	if p.anchor != nil {
		_ = p.anchor.Process.Kill()
		_ = p.anchor.Wait()
		p.anchor = nil
	}
	if p.srv == nil {
		return nil
	}
	_ = syscall.Kill(-p.srv.Process.Pid, syscall.SIGKILL) // netserver and the children it forked per test
	<-p.srvDone
	p.srv = nil
	return nil
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

func ip(ctx context.Context, args ...string) error {
	if out, err := execOut(ctx, "ip", args...); err != nil {
		return fmt.Errorf("ip %s: %s", strings.Join(args, " "), out)
	}
	return nil
}

// execOut runs a tool and returns its trimmed combined output.
func execOut(ctx context.Context, name string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func nsExec(ctx context.Context, ns string, argv ...string) error {
	if out, err := execOut(ctx, "ip", append([]string{"netns", "exec", ns}, argv...)...); err != nil {
		return fmt.Errorf("%s: %s", strings.Join(argv, " "), out)
	}
	return nil
}
