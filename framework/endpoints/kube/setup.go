package kube

import (
	"context"
	"fmt"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/kubernetes/test/e2e/framework"

	"podperf/framework/endpoints"
)

// pair is a netserver pod and a netperf pod of one path on the target's nodes.
type pair struct {
	t                      *Target
	f                      *framework.Framework
	ns                     string
	serverName, clientName string
	// service is the ClusterIP Service in front of the server (Service path).
	service string
	info    endpoints.PairInfo
}

func (p *pair) ServerAddress() string    { return p.info.ServerAddress }
func (p *pair) Info() endpoints.PairInfo { return p.info }

// Setup creates the server and client pods of req.Path (and, for the
// Service path, the Service in front of the server) and waits until netserver
// accepts connections.
func (t *Target) Setup(ctx context.Context, req endpoints.Request) (endpoints.Pair, error) {
	t.mu.Lock()
	f, ns := t.f, t.f.Namespace.Name
	if req.Path == endpoints.NodePath {
		ns = t.hostNS
	}
	t.mu.Unlock()
	client, server, err := t.nodesOf(req.NodePair)
	if err != nil {
		return nil, err
	}
	share := int64(2) // the pods of one allowance on the busier node: this pair's and the reference's
	switch req.Path {
	case endpoints.PodPath, endpoints.NodePath, endpoints.ServicePath:
	case endpoints.SameNodePath:
		server, share = client, 3
	case endpoints.IPv6Path:
		if err := ipv6Capable(client, server); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("kubernetes target: unknown path %q", req.Path)
	}
	info := endpoints.PairInfo{Path: req.Path, ClientNode: client.Name, ServerNode: server.Name, CPUsRequested: req.CPUs}
	milli, err := t.cpuAllowanceOn(ctx, req.CPUs, client, server, share, &info)
	if err != nil {
		return nil, err
	}
	p := &pair{t: t, f: f, ns: ns, info: info}
	p.serverName, p.clientName = podNames(req)
	start := time.Now()
	pods := []*v1.Pod{
		podSpec(p.serverName, server.Name, req.Path, t.opts.Image, milli, serverCommand(req.ControlPort), req.ControlPort),
		podSpec(p.clientName, client.Name, req.Path, t.opts.Image, milli, clientCommand, 0),
	}
	for _, pod := range pods {
		if _, err := t.c.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			return nil, fmt.Errorf("create pod %s/%s: %w", ns, pod.Name, err)
		}
	}
	node := map[string]string{p.serverName: server.Name, p.clientName: client.Name}
	for _, pod := range pods {
		if err := waitPodReady(ctx, t.c, ns, pod.Name, node[pod.Name], t.opts.Image, t.opts.StartTimeout); err != nil {
			return nil, err
		}
	}
	if err := p.readAddresses(ctx, req.Path); err != nil {
		return nil, err
	}
	if req.Path == endpoints.ServicePath {
		if err := p.expose(ctx, req); err != nil {
			return nil, err
		}
	}
	p.info.Startup = time.Since(start)
	if req.Path == endpoints.IPv6Path {
		p.readInterface6(ctx)
	} else {
		p.readInterface(ctx)
	}
	t.noteFacts(ctx, p)
	return p, nil
}

// podNames are the server and client pod names of req: by path, and by node
// pair beyond the first.
func podNames(req endpoints.Request) (server, client string) {
	suffix := string(req.Path)
	if req.NodePair > 0 {
		suffix += fmt.Sprintf("-pair%d", req.NodePair+1)
	}
	return "netserver-" + suffix, "netperf-" + suffix
}

// readAddresses records the pods' addresses: IPv6 ones on the IPv6 path,
// the primary ones otherwise.
func (p *pair) readAddresses(ctx context.Context, path endpoints.Path) error {
	for _, name := range []string{p.serverName, p.clientName} {
		pod, err := p.t.c.CoreV1().Pods(p.ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("get pod %s/%s: %w", p.ns, name, err)
		}
		addr := pod.Status.PodIP
		if path == endpoints.IPv6Path {
			if addr, err = ipv6Of(pod); err != nil {
				return err
			}
		}
		if name == p.serverName {
			p.info.ServerAddress = addr
		} else {
			p.info.ClientAddress = addr
		}
	}
	return nil
}
