package faults

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	resourcehelper "k8s.io/component-helpers/resource"
	"k8s.io/utils/ptr"

	"podperf/framework/endpoints/kube"
	"podperf/manifests"
)

// The Kubernetes rows of the fault matrix run on a kind cluster whose nodes
// are docker containers on this machine (make kind-offline): the faults are
// injected through docker (a paused control plane, a stopped kubelet) and
// the API (pods that take the nodes' CPU). make faults-kube runs them with
// PODPERF_FAULTS_KUBECONFIG set; without it they skip.
const kubeEnvVar = "PODPERF_FAULTS_KUBECONFIG"

// kubeSpec is the spec of every Kubernetes fault: one TCP_RR connection in
// 1-CPU (Guaranteed) pods, so that the CPU faults bite.
const kubeSpec = "TCP_RR && single"

type kubeEnv struct {
	kubeconfig string
	c          kubernetes.Interface
}

func kubeCluster(t *testing.T) *kubeEnv {
	t.Helper()
	kc := os.Getenv(kubeEnvVar)
	if kc == "" {
		t.Skipf("the Kubernetes faults need a kind cluster on this machine: make kind-offline, then make faults-kube (sets %s)", kubeEnvVar)
	}
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("the Kubernetes faults inject through docker (kind's nodes are its containers)")
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kc)
	if err != nil {
		t.Fatalf("%s=%s: %v", kubeEnvVar, kc, err)
	}
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	k := &kubeEnv{kubeconfig: kc, c: c}
	k.checkClean(t)
	return k
}

// start runs the suite on the cluster: the short spec with flags added.
func (k *kubeEnv) start(t *testing.T, name string, flags ...string) *run {
	args := append([]string{"--ginkgo.label-filter=" + kubeSpec, "--target=kubernetes", "--kubeconfig=" + k.kubeconfig,
		"--duration=3s", "--samples=2", "--max-samples=2", "--inconclusive=warn"}, flags...)
	return start(t, name, options{args: args})
}

// workers are the schedulable nodes of the cluster.
func (k *kubeEnv) workers(t *testing.T) []v1.Node {
	t.Helper()
	nodes, err := k.c.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []v1.Node
	for _, n := range nodes.Items {
		if _, cp := n.Labels["node-role.kubernetes.io/control-plane"]; !cp && !n.Spec.Unschedulable {
			out = append(out, n)
		}
	}
	if len(out) < 2 {
		t.Skipf("the cluster has %d schedulable workers; the suite needs two", len(out))
	}
	return out
}

// hog fills each worker's CPU with one pod requesting all the CPU the
// scheduler has left there but leave milli. Labelled as the suite's own, it
// is what the suite does not count (its own pods of the last spec); else it
// is any other workload.
func (k *kubeEnv) hog(t *testing.T, leave int64, asSuite bool) {
	t.Helper()
	ctx := context.Background()
	ns := &v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "faults-hog"}}
	if _, err := k.c.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = k.c.CoreV1().Namespaces().Delete(context.Background(), ns.Name, metav1.DeleteOptions{})
		_ = wait.PollUntilContextTimeout(context.Background(), time.Second, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
			_, err := k.c.CoreV1().Namespaces().Get(ctx, ns.Name, metav1.GetOptions{})
			return apierrors.IsNotFound(err), nil
		})
	})
	for i, n := range k.workers(t) {
		pods, err := k.c.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + n.Name})
		if err != nil {
			t.Fatal(err)
		}
		// What the scheduler counts, as the suite's own CPU allowance does
		// (framework/endpoints/kube/cpu.go): init containers, overhead.
		used := int64(0)
		for _, p := range pods.Items {
			if p.Status.Phase != v1.PodSucceeded && p.Status.Phase != v1.PodFailed {
				req := resourcehelper.PodRequests(&p, resourcehelper.PodResourcesOptions{})
				used += req.Cpu().MilliValue()
			}
		}
		want := n.Status.Allocatable.Cpu().MilliValue() - used - leave
		labels := map[string]string{"faults": "hog"}
		if asSuite {
			labels["app.kubernetes.io/name"] = "podperf"
		}
		pod := &v1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("hog-%d", i), Labels: labels},
			Spec: v1.PodSpec{NodeName: n.Name, TerminationGracePeriodSeconds: ptr.To[int64](0),
				SecurityContext: &v1.PodSecurityContext{RunAsNonRoot: ptr.To(true), RunAsUser: ptr.To[int64](65532)},
				Containers: []v1.Container{{Name: "hog", Image: manifests.Constants().NetperfImage, ImagePullPolicy: v1.PullIfNotPresent,
					Command:   []string{"sleep", "infinity"},
					Resources: v1.ResourceRequirements{Requests: v1.ResourceList{v1.ResourceCPU: *resource.NewMilliQuantity(want, resource.DecimalSI)}}}}},
		}
		if _, err := k.c.CoreV1().Pods(ns.Name).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			t.Fatalf("hog pod on %s (%dm): %v", n.Name, want, err)
		}
	}
}

