package kube

import (
	"context"
	"fmt"
	"strings"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientset "k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"podperf/framework/endpoints"
)

// cniDaemonSets maps a kube-system DaemonSet name to the CNI it reveals.
var cniDaemonSets = map[string]string{
	"cilium": "cilium", "calico-node": "calico", "kindnet": "kindnet", "kube-flannel-ds": "flannel",
	"weave-net": "weave", "antrea-agent": "antrea", "kube-router": "kube-router", "aws-node": "aws-vpc-cni",
}

// ciliumKeys are the cilium-config entries that explain a result.
var ciliumKeys = []string{"routing-mode", "tunnel-protocol", "enable-host-legacy-routing", "kube-proxy-replacement",
	"enable-bpf-masquerade", "install-no-conntrack-iptables-rules", "enable-ipv4-masquerade", "bpf-lb-acceleration"}

// facts records what explains a result: versions, kernels, CPUs, the CNI and
// its configuration. What cannot be read is recorded as such, not guessed.
func facts(ctx context.Context, c clientset.Interface, client, server *v1.Node) endpoints.Environment {
	env := endpoints.Environment{Target: "kubernetes", Details: map[string]string{}}
	if v, err := c.Discovery().ServerVersion(); err == nil {
		env.Kubernetes = v.GitVersion
	}
	env.Kernel = client.Status.NodeInfo.KernelVersion
	env.CPUs = int(client.Status.Capacity.Cpu().Value())
	for role, n := range map[string]*v1.Node{"client": client, "server": server} {
		d := env.Details
		d[role+"Node"] = n.Name
		d[role+"NodeIP"] = internalIP(n)
		d[role+"NodeKernel"] = n.Status.NodeInfo.KernelVersion
		d[role+"NodeOS"] = n.Status.NodeInfo.OSImage
		d[role+"NodeRuntime"] = n.Status.NodeInfo.ContainerRuntimeVersion
		d[role+"NodeCPUs"] = n.Status.Capacity.Cpu().String()
		d[role+"NodeAllocatableCPU"] = n.Status.Allocatable.Cpu().String()
		d[role+"NodePodCIDR"] = n.Spec.PodCIDR
		d[role+"NodeProviderID"] = n.Spec.ProviderID
	}
	var found []string
	if dss, err := c.AppsV1().DaemonSets("kube-system").List(ctx, metav1.ListOptions{}); err != nil {
		env.Details["cniDetection"] = "cannot list kube-system DaemonSets: " + err.Error()
	} else {
		kubeProxy := false
		for _, ds := range dss.Items {
			if cni, ok := cniDaemonSets[ds.Name]; ok {
				found = append(found, cni)
			}
			kubeProxy = kubeProxy || ds.Name == "kube-proxy"
		}
		env.Details["kubeProxy"] = fmt.Sprint(kubeProxy)
	}
	switch {
	case len(found) > 0:
		env.CNI = strings.Join(found, ",")
	default:
		env.CNI = "unknown (no known CNI DaemonSet in kube-system)"
	}
	if cm, err := c.CoreV1().ConfigMaps("kube-system").Get(ctx, "cilium-config", metav1.GetOptions{}); err == nil {
		for _, k := range ciliumKeys {
			if v, ok := cm.Data[k]; ok {
				env.Details["cilium."+k] = v
			}
		}
	}
	return env
}

// noteFacts adds what only a running pod can tell: the CPU model and the MTU.
func (t *Target) noteFacts(ctx context.Context, p *pair) {
	model, _ := p.exec(ctx, "sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2")
	t.mu.Lock()
	defer t.mu.Unlock()
	if model != "" {
		t.env.CPUModel = strings.TrimSpace(model)
	}
	if p.info.MTU > 0 {
		t.env.Details[string(p.info.Path)+"PathMTU"] = fmt.Sprint(p.info.MTU)
	}
	t.env.Details[string(p.info.Path)+"PathAddresses"] = p.info.ClientAddress + " -> " + p.info.ServerAddress
	t.env.Details[string(p.info.Path)+"PodStartup"] = p.info.Startup.Round(1e7).String()
}

// Diagnostics gathers the logs and events of the spec's pods, for a failed spec.
func (t *Target) Diagnostics(ctx context.Context) string {
	t.mu.Lock()
	namespaces := []string{t.f.Namespace.Name, t.hostNS}
	t.mu.Unlock()
	var b strings.Builder
	for _, ns := range namespaces {
		pods, err := t.c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			fmt.Fprintf(&b, "list pods in %s: %v\n", ns, err)
			continue
		}
		for _, p := range pods.Items {
			fmt.Fprintf(&b, "--- pod %s/%s on %s: %s\n", ns, p.Name, p.Spec.NodeName, p.Status.Phase)
			logs, err := t.c.CoreV1().Pods(ns).GetLogs(p.Name, &v1.PodLogOptions{TailLines: ptr.To[int64](50)}).DoRaw(ctx)
			if err != nil {
				fmt.Fprintf(&b, "(no logs: %v)\n", err)
			} else {
				b.Write(logs)
			}
		}
		events, err := t.c.CoreV1().Events(ns).List(ctx, metav1.ListOptions{})
		if err == nil {
			for _, e := range events.Items {
				fmt.Fprintf(&b, "event %s/%s: %s %s: %s\n", ns, e.InvolvedObject.Name, e.Type, e.Reason, e.Message)
			}
		}
	}
	return b.String()
}
