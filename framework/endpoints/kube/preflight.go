package kube

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/distribution/reference"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientset "k8s.io/client-go/kubernetes"

	"podperf/framework/endpoints"
	"podperf/framework/preflight"
)

// Preflight is what the Kubernetes target offers the preflight checks. It
// only reads: it picks the node pair as the target would, without taking
// the cluster's lease or creating anything, so that --preflight-only can run
// beside another run.
type Preflight struct {
	c    clientset.Interface
	opts Options
	// client and server are the pair pickNodes chose; pickErr why there is none.
	client, server *v1.Node
	why            string
	pickErr        error
	env            *endpoints.Environment
}

// Reasons for the checks the API cannot answer.
var (
	kubeHostFacts = "not readable through the Kubernetes API without a privileged pod on each node, which the suite does not create: check the nodes themselves (docs/preflight.md)"
	kubeMTUSkip   = "needs the test pods, which the preflight does not create: judged from the first spec's pods when the tests run (not with --preflight-only)"
)

// maxNodeImages is the kubelet's default --node-status-max-images: a node
// listing this many images may have more.
const maxNodeImages = 50

// NewPreflight picks the node pair the run would use. Which nodes are
// usable is a check, not an error: Nodes reports it.
func NewPreflight(ctx context.Context, c clientset.Interface, opts Options) *Preflight {
	p := &Preflight{c: c, opts: opts}
	p.client, p.server, p.why, p.pickErr = pickNodes(ctx, c, opts.Nodes)
	return p
}

func (p *Preflight) Target() string { return "kubernetes" }

// Environment is the cluster's facts as the target records them, for a run
// that builds no target (--preflight-only); empty without a node pair.
func (p *Preflight) Environment(ctx context.Context) endpoints.Environment {
	if p.client == nil {
		return endpoints.Environment{Target: "kubernetes"}
	}
	if p.env == nil {
		env := facts(ctx, p.c, p.client, p.server)
		env.Details["nodeChoice"] = p.why
		p.env = &env
	}
	return *p.env
}

// pair returns the picked nodes, or a SkipError when there are none.
func (p *Preflight) pair() (*v1.Node, *v1.Node, error) {
	if p.client == nil {
		return nil, nil, &preflight.SkipError{Reason: "no node pair (see the nodes check)"}
	}
	return p.client, p.server, nil
}

// Nodes counts the usable nodes (those matching --node-selector) and names
// the pair.
func (p *Preflight) Nodes(ctx context.Context) (preflight.NodeFacts, error) {
	list, err := p.c.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: p.opts.Nodes.Selector})
	if err != nil {
		return preflight.NodeFacts{}, fmt.Errorf("list nodes: %w", err)
	}
	f := preflight.NodeFacts{Detail: p.why}
	for i := range list.Items {
		if unusable(ctx, &list.Items[i]) == "" {
			f.Usable++
		}
	}
	if p.pickErr != nil {
		f.Detail = p.pickErr.Error()
		return f, nil
	}
	f.Client, f.Server = p.client.Name, p.server.Name
	return f, nil
}

// CPU is what cpuAllowance would grant each of a want-CPU test's pods on the
// pair now: the free allocatable CPU of the busier node, shared by the
// measured and the reference pair.
func (p *Preflight) CPU(ctx context.Context, want int) (preflight.CPUFacts, error) {
	client, server, err := p.pair()
	if err != nil {
		return preflight.CPUFacts{}, err
	}
	var free []string
	for _, n := range []*v1.Node{client, server} {
		used, err := requestedMilli(ctx, p.c, n.Name)
		if err != nil {
			return preflight.CPUFacts{}, err
		}
		alloc := n.Status.Allocatable.Cpu().MilliValue()
		free = append(free, fmt.Sprintf("%s %dm free of %dm allocatable", n.Name, alloc-used, alloc))
	}
	var info endpoints.PairInfo
	got, err := (&Target{c: p.c}).cpuAllowanceOn(ctx, want, client, server, 2, &info)
	f := preflight.CPUFacts{Want: want, GrantedMilli: got, Detail: strings.Join(free, ", ")}
	if err != nil {
		// The nodes were read above: what is left is too little CPU.
		f.Detail += "; " + err.Error()
		return f, nil
	}
	f.Detail += ", shared by the measured and the reference pods"
	return f, nil
}

