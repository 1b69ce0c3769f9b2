package netperf_test

// Run is exercised end to end by the e2e suite on a real target. These tests
// use a fake endpoints.Pair only for what no real setup can show reliably: which
// data port each of N concurrent processes was given, and how a failure of one
// particular process k among N is reported (a real pair cannot be made to fail
// exactly one chosen process).

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"podperf/framework/endpoints"
	"podperf/framework/netperf"
)

type fakePair struct {
	serve func(port int) (endpoints.Output, error)

	mu    sync.Mutex
	ports []int
	hosts []string
}

func (f *fakePair) ServerAddress() string    { return "198.18.241.10" }
func (f *fakePair) Info() endpoints.PairInfo { return endpoints.PairInfo{Path: endpoints.PodPath} }
func (f *fakePair) Close(context.Context) error {
	return nil
}
func (f *fakePair) ClientTxBytes(context.Context) (uint64, error) {
	return 0, errors.New("no counters in the fake")
}

func (f *fakePair) Run(_ context.Context, argv []string) (endpoints.Output, error) {
	i := slices.Index(argv, "-P")
	if i < 0 || i+1 >= len(argv) {
		return endpoints.Output{}, fmt.Errorf("argv without -P: %q", argv)
	}
	local, remote, _ := strings.Cut(argv[i+1], ",")
	port, err := strconv.Atoi(local)
	if err != nil || local != remote {
		return endpoints.Output{}, fmt.Errorf("bad -P %q", argv[i+1])
	}
	f.mu.Lock()
	f.ports = append(f.ports, port)
	f.hosts = append(f.hosts, argv[slices.Index(argv, "-H")+1])
	f.mu.Unlock()
	return f.serve(port)
}

var multiSpec = netperf.Spec{Test: netperf.TCPStream, Duration: 3 * time.Second, ControlPort: 12865, Interim: time.Second}

// servesCaptures answers the process on port base+i with multi_stream_i.out.
func servesCaptures(t *testing.T, base int) func(int) (endpoints.Output, error) {
	outs := make([]string, 3)
	for i := range outs {
		outs[i] = readOut(t, fmt.Sprintf("multi_stream_%d.out", i))
	}
	return func(port int) (endpoints.Output, error) {
		now := time.Now()
		return endpoints.Output{Stdout: outs[port-base], Started: now, Ended: now}, nil
	}
}

func TestRunDistinctDataPorts(t *testing.T) {
	const base = 20000
	f := &fakePair{serve: servesCaptures(t, base)}
	g, err := netperf.Run(context.Background(), f, multiSpec, 3, base)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(f.ports)
	if !slices.Equal(f.ports, []int{base, base + 1, base + 2}) {
		t.Errorf("data ports = %v, want each of %d..%d once", f.ports, base, base+2)
	}
	for _, h := range f.hosts {
		if h != "198.18.241.10" {
			t.Errorf("a process dialled %q, not the pair's server address", h)
		}
	}
	// The i-th result belongs to the process on port base+i.
	for i, p := range g.Processes {
		if want := parseOut(t, fmt.Sprintf("multi_stream_%d.out", i)); p.Throughput != want.Throughput {
			t.Errorf("process %d has throughput %v, want %v", i, p.Throughput, want.Throughput)
		}
	}
	if g.ClientTxRate != 0 {
		t.Errorf("ClientTxRate = %v without counters", g.ClientTxRate)
	}
}

func TestRunReportsFailingProcess(t *testing.T) {
	const base = 30000
	killed := readOut(t, "err_netserver_killed.out")
	good := servesCaptures(t, base)
	tests := []struct {
		name     string
		failing  int // 0-based process index
		serve    func(port int) (endpoints.Output, error)
		kind     netperf.ErrorKind // "" when the pair itself failed
		contains string
	}{
		{"netperf error in process 2", 1, func(int) (endpoints.Output, error) { return endpoints.Output{Stdout: killed, ExitCode: 1}, nil },
			netperf.ErrDataConn, "netperf process 2 of 3 (data port 30001): the data connection broke"},
		{"pair could not run process 3", 2, func(int) (endpoints.Output, error) { return endpoints.Output{}, errors.New("exec failed") },
			"", "netperf process 3 of 3 (data port 30002): exec failed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakePair{serve: func(port int) (endpoints.Output, error) {
				if port == base+tc.failing {
					return tc.serve(port)
				}
				return good(port)
			}}
			_, err := netperf.Run(context.Background(), f, multiSpec, 3, base)
			if err == nil || !strings.Contains(err.Error(), tc.contains) {
				t.Fatalf("Run = %v, want an error containing %q", err, tc.contains)
			}
			var ne *netperf.Error
			if tc.kind != "" && (!errors.As(err, &ne) || ne.Kind != tc.kind) {
				t.Errorf("error %v does not unwrap to a *netperf.Error of kind %q", err, tc.kind)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

// Run knows the test it ran; Parse cannot (see TestParseDoesNotGuessTest).
// The processes in results.json carry a "test" field that should name it.
func TestRunSetsProcessTest(t *testing.T) {
	const base = 20000
	g, err := netperf.Run(context.Background(), &fakePair{serve: servesCaptures(t, base)}, multiSpec, 3, base)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range g.Processes {
		if p.Test != multiSpec.Test {
			t.Fatalf("Run never sets Result.Test (process %d has %q, want %q), so every process in results.json has \"test\": \"\"", i+1, p.Test, multiSpec.Test)
		}
	}
}
