package kube

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"podperf/framework/endpoints"
)

// The captures are real: cilium-dbg status -o json in a Cilium agent of the
// offline kind cluster, with eBPF host routing and after switching it to
// legacy host routing (make cilium-routing MODE=legacy).
func readCapture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseCiliumStatus(t *testing.T) {
	for _, tc := range []struct {
		file string
		want endpoints.Datapath
	}{
		{"cilium-status-bpf.json", endpoints.Datapath{CNI: "cilium", Version: "1.20.2", Routing: "Native", HostRouting: "BPF", KubeProxyReplacement: "True", Masquerading: "BPF"}},
		{"cilium-status-legacy.json", endpoints.Datapath{CNI: "cilium", Version: "1.20.2", Routing: "Native", HostRouting: "Legacy", KubeProxyReplacement: "True", Masquerading: "BPF"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, err := ParseCiliumStatus(readCapture(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseCiliumStatusRefuses(t *testing.T) {
	bpf := string(readCapture(t, "cilium-status-bpf.json"))
	for _, tc := range []struct{ name, in, contains string }{
		{"the text form", string(readCapture(t, "cilium-status-bpf.txt")), "is not the agent's status"},
		{"empty", "", "is not the agent's status"},
		{"truncated", bpf[:len(bpf)/2], "is not the agent's status"},
		{"no routing section", `{"cilium": {"state": "Ok", "msg": "1.20.2 (v1.20.2)"}}`, "no routing section"},
		{"routing without host routing", `{"routing": {"inter-host-routing-mode": "Native"}}`, "no routing section"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCiliumStatus([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.contains) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v, want one line containing %q", err, tc.contains)
			}
		})
	}
	// Tunnel routing names its protocol; masquerading off says so.
	d, err := ParseCiliumStatus([]byte(`{"routing": {"intra-host-routing-mode": "Legacy", "inter-host-routing-mode": "Tunnel", "tunnel-protocol": "vxlan"}, "masquerading": {"enabled": false}}`))
	if err != nil || d.Routing != "Tunnel (vxlan)" || d.Masquerading != "Disabled" || d.HostRouting != "Legacy" {
		t.Errorf("tunnel status = %+v, %v", d, err)
	}
}

func FuzzParseCiliumStatus(f *testing.F) {
	for _, name := range []string{"cilium-status-bpf.json", "cilium-status-legacy.json", "cilium-status-bpf.txt"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseCiliumStatus(b)
		if err == nil && (d.CNI != "cilium" || d.HostRouting == "") {
			t.Errorf("accepted a status without host routing: %+v", d)
		}
	})
}

// ciliumPod is an agent pod of the chart's DaemonSet on node.
func ciliumPod(name, node string, phase v1.PodPhase) *v1.Pod {
	return &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "kube-system", Labels: map[string]string{"k8s-app": "cilium"}},
		Spec:       v1.PodSpec{NodeName: node},
		Status:     v1.PodStatus{Phase: phase},
	}
}

func TestCiliumDatapath(t *testing.T) {
	bpf, legacy := string(readCapture(t, "cilium-status-bpf.json")), string(readCapture(t, "cilium-status-legacy.json"))
	operator := &v1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "cilium-operator-1", Namespace: "kube-system",
		Labels: map[string]string{"io.cilium/app": "operator"}}, Spec: v1.PodSpec{NodeName: "a"}, Status: v1.PodStatus{Phase: v1.PodRunning}}
	terminating := ciliumPod("cilium-old", "a", v1.PodRunning)
	terminating.DeletionTimestamp = &metav1.Time{Time: time.Now()}
	for _, tc := range []struct {
		name    string
		pods    []*v1.Pod
		status  map[string]string // agent pod -> its cilium-dbg status output
		execErr error
		want    endpoints.Datapath
		err     string
	}{
		{name: "both agents in eBPF host routing",
			pods:   []*v1.Pod{ciliumPod("cilium-a", "a", v1.PodRunning), ciliumPod("cilium-b", "b", v1.PodRunning), ciliumPod("cilium-c", "c", v1.PodRunning), operator},
			status: map[string]string{"cilium-a": bpf, "cilium-b": bpf},
			want: endpoints.Datapath{CNI: "cilium", Version: "1.20.2", Routing: "Native", HostRouting: "BPF", KubeProxyReplacement: "True", Masquerading: "BPF",
				Source: "cilium-dbg status -o json in the agents on a and b"}},
		{name: "one agent fell back: both named",
			pods:   []*v1.Pod{ciliumPod("cilium-a", "a", v1.PodRunning), ciliumPod("cilium-b", "b", v1.PodRunning)},
			status: map[string]string{"cilium-a": bpf, "cilium-b": legacy},
			want: endpoints.Datapath{CNI: "cilium", Version: "1.20.2", Routing: "Native", HostRouting: "BPF on a, Legacy on b", KubeProxyReplacement: "True", Masquerading: "BPF",
				Source: "cilium-dbg status -o json in the agents on a and b"}},
		{name: "a terminating or pending agent is not asked",
			pods:   []*v1.Pod{terminating, ciliumPod("cilium-new", "a", v1.PodRunning), ciliumPod("cilium-pending", "b", v1.PodPending), ciliumPod("cilium-b", "b", v1.PodRunning)},
			status: map[string]string{"cilium-new": legacy, "cilium-b": legacy, "cilium-old": bpf, "cilium-pending": bpf},
			want: endpoints.Datapath{CNI: "cilium", Version: "1.20.2", Routing: "Native", HostRouting: "Legacy", KubeProxyReplacement: "True", Masquerading: "BPF",
				Source: "cilium-dbg status -o json in the agents on a and b"}},
		{name: "no agent on the server node",
			pods: []*v1.Pod{ciliumPod("cilium-a", "a", v1.PodRunning), operator},
			err:  "no running Cilium agent pod (k8s-app=cilium in kube-system) on node b"},
		{name: "exec refused",
			pods:    []*v1.Pod{ciliumPod("cilium-a", "a", v1.PodRunning), ciliumPod("cilium-b", "b", v1.PodRunning)},
			execErr: errors.New("pods \"cilium-a\" is forbidden"),
			err:     "ask the Cilium agent cilium-a on a (cilium-dbg status -o json): pods \"cilium-a\" is forbidden"},
		{name: "an agent that is not ready",
			pods:   []*v1.Pod{ciliumPod("cilium-a", "a", v1.PodRunning), ciliumPod("cilium-b", "b", v1.PodRunning)},
			status: map[string]string{"cilium-a": bpf, "cilium-b": `{"cilium": {"state": "Failure"}}`},
			err:    "the Cilium agent cilium-b on b: the agent's status has no routing section"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := fake.NewClientset()
			for _, p := range tc.pods {
				if _, err := cs.CoreV1().Pods(p.Namespace).Create(context.Background(), p, metav1.CreateOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			var asked []string
			// The fake stands in for the exec API, which no fake clientset serves.
			exec := func(_ context.Context, ns, pod, container string, argv ...string) (string, error) {
				asked = append(asked, pod)
				if ns != "kube-system" || container != "cilium-agent" || strings.Join(argv, " ") != "cilium-dbg status -o json" {
					t.Errorf("exec %s/%s -c %s %q", ns, pod, container, argv)
				}
				return tc.status[pod], tc.execErr
			}
			got, err := ciliumDatapath(context.Background(), cs, exec, "a", "b")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *got != tc.want {
				t.Errorf("got %+v\nwant %+v", *got, tc.want)
			}
			for _, p := range asked {
				if p == "cilium-old" || p == "cilium-pending" || p == "cilium-c" {
					t.Errorf("asked %s", p)
				}
			}
		})
	}
}
