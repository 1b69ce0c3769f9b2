// Package endpoints provides the two endpoints of a measurement: a server side that
// runs netserver and a client side that runs netperf, for the pod-network path
// and for the node-to-node reference path.
package endpoints

import (
	"context"
	"time"
)

// Path is the network path between the two endpoints.
type Path string

const (
	// PodPath is pod to pod across two nodes: what the CNI provides.
	PodPath Path = "pod"
	// NodePath is node to node (hostNetwork): the reference measured in the same run.
	NodePath Path = "node"

	// The extended paths, measured only by the extended specs (docs/paths.md);
	// each is compared with the node-to-node reference of the same run.

	// ServicePath is pod to a ClusterIP Service backed by the server pod on
	// the other node: the pod path plus the Service translation.
	ServicePath Path = "service"
	// SameNodePath is pod to pod on one node.
	SameNodePath Path = "same-node"
	// IPv6Path is pod to pod across two nodes over IPv6.
	IPv6Path Path = "ipv6"
)

// ExtendedPaths lists the paths beyond the pod path and its reference.
var ExtendedPaths = []Path{ServicePath, SameNodePath, IPv6Path}

// Title names the path for a reader.
func (p Path) Title() string {
	switch p {
	case NodePath:
		return "node-to-node reference"
	case ServicePath:
		return "pod-to-Service"
	case SameNodePath:
		return "same-node pod-to-pod"
	case IPv6Path:
		return "IPv6 pod-to-pod"
	}
	return "pod-to-pod"
}

// Request says what a test needs of a pair of endpoints.
type Request struct {
	Path Path
	// CPUs is the CPU allowance of each endpoint; 0 means not limited.
	CPUs int
	// ControlPort is netserver's fixed control port.
	ControlPort int
	// DataPorts is the range [DataPortBase, DataPortBase+DataPorts) the test uses,
	// one per concurrent netperf process.
	DataPortBase, DataPorts int
	// NodePair is the index of the node pair to use (--node-pairs): 0 is the
	// run's pair, the one every other spec measures.
	NodePair int
}

// Output is what a client-side command left behind.
type Output struct {
	Stdout, Stderr string
	ExitCode       int
	Started, Ended time.Time
}

// Pair is a ready client/server pair with netserver running on the server.
type Pair interface {
	// ServerAddress is the address netperf dials.
	ServerAddress() string
	// Run runs argv on the client side. A non-zero exit is not an error; an
	// error means the command could not be run at all.
	Run(ctx context.Context, argv []string) (Output, error)
	// ClientTxBytes reads the transmit byte counter of the client's interface,
	// for cross-checking aggregate throughput.
	ClientTxBytes(ctx context.Context) (uint64, error)
	// Info describes the pair for the results.
	Info() PairInfo
	// Close stops netserver and releases what Setup made for this pair.
	Close(ctx context.Context) error
}

// BatchRunner is implemented by pairs where starting a command is expensive
// (an exec into a pod costs a runtime call each): RunAll starts every argv at
// once from a single call on the client side and returns their outputs in order.
type BatchRunner interface {
	RunAll(ctx context.Context, argvs [][]string) ([]Output, error)
}

// NodePairer is implemented by targets that measure several node pairs
// (--node-pairs): NodePairs lays out k pairs and returns their node names,
// client then server, the run's pair first; Request.NodePair then picks one.
type NodePairer interface {
	NodePairs(ctx context.Context, k int) ([][2]string, error)
}

// StallExplainer is implemented by pairs whose commands travel over
// something other than the network measured (an exec through the API server
// and the node's kubelet): when a command did not return in time,
// ExplainStall says whether that transport is the cause, or returns nil.
type StallExplainer interface {
	ExplainStall(ctx context.Context) error
}

// PairInfo records where the endpoints are and what they were given.
type PairInfo struct {
	Path          Path   `json:"path"`
	ClientNode    string `json:"clientNode"`
	ServerNode    string `json:"serverNode"`
	ClientAddress string `json:"clientAddress"`
	ServerAddress string `json:"serverAddress"`
	// BackendAddress is the server pod's own address where netperf dials
	// another one (the Service path: ServerAddress is the Service's).
	BackendAddress string   `json:"backendAddress,omitempty"`
	ClientIface    string   `json:"clientInterface"`
	MTU            int      `json:"mtu,omitempty"`
	CPUsRequested  int      `json:"cpusRequested"`
	CPUsGranted    int      `json:"cpusGranted"`
	CPUSet         string   `json:"cpuSet,omitempty"`
	Notes          []string `json:"notes,omitempty"`
	// Startup is how long the pair took to become ready (pods on Kubernetes).
	Startup time.Duration `json:"startup,omitempty"`
}

// Target provides endpoint pairs.
type Target interface {
	Name() string
	// Environment records the facts that explain a result (kernel, CPUs, CNI...).
	Environment(ctx context.Context) Environment
	// Setup prepares a pair for req and starts netserver on its server side.
	Setup(ctx context.Context, req Request) (Pair, error)
	// Teardown removes everything the target created; safe to call twice.
	Teardown(ctx context.Context) error
}

// Environment describes where the run happened.
type Environment struct {
	Target     string `json:"target"`
	Kernel     string `json:"kernel,omitempty"`
	CPUModel   string `json:"cpuModel,omitempty"`
	CPUs       int    `json:"cpus"`
	Netperf    string `json:"netperf,omitempty"`
	Kubernetes string `json:"kubernetes,omitempty"`
	CNI        string `json:"cni,omitempty"`
	// Datapath is what the CNI's agents on the measured nodes report of how
	// they forward packets; nil when the CNI reports nothing the suite reads.
	Datapath *Datapath         `json:"datapath,omitempty"`
	Details  map[string]string `json:"details,omitempty"`
}

// Datapath is how the CNI forwards packets on the measured nodes, as its
// agents report it (not what its configuration asks for: an agent may fall
// back). Where the two nodes' agents disagree, a field names both.
type Datapath struct {
	CNI     string `json:"cni"`
	Version string `json:"version,omitempty"`
	// Routing between nodes: Native or Tunnel (with the protocol).
	Routing string `json:"routing,omitempty"`
	// HostRouting is BPF (eBPF host routing) or Legacy (through the host's stack).
	HostRouting          string `json:"hostRouting,omitempty"`
	KubeProxyReplacement string `json:"kubeProxyReplacement,omitempty"`
	// Masquerading is BPF, iptables or Disabled.
	Masquerading string `json:"masquerading,omitempty"`
	// Source says where the figures were read.
	Source string `json:"source"`
}

// ErrSkip marks a target that cannot run here (no root, no netperf, fewer than
// two nodes); specs skip with its message instead of failing.
type ErrSkip struct{ Reason string }

func (e *ErrSkip) Error() string { return e.Reason }
