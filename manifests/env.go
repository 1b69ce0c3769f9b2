package manifests

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
)

// envFile is the file in FS that Constants reads; the scripts source
// manifests/podperf.env, the same file.
const envFile = "podperf.env"

// Env holds the values of podperf.env.
type Env struct {
	// NetperfImage is the netperf test image the pods run (NETPERF_IMAGE).
	NetperfImage string
	// K8sVersion is the Kubernetes version of the offline node image (K8S_VERSION).
	K8sVersion string
	// NodeImage is the kind node image the offline scripts build (NODE_IMAGE).
	NodeImage string
	// CiliumVersion is the Cilium release the offline scripts build (CILIUM_VERSION).
	CiliumVersion string
	// CiliumImage is the offline Cilium agent image (CILIUM_IMAGE).
	CiliumImage string
	// CiliumOperatorImage is the offline Cilium operator image (CILIUM_OPERATOR_IMAGE).
	CiliumOperatorImage string
	// AllowedNet holds every address the project creates (ALLOWED_NET).
	AllowedNet netip.Prefix
	// KindNetSubnet is the subnet of the docker network "kind" (KIND_NET_SUBNET).
	KindNetSubnet netip.Prefix
	// KindNetGateway is the gateway of the docker network "kind" (KIND_NET_GATEWAY).
	KindNetGateway netip.Addr
}

var constants = mustParseEnv()

// Constants returns the values of podperf.env.
func Constants() Env { return constants }

func mustParseEnv() Env {
	b, err := FS.ReadFile(envFile)
	if err != nil {
		panic(err)
	}
	env, err := parseEnv(string(b))
	if err != nil {
		// The file is embedded at build time: the package's tests catch this.
		panic(fmt.Sprintf("manifests/%s: %v", envFile, err))
	}
	return env
}

var (
	envLine  = regexp.MustCompile(`^([A-Z][A-Z0-9_]*)=(\S*)$`)
	envValue = regexp.MustCompile(`^(?:[A-Za-z0-9._:/@+-]|\$\{[A-Z][A-Z0-9_]*\})*$`)
	envRef   = regexp.MustCompile(`\$\{([A-Z][A-Z0-9_]*)\}`)
)

// readEnv reads the KEY=VALUE lines of text, expanding ${KEY} references to
// keys above, as the shell does when it sources the file. Anything the shell
// might read differently (quotes, spaces, other expansions) is refused.
func readEnv(text string) (map[string]string, error) {
	vals := map[string]string{}
	for i, line := range strings.Split(text, "\n") {
		if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		m := envLine.FindStringSubmatch(line)
		if m == nil || !envValue.MatchString(m[2]) {
			return nil, fmt.Errorf("line %d: %q is not KEY=VALUE with a plain value", i+1, line)
		}
		key, val := m[1], m[2]
		if _, dup := vals[key]; dup {
			return nil, fmt.Errorf("line %d: %s set twice", i+1, key)
		}
		var undefined []string
		val = envRef.ReplaceAllStringFunc(val, func(ref string) string {
			name := envRef.FindStringSubmatch(ref)[1]
			v, ok := vals[name]
			if !ok {
				undefined = append(undefined, name)
			}
			return v
		})
		if len(undefined) > 0 {
			return nil, fmt.Errorf("line %d: %s refers to %s, not set above", i+1, key, strings.Join(undefined, ", "))
		}
		vals[key] = val
	}
	return vals, nil
}

// parseEnv reads text into an Env. Every key of Env must be set, and no other.
func parseEnv(text string) (Env, error) {
	vals, err := readEnv(text)
	if err != nil {
		return Env{}, err
	}
	var env Env
	var errs []string
	str := func(key string, dst *string) {
		if *dst = vals[key]; *dst == "" {
			errs = append(errs, key+" is not set")
		}
		delete(vals, key)
	}
	prefix := func(key string, dst *netip.Prefix) {
		var s string
		str(key, &s)
		if s == "" {
			return
		}
		p, err := netip.ParsePrefix(s)
		if err != nil || p != p.Masked() {
			errs = append(errs, fmt.Sprintf("%s=%s is not a network prefix", key, s))
		}
		*dst = p
	}
	str("NETPERF_IMAGE", &env.NetperfImage)
	str("K8S_VERSION", &env.K8sVersion)
	str("NODE_IMAGE", &env.NodeImage)
	str("CILIUM_VERSION", &env.CiliumVersion)
	str("CILIUM_IMAGE", &env.CiliumImage)
	str("CILIUM_OPERATOR_IMAGE", &env.CiliumOperatorImage)
	prefix("ALLOWED_NET", &env.AllowedNet)
	prefix("KIND_NET_SUBNET", &env.KindNetSubnet)
	var gw string
	str("KIND_NET_GATEWAY", &gw)
	if gw != "" {
		a, err := netip.ParseAddr(gw)
		if err != nil {
			errs = append(errs, fmt.Sprintf("KIND_NET_GATEWAY=%s is not an address", gw))
		}
		env.KindNetGateway = a
	}
	for k := range vals {
		errs = append(errs, k+" is not known to package manifests")
	}
	if len(errs) == 0 {
		errs = env.check()
	}
	if len(errs) > 0 {
		return Env{}, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return env, nil
}

// check reports the addresses that break the address rule.
func (e Env) check() []string {
	var errs []string
	if !within(e.KindNetSubnet, e.AllowedNet) {
		errs = append(errs, fmt.Sprintf("KIND_NET_SUBNET %s is outside ALLOWED_NET %s", e.KindNetSubnet, e.AllowedNet))
	}
	if !e.KindNetSubnet.Contains(e.KindNetGateway) {
		errs = append(errs, fmt.Sprintf("KIND_NET_GATEWAY %s is outside KIND_NET_SUBNET %s", e.KindNetGateway, e.KindNetSubnet))
	}
	return errs
}

// within reports whether p lies inside outer.
func within(p, outer netip.Prefix) bool {
	return p.Bits() >= outer.Bits() && outer.Contains(p.Addr())
}
