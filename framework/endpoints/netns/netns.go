// Package netns is the local target made of network namespaces on this machine: a
// miniature of two Kubernetes nodes with native (host) routing. Two "node"
// namespaces are joined by a veth "wire"; each node has a "pod" namespace joined
// to it by a veth pair and routes, as a CNI in native-routing mode would set up.
// Pod-to-pod traffic crosses both nodes' routing; the node-to-node reference
// runs over the wire alone. Every address is in 198.18.0.0/15 (RFC 2544).
package netns

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"

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
	ring  ring // the extra nodes of --node-pairs (nodepairs.go)
}

// New checks that the machine can host the miniature and takes the lock that
// keeps two local runs apart. It does not build anything yet. An ErrSkip says
// why the target cannot run here at all (not Linux, not root); a tool that
// is missing or a netperf it cannot read is an error, which fails the run: a
// run asked for the local target on a machine that lacks what make deps
// installs, and a skip would let it pass without measuring.
func New(logf func(format string, args ...any), shapes []Shape) (*Target, error) {
	if runtime.GOOS != "linux" {
		return nil, &endpoints.ErrSkip{Reason: "the local target needs Linux network namespaces"}
	}
	if os.Geteuid() != 0 {
		return nil, &endpoints.ErrSkip{Reason: "the local target needs root to create network namespaces: run as root, or use --target=kubernetes"}
	}
	for _, tool := range []string{"ip", "tc", "ss", "nsenter", "taskset", "netperf", "netserver"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("the local target needs %s on PATH: run scripts/install-deps.sh (netperf comes from Debian's non-free component): %w", tool, err)
		}
	}
	if err := checkNetperf(context.Background()); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(lockFile, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", lockFile, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("another local run holds %s: wait for it to finish (its namespaces start with %q): %w", lockFile, Prefix, err)
	}
	return &Target{log: logf, lock: f, shapes: shapes}, nil
}

func (t *Target) Name() string { return "local" }
