package kube

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// readInterface finds the client's interface (the one holding its address),
// and its MTU.
func (p *pair) readInterface(ctx context.Context) {
	out, err := p.exec(ctx, "ip", "-o", "-4", "addr", "show")
	if err != nil {
		p.info.Notes = append(p.info.Notes, fmt.Sprintf("could not list the client's interfaces: %v", err))
		return
	}
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) >= 4 && strings.HasPrefix(f[3], p.info.ClientAddress+"/") {
			p.info.ClientIface = strings.TrimSuffix(f[1], ":")
		}
	}
	if p.info.ClientIface == "" {
		return
	}
	if mtu, err := p.exec(ctx, "cat", "/sys/class/net/"+p.info.ClientIface+"/mtu"); err == nil {
		p.info.MTU, _ = strconv.Atoi(mtu)
	}
}

func (p *pair) ClientTxBytes(ctx context.Context) (uint64, error) {
	if p.info.ClientIface == "" {
		return 0, errors.New("the client's interface is unknown")
	}
	out, err := p.exec(ctx, "cat", "/sys/class/net/"+p.info.ClientIface+"/statistics/tx_bytes")
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(out, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("transmit counter of %s in %s/%s: %w", p.info.ClientIface, p.ns, p.clientName, err)
	}
	return n, nil
}
