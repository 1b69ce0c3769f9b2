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
	// AllowedNet6 holds every IPv6 address the project creates (ALLOWED_NET6).
	AllowedNet6 netip.Prefix
	// KindNetSubnet6 and KindNetGateway6 are the IPv6 subnet and gateway of
	// the docker network "kind" of a dual-stack cluster (KIND_NET_SUBNET6,
	// KIND_NET_GATEWAY6).
	KindNetSubnet6  netip.Prefix
	KindNetGateway6 netip.Addr
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
	// parse reads key with fn, which stores the value; an error says the value is not what.
	parse := func(key, what string, fn func(string) error) {
		var s string
		if str(key, &s); s != "" && fn(s) != nil {
			errs = append(errs, fmt.Sprintf("%s=%s is not %s", key, s, what))
		}
	}
	prefix := func(key string, dst *netip.Prefix) {
		parse(key, "a network prefix", func(s string) (err error) {
			if *dst, err = netip.ParsePrefix(s); err == nil && *dst != dst.Masked() {
				err = fmt.Errorf("host bits set")
			}
			return err
		})
	}
	addr := func(key string, dst *netip.Addr) {
		parse(key, "an address", func(s string) (err error) {
			*dst, err = netip.ParseAddr(s)
			return err
		})
	}
	str("NETPERF_IMAGE", &env.NetperfImage)
	str("K8S_VERSION", &env.K8sVersion)
	str("NODE_IMAGE", &env.NodeImage)
	str("CILIUM_VERSION", &env.CiliumVersion)
	str("CILIUM_IMAGE", &env.CiliumImage)
	str("CILIUM_OPERATOR_IMAGE", &env.CiliumOperatorImage)
	prefix("ALLOWED_NET", &env.AllowedNet)
	prefix("KIND_NET_SUBNET", &env.KindNetSubnet)
	addr("KIND_NET_GATEWAY", &env.KindNetGateway)
	prefix("ALLOWED_NET6", &env.AllowedNet6)
	prefix("KIND_NET_SUBNET6", &env.KindNetSubnet6)
	addr("KIND_NET_GATEWAY6", &env.KindNetGateway6)
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
	if !e.AllowedNet.Addr().Is4() || !e.AllowedNet6.Addr().Is6() {
		errs = append(errs, fmt.Sprintf("ALLOWED_NET %s must be IPv4 and ALLOWED_NET6 %s IPv6", e.AllowedNet, e.AllowedNet6))
	}
	if !within(e.KindNetSubnet6, e.AllowedNet6) {
		errs = append(errs, fmt.Sprintf("KIND_NET_SUBNET6 %s is outside ALLOWED_NET6 %s", e.KindNetSubnet6, e.AllowedNet6))
	}
	if !e.KindNetSubnet6.Contains(e.KindNetGateway6) {
		errs = append(errs, fmt.Sprintf("KIND_NET_GATEWAY6 %s is outside KIND_NET_SUBNET6 %s", e.KindNetGateway6, e.KindNetSubnet6))
	}
	return errs
}

// Allows reports whether the prefix p lies inside the project's range of
// its family: ALLOWED_NET for IPv4, ALLOWED_NET6 for IPv6.
func (e Env) Allows(p netip.Prefix) bool {
	if p.Addr().Is4() {
		return within(p, e.AllowedNet)
	}
	return p.Addr().Is6() && within(p, e.AllowedNet6)
}

// within reports whether p lies inside outer.
func within(p, outer netip.Prefix) bool {
	return p.Bits() >= outer.Bits() && outer.Contains(p.Addr())
}
