// Package kube is the Kubernetes target: netserver and netperf pods on two
// different nodes, provisioned through the upstream e2e framework, for the pod
// network and for the node-to-node reference (hostNetwork pods).
package kube

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientset "k8s.io/client-go/kubernetes"
	"k8s.io/kubernetes/test/e2e/framework"
	e2epod "k8s.io/kubernetes/test/e2e/framework/pod"
	admissionapi "k8s.io/pod-security-admission/api"
	"k8s.io/utils/ptr"

	"podperf/framework/endpoints"
)

// Options configure the target.
type Options struct {
	Image        string
	Nodes        NodeChoice
	StartTimeout time.Duration
}

// Target provides pod pairs on one node pair for the whole run.
type Target struct {
	c      clientset.Interface
	opts   Options
	logf   func(string, ...any)
	client *v1.Node
	server *v1.Node
	why    string

	mu     sync.Mutex
	env    endpoints.Environment
	f      *framework.Framework
	hostNS string
}

// New picks the node pair and records the cluster's facts. An ErrSkip means
// the cluster cannot run the benchmark (fewer than two usable nodes).
func New(ctx context.Context, c clientset.Interface, opts Options, logf func(string, ...any)) (*Target, error) {
	if opts.Image == "" {
		return nil, fmt.Errorf("--image is empty: name the netperf image (see manifests/netperf)")
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
	t.env = facts(ctx, c, t.client, t.server)
	t.env.Details["nodeChoice"] = t.why
	return t, nil
}

func (t *Target) Name() string { return "kubernetes" }

// Bind gives the target the current spec's framework: pod-network pods go to
// its namespace (restricted Pod Security level); the hostNetwork reference pods
// go to a second namespace, the only one at the privileged level. Both are
// removed by the framework's namespace teardown.
func (t *Target) Bind(ctx context.Context, f *framework.Framework) error {
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
	return nil
}

// Environment returns the cluster facts gathered so far.
func (t *Target) Environment(context.Context) endpoints.Environment {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.env
}

// Teardown has nothing to do: the framework deletes the namespaces.
func (t *Target) Teardown(context.Context) error { return nil }

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

// cpuAllowance turns a CPU request into millicores that fit on both nodes
// beside the other pair (both pairs live at once so samples can interleave).
func (t *Target) cpuAllowance(ctx context.Context, want int, info *endpoints.PairInfo) (int64, error) {
	if want <= 0 {
		info.CPUsGranted = int(t.client.Status.Allocatable.Cpu().Value())
		info.Notes = append(info.Notes, "CPU not limited (as in the published runs): BestEffort pods")
		return 0, nil
	}
	free := int64(1 << 62)
	for _, n := range []*v1.Node{t.client, t.server} {
		used, err := requestedMilli(ctx, t.c, n.Name)
		if err != nil {
			return 0, err
		}
		free = min(free, n.Status.Allocatable.Cpu().MilliValue()-used)
	}
	// Two pods of this allowance share each node (pod pair + reference pair).
	fit := free / 2 / 100 * 100
	got := min(int64(want)*1000, fit)
	if got < 100 {
		return 0, fmt.Errorf("the nodes have %dm CPU free, too little for two %d-CPU pods each: free CPU on %s and %s", free, want, t.client.Name, t.server.Name)
	}
	info.CPUsGranted = int((got + 999) / 1000)
	info.CPUSet = fmt.Sprintf("%dm per pod (Guaranteed QoS)", got)
	if got < int64(want)*1000 {
		info.Notes = append(info.Notes, fmt.Sprintf("%d CPUs requested, %dm granted: that is what fits twice in the nodes' allocatable CPU", want, got))
	}
	return got, nil
}

func requestedMilli(ctx context.Context, c clientset.Interface, node string) (int64, error) {
	pods, err := c.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + node})
	if err != nil {
		return 0, fmt.Errorf("list pods on %s: %w", node, err)
	}
	var sum int64
	for _, p := range pods.Items {
		if p.Status.Phase == v1.PodSucceeded || p.Status.Phase == v1.PodFailed {
			continue
		}
		if p.Labels["app.kubernetes.io/name"] == "podperf" {
			continue // the other pair of this spec: the halving below leaves room for it
		}
		for _, c := range p.Spec.Containers {
			sum += c.Resources.Requests.Cpu().MilliValue()
		}
	}
	return sum, nil
}

