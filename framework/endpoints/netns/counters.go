package netns

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// ClientTxBytes reads the client interface's counter from /proc/<pid>/net/dev
// of a process parked in the client namespace: a file read, cheap enough to
// sample several times a second while 32 netperfs load the machine.
func (p *pair) ClientTxBytes(context.Context) (uint64, error) {
	if p.anchor == nil {
		return 0, fmt.Errorf("no process in %s to read its counters through", p.client.ns)
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/dev", p.anchor.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("read counters of %s: %w", p.client.ns, err)
	}
	return txBytes(string(b), p.client.iface)
}

// txBytes finds the transmit byte count of iface in /proc/net/dev text.
func txBytes(netdev, iface string) (uint64, error) {
	for _, l := range strings.Split(netdev, "\n") {
		name, rest, ok := strings.Cut(l, ":")
		if !ok || strings.TrimSpace(name) != iface {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 9 {
			break
		}
		var n uint64
		if _, err := fmt.Sscan(f[8], &n); err != nil {
			return 0, fmt.Errorf("transmit counter of %s in /proc/net/dev: %w", iface, err)
		}
		return n, nil
	}
	return 0, fmt.Errorf("no transmit counter for %s in /proc/net/dev", iface)
}
