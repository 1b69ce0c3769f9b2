package netns

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"podperf/framework/endpoints"
)

// Environment reads the machine's facts.
func (t *Target) Environment(ctx context.Context) endpoints.Environment {
	env := endpoints.Environment{Target: "local", CPUs: runtime.NumCPU(), CNI: "none (network namespaces, kernel routing over veth)",
		Details: map[string]string{"mtu": fmt.Sprint(mtu), "nodeAddresses": nodeA.addr + "," + nodeB.addr, "podAddresses": podA.addr + "," + podB.addr}}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		env.Kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				env.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if out, err := exec.CommandContext(ctx, "netperf", "-V").CombinedOutput(); err == nil {
		env.Netperf = strings.TrimSpace(string(out))
	}
	return env
}
