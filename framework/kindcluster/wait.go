package kindcluster

import (
	"context"
	"fmt"
	"strings"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	clientset "k8s.io/client-go/kubernetes"
)

// pollInterval is the time between two lists of the nodes.
const pollInterval = 2 * time.Second

// nodeNet is what the ptp CNI needs to know of a node.
type nodeNet struct{ name, podCIDR, ip string }

func nodeNetOf(n *v1.Node) nodeNet {
	nn := nodeNet{name: n.Name, podCIDR: n.Spec.PodCIDR}
	for _, a := range n.Status.Addresses {
		if a.Type == v1.NodeInternalIP {
			nn.ip = a.Address
			break
		}
	}
	return nn
}

// podCIDRs waits until every node has a podCIDR and an InternalIP.
func podCIDRs(ctx context.Context, cs clientset.Interface) ([]nodeNet, error) {
	items, err := waitForNodes(ctx, cs, "nodes without a podCIDR or InternalIP", func(n *v1.Node) bool {
		nn := nodeNetOf(n)
		return nn.podCIDR == "" || nn.ip == ""
	})
	if err != nil {
		return nil, fmt.Errorf("%w: is allocate-node-cidrs on (podSubnet set in the kind config)?", err)
	}
	nets := make([]nodeNet, len(items))
	for i := range items {
		nets[i] = nodeNetOf(&items[i])
	}
	return nets, nil
}

// ready waits until every node reports Ready.
func (c *Cluster) ready(ctx context.Context, cs clientset.Interface, opts Options) error {
	start := time.Now()
	items, err := waitForNodes(ctx, cs, "nodes not Ready", func(n *v1.Node) bool { return !isReady(n) })
	if err != nil {
		hint := "see the kubelet on those nodes"
		if opts.CNI == "" {
			hint = "does the config disable kind's default CNI? then use the ptp CNI"
		}
		return fmt.Errorf("kind cluster %s: %w: %s", c.name, err, hint)
	}
	c.logf("kind cluster %s: all %d nodes Ready after %s", c.name, len(items), time.Since(start).Round(100*time.Millisecond))
	return nil
}

// waitForNodes lists the nodes every pollInterval until there is at least
// one and none is pending, and returns them. Should ctx end first, the error
// wraps its cause and, after what, names the nodes still pending in the last
// list, or wraps the API server's error when the last list failed.
func waitForNodes(ctx context.Context, cs clientset.Interface, what string, pending func(*v1.Node) bool) ([]v1.Node, error) {
	var (
		items   []v1.Node
		left    []string
		listErr error
	)
	err := wait.PollUntilContextCancel(ctx, pollInterval, true, func(ctx context.Context) (bool, error) {
		list, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			if ctx.Err() == nil { // a list cut short by ctx says nothing new
				listErr = err
			}
			return false, nil
		}
		items, left, listErr = list.Items, nil, nil
		for i := range items {
			if pending(&items[i]) {
				left = append(left, items[i].Name)
			}
		}
		return len(items) > 0 && len(left) == 0, nil
	})
	if err == nil {
		return items, nil
	}
	if ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	switch {
	case listErr != nil:
		return nil, fmt.Errorf("%s: (API server: %w) (%w)", what, listErr, err)
	case len(items) == 0:
		return nil, fmt.Errorf("%s: (no nodes listed) (%w)", what, err)
	}
	return nil, fmt.Errorf("%s: %s (%w)", what, strings.Join(left, ", "), err)
}

func isReady(n *v1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == v1.NodeReady {
			return c.Status == v1.ConditionTrue
		}
	}
	return false
}
