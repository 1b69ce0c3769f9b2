package kindcluster

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"

	"podperf/manifests"
)

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
		st, err := os.Stat(f)
		if err != nil {
			return fmt.Errorf("kind cluster %s: %s is not a readable file: %w", opts.Name, f, err)
		}
		if st.IsDir() {
			return fmt.Errorf("kind cluster %s: %s is not a readable file: a directory", opts.Name, f)
		}
	}
	if opts.KubeconfigPath != "" {
		if _, err := os.Stat(opts.KubeconfigPath); err == nil {
			return fmt.Errorf("kubeconfig %s already exists and would be deleted with the cluster: name a new file", opts.KubeconfigPath)
		}
	}
	return nil
}

// checkNetwork makes sure kind will put the nodes on a network inside the
// project's address range (ALLOWED_NET in manifests/podperf.env). kind reuses
// an existing network; without one it would create its own with addresses of
// its choosing (an IPv6 ULA among them).
func checkNetwork(ctx context.Context) error {
	env := manifests.Constants()
	allowed := env.AllowedNet
	name := "kind"
	if n := os.Getenv("KIND_EXPERIMENTAL_DOCKER_NETWORK"); n != "" {
		name = n
	}
	fix := fmt.Sprintf("docker network create -d bridge --subnet %s --gateway %s %s (as scripts/kind-offline/40-cluster.sh does)",
		env.KindNetSubnet, env.KindNetGateway, name)
	out, err := exec.CommandContext(ctx, "docker", "network", "inspect", name, "-f", "{{range .IPAM.Config}}{{.Subnet}} {{end}}").Output()
	if err != nil {
		return fmt.Errorf("docker network %s not found (%w; kind would create one outside %s): create it with: %s", name, err, allowed, fix)
	}
	subnets := strings.Fields(string(out))
	for _, s := range subnets {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return fmt.Errorf("docker network %s: subnet %q: %w: delete its clusters, docker network rm %s, then: %s", name, s, err, name, fix)
		}
		if !env.Allows(p) {
			return fmt.Errorf("docker network %s has subnet %s, outside %s and %s: delete its clusters, docker network rm %s, then: %s", name, s, allowed, env.AllowedNet6, name, fix)
		}
	}
	if len(subnets) == 0 {
		return fmt.Errorf("docker network %s has no subnet: delete its clusters, docker network rm %s, then: %s", name, name, fix)
	}
	return nil
}
