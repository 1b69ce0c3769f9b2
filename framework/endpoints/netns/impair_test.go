package netns

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"podperf/framework/endpoints"
)

// TestImpair builds the real miniature (root and netperf needed; skipped
// otherwise) and switches an impairment on and off again.
func TestImpair(t *testing.T) {
	tgt := testTarget(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	defer func() {
		if err := tgt.Teardown(ctx); err != nil {
			t.Error(err)
		}
	}()
	if err := tgt.Impair(ctx, nil); !errors.Is(err, errNotBuilt) {
		t.Fatalf("Impair before Setup = %v", err)
	}
	if _, err := tgt.Setup(ctx, endpoints.Request{Path: endpoints.PodPath, ControlPort: 12765, DataPortBase: 12766, DataPorts: 1}); err != nil {
		t.Fatal(err)
	}
	qdisc := func() string {
		out, err := execOut(ctx, "tc", "-n", podA.ns, "qdisc", "show", "dev", podA.iface, "root")
		if err != nil {
			t.Fatalf("tc qdisc show: %s", out)
		}
		return out
	}
	if err := tgt.Impair(ctx, []Shape{{Where: "pod", Rate: "900mbit"}}); err != nil {
		t.Fatal(err)
	}
	if q := qdisc(); !strings.Contains(q, "tbf") || !strings.Contains(q, "900Mbit") {
		t.Errorf("after a rate cut the pod's root qdisc is %q", q)
	}
	if err := tgt.Impair(ctx, []Shape{{Where: "pod", Filters: 300}}); err != nil {
		t.Fatal(err)
	}
	if q := qdisc(); strings.Contains(q, "tbf") {
		t.Errorf("after replacing the cut with filters the pod's root qdisc is %q", q)
	}
	filters := func() int {
		out, err := execOut(ctx, "tc", "-n", podA.ns, "filter", "show", "dev", podA.iface, "egress")
		if err != nil {
			t.Fatalf("tc filter show: %s", out)
		}
		return strings.Count(out, "match ")
	}
	if n := filters(); n != 300 {
		t.Errorf("%d filters on the pod's egress, want 300", n)
	}
	if err := tgt.Impair(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if q := qdisc(); strings.Contains(q, "tbf") {
		t.Errorf("after removing the impairments the pod's root qdisc is %q", q)
	}
	if n := filters(); n != 0 {
		t.Errorf("%d filters left on the pod's egress", n)
	}
}
