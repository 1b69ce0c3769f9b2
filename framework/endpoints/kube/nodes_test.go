package kube

import (
	"context"
	"errors"
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"

	"podperf/framework/endpoints"
)

func controlPlane(n *v1.Node) { n.Labels["node-role.kubernetes.io/control-plane"] = "" }
func cordoned(n *v1.Node)     { n.Spec.Unschedulable = true }
func notReady(n *v1.Node)     { n.Status.Conditions[0].Status = v1.ConditionFalse }
func inPool(n *v1.Node)       { n.Labels["pool"] = "perf" }
func noNetwork(n *v1.Node) {
	n.Status.Conditions = append(n.Status.Conditions, v1.NodeCondition{Type: v1.NodeNetworkUnavailable, Status: v1.ConditionTrue})
}
func tainted(effect v1.TaintEffect) func(*v1.Node) {
	return func(n *v1.Node) {
		n.Spec.Taints = append(n.Spec.Taints, v1.Taint{Key: "dedicated", Value: "x", Effect: effect})
	}
}

func TestPickNodes(t *testing.T) {
	type outcome int
	const (
		picked outcome = iota
		skipped
		failed
	)
	tests := []struct {
		name           string
		nodes          []*v1.Node
		choice         NodeChoice
		listErr        error
		want           outcome
		client, server string
		// msg must be part of the error, or of why when a pair is picked.
		msg string
	}{
		{
			name:   "workers first, then by name",
			nodes:  []*v1.Node{newNode("cp", "4", controlPlane), newNode("w-b", "4"), newNode("w-a", "4")},
			want:   picked,
			client: "w-a", server: "w-b", msg: "the first two of 3 Ready",
		},
		{
			name:   "a schedulable control plane completes a single worker",
			nodes:  []*v1.Node{newNode("a-cp", "4", controlPlane), newNode("z-worker", "4")},
			want:   picked,
			client: "z-worker", server: "a-cp", msg: "of 2",
		},
		{
			name: "unusable nodes are skipped",
			nodes: []*v1.Node{
				newNode("a", "4", notReady), newNode("b", "4", cordoned), newNode("c", "4", tainted(v1.TaintEffectNoSchedule)),
				newNode("d", "4", tainted(v1.TaintEffectNoExecute)), newNode("e", "4", noNetwork),
				newNode("f", "4"), newNode("g", "4"),
			},
			want:   picked,
			client: "f", server: "g", msg: "of 2",
		},
		{
			name:   "a PreferNoSchedule taint does not keep pods off",
			nodes:  []*v1.Node{newNode("a", "4", tainted(v1.TaintEffectPreferNoSchedule)), newNode("b", "4")},
			want:   picked,
			client: "a", server: "b",
		},
		{
			name:   "a tainted control plane is left out",
			nodes:  []*v1.Node{newNode("cp", "4", controlPlane, tainted(v1.TaintEffectNoSchedule)), newNode("w1", "4"), newNode("w2", "4")},
			want:   picked,
			client: "w1", server: "w2", msg: "of 2",
		},
		{
			name:   "the selector restricts the candidates",
			nodes:  []*v1.Node{newNode("a", "4"), newNode("b", "4", inPool), newNode("c", "4", inPool)},
			choice: NodeChoice{Selector: "pool=perf"},
			want:   picked,
			client: "b", server: "c",
		},
		{
			name:  "one usable node is a skip that names the rejected",
			nodes: []*v1.Node{newNode("a", "4"), newNode("b", "4", notReady), newNode("c", "4", cordoned)},
			want:  skipped,
			msg:   "the cluster has 1; not usable: b (not Ready), c (unschedulable)",
		},
		{
			name:  "a tainted node is named with its taint",
			nodes: []*v1.Node{newNode("a", "4"), newNode("b", "4", tainted(v1.TaintEffectNoSchedule))},
			want:  skipped,
			msg:   "b (tainted dedicated)",
		},
		{
			name: "no nodes is a skip",
			want: skipped,
			msg:  "the cluster has 0",
		},
		{
			name:   "a selector matching one node is a skip",
			nodes:  []*v1.Node{newNode("a", "4"), newNode("b", "4", inPool)},
			choice: NodeChoice{Selector: "pool=perf"},
			want:   skipped,
			msg:    `nodes matching "pool=perf": 1`,
		},
		{
			name:   "named nodes, in the order given",
			nodes:  []*v1.Node{newNode("a", "4"), newNode("z", "4"), newNode("m", "4")},
			choice: NodeChoice{Client: "z", Server: "a"},
			want:   picked,
			client: "z", server: "a", msg: "named by --client-node/--server-node",
		},
		{
			name:   "a named control plane is taken",
			nodes:  []*v1.Node{newNode("cp", "4", controlPlane), newNode("w", "4")},
			choice: NodeChoice{Client: "cp", Server: "w"},
			want:   picked,
			client: "cp", server: "w",
		},
		{
			name:   "client node alone",
			nodes:  []*v1.Node{newNode("a", "4"), newNode("b", "4")},
			choice: NodeChoice{Client: "a"},
			want:   failed,
			msg:    "give both nodes or neither",
		},
		{
			name:   "server node alone",
			nodes:  []*v1.Node{newNode("a", "4"), newNode("b", "4")},
			choice: NodeChoice{Server: "b"},
			want:   failed,
			msg:    "give both nodes or neither",
		},
		{
			name:   "the same node twice",
			nodes:  []*v1.Node{newNode("a", "4"), newNode("b", "4")},
			choice: NodeChoice{Client: "a", Server: "a"},
			want:   failed,
			msg:    "two different nodes",
		},
		{
			name:   "a named node that is cordoned",
			nodes:  []*v1.Node{newNode("a", "4"), newNode("b", "4", cordoned)},
			choice: NodeChoice{Client: "a", Server: "b"},
			want:   failed,
			msg:    `node "b" is unschedulable`,
		},
		{
			name:   "a named node that is not Ready",
			nodes:  []*v1.Node{newNode("a", "4", notReady), newNode("b", "4")},
			choice: NodeChoice{Client: "a", Server: "b"},
			want:   failed,
			msg:    `node "a" is not Ready`,
		},
		{
			name:    "listing fails",
			nodes:   []*v1.Node{newNode("a", "4"), newNode("b", "4")},
			listErr: apierrors.NewForbidden(schema.GroupResource{Resource: "nodes"}, "", errors.New("no RBAC")),
			want:    failed,
			msg:     "list nodes",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var objs []runtime.Object
			for _, n := range tc.nodes {
				objs = append(objs, n)
			}
			cs := newClientset(objs...)
			if tc.listErr != nil {
				cs.PrependReactor("list", "nodes", func(k8stesting.Action) (bool, runtime.Object, error) { return true, nil, tc.listErr })
			}
			client, server, why, err := pickNodes(context.Background(), cs, tc.choice)
			var skip *endpoints.ErrSkip
			switch tc.want {
			case picked:
				if err != nil {
					t.Fatalf("pickNodes: %v", err)
				}
				if client.Name != tc.client || server.Name != tc.server {
					t.Errorf("client %s, server %s; want %s, %s", client.Name, server.Name, tc.client, tc.server)
				}
				if !strings.Contains(why, tc.msg) {
					t.Errorf("why = %q, want it to contain %q", why, tc.msg)
				}
			case skipped:
				if !errors.As(err, &skip) {
					t.Fatalf("err = %v, want an ErrSkip", err)
				}
				if !strings.Contains(skip.Reason, tc.msg) {
					t.Errorf("skip reason %q, want it to contain %q", skip.Reason, tc.msg)
				}
			case failed:
				if err == nil || errors.As(err, &skip) {
					t.Fatalf("err = %v, want an error that is not a skip", err)
				}
				if !strings.Contains(err.Error(), tc.msg) {
					t.Errorf("err = %q, want it to contain %q", err, tc.msg)
				}
				if tc.listErr != nil && !errors.Is(err, tc.listErr) {
					t.Errorf("err = %v does not wrap %v", err, tc.listErr)
				}
			}
		})
	}
}

// A named node that does not exist is reported with the API's NotFound, not
// as a skip: the flags are wrong, the cluster is not.
func TestPickNodesNamedNodeMissing(t *testing.T) {
	cs := newClientset(newNode("a", "4"), newNode("b", "4"))
	_, _, _, err := pickNodes(context.Background(), cs, NodeChoice{Client: "a", Server: "gone"})
	if !apierrors.IsNotFound(err) {
		t.Fatalf("err = %v, want one that is NotFound", err)
	}
	// docs/bad-input.md shows this message.
	if want := `--server-node="gone": no such node; the cluster's nodes are a, b: nodes "gone" not found`; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}
