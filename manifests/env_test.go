package manifests

import (
	"net/netip"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

// Every field of Env comes from podperf.env and holds a value.
func TestConstants(t *testing.T) {
	env := Constants()
	v := reflect.ValueOf(env)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Errorf("Constants().%s is not set", v.Type().Field(i).Name)
		}
	}
	if !strings.HasSuffix(env.NodeImage, ":"+env.K8sVersion) {
		t.Errorf("NodeImage %s is not tagged with K8sVersion %s", env.NodeImage, env.K8sVersion)
	}
	for name, img := range map[string]string{"CiliumImage": env.CiliumImage, "CiliumOperatorImage": env.CiliumOperatorImage} {
		if !strings.HasSuffix(img, ":"+env.CiliumVersion) {
			t.Errorf("%s %s is not tagged with CiliumVersion %s", name, img, env.CiliumVersion)
		}
	}
	if env.AllowedNet.String() != "198.18.0.0/15" {
		t.Errorf("AllowedNet = %s; the project's address rule is 198.18.0.0/15", env.AllowedNet)
	}
}

// The scripts source podperf.env with bash: it must read what Go reads.
func TestEnvMatchesShell(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found")
	}
	b, err := FS.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := readEnv(string(b))
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"-c", `set -eu; . "$1"; shift; for k; do printf '%s=%s\n' "$k" "${!k}"; done`, "bash", envFile}
	var want strings.Builder
	for k, v := range vals {
		args = append(args, k)
		want.WriteString(k + "=" + v + "\n")
	}
	cmd := exec.Command(bash, args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash sourcing %s: %v\n%s", envFile, err, out)
	}
	if string(out) != want.String() {
		t.Errorf("bash reads:\n%s\nGo reads:\n%s", out, want.String())
	}
}

func TestParseEnvRefuses(t *testing.T) {
	const good = "NETPERF_IMAGE=a/b:v1\nK8S_VERSION=v1.2.3\nNODE_IMAGE=n:${K8S_VERSION}\n" +
		"CILIUM_VERSION=v1.2.3\nCILIUM_IMAGE=c:${CILIUM_VERSION}\nCILIUM_OPERATOR_IMAGE=o:${CILIUM_VERSION}\nALLOWED_NET=198.18.0.0/15\n" +
		"KIND_NET_SUBNET=198.19.1.0/24\nKIND_NET_GATEWAY=198.19.1.1\n" +
		"ALLOWED_NET6=2001:2::/48\nKIND_NET_SUBNET6=2001:2:0:1::/64\nKIND_NET_GATEWAY6=2001:2:0:1::1\n"
	env, err := parseEnv("# comment\n\n" + good)
	if err != nil {
		t.Fatalf("parseEnv: %v", err)
	}
	if env.NodeImage != "n:v1.2.3" {
		t.Errorf("NodeImage = %q, want n:v1.2.3", env.NodeImage)
	}
	if env.CiliumOperatorImage != "o:v1.2.3" {
		t.Errorf("CiliumOperatorImage = %q, want o:v1.2.3", env.CiliumOperatorImage)
	}
	tests := []struct{ name, text, want string }{
		{"quotes", strings.Replace(good, "a/b:v1", `"a/b:v1"`, 1), "not KEY=VALUE"},
		{"space", strings.Replace(good, "NETPERF_IMAGE=", "NETPERF_IMAGE= ", 1), "not KEY=VALUE"},
		{"inline comment", strings.Replace(good, "a/b:v1", "a/b:v1 # x", 1), "not KEY=VALUE"},
		{"bare expansion", strings.Replace(good, "a/b:v1", "$HOME", 1), "not KEY=VALUE"},
		{"undefined reference", strings.Replace(good, "n:${K8S_VERSION}", "n:${NOPE}", 1), "refers to NOPE"},
		{"reference below", "X=${Y}\nY=1\n", "refers to Y"},
		{"twice", good + "K8S_VERSION=v1\n", "K8S_VERSION set twice"},
		{"unknown key", good + "EXTRA=1\n", "EXTRA is not known"},
		{"missing key", strings.Replace(good, "KIND_NET_GATEWAY=198.19.1.1\n", "", 1), "KIND_NET_GATEWAY is not set"},
		{"missing cilium key", strings.Replace(good, "CILIUM_IMAGE=c:${CILIUM_VERSION}\n", "", 1), "CILIUM_IMAGE is not set"},
		{"empty value", strings.Replace(good, "NETPERF_IMAGE=a/b:v1", "NETPERF_IMAGE=", 1), "NETPERF_IMAGE is not set"},
		{"bad prefix", strings.Replace(good, "198.19.1.0/24", "198.19.1.1/24", 1), "not a network prefix"},
		{"outside", strings.Replace(good, "KIND_NET_SUBNET=198.19.1.0/24\nKIND_NET_GATEWAY=198.19.1.1",
			"KIND_NET_SUBNET=172.18.0.0/16\nKIND_NET_GATEWAY=172.18.0.1", 1), "outside ALLOWED_NET"},
		{"gateway outside", strings.Replace(good, "198.19.1.1", "198.19.2.1", 1), "outside KIND_NET_SUBNET"},
		{"IPv6 subnet outside", strings.Replace(good, "KIND_NET_SUBNET6=2001:2:0:1::/64", "KIND_NET_SUBNET6=fd00::/64", 1), "outside ALLOWED_NET6"},
		{"IPv6 gateway outside", strings.Replace(good, "KIND_NET_GATEWAY6=2001:2:0:1::1", "KIND_NET_GATEWAY6=2001:2:0:2::1", 1), "outside KIND_NET_SUBNET6"},
		{"IPv4 range as IPv6", strings.Replace(good, "ALLOWED_NET6=2001:2::/48", "ALLOWED_NET6=198.18.0.0/15", 1), "ALLOWED_NET6"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseEnv(tc.text)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parseEnv = %v; want an error with %q", err, tc.want)
			}
		})
	}
}

// Allows takes each family's own range, and only prefixes wholly inside it.
func TestAllows(t *testing.T) {
	env := Constants()
	for s, want := range map[string]bool{
		"198.19.1.0/24": true, "198.18.0.0/15": true, "198.16.0.0/14": false, "172.18.0.0/16": false,
		"2001:2:0:1::/64": true, "2001:2::/48": true, "2001:2::/47": false, "fd00::/64": false,
	} {
		if got := env.Allows(netip.MustParsePrefix(s)); got != want {
			t.Errorf("Allows(%s) = %v, want %v", s, got, want)
		}
	}
}
