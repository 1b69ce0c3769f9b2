package kindcluster

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/kind/pkg/cluster"
)

// fakeDocker puts a docker command on PATH that answers what kind and
// checkNetwork ask before anything is created, from FAKE_* variables:
// FAKE_SUBNETS (the kind network's subnets), FAKE_NET_MISSING (no such
// network), FAKE_NODES (the node containers of any cluster asked for; a list
// of all clusters finds none). It fails every other command. It returns the
// file where each call's arguments are logged.
func fakeDocker(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	script := `#!/bin/sh
echo "$*" >>"$FAKE_DOCKER_LOG"
case "$1 $2" in
"network inspect")
  if [ -n "$FAKE_NET_MISSING" ]; then echo "Error: No such network: $3" >&2; exit 1; fi
  printf '%s\n' "$FAKE_SUBNETS"; exit 0 ;;
"info --format")
  echo '{"CgroupDriver":"systemd","CgroupVersion":"2","MemoryLimit":true,"PidsLimit":true,"CPUShares":true}'; exit 0 ;;
esac
if [ "$1" = ps ]; then
  case "$*" in
  *"label=io.x-k8s.kind.cluster="*) for n in $FAKE_NODES; do echo "$n"; done ;;
  esac
  exit 0
fi
echo "fake docker: unexpected: $*" >&2
exit 1
`
	if err := os.WriteFile(filepath.Join(dir, "docker"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	log := filepath.Join(dir, "calls.log")
	t.Setenv("FAKE_DOCKER_LOG", log)
	t.Setenv("FAKE_SUBNETS", "198.19.1.0/24 ")
	t.Setenv("FAKE_NET_MISSING", "")
	t.Setenv("FAKE_NODES", "")
	t.Setenv("KIND_EXPERIMENTAL_DOCKER_NETWORK", "")
	return log
}

// Bad options are refused before docker is asked anything.
func TestCreateRefusesBadOptions(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "kind.yaml")
	existing := filepath.Join(dir, "kubeconfig")
	for _, f := range []string{cfg, existing} {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		opts  Options
		want  string
		cause error
	}{
		{"no name", Options{ConfigFile: cfg}, "no name given", nil},
		{"unknown CNI", Options{Name: "x", ConfigFile: cfg, CNI: "flannel"}, `CNI "flannel": use ptp`, nil},
		{"missing config", Options{Name: "x", ConfigFile: filepath.Join(dir, "none.yaml")}, "none.yaml is not a readable file", os.ErrNotExist},
		{"archive is a directory", Options{Name: "x", ConfigFile: cfg, ImageArchives: []string{dir}}, "is not a readable file", nil},
		{"existing kubeconfig", Options{Name: "x", ConfigFile: cfg, KubeconfigPath: existing}, "already exists and would be deleted with the cluster", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Create(context.Background(), tc.opts, t.Logf)
			if err == nil || c != nil {
				t.Fatalf("Create = %v, %v; want an error", c, err)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line with %q", err, tc.want)
			}
			if tc.cause != nil && !errors.Is(err, tc.cause) {
				t.Errorf("error %q does not wrap %v", err, tc.cause)
			}
		})
	}
}

// nameTaken recognises the error kind itself returns when nodes of the name
// exist, and nothing else.
func TestNameTaken(t *testing.T) {
	fakeDocker(t)
	t.Setenv("FAKE_NODES", "taken-control-plane taken-worker")
	p := cluster.NewProvider(cluster.ProviderWithDocker())
	err := p.Create("taken")
	if err == nil {
		t.Fatal("kind created a cluster whose nodes exist")
	}
	t.Logf("kind: %v", err)
	if !nameTaken(err, "taken") {
		t.Errorf("nameTaken(%q, taken) = false: has kind's text changed?", err)
	}
	if nameTaken(err, "other") {
		t.Errorf("nameTaken(%q, other) = true", err)
	}
	// Any other failure of kind's Create, e.g. a docker that does not answer.
	t.Setenv("PATH", t.TempDir())
	other := cluster.NewProvider(cluster.ProviderWithDocker()).Create("taken")
	if other == nil || nameTaken(other, "taken") {
		t.Errorf("nameTaken(%v, taken) = true, want false", other)
	}
	if nameTaken(nil, "taken") {
		t.Error("nameTaken(nil) = true")
	}
}

// A cluster of the same name that appears between the check and kind's own
// is left alone: no deletion, and the run's temporary kubeconfig is gone.
func TestCreateLeavesClusterThatAppeared(t *testing.T) {
	calls := fakeDocker(t)
	t.Setenv("FAKE_NODES", "appeared-control-plane")
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	c, err := Create(context.Background(), Options{Name: "appeared", ConfigFile: "../../kind-config/kind-offline.yaml"}, t.Logf)
	if err == nil || c != nil {
		t.Fatalf("Create = %v, %v; want an error", c, err)
	}
	if !strings.Contains(err.Error(), `kind cluster "appeared" appeared while this run was creating it`) {
		t.Errorf("error %q: want the cluster that appeared", err)
	}
	log, _ := os.ReadFile(calls)
	for _, l := range strings.Split(strings.TrimSpace(string(log)), "\n") {
		if !strings.HasPrefix(l, "ps ") && !strings.HasPrefix(l, "info ") && !strings.HasPrefix(l, "network inspect ") {
			t.Errorf("docker %s: only listing was expected", l)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "podperf-kind-*")); len(left) > 0 {
		t.Errorf("temporary kubeconfig left: %v", left)
	}
}