// docker runs docker with args and fails the test if it fails.
func docker(t *testing.T, args ...string) {
	t.Helper()
	sh(t, "docker", args...)
}

// waitNodesReady waits until every node is Ready again after a fault.
func (k *kubeEnv) waitNodesReady(t *testing.T) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 2*time.Second, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		nodes, err := k.c.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, nil
		}
		for _, n := range nodes.Items {
			for _, c := range n.Status.Conditions {
				if c.Type == v1.NodeReady && c.Status != v1.ConditionTrue {
					return false, nil
				}
			}
			// The node controller lifts its taints a few seconds after Ready.
			for _, taint := range n.Spec.Taints {
				if taint.Key == v1.TaintNodeUnreachable || taint.Key == v1.TaintNodeNotReady {
					return false, nil
				}
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("nodes not Ready again after the fault: %v", err)
	}
}

// checkClean checks that the suite left nothing on the cluster: no
// namespace of its own, no pod of its own, no lease.
func (k *kubeEnv) checkClean(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	nss, err := k.c.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range nss.Items {
		if strings.HasPrefix(ns.Name, "podperf-") && ns.Name != "podperf-runner" {
			t.Errorf("namespace %s left behind (%s)", ns.Name, ns.Status.Phase)
		}
	}
	pods, err := k.c.CoreV1().Pods("").List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/name=podperf,faults!=hog"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		t.Errorf("pod %s/%s left behind", p.Namespace, p.Name)
	}
	if _, err := k.c.CoordinationV1().Leases(kube.LeaseNamespace).Get(ctx, kube.LeaseName, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("lease %s/%s left behind (%v)", kube.LeaseNamespace, kube.LeaseName, err)
	}
}

// failed checks a failed run: ended within bound after since, one-line
// reason matching want in junit.xml and results.json, nothing left.
func (k *kubeEnv) failed(t *testing.T, r *run, since time.Time, bound time.Duration, want *regexp.Regexp, node, pod int) {
	t.Helper()
	took := r.wait(since, bound)
	if r.exit == 0 {
		t.Errorf("the run exited 0")
	}
	msg := checkReport(t, r, outcome{junit: want, result: want, node: node, pod: pod})
	k.checkClean(t)
	t.Logf("fault %q: ended %s after the fault (bound %s), exit %d: %s", t.Name(), took.Round(100*time.Millisecond), bound, r.exit, msg)
}

func TestKubeImageMissing(t *testing.T) {
	k := kubeCluster(t)
	r := k.start(t, "image missing", "--image=localhost/podperf/absent:0")
	k.failed(t, r, r.started, 90*time.Second,
		regexp.MustCompile(`cannot start after \d+s: the image (cannot be pulled|is not on the node).*image localhost/podperf/absent:0 must be on every node`), 0, 0)
}

func TestKubeNotEnoughCPU(t *testing.T) {
	k := kubeCluster(t)
	k.hog(t, 50, false)
	r := k.start(t, "not enough CPU")
	k.failed(t, r, r.started, 60*time.Second, regexp.MustCompile(`the nodes have \d+m CPU free, too little for two 1-CPU pods each`), 0, 0)
}

