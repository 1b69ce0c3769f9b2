package kindcluster

import (
	"context"
	"fmt"
	"strings"

	clientset "k8s.io/client-go/kubernetes"
	"sigs.k8s.io/kind/pkg/cluster/nodes"

	"podperf/manifests"
)

// ptp does what scripts/kind-offline/41-cni.sh does, through kind's node
// commands: the conflist (manifests/cni/ptp.conflist), forwarding, and a route
// to every other node's podCIDR via its InternalIP (all nodes share one L2
// docker network).
func (c *Cluster) ptp(ctx context.Context, cs clientset.Interface, kindNodes []nodes.Node) error {
	nets, err := podCIDRs(ctx, cs)
	if err != nil {
		return err
	}
	byName := map[string]nodes.Node{}
	for _, n := range kindNodes {
		byName[n.String()] = n
	}
	for _, n := range nets {
		kn, ok := byName[n.name]
		if !ok {
			return fmt.Errorf("node %s of the Kubernetes API has no kind node container in cluster %s", n.name, c.name)
		}
		run := func(stdin string, argv ...string) error {
			cmd := kn.CommandContext(ctx, argv[0], argv[1:]...)
			if stdin != "" {
				cmd.SetStdin(strings.NewReader(stdin))
			}
			if err := cmd.Run(); err != nil {
				c.logRunError(err)
				return fmt.Errorf("ptp CNI on node %s: %s: %w", n.name, strings.Join(argv, " "), err)
			}
			return nil
		}
		if err := run(manifests.PTPConflist(n.podCIDR), "sh", "-c", "mkdir -p /etc/cni/net.d && cat >/etc/cni/net.d/10-podperf.conflist"); err != nil {
			return err
		}
		if err := run("", "sysctl", "-qw", "net.ipv4.ip_forward=1"); err != nil {
			return err
		}
		for _, o := range nets {
			if o.name == n.name {
				continue
			}
			if err := run("", "ip", "route", "replace", o.podCIDR, "via", o.ip); err != nil {
				return err
			}
		}
		c.logf("%s: podCIDR %s, IP %s: ptp CNI, forwarding, %d routes to other nodes", n.name, n.podCIDR, n.ip, len(nets)-1)
	}
	return nil
}
