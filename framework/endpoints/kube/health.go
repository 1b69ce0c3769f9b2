package kube

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientset "k8s.io/client-go/kubernetes"
)

// NodeNotReadyError says a node of the pair stopped being Ready while the
// suite used it: what was measured on it since is not a figure to judge.
type NodeNotReadyError struct {
	Node   string
	Reason string // the Ready condition's reason and message, or why it could not be read
}

func (e *NodeNotReadyError) Error() string {
	return fmt.Sprintf("node %s is not Ready (%s): a measurement on a node in trouble is not a figure; check the node's kubelet and rerun", e.Node, e.Reason)
}

// nodeReady returns a *NodeNotReadyError when node's Ready condition is not
// True. An API error is returned as it is: it says nothing about the node.
func nodeReady(ctx context.Context, c clientset.Interface, node string) error {
	n, err := c.CoreV1().Nodes().Get(ctx, node, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("get node %s: %w", node, err)
	}
	for _, cond := range n.Status.Conditions {
		if cond.Type != v1.NodeReady {
			continue
		}
		if cond.Status == v1.ConditionTrue {
			return nil
		}
		return &NodeNotReadyError{Node: node, Reason: strings.TrimSpace(fmt.Sprintf("Ready=%s, %s: %s", cond.Status, cond.Reason, cond.Message))}
	}
	return &NodeNotReadyError{Node: node, Reason: "no Ready condition"}
}

// checkNodes is called after every exec: a node that went NotReady during a
// sample ends the spec, even when the sample itself came back (a stopped
// kubelet leaves running containers alone, so netperf may never notice).
func (p *pair) checkNodes(ctx context.Context) error {
	for _, n := range []string{p.info.ClientNode, p.info.ServerNode} {
		var notReady *NodeNotReadyError
		if err := nodeReady(ctx, p.t.c, n); errors.As(err, &notReady) {
			return err
		}
		// An API error says nothing of the node: the sample stands.
	}
	return nil
}

// execBroken explains an exec that failed without an exit status: the stream
// from the API server to the client node's kubelet broke or never opened.
func (p *pair) execBroken(err error) error {
	return fmt.Errorf("exec in %s/%s on node %s failed (the API server lost its stream to the node's kubelet: is the node Ready and its kubelet running?): %w",
		p.ns, p.clientName, p.info.ClientNode, err)
}

// stallProbe bounds the API server probe of ExplainStall; an answer slower
// than stallSlow counts as a stalled API server too.
const (
	stallProbe = 3 * time.Second
	stallSlow  = time.Second
)

// ExplainStall says why a netperf run did not come back in time when the
// cause is on the way to the pod rather than on the network measured: the
// API server not answering, or a node no longer Ready.
func (p *pair) ExplainStall(ctx context.Context) error {
	pctx, cancel := context.WithTimeout(ctx, stallProbe)
	defer cancel()
	rc := p.t.c.Discovery().RESTClient()
	if rc == nil || reflect.ValueOf(rc).IsNil() { // a fake clientset has none
		return p.checkNodes(ctx)
	}
	start := time.Now()
	if err := rc.Get().AbsPath("/readyz").Do(pctx).Error(); err != nil {
		return fmt.Errorf("the API server did not answer within %s (%v): the exec running netperf stalled with it, not the network measured", stallProbe, oneLine(err.Error()))
	}
	// An API server that answers only now was most likely away until now.
	if took := time.Since(start); took > stallSlow {
		return fmt.Errorf("the API server took %s to answer: the exec running netperf stalled with it, not the network measured", took.Round(100*time.Millisecond))
	}
	return p.checkNodes(ctx)
}