func TestKubePodNeverReady(t *testing.T) {
	k := kubeCluster(t)
	// The suite counts the nodes' CPU without these (they look like its own
	// pods), grants its pods what the scheduler then cannot place: they stay Pending.
	k.hog(t, 300, true)
	r := k.start(t, "pod never Ready", "--pod-start-timeout=20s")
	k.failed(t, r, r.started, 90*time.Second, regexp.MustCompile(`not Ready within 20s: not scheduled: Unschedulable: .*Insufficient cpu`), 0, 0)
}

func TestKubeNodeNotReady(t *testing.T) {
	k := kubeCluster(t)
	server := k.workers(t)[1].Name
	// Samples long enough that the node turns NotReady while the spec still
	// measures: a stopped kubelet leaves the pods running, and the API calls
	// it NotReady only after the node controller's grace period.
	r := k.start(t, "node NotReady", "--server-node="+server, "--client-node="+k.workers(t)[0].Name,
		"--duration=15s", "--samples=3", "--max-samples=3")
	t.Cleanup(func() {
		docker(t, "exec", server, "systemctl", "start", "kubelet")
		k.waitNodesReady(t)
	})
	r.waitFor("pod sample 1 of 3:", 3*time.Minute)
	fault := time.Now()
	docker(t, "exec", server, "systemctl", "stop", "kubelet")
	// The node is NotReady once the node lifecycle controller's grace period
	// (40-50 s) has passed without a status from the kubelet.
	k.failed(t, r, fault, 150*time.Second, regexp.MustCompile(`node `+regexp.QuoteMeta(server)+` is not Ready \(Ready=Unknown`), 1, 1)
}

func TestKubeAPIServerAway(t *testing.T) {
	k := kubeCluster(t)
	r := k.start(t, "API server away 30 s", "--duration=5s")
	r.waitFor(afterPodSample1, 3*time.Minute)
	fault := time.Now()
	docker(t, "pause", "podperf-control-plane")
	unpaused := false
	t.Cleanup(func() {
		if !unpaused {
			docker(t, "unpause", "podperf-control-plane")
		}
	})
	time.Sleep(30 * time.Second)
	docker(t, "unpause", "podperf-control-plane")
	unpaused = true
	// An exec that was in flight waits for the API server; a netperf run
	// whose exec stalls past its limit fails, and the message puts it down
	// to the API server, not to the network measured. A run whose execs
	// all fell outside the outage goes on and ends as if nothing happened.
	took := r.wait(fault, 3*time.Minute)
	if r.exit == 0 {
		t.Logf("fault %q: the run went on and ended %s after the fault, exit 0", t.Name(), took.Round(100*time.Millisecond))
	} else {
		msg := checkReport(t, r, outcome{junit: apiAway, result: apiAway, node: 1, pod: 1})
		t.Logf("fault %q: ended %s after the fault (bound 3m0s), exit %d: %s", t.Name(), took.Round(100*time.Millisecond), r.exit, msg)
	}
	k.checkClean(t)
}

var apiAway = regexp.MustCompile(`netperf was stopped after [\d.]+s, a 5s test: the API server (did not answer within 3s|took [\d.]+s to answer)`)

func TestKubeSIGTERM(t *testing.T) {
	k := kubeCluster(t)
	r := k.start(t, "SIGTERM")
	r.waitFor(duringPodSample2, 3*time.Minute)
	time.Sleep(300 * time.Millisecond)
	fault := time.Now()
	r.signal(syscall.SIGTERM)
	k.failed(t, r, fault, 90*time.Second, regexp.MustCompile(`(?i)interrupted`), 1, 1)
}

func TestKubeSecondSuite(t *testing.T) {
	k := kubeCluster(t)
	first := k.start(t, "first")
	first.waitFor(afterPodSample1, 3*time.Minute)
	second := k.start(t, "second")
	busy := regexp.MustCompile(`set up the kubernetes target: another podperf run \(.*\) is measuring this cluster`)
	took := second.wait(second.started, 30*time.Second)
	msg := checkReport(t, second, outcome{junit: busy, result: busy, runLevel: true})
	first.wait(first.started, 3*time.Minute)
	if first.exit != 0 {
		t.Errorf("the first run exited %d after a second one was started beside it", first.exit)
	}
	k.checkClean(t)
	t.Logf("fault %q: the second run ended %s after its start (bound 30s), exit %d: %s", t.Name(), took.Round(100*time.Millisecond), second.exit, msg)
}
