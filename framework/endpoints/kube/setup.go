package kube

import (
	"context"
	"fmt"
	"strings"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/kubernetes/test/e2e/framework"
	e2epod "k8s.io/kubernetes/test/e2e/framework/pod"

	"podperf/framework/endpoints"
)

// pair is a netserver pod and a netperf pod of one path on the target's nodes.
type pair struct {
	t                      *Target
	f                      *framework.Framework
	ns                     string
	serverName, clientName string
	info                   endpoints.PairInfo
}

func (p *pair) ServerAddress() string    { return p.info.ServerAddress }
func (p *pair) Info() endpoints.PairInfo { return p.info }

// Setup creates the server and client pods of req.Path and waits until
// netserver accepts connections.
func (t *Target) Setup(ctx context.Context, req endpoints.Request) (endpoints.Pair, error) {
	t.mu.Lock()
	f, ns := t.f, t.f.Namespace.Name
	if req.Path == endpoints.NodePath {
		ns = t.hostNS
	}
	t.mu.Unlock()
	info := endpoints.PairInfo{Path: req.Path, ClientNode: t.client.Name, ServerNode: t.server.Name, CPUsRequested: req.CPUs}
	milli, err := t.cpuAllowance(ctx, req.CPUs, &info)
	if err != nil {
		return nil, err
	}
	p := &pair{t: t, f: f, ns: ns, info: info,
		serverName: "netserver-" + string(req.Path), clientName: "netperf-" + string(req.Path)}
	start := time.Now()
	pods := []*v1.Pod{
		podSpec(p.serverName, t.server.Name, req.Path, t.opts.Image, milli, serverCommand(req.ControlPort), req.ControlPort),
		podSpec(p.clientName, t.client.Name, req.Path, t.opts.Image, milli, clientCommand, 0),
	}
	for _, pod := range pods {
		if _, err := t.c.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			return nil, fmt.Errorf("create pod %s/%s: %w", ns, pod.Name, err)
		}
	}
	for _, pod := range pods {
		if err := e2epod.WaitTimeoutForPodReadyInNamespace(ctx, t.c, pod.Name, ns, t.opts.StartTimeout); err != nil {
			return nil, fmt.Errorf("pod %s/%s on %s did not become Ready within %s (image %s present on the node? see the events below): %w",
				ns, pod.Name, nodeOf(pod, t), t.opts.StartTimeout, t.opts.Image, err)
		}
	}
	p.info.Startup = time.Since(start)
	for _, name := range []string{p.serverName, p.clientName} {
		pod, err := t.c.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return nil, fmt.Errorf("get pod %s/%s: %w", ns, name, err)
		}
		if name == p.serverName {
			p.info.ServerAddress = pod.Status.PodIP
		} else {
			p.info.ClientAddress = pod.Status.PodIP
		}
	}
	p.readInterface(ctx)
	t.noteFacts(ctx, p)
	return p, nil
}

func nodeOf(pod *v1.Pod, t *Target) string {
	if strings.HasPrefix(pod.Name, "netserver") {
		return t.server.Name
	}
	return t.client.Name
}
