// Package kindcluster creates a throwaway kind cluster for one run of the suite
// and deletes it afterwards, through sigs.k8s.io/kind's Go packages rather than
// the kind CLI. The run then owns the cluster's whole life: it needs no kind
// binary, a failure or an interrupt still deletes the cluster, and the offline
// machine's stand-in CNI (scripts/kind-offline/41-cni.sh) is installed in the
// same process.
package kindcluster

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientset "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/kind/pkg/cluster"
	"sigs.k8s.io/kind/pkg/cluster/nodes"
	"sigs.k8s.io/kind/pkg/cluster/nodeutils"
	kindexec "sigs.k8s.io/kind/pkg/exec"
	kindlog "sigs.k8s.io/kind/pkg/log"
)

// Options describe the cluster to create.
type Options struct {
	// Name of the kind cluster; it must not exist yet.
	Name string
	// ConfigFile is a kind config (kind.x-k8s.io/v1alpha4); its name is overridden by Name.
	ConfigFile string
	// NodeImage overrides the node image; "" keeps kind's default.
	NodeImage string
	// KubeconfigPath is where the cluster's kubeconfig goes; "" means a new
	// temporary file. An existing file is refused: Delete removes it.
	KubeconfigPath string
	// ImageArchives are docker image archives loaded into every node.
	ImageArchives []string
	// CNI is "" (the config's own CNI) or "ptp" (scripts/kind-offline/41-cni.sh:
	// ptp + host-local per node podCIDR, and routes to the other nodes' podCIDRs).
	CNI string
	// Wait bounds the wait for podCIDRs and Ready nodes after creation (default 5m).
	Wait time.Duration
}

// Cluster is a kind cluster this process created.
type Cluster struct {
	name       string
	kubeconfig string
	tmpDir     string // removed by Delete when the kubeconfig was put there
	provider   *cluster.Provider
	logf       func(string, ...any)
}

// allowedNet is where every address this project creates must live (RFC 2544).
var allowedNet = netip.MustParsePrefix("198.18.0.0/15")

// abortWait bounds the clean-up after a failed or interrupted creation; it
// stays below Ginkgo's default 30 s grace period, so that after an interrupt
// the deletion ends before the process does.
const abortWait = 20 * time.Second

// Create creates the cluster, loads the image archives, installs the ptp CNI
// when asked, and waits until every node is Ready. On any failure it deletes
// what it created; it never touches a cluster that existed before.
func Create(ctx context.Context, opts Options, logf func(format string, args ...any)) (*Cluster, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if err := check(opts); err != nil {
		return nil, err
	}
	if opts.Wait <= 0 {
		opts.Wait = 5 * time.Minute
	}
	c := &Cluster{name: opts.Name, kubeconfig: opts.KubeconfigPath, logf: logf,
		provider: cluster.NewProvider(cluster.ProviderWithDocker(), cluster.ProviderWithLogger(logger{logf}))}

	existing, err := bounded(ctx, "list kind clusters", c.provider.List)
	if err != nil {
		return nil, fmt.Errorf("list kind clusters (is dockerd running and docker on PATH?): %s", oneLine(err))
	}
	if slices.Contains(existing, opts.Name) {
		return nil, fmt.Errorf("kind cluster %q already exists and the run deletes only clusters it created: pick another name or delete it (kind delete cluster --name %s)", opts.Name, opts.Name)
	}
	if err := checkNetwork(ctx); err != nil {
		return nil, err
	}
	if c.kubeconfig == "" {
		if c.tmpDir, err = os.MkdirTemp("", "podperf-kind-"); err != nil {
			return nil, fmt.Errorf("temporary directory for the kubeconfig: %v", err)
		}
		c.kubeconfig = filepath.Join(c.tmpDir, "kubeconfig")
	}

	createOpts := []cluster.CreateOption{
		cluster.CreateWithConfigFile(opts.ConfigFile),
		cluster.CreateWithKubeconfigPath(c.kubeconfig),
		cluster.CreateWithDisplayUsage(false),
		cluster.CreateWithDisplaySalutation(false),
	}
	if opts.NodeImage != "" {
		createOpts = append(createOpts, cluster.CreateWithNodeImage(opts.NodeImage))
	}
	if opts.CNI == "" {
		// With ptp the nodes cannot be Ready before the CNI is in place, so
		// kind's own wait would only burn the time; ready() waits instead.
		createOpts = append(createOpts, cluster.CreateWithWaitForReady(opts.Wait))
	}
	start := time.Now()
	if err := c.create(ctx, createOpts); err != nil {
		return nil, err
	}
	logf("kind cluster %s created in %s", c.name, time.Since(start).Round(100*time.Millisecond))

	if err := c.finish(ctx, opts); err != nil {
		c.cleanUp()
		return nil, err
	}
	return c, nil
}

