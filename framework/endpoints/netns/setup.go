package netns

import (
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"syscall"

	"podperf/framework/endpoints"
)

// pair is a client and a server namespace of one path, with netserver
// running in the server's.
type pair struct {
	client, server         host
	clientCPUs, serverCPUs string
	info                   endpoints.PairInfo

	srv     *exec.Cmd
	srvOut  *strings.Builder
	srvErr  error         // netserver's exit, set before srvDone closes
	srvDone chan struct{} // closed when netserver has exited
	anchor  *exec.Cmd     // parked in the client namespace; its /proc/<pid>/net/dev is the client's
	// undo removes what an extended path added to the miniature (paths.go).
	undo func(context.Context) error
}

func (p *pair) ServerAddress() string    { return p.server.addr }
func (p *pair) Info() endpoints.PairInfo { return p.info }

// Setup builds the miniature on first use and returns a pair on req.Path with
// netserver running on the server side.
func (t *Target) Setup(ctx context.Context, req endpoints.Request) (endpoints.Pair, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.up {
		t.up = true // Teardown must run even if build fails halfway
		if err := t.build(ctx); err != nil {
			return nil, fmt.Errorf("local target: %w", err)
		}
	}
	var info endpoints.PairInfo
	var undo func(context.Context) error
	client, server := nodeA, nodeB
	switch {
	case req.NodePair != 0 && req.Path != endpoints.PodPath && req.Path != endpoints.NodePath:
		return nil, fmt.Errorf("local target: node pair %d: node pairs measure the %s and %s paths, not %q", req.NodePair+1, endpoints.PodPath, endpoints.NodePath, req.Path)
	case req.NodePair != 0:
		var err error
		if client, server, undo, err = t.ringPair(ctx, req.NodePair, req.Path == endpoints.PodPath); err != nil {
			return nil, err
		}
	case req.Path == endpoints.PodPath:
		client, server = podA, podB
	case req.Path == endpoints.NodePath:
	default:
		var err error
		if client, server, undo, err = t.extended(ctx, req, &info); err != nil {
			return nil, err
		}
	}
	info.Path, info.ClientNode, info.ServerNode = req.Path, client.node, server.node
	info.ClientAddress, info.ServerAddress, info.ClientIface = client.addr, server.addr, client.iface
	info.MTU, info.CPUsRequested = mtu, req.CPUs
	p := &pair{client: client, server: server, info: info, undo: undo}
	p.clientCPUs, p.serverCPUs = cpuSets(req.CPUs, runtime.NumCPU(), &p.info)
	if err := p.startServer(ctx, req.ControlPort); err != nil {
		p.Close(ctx) // a netserver that started but never listened
		return nil, err
	}
	p.anchor = exec.Command("nsenter", "--net=/run/netns/"+client.ns, "sleep", "infinity")
	p.anchor.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.anchor.Start(); err != nil {
		p.anchor = nil
		p.Close(ctx)
		return nil, fmt.Errorf("start a process in %s: %w", client.ns, err)
	}
	t.pairs = append(t.pairs, p)
	return p, nil
}
