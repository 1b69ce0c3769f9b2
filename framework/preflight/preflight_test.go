package preflight

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// partial is a source that answers three checks in three ways. A fake: Run's
// handling of a source that lacks a check, skips one or cannot read one is
// what no real target shows all at once (the targets' own answers are
// tested in framework/endpoints/netns and kube).
type partial struct{ slow bool }

func (partial) Target() string { return "test" }

func (partial) Nodes(context.Context) (NodeFacts, error) {
	return NodeFacts{Usable: 1, Detail: "the cluster has 1"}, nil
}

func (partial) Zones(context.Context) (ZoneFacts, error) {
	return ZoneFacts{}, &SkipError{Reason: "one machine"}
}

func (p partial) CNI(ctx context.Context) (CNIFacts, error) {
	if p.slow {
		<-ctx.Done()
		return CNIFacts{}, ctx.Err()
	}
	return CNIFacts{}, errors.New("list daemonsets:\nforbidden")
}

func (partial) CPU(_ context.Context, want int) (CPUFacts, error) {
	return CPUFacts{Want: want, GrantedMilli: int64(want) * 1000}, nil
}

func TestRun(t *testing.T) {
	got := Run(context.Background(), partial{}, Options{CPUs: 32})
	var names []string
	for _, c := range got {
		names = append(names, c.Name)
	}
	if !slices.Equal(names, Names) {
		t.Fatalf("checks %q, want %q", names, Names)
	}
	byName := map[string]Check{}
	for _, c := range got {
		byName[c.Name] = c
	}
	for name, want := range map[string]Check{
		Nodes:    {Name: Nodes, Status: Fail, Observed: "1 usable: the cluster has 1", Skews: nodesSkews, Action: nodesAction},
		CPU:      {Name: CPU, Status: OK, Observed: "32 CPUs requested per pod, 32 granted"},
		Zones:    {Name: Zones, Status: Skip, Observed: "one machine"},
		CNI:      {Name: CNI, Status: Skip, Observed: "could not check: list daemonsets: forbidden"},
		Governor: {Name: Governor, Status: Skip, Observed: "not observable on the test target"},
	} {
		if byName[name] != want {
			t.Errorf("%s: got %+v, want %+v", name, byName[name], want)
		}
	}
	if f := Failed(got); !slices.Equal(f, []string{Nodes}) {
		t.Errorf("Failed = %q", f)
	}
	if s := byName[Nodes].String(); s != "preflight nodes: fail: 1 usable: the cluster has 1; skews: "+nodesSkews+"; do: "+nodesAction {
		t.Errorf("String = %q", s)
	}
	if s := byName[CPU].String(); s != "preflight cpu: ok: 32 CPUs requested per pod, 32 granted" {
		t.Errorf("String = %q", s)
	}
}

// A check that hangs is cut off at the timeout and the others are made.
func TestRunTimeout(t *testing.T) {
	start := time.Now()
	got := Run(context.Background(), partial{slow: true}, Options{CPUs: 1, Timeout: 50 * time.Millisecond})
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Run took %s", d)
	}
	if c := got[slices.IndexFunc(got, func(c Check) bool { return c.Name == CNI })]; c.Status != Skip || !strings.Contains(c.Observed, "deadline exceeded") {
		t.Errorf("cni = %+v", c)
	}
	if len(got) != len(Names) {
		t.Errorf("%d checks", len(got))
	}
}

func TestRunWithoutCPUs(t *testing.T) {
	got := Run(context.Background(), partial{}, Options{})
	if c := got[1]; c.Name != CPU || c.Status != Skip {
		t.Errorf("cpu = %+v", c)
	}
}

func TestReplace(t *testing.T) {
	checks := []Check{{Name: Nodes, Status: OK}, {Name: MTU, Status: Skip}}
	got := Replace(checks, Check{Name: MTU, Status: Warn})
	if got[1].Status != Warn || checks[1].Status != Skip || len(got) != 2 {
		t.Errorf("Replace = %+v (input now %+v)", got, checks)
	}
	if got := Replace(checks, Check{Name: Zones, Status: OK}); len(got) != 3 || got[2].Name != Zones {
		t.Errorf("Replace of an absent check = %+v", got)
	}
}