// Zones reads the pair's topology.kubernetes.io/zone labels.
func (p *Preflight) Zones(context.Context) (preflight.ZoneFacts, error) {
	client, server, err := p.pair()
	if err != nil {
		return preflight.ZoneFacts{}, err
	}
	return preflight.ZoneFacts{ClientNode: client.Name, ServerNode: server.Name,
		Client: client.Labels[v1.LabelTopologyZone], Server: server.Labels[v1.LabelTopologyZone]}, nil
}

// CNI is what facts detects from kube-system's DaemonSets.
func (p *Preflight) CNI(ctx context.Context) (preflight.CNIFacts, error) {
	if _, _, err := p.pair(); err != nil {
		return preflight.CNIFacts{}, err
	}
	env := p.Environment(ctx)
	if why, ok := env.Details["cniDetection"]; ok {
		return preflight.CNIFacts{}, errors.New(why)
	}
	if strings.HasPrefix(env.CNI, "unknown") {
		return preflight.CNIFacts{Detail: env.CNI}, nil
	}
	return preflight.CNIFacts{Name: env.CNI, Detail: "from its DaemonSet in kube-system"}, nil
}

// Image looks for --image among the images the pair's kubelets report.
func (p *Preflight) Image(context.Context) (preflight.ImageFacts, error) {
	client, server, err := p.pair()
	if err != nil {
		return preflight.ImageFacts{}, err
	}
	want, err := reference.ParseNormalizedNamed(p.opts.Image)
	if err != nil {
		return preflight.ImageFacts{}, fmt.Errorf("--image=%q: %w", p.opts.Image, err)
	}
	want = reference.TagNameOnly(want)
	f := preflight.ImageFacts{Image: p.opts.Image}
	for _, n := range []*v1.Node{client, server} {
		if nodeHasImage(n, want) {
			f.Present = append(f.Present, n.Name)
			continue
		}
		f.Missing = append(f.Missing, n.Name)
		if len(n.Status.Images) >= maxNodeImages {
			f.Truncated = append(f.Truncated, n.Name)
		}
	}
	return f, nil
}

// nodeHasImage says whether one of the names a node reports for its images
// is want, both in their normalized form (docker.io/library/, :latest).
func nodeHasImage(n *v1.Node, want reference.Named) bool {
	for _, img := range n.Status.Images {
		for _, name := range img.Names {
			got, err := reference.ParseNormalizedNamed(name)
			if err != nil {
				continue
			}
			if _, digested := want.(reference.Digested); !digested {
				got = reference.TagNameOnly(got)
			}
			if got.String() == want.String() {
				return true
			}
		}
	}
	return false
}

// MTU needs pods, which the preflight does not create; the first spec's
// pods record it (noteFacts) and PathMTUCheck judges it at the end.
func (p *Preflight) MTU(context.Context) (preflight.MTUFacts, error) {
	return preflight.MTUFacts{}, &preflight.SkipError{Reason: kubeMTUSkip}
}

func (p *Preflight) Governors(context.Context) (preflight.GovernorFacts, error) {
	return preflight.GovernorFacts{}, &preflight.SkipError{Reason: kubeHostFacts}
}

func (p *Preflight) IRQBalance(context.Context) (preflight.IRQBalanceFacts, error) {
	return preflight.IRQBalanceFacts{}, &preflight.SkipError{Reason: kubeHostFacts}
}

func (p *Preflight) Offloads(context.Context) ([]preflight.InterfaceOffloads, error) {
	return nil, &preflight.SkipError{Reason: kubeHostFacts}
}

// PathMTUCheck judges the MTUs the first spec's pods recorded in env (the
// pod path's eth0 and the node path's hostNetwork interface); false when
// no spec recorded both.
func PathMTUCheck(env endpoints.Environment) (preflight.Check, bool) {
	pod, errPod := strconv.Atoi(env.Details[string(endpoints.PodPath)+"PathMTU"])
	node, errNode := strconv.Atoi(env.Details[string(endpoints.NodePath)+"PathMTU"])
	if errPod != nil || errNode != nil {
		return preflight.Check{}, false
	}
	c := preflight.JudgeMTU(preflight.MTUFacts{Pod: map[string]int{"client pod": pod}, Node: map[string]int{"client node": node}})
	c.Name = preflight.MTU
	return c, true
}
