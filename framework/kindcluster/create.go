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
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	clientset "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/kind/pkg/cluster"
	"sigs.k8s.io/kind/pkg/cluster/nodes"
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
		return nil, fmt.Errorf("list kind clusters (is dockerd running and docker on PATH?): %w", err)
	}
	if slices.Contains(existing, opts.Name) {
		return nil, fmt.Errorf("kind cluster %q already exists and the run deletes only clusters it created: pick another name or delete it (kind delete cluster --name %s)", opts.Name, opts.Name)
	}
	if err := checkNetwork(ctx); err != nil {
		return nil, err
	}
	if c.kubeconfig == "" {
		if c.tmpDir, err = os.MkdirTemp("", "podperf-kind-"); err != nil {
			return nil, fmt.Errorf("temporary directory for the kubeconfig: %w", err)
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
		return fmt.Errorf("delete kind cluster %s: %w; finish with: kind delete cluster --name %s", c.name, err, c.name)
	}
	left, err := bounded(ctx, "list the nodes of kind cluster "+c.name, func() ([]nodes.Node, error) { return c.provider.ListNodes(c.name) })
	if err == nil && len(left) > 0 {
		err = fmt.Errorf("%d nodes left", len(left))
	}
	if err != nil {
		return fmt.Errorf("kind cluster %s after deletion: %w; finish with: kind delete cluster --name %s", c.name, err, c.name)
	}
	for _, p := range []string{c.kubeconfig, c.kubeconfig + ".lock"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove the kubeconfig of kind cluster %s: %w", c.name, err)
		}
	}
	if c.tmpDir != "" {
		if err := os.Remove(c.tmpDir); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", c.tmpDir, err)
		}
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
		if nameTaken(err, c.name) {
			// Someone else created it meanwhile: not ours to delete.
			c.removeKubeconfig()
			return fmt.Errorf("kind cluster %q appeared while this run was creating it: pick another name: %w", c.name, err)
		}
		c.cleanUp()
		return fmt.Errorf("create kind cluster %s: %w; deleted what was created (node image present? docker network kind up? see the log above)", c.name, err)
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
			return fmt.Errorf("creation of kind cluster %s interrupted (%w), and the clean-up failed: %w", c.name, context.Cause(ctx), err)
		}
		return fmt.Errorf("creation of kind cluster %s interrupted (%w); deleted what was created", c.name, context.Cause(ctx))
	}
}

// nameTaken reports whether err is kind's refusal to create cluster name
// because nodes of that name exist (alreadyExists in kind's internal
// pkg/cluster/internal/create). kind offers no typed or sentinel error for
// it, only the text `node(s) already exist for a cluster with the name
// "NAME"`, so this is the one place that reads an error's text. kind checks
// this before it creates anything, so none of those nodes are this run's.
func nameTaken(err error, name string) bool {
	return err != nil && strings.Contains(err.Error(), fmt.Sprintf("already exist for a cluster with the name %q", name))
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
		return fmt.Errorf("list the nodes of kind cluster %s: %w", c.name, err)
	}
	if err := c.load(ctx, kindNodes, opts.ImageArchives); err != nil {
		return err
	}
	restCfg, err := clientcmd.BuildConfigFromFlags("", c.kubeconfig)
	if err != nil {
		return fmt.Errorf("read the kubeconfig kind wrote (%s): %w", c.kubeconfig, err)
	}
	restCfg.Timeout = 15 * time.Second
	cs, err := clientset.NewForConfig(restCfg)
	if err != nil {
		return fmt.Errorf("client for kind cluster %s: %w", c.name, err)
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
