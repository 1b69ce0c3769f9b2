package kube

import (
	"context"
	"fmt"
	"slices"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"podperf/framework/endpoints"
)

// nodePair is a client and a server node.
type nodePair struct{ client, server *v1.Node }

// NodePairs picks k distinct client/server node pairs (--node-pairs) and
// returns their names, client then server. The first is the run's pair. With
// 2k usable nodes or more the pairs share no node, so that an outlier pair
// names two suspects; with fewer (but at least k) they form a ring, each node
// the client of one pair and the server of the next, so that a faulty node
// shows up in two pairs. An ErrSkip says why the cluster cannot.
func (t *Target) NodePairs(ctx context.Context, k int) ([][2]string, error) {
	pairs, why, err := pickPairs(ctx, t, k)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	t.pairs = pairs
	t.mu.Unlock()
	t.logf("%d node pairs: %s", len(pairs), why)
	out := make([][2]string, len(pairs))
	for i, p := range pairs {
		out[i] = [2]string{p.client.Name, p.server.Name}
	}
	return out, nil
}

func pickPairs(ctx context.Context, t *Target, k int) ([]nodePair, string, error) {
	if k < 1 {
		return nil, "", fmt.Errorf("--node-pairs=%d: use 1 or more", k)
	}
	order := []*v1.Node{t.client, t.server}
	if k > 1 {
		list, err := t.c.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: t.opts.Nodes.Selector})
		if err != nil {
			return nil, "", fmt.Errorf("list nodes: %w", err)
		}
		var rest []*v1.Node
		for i := range list.Items {
			n := &list.Items[i]
			if n.Name == t.client.Name || n.Name == t.server.Name || unusable(ctx, n) != "" {
				continue
			}
			rest = append(rest, n)
		}
		// Workers first, then by name, as the run's pair was picked.
		slices.SortFunc(rest, workersFirst)
		order = append(order, rest...)
	}
	m := len(order)
	var pairs []nodePair
	var why string
	switch {
	case 2*k <= m:
		for i := range k {
			pairs = append(pairs, nodePair{order[2*i], order[2*i+1]})
		}
		why = fmt.Sprintf("%d disjoint pairs of %d usable nodes, the run's pair first", k, m)
	case k <= m && m >= 3:
		for i := range k {
			pairs = append(pairs, nodePair{order[i], order[(i+1)%m]})
		}
		why = fmt.Sprintf("a ring over %d usable nodes (each node the client of one pair and the server of the next), the run's pair first", m)
	default:
		return nil, "", &endpoints.ErrSkip{Reason: fmt.Sprintf("--node-pairs=%d needs at least %d Ready, schedulable, untainted nodes (a ring of distinct pairs); the cluster has %d", k, max(k, 3), m)}
	}
	return pairs, why, nil
}

// nodesOf is node pair i: the run's pair for 0, else one NodePairs picked.
func (t *Target) nodesOf(i int) (client, server *v1.Node, err error) {
	if i == 0 {
		return t.client, t.server, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if i < 0 || i >= len(t.pairs) {
		return nil, nil, fmt.Errorf("kubernetes target: node pair %d of %d: call NodePairs first", i+1, len(t.pairs))
	}
	return t.pairs[i].client, t.pairs[i].server, nil
}

var _ endpoints.NodePairer = (*Target)(nil)
