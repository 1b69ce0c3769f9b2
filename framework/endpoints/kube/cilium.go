package kube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientset "k8s.io/client-go/kubernetes"

	"podperf/framework/endpoints"
)

// ciliumAgentSelector finds the Cilium agent pods (the chart's DaemonSet).
const ciliumAgentSelector = "k8s-app=cilium"

// ciliumStatusCommand asks an agent for its own view of its datapath.
var ciliumStatusCommand = []string{"cilium-dbg", "status", "-o", "json"}

// CiliumStatus is the part of a Cilium agent's status (cilium-dbg status -o
// json, the agent API's StatusResponse) that explains a benchmark result.
type CiliumStatus struct {
	Cilium *struct {
		State string `json:"state"`
		Msg   string `json:"msg"`
	} `json:"cilium"`
	Routing *struct {
		IntraHost      string `json:"intra-host-routing-mode"`
		InterHost      string `json:"inter-host-routing-mode"`
		TunnelProtocol string `json:"tunnel-protocol"`
	} `json:"routing"`
	KubeProxyReplacement *struct {
		Mode string `json:"mode"`
	} `json:"kube-proxy-replacement"`
	Masquerading *struct {
		Enabled bool   `json:"enabled"`
		Mode    string `json:"mode"`
	} `json:"masquerading"`
}

// ParseCiliumStatus reads cilium-dbg status -o json. An agent that does not
// report its routing (too old, or not ready) is an error: a guess would be
// the classic way to judge the wrong datapath.
func ParseCiliumStatus(b []byte) (endpoints.Datapath, error) {
	var s CiliumStatus
	if err := json.Unmarshal(b, &s); err != nil {
		return endpoints.Datapath{}, fmt.Errorf("cilium-dbg status -o json is not the agent's status: %w", err)
	}
	if s.Routing == nil || s.Routing.IntraHost == "" {
		return endpoints.Datapath{}, errors.New("the agent's status has no routing section (intra-host-routing-mode): is the agent ready, and 1.10 or newer?")
	}
	d := endpoints.Datapath{CNI: "cilium", HostRouting: s.Routing.IntraHost, Routing: s.Routing.InterHost}
	if s.Routing.InterHost == "Tunnel" && s.Routing.TunnelProtocol != "" {
		d.Routing += " (" + s.Routing.TunnelProtocol + ")"
	}
	if s.Cilium != nil {
		// "1.20.2 (v1.20.2-abcdef)": the version is the first word.
		if f := strings.Fields(s.Cilium.Msg); len(f) > 0 {
			d.Version = f[0]
		}
	}
	if s.KubeProxyReplacement != nil {
		d.KubeProxyReplacement = s.KubeProxyReplacement.Mode
	}
	switch m := s.Masquerading; {
	case m == nil:
	case !m.Enabled:
		d.Masquerading = "Disabled"
	default:
		d.Masquerading = m.Mode
	}
	return d, nil
}

// podExec runs argv in a container of a pod and returns its stdout.
type podExec func(ctx context.Context, namespace, pod, container string, argv ...string) (string, error)

// ciliumDatapath asks the Cilium agents on the given nodes for their
// datapath. Where they disagree, a field names each node's value.
func ciliumDatapath(ctx context.Context, c clientset.Interface, exec podExec, nodes ...string) (*endpoints.Datapath, error) {
	pods, err := c.CoreV1().Pods("kube-system").List(ctx, metav1.ListOptions{LabelSelector: ciliumAgentSelector})
	if err != nil {
		return nil, fmt.Errorf("list the Cilium agents (%s in kube-system): %w", ciliumAgentSelector, err)
	}
	agents := make([]string, len(nodes))
	for i, node := range nodes {
		idx := slices.IndexFunc(pods.Items, func(p v1.Pod) bool {
			return p.Spec.NodeName == node && p.Status.Phase == v1.PodRunning && p.DeletionTimestamp == nil
		})
		if idx < 0 {
			return nil, fmt.Errorf("no running Cilium agent pod (%s in kube-system) on node %s", ciliumAgentSelector, node)
		}
		agents[i] = pods.Items[idx].Name
	}
	per := make([]endpoints.Datapath, len(nodes))
	for i, name := range agents {
		out, err := exec(ctx, "kube-system", name, "cilium-agent", ciliumStatusCommand...)
		if err != nil {
			return nil, fmt.Errorf("ask the Cilium agent %s on %s (%s): %w", name, nodes[i], strings.Join(ciliumStatusCommand, " "), err)
		}
		if per[i], err = ParseCiliumStatus([]byte(out)); err != nil {
			return nil, fmt.Errorf("the Cilium agent %s on %s: %w", name, nodes[i], err)
		}
	}
	// One value when the agents agree, else each node's.
	merge := func(get func(endpoints.Datapath) string) string {
		parts := make([]string, len(per))
		same := true
		for i, x := range per {
			same = same && get(x) == get(per[0])
			parts[i] = get(x) + " on " + nodes[i]
		}
		if same {
			return get(per[0])
		}
		return strings.Join(parts, ", ")
	}
	d := endpoints.Datapath{
		CNI:                  per[0].CNI,
		Version:              merge(func(x endpoints.Datapath) string { return x.Version }),
		Routing:              merge(func(x endpoints.Datapath) string { return x.Routing }),
		HostRouting:          merge(func(x endpoints.Datapath) string { return x.HostRouting }),
		KubeProxyReplacement: merge(func(x endpoints.Datapath) string { return x.KubeProxyReplacement }),
		Masquerading:         merge(func(x endpoints.Datapath) string { return x.Masquerading }),
		Source:               strings.Join(ciliumStatusCommand, " ") + " in the agents on " + strings.Join(nodes, " and "),
	}
	return &d, nil
}
