package kube

import (
	"context"
	"fmt"
	"slices"
	"strings"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientset "k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
	e2enode "k8s.io/kubernetes/test/e2e/framework/node"

	"podperf/framework/endpoints"
)

// NodeChoice says how the node pair is picked.
type NodeChoice struct {
	// Client and Server name the nodes explicitly (both or neither).
	Client, Server string
	// Selector restricts the candidates to nodes with these labels.
	Selector string
}

// pickNodes returns the client and server nodes and why they were chosen. It
// returns an ErrSkip when the cluster has fewer than two usable nodes.
func pickNodes(ctx context.Context, c clientset.Interface, nc NodeChoice) (client, server *v1.Node, why string, err error) {
	if (nc.Client == "") != (nc.Server == "") {
		return nil, nil, "", fmt.Errorf("--client-node=%q --server-node=%q: give both nodes or neither", nc.Client, nc.Server)
	}
	if nc.Client != "" {
		if nc.Client == nc.Server {
			return nil, nil, "", fmt.Errorf("--client-node and --server-node are both %q: name two different nodes", nc.Client)
		}
		var nodes [2]*v1.Node
		for i, name := range []string{nc.Client, nc.Server} {
			flagName := [2]string{"--client-node", "--server-node"}[i]
			n, err := c.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return nil, nil, "", fmt.Errorf("%s=%q: no such node; %s: %w", flagName, name, nodeNames(ctx, c), err)
			}
			if err != nil {
				return nil, nil, "", fmt.Errorf("%s=%q: %w", flagName, name, err)
			}
			if reason := unusable(ctx, n); reason != "" {
				return nil, nil, "", fmt.Errorf("%s: node %q is %s: pick another with --client-node/--server-node", flagName, name, reason)
			}
			nodes[i] = n
		}
		return nodes[0], nodes[1], "named by --client-node/--server-node", nil
	}
	list, err := c.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: nc.Selector})
	if err != nil {
		return nil, nil, "", fmt.Errorf("list nodes: %w", err)
	}
	var usable []*v1.Node
	var rejected []string
	for i := range list.Items {
		n := &list.Items[i]
		if reason := unusable(ctx, n); reason != "" {
			rejected = append(rejected, n.Name+" ("+reason+")")
			continue
		}
		usable = append(usable, n)
	}
	if len(usable) < 2 {
		scope := "the cluster has"
		if nc.Selector != "" {
			scope = fmt.Sprintf("nodes matching %q:", nc.Selector)
		}
		detail := ""
		if len(rejected) > 0 {
			detail = "; not usable: " + strings.Join(rejected, ", ")
		}
		return nil, nil, "", &endpoints.ErrSkip{Reason: fmt.Sprintf("cross-node benchmark needs two Ready, schedulable nodes; %s %d%s", scope, len(usable), detail)}
	}
	// Workers first, then by name, so that runs on the same cluster pick the same pair.
	slices.SortFunc(usable, workersFirst)
	why = fmt.Sprintf("the first two of %d Ready, schedulable, untainted nodes (workers first, then by name)", len(usable))
	return usable[0], usable[1], why, nil
}

// nodeNames lists the cluster's nodes for a message, at most 20 of them.
func nodeNames(ctx context.Context, c clientset.Interface) string {
	list, err := c.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return "the cluster's nodes cannot be listed (" + err.Error() + ")"
	}
	names := make([]string, 0, len(list.Items))
	for _, n := range list.Items {
		names = append(names, n.Name)
	}
	slices.Sort(names)
	if len(names) > 20 {
		names = append(names[:20], fmt.Sprintf("and %d more", len(names)-20))
	}
	return "the cluster's nodes are " + strings.Join(names, ", ")
}

// unusable says why a node cannot host a test pod, or "" when it can.
func unusable(ctx context.Context, n *v1.Node) string {
	logger := klog.FromContext(ctx)
	switch {
	case !e2enode.IsNodeReady(logger, n):
		return "not Ready"
	case !e2enode.IsNodeSchedulable(logger, n):
		return "unschedulable"
	}
	for _, t := range n.Spec.Taints {
		if t.Effect == v1.TaintEffectNoSchedule || t.Effect == v1.TaintEffectNoExecute {
			return "tainted " + t.Key
		}
	}
	return ""
}

// workersFirst orders nodes workers first, then by name.
func workersFirst(a, b *v1.Node) int {
	if ca, cb := isControlPlane(a), isControlPlane(b); ca != cb {
		if ca {
			return 1
		}
		return -1
	}
	return strings.Compare(a.Name, b.Name)
}

func isControlPlane(n *v1.Node) bool {
	_, ok := n.Labels["node-role.kubernetes.io/control-plane"]
	return ok
}

func internalIP(n *v1.Node) string {
	for _, a := range n.Status.Addresses {
		if a.Type == v1.NodeInternalIP {
			return a.Address
		}
	}
	return ""
}