// Name is the kind cluster's name.
func (c *Cluster) Name() string { return c.name }

// Kubeconfig is the path of the cluster's kubeconfig.
func (c *Cluster) Kubeconfig() string { return c.kubeconfig }

// Delete deletes the cluster's nodes and its kubeconfig file. Calling it again is harmless.
func (c *Cluster) Delete(ctx context.Context) error {
	_, err := bounded(ctx, "delete kind cluster "+c.name, func() (struct{}, error) {
		return struct{}{}, c.provider.Delete(c.name, c.kubeconfig)
	})
	if err != nil {
		return fmt.Errorf("delete kind cluster %s: %s; finish with: kind delete cluster --name %s", c.name, oneLine(err), c.name)
	}
	left, err := bounded(ctx, "list the nodes of kind cluster "+c.name, func() ([]nodes.Node, error) { return c.provider.ListNodes(c.name) })
	if err == nil && len(left) > 0 {
		err = fmt.Errorf("%d nodes left", len(left))
	}
	if err != nil {
		return fmt.Errorf("kind cluster %s after deletion: %s; finish with: kind delete cluster --name %s", c.name, oneLine(err), c.name)
	}
	for _, p := range []string{c.kubeconfig, c.kubeconfig + ".lock"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove the kubeconfig of kind cluster %s: %v", c.name, err)
		}
	}
	if c.tmpDir != "" {
		if err := os.Remove(c.tmpDir); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove %s: %v", c.tmpDir, err)
		}
	}
	return nil
}

// check validates opts before anything is created.
func check(opts Options) error {
	switch {
	case opts.Name == "":
		return errors.New("kind cluster: no name given")
	case opts.CNI != "" && opts.CNI != "ptp":
		return fmt.Errorf("kind cluster CNI %q: use ptp, or leave it empty for the config's own CNI", opts.CNI)
	}
	files := append([]string{opts.ConfigFile}, opts.ImageArchives...)
	for _, f := range files {
		if f == "" {
			return errors.New("kind cluster: empty file name for the config or an image archive")
		}
		if st, err := os.Stat(f); err != nil || st.IsDir() {
			return fmt.Errorf("kind cluster %s: %s is not a readable file", opts.Name, f)
		}
	}
	if opts.KubeconfigPath != "" {
		if _, err := os.Stat(opts.KubeconfigPath); err == nil {
			return fmt.Errorf("kubeconfig %s already exists and would be deleted with the cluster: name a new file", opts.KubeconfigPath)
		}
	}
	return nil
}

// checkNetwork makes sure kind will put the nodes on a network inside
// allowedNet. kind reuses an existing network; without one it would create
// its own with addresses of its choosing (an IPv6 ULA among them).
func checkNetwork(ctx context.Context) error {
	name := "kind"
	if n := os.Getenv("KIND_EXPERIMENTAL_DOCKER_NETWORK"); n != "" {
		name = n
	}
	fix := fmt.Sprintf("docker network create -d bridge --subnet 198.19.1.0/24 --gateway 198.19.1.1 %s (as scripts/kind-offline/40-cluster.sh does)", name)
	out, err := exec.CommandContext(ctx, "docker", "network", "inspect", name, "-f", "{{range .IPAM.Config}}{{.Subnet}} {{end}}").Output()
	if err != nil {
		return fmt.Errorf("docker network %s not found (kind would create one outside %s): create it with: %s", name, allowedNet, fix)
	}
	subnets := strings.Fields(string(out))
	for _, s := range subnets {
		p, err := netip.ParsePrefix(s)
		if err != nil || !p.Addr().Is4() || !allowedNet.Contains(p.Addr()) || p.Bits() < allowedNet.Bits() {
			return fmt.Errorf("docker network %s has subnet %s, outside %s: delete its clusters, docker network rm %s, then: %s", name, s, allowedNet, name, fix)
		}
	}
	if len(subnets) == 0 {
		return fmt.Errorf("docker network %s has no subnet: delete its clusters, docker network rm %s, then: %s", name, name, fix)
	}
	return nil
}

