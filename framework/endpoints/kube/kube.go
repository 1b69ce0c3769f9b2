// Package kube is the Kubernetes target: netserver and netperf pods on two
// different nodes, provisioned through the upstream e2e framework, for the pod
// network and for the node-to-node reference (hostNetwork pods).
package kube

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	clientset "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/kubernetes/test/e2e/framework"
	admissionapi "k8s.io/pod-security-admission/api"

	"podperf/framework/endpoints"
)

// Options configure the target.
type Options struct {
	Image        string
	Nodes        NodeChoice
	StartTimeout time.Duration
	// Config lets the target exec into the CNI's agents for their facts;
	// without it those facts are not read.
	Config *rest.Config
}

// Target provides pod pairs on one node pair for the whole run.
type Target struct {
	c      clientset.Interface
	opts   Options
	logf   func(string, ...any)
	client *v1.Node
	server *v1.Node
	why    string
	lease  *clusterLease

	mu     sync.Mutex
	env    endpoints.Environment
	f      *framework.Framework
	hostNS string
	// specNamespaces are the bound spec's namespaces, waited for at the next Bind or Teardown.
	specNamespaces []string
	// pairs are the node pairs NodePairs picked (--node-pairs); the first is client/server.
	pairs []nodePair
	// granted is the CPU allowance (millicores) of the bound spec's pods, by
	// CPUs requested: every path of the spec gets the same.
	granted map[int]int64
}

// New picks the node pair and records the cluster's facts. An ErrSkip means
// the cluster cannot run the benchmark (fewer than two usable nodes).
func New(ctx context.Context, c clientset.Interface, opts Options, logf func(string, ...any)) (*Target, error) {
	if opts.Image == "" {
		return nil, errors.New("--image is empty: name the netperf image (see manifests/netperf)")
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 3 * time.Minute
	}
	t := &Target{c: c, opts: opts, logf: logf}
	var err error
	if t.client, t.server, t.why, err = pickNodes(ctx, c, opts.Nodes); err != nil {
		return nil, err
	}
	logf("node pair: client %s (%s), server %s (%s): %s", t.client.Name, internalIP(t.client), t.server.Name, internalIP(t.server), t.why)
	// Before anything is created: a second run on this cluster stops here.
	if t.lease, err = acquireLease(ctx, c, logf); err != nil {
		return nil, err
	}
	t.env = facts(ctx, c, t.client, t.server)
	t.env.Details["nodeChoice"] = t.why
	if strings.Contains(t.env.CNI, "cilium") && opts.Config != nil {
		dp, err := ciliumDatapath(ctx, c, restExec(c, opts.Config), t.client.Name, t.server.Name)
		if err != nil {
			// Recorded, not guessed: the verdict then says it could not check the datapath.
			t.env.Details["datapathError"] = err.Error()
			logf("WARNING: cannot read the Cilium datapath from its agents: %v", err)
		} else {
			t.env.Datapath = dp
			logf("Cilium %s: host routing %s, routing %s, kube-proxy replacement %s, masquerading %s (%s)",
				dp.Version, dp.HostRouting, dp.Routing, dp.KubeProxyReplacement, dp.Masquerading, dp.Source)
		}
	}
	return t, nil
}

func (t *Target) Name() string { return "kubernetes" }

// Bind gives the target the current spec's framework: pod-network pods go to
// its namespace (restricted Pod Security level); the hostNetwork reference pods
// go to a second namespace, the only one at the privileged level. Both are
// removed by the framework's namespace teardown.
func (t *Target) Bind(ctx context.Context, f *framework.Framework) error {
	// The last spec's namespaces are being deleted: its pods must be gone
	// before this spec's Guaranteed pods are placed beside them.
	t.waitNamespacesGone(ctx, t.spentNamespaces(), namespaceGoneTimeout)
	level := f.NamespacePodSecurityLevel
	f.NamespacePodSecurityLevel = admissionapi.LevelPrivileged
	ns, err := f.CreateNamespace(ctx, f.BaseName+"-hostnet", nil)
	f.NamespacePodSecurityLevel = level
	if err != nil {
		return fmt.Errorf("create the privileged namespace for hostNetwork pods: %w", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.f, t.hostNS = f, ns.Name
	t.specNamespaces = []string{f.Namespace.Name, ns.Name}
	t.granted = nil
	return nil
}

// Environment returns the cluster facts gathered so far.
func (t *Target) Environment(context.Context) endpoints.Environment {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.env
}
