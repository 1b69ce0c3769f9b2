package kindcluster

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The ptp CNI must stay what scripts/kind-offline/41-cni.sh writes, so a
// cluster from either path behaves the same.
func TestConflistMatchesScript(t *testing.T) {
	b, err := os.ReadFile("../../scripts/kind-offline/41-cni.sh")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	start := strings.Index(s, "cat <<JSON\n")
	end := strings.Index(s, "\nJSON\n")
	if start < 0 || end < start {
		t.Fatal("41-cni.sh: no conflist here-document (cat <<JSON ... JSON)")
	}
	// The script writes the here-document with <<<, which adds the final newline.
	want := strings.ReplaceAll(s[start+len("cat <<JSON\n"):end], "$1", "198.18.1.0/24") + "\n"
	if got := conflist("198.18.1.0/24"); got != want {
		t.Errorf("conflist differs from 41-cni.sh:\n%s\nwant:\n%s", got, want)
	}
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
		name string
		opts Options
		want string
	}{
		{"no name", Options{ConfigFile: cfg}, "no name given"},
		{"unknown CNI", Options{Name: "x", ConfigFile: cfg, CNI: "flannel"}, `CNI "flannel": use ptp`},
		{"missing config", Options{Name: "x", ConfigFile: filepath.Join(dir, "none.yaml")}, "none.yaml is not a readable file"},
		{"archive is a directory", Options{Name: "x", ConfigFile: cfg, ImageArchives: []string{dir}}, "is not a readable file"},
		{"existing kubeconfig", Options{Name: "x", ConfigFile: cfg, KubeconfigPath: existing}, "already exists and would be deleted with the cluster"},
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
		})
	}
}