type pair struct {
	t                      *Target
	f                      *framework.Framework
	ns                     string
	serverName, clientName string
	info                   endpoints.PairInfo
}

func (p *pair) ServerAddress() string    { return p.info.ServerAddress }
func (p *pair) Info() endpoints.PairInfo { return p.info }

// Run execs argv in the client pod.
func (p *pair) Run(ctx context.Context, argv []string) (endpoints.Output, error) {
	o := endpoints.Output{Started: time.Now()}
	stdout, stderr, err := e2epod.Exec(p.f.TContext(ctx), e2epod.ExecOptions{
		Command: argv, Namespace: p.ns, PodName: p.clientName, ContainerName: "netperf",
		CaptureStdout: true, CaptureStderr: true, PreserveWhitespace: true, Quiet: true,
	})
	o.Ended, o.Stdout, o.Stderr = time.Now(), stdout, stderr
	var exit interface{ ExitStatus() int }
	switch {
	case err == nil:
	case errors.As(err, &exit):
		o.ExitCode = exit.ExitStatus()
	default:
		return o, fmt.Errorf("exec in %s/%s: %w", p.ns, p.clientName, err)
	}
	return o, nil
}

func (p *pair) exec(ctx context.Context, argv ...string) (string, error) {
	o, err := p.Run(ctx, argv)
	if err == nil && o.ExitCode != 0 {
		err = fmt.Errorf("%s exited %d: %s", strings.Join(argv, " "), o.ExitCode, strings.TrimSpace(o.Stderr))
	}
	return strings.TrimSpace(o.Stdout), err
}

// readInterface finds the client's interface (the one holding its address),
// and its MTU.
func (p *pair) readInterface(ctx context.Context) {
	out, err := p.exec(ctx, "ip", "-o", "-4", "addr", "show")
	if err != nil {
		p.info.Notes = append(p.info.Notes, "could not list the client's interfaces: "+err.Error())
		return
	}
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) >= 4 && strings.HasPrefix(f[3], p.info.ClientAddress+"/") {
			p.info.ClientIface = strings.TrimSuffix(f[1], ":")
		}
	}
	if p.info.ClientIface == "" {
		return
	}
	if mtu, err := p.exec(ctx, "cat", "/sys/class/net/"+p.info.ClientIface+"/mtu"); err == nil {
		p.info.MTU, _ = strconv.Atoi(mtu)
	}
}

func (p *pair) ClientTxBytes(ctx context.Context) (uint64, error) {
	if p.info.ClientIface == "" {
		return 0, fmt.Errorf("the client's interface is unknown")
	}
	out, err := p.exec(ctx, "cat", "/sys/class/net/"+p.info.ClientIface+"/statistics/tx_bytes")
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(out, 10, 64)
}

// Close deletes the pair's pods and waits until they are gone, so that the
// next spec's hostNetwork netserver finds its port free.
func (p *pair) Close(ctx context.Context) error {
	var errs []error
	for _, name := range []string{p.serverName, p.clientName} {
		// A grace period of 0 would be a forced deletion: the object vanishes at once
		// while the container still runs and holds its host port. With 1 s the
		// object stays until the kubelet has stopped the container.
		err := p.t.c.CoreV1().Pods(p.ns).Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](1)})
		if err != nil && !isNotFound(err) {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, e2epod.WaitForPodNotFoundInNamespace(ctx, p.t.c, name, p.ns, time.Minute))
	}
	return errors.Join(errs...)
}