// create runs kind's Create, bounded by ctx. Should ctx end first, it deletes
// what kind made so far; should kind fail, it deletes what kind left.
func (c *Cluster) create(ctx context.Context, createOpts []cluster.CreateOption) error {
	done := make(chan error, 1)
	go func() { done <- c.provider.Create(c.name, createOpts...) }()
	select {
	case err := <-done:
		if err == nil {
			return nil
		}
		c.logRunError(err)
		if strings.Contains(err.Error(), "already exist") {
			// Someone else created it meanwhile: not ours to delete.
			c.removeKubeconfig()
			return fmt.Errorf("kind cluster %q appeared while this run was creating it: pick another name", c.name)
		}
		c.cleanUp()
		return fmt.Errorf("create kind cluster %s: %s; deleted what was created (node image present? docker network kind up? see the log above)", c.name, oneLine(err))
	case <-ctx.Done():
		c.logf("creation of kind cluster %s interrupted: deleting what was created", c.name)
		c.deleteWithin(abortWait / 2)
		// kind fails once its nodes are gone (and then deletes them itself);
		// wait a little for that, then delete anything it made after the first pass.
		t := time.NewTimer(abortWait / 5)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
		}
		if err := c.deleteWithin(abortWait / 2); err != nil {
			return fmt.Errorf("creation of kind cluster %s interrupted (%v), and the clean-up failed: %s", c.name, context.Cause(ctx), err)
		}
		return fmt.Errorf("creation of kind cluster %s interrupted (%v); deleted what was created", c.name, context.Cause(ctx))
	}
}

// cleanUp deletes the cluster after a failure, whatever state ctx is in.
func (c *Cluster) cleanUp() {
	if err := c.deleteWithin(abortWait); err != nil {
		c.logf("%v", err)
	}
}

func (c *Cluster) deleteWithin(d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return c.Delete(ctx)
}

func (c *Cluster) removeKubeconfig() {
	os.Remove(c.kubeconfig)
	if c.tmpDir != "" {
		os.RemoveAll(c.tmpDir)
	}
}

// finish loads the images, installs the CNI and waits for Ready nodes.
func (c *Cluster) finish(ctx context.Context, opts Options) error {
	kindNodes, err := bounded(ctx, "list the nodes of kind cluster "+c.name, func() ([]nodes.Node, error) { return c.provider.ListNodes(c.name) })
	if err != nil {
		return fmt.Errorf("list the nodes of kind cluster %s: %s", c.name, oneLine(err))
	}
	if err := c.load(ctx, kindNodes, opts.ImageArchives); err != nil {
		return err
	}
	restCfg, err := clientcmd.BuildConfigFromFlags("", c.kubeconfig)
	if err != nil {
		return fmt.Errorf("read the kubeconfig kind wrote (%s): %v", c.kubeconfig, err)
	}
	restCfg.Timeout = 15 * time.Second
	cs, err := clientset.NewForConfig(restCfg)
	if err != nil {
		return fmt.Errorf("client for kind cluster %s: %v", c.name, err)
	}
	waitCtx, cancel := context.WithTimeoutCause(ctx, opts.Wait, fmt.Errorf("waited %s", opts.Wait))
	defer cancel()
	if opts.CNI == "ptp" {
		if err := c.ptp(waitCtx, cs, kindNodes); err != nil {
			return err
		}
	}
	return c.ready(waitCtx, cs, opts)
}

// load puts every archive into every node's containerd, nodes in parallel.
func (c *Cluster) load(ctx context.Context, kindNodes []nodes.Node, archives []string) error {
	if len(archives) == 0 {
		return nil
	}
	start := time.Now()
	errs := make([]error, len(kindNodes))
	var wg sync.WaitGroup
	for i, n := range kindNodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, a := range archives {
				_, err := bounded(ctx, "load "+a, func() (struct{}, error) {
					f, err := os.Open(a)
					if err != nil {
						return struct{}{}, err
					}
					defer f.Close()
					return struct{}{}, nodeutils.LoadImageArchive(n, f)
				})
				if err != nil {
					c.logRunError(err)
					errs[i] = fmt.Errorf("load %s into node %s: %s", a, n, oneLine(err))
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%s", oneLine(err))
	}
	c.logf("loaded %s into %d nodes in %s", strings.Join(archives, ", "), len(kindNodes), time.Since(start).Round(100*time.Millisecond))
	return nil
}

// nodeNet is what the ptp CNI needs to know of a node.
type nodeNet struct{ name, podCIDR, ip string }

// ptp does what scripts/kind-offline/41-cni.sh does, through kind's node
// commands: the conflist, forwarding, and a route to every other node's
// podCIDR via its InternalIP (all nodes share one L2 docker network).
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
				return fmt.Errorf("ptp CNI on node %s: %s: %s", n.name, strings.Join(argv, " "), oneLine(err))
			}
			return nil
		}
		if err := run(conflist(n.podCIDR), "sh", "-c", "mkdir -p /etc/cni/net.d && cat >/etc/cni/net.d/10-podperf.conflist"); err != nil {
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

// conflist is 41-cni.sh's CNI configuration for one node, byte for byte.
func conflist(podCIDR string) string {
	return `{
  "cniVersion": "0.4.0",
  "name": "podperf",
  "plugins": [
    {
      "type": "ptp",
      "ipMasq": false,
      "mtu": 1500,
      "ipam": {
        "type": "host-local",
        "dataDir": "/run/cni-ipam-state",
        "ranges": [[{ "subnet": "` + podCIDR + `" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
`
}

// podCIDRs waits until every node has a podCIDR and an InternalIP.
func podCIDRs(ctx context.Context, cs clientset.Interface) ([]nodeNet, error) {
	var missing []string
	for {
		list, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err == nil {
			var nets []nodeNet
			missing = missing[:0]
			for _, n := range list.Items {
				nn := nodeNet{name: n.Name, podCIDR: n.Spec.PodCIDR}
				for _, a := range n.Status.Addresses {
					if a.Type == v1.NodeInternalIP && nn.ip == "" {
						nn.ip = a.Address
					}
				}
				if nn.podCIDR == "" || nn.ip == "" {
					missing = append(missing, n.Name)
				}
				nets = append(nets, nn)
			}
			if len(nets) > 0 && len(missing) == 0 {
				return nets, nil
			}
		} else {
			missing = []string{"(API server: " + oneLine(err) + ")"}
		}
		if err := sleep(ctx, 2*time.Second); err != nil {
			return nil, fmt.Errorf("nodes without a podCIDR or InternalIP: %s (%v): is allocate-node-cidrs on (podSubnet set in the kind config)?", strings.Join(missing, ", "), err)
		}
	}
}

// ready waits until every node reports Ready.
func (c *Cluster) ready(ctx context.Context, cs clientset.Interface, opts Options) error {
	start := time.Now()
	var notReady []string
	for {
		list, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err == nil {
			notReady = notReady[:0]
			for _, n := range list.Items {
				if !isReady(&n) {
					notReady = append(notReady, n.Name)
				}
			}
			if len(list.Items) > 0 && len(notReady) == 0 {
				c.logf("kind cluster %s: all %d nodes Ready after %s", c.name, len(list.Items), time.Since(start).Round(100*time.Millisecond))
				return nil
			}
		} else {
			notReady = []string{"(API server: " + oneLine(err) + ")"}
		}
		if err := sleep(ctx, 2*time.Second); err != nil {
			hint := "see the kubelet on those nodes"
			if opts.CNI == "" {
				hint = "does the config disable kind's default CNI? then use the ptp CNI"
			}
			return fmt.Errorf("kind cluster %s: nodes not Ready: %s (%v): %s", c.name, strings.Join(notReady, ", "), err, hint)
		}
	}
}

func isReady(n *v1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == v1.NodeReady {
			return c.Status == v1.ConditionTrue
		}
	}
	return false
}

// sleep waits d, or returns ctx's cause when it ends first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// bounded runs f, a kind call that takes no context, and gives up when ctx
// ends. The call itself finishes in the background; what it was doing fails
// once the cluster is deleted.
func bounded[T any](ctx context.Context, what string, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("%s: %w", what, context.Cause(ctx))
	}
}

// logRunError logs the output of a failed node or docker command, which
// kind keeps out of the error text.
func (c *Cluster) logRunError(err error) {
	var re *kindexec.RunError
	if errors.As(err, &re) && len(re.Output) > 0 {
		out := strings.TrimSpace(string(re.Output))
		if len(out) > 4000 {
			out = "..." + out[len(out)-4000:]
		}
		c.logf("%s failed; its output:\n%s", re.PrettyCommand(), out)
	}
}

// oneLine folds a possibly multi-line error into one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// logger passes kind's user-facing messages (V(0), warnings, errors) to logf.
type logger struct{ logf func(string, ...any) }

func (l logger) Warn(m string)                        { l.logf("kind: %s", strings.TrimSpace(m)) }
func (l logger) Warnf(f string, a ...any)             { l.Warn(fmt.Sprintf(f, a...)) }
func (l logger) Error(m string)                       { l.logf("kind: %s", strings.TrimSpace(m)) }
func (l logger) Errorf(f string, a ...any)            { l.Error(fmt.Sprintf(f, a...)) }
func (l logger) V(v kindlog.Level) kindlog.InfoLogger { return info{l, v == 0} }

type info struct {
	l  logger
	on bool
}

func (i info) Info(m string) {
	if m = strings.TrimSpace(m); i.on && m != "" {
		i.l.logf("kind: %s", m)
	}
}
func (i info) Infof(f string, a ...any) {
	if i.on {
		i.Info(fmt.Sprintf(f, a...))
	}
}
func (i info) Enabled() bool { return i.on }
