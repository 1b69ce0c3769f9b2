package results

import (
	"slices"
	"strings"
	"testing"

	"podperf/framework/endpoints"
	"podperf/framework/stats"
)

func pairWith(i int, client, server string, ratio float64) NodePair {
	return NodePair{Index: i, ClientNode: client, ServerNode: server,
		Ratios: map[Metric]stats.Summary{Rate: {N: 3, Median: ratio}}}
}

func TestNodePairsFlag(t *testing.T) {
	t.Run("disjoint pairs: both nodes of the outlier are suspects", func(t *testing.T) {
		n := &NodePairs{Metric: Rate, Pairs: []NodePair{
			pairWith(1, "w1", "w2", 0.86), pairWith(2, "w3", "w4", 0.84), pairWith(3, "w5", "w6", 0.52),
			pairWith(4, "w7", "w8", 0.85), pairWith(5, "w9", "w10", 0.87),
		}}
		warnings, err := n.Flag(0)
		if err != nil {
			t.Fatal(err)
		}
		if !n.Pairs[2].Outlier || n.Pairs[0].Outlier || n.Pairs[2].RobustZ < 20 {
			t.Errorf("pairs %+v: want pair 3 alone flagged with a large z", n.Pairs)
		}
		if !slices.Equal(n.Suspects, []string{"w5", "w6"}) {
			t.Errorf("suspects %v, want w5, w6", n.Suspects)
		}
		if len(warnings) != 1 || !strings.Contains(warnings[0], "node pair 3 (client w5, server w6) stands out") || !strings.Contains(warnings[0], "suspect node(s): w5, w6") {
			t.Errorf("warnings %q", warnings)
		}
	})
	t.Run("a ring: the node two outlier pairs share is the suspect", func(t *testing.T) {
		n := &NodePairs{Metric: Rate, Pairs: []NodePair{
			pairWith(1, "a", "b", 0.85), pairWith(2, "b", "c", 0.86), pairWith(3, "c", "d", 0.50),
			pairWith(4, "d", "e", 0.51), pairWith(5, "e", "f", 0.84), pairWith(6, "f", "a", 0.85), pairWith(7, "g", "h", 0.86),
		}}
		if _, err := n.Flag(0); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(n.Suspects, []string{"d"}) {
			t.Errorf("suspects %v, want d", n.Suspects)
		}
	})
	t.Run("failed pairs take no part", func(t *testing.T) {
		bad := pairWith(2, "b", "c", 0.1)
		bad.Error = "pod did not start"
		n := &NodePairs{Metric: Rate, Pairs: []NodePair{pairWith(1, "a", "b", 0.85), bad, pairWith(3, "c", "d", 0.84), pairWith(4, "d", "e", 0.86)}}
		warnings, err := n.Flag(0)
		if err != nil || len(warnings) != 0 || n.Pairs[1].Outlier || len(n.Outliers.Z) != 3 {
			t.Errorf("warnings %q, err %v, outliers %+v: want the failed pair left out and none flagged", warnings, err, n.Outliers)
		}
	})
	t.Run("too few measured", func(t *testing.T) {
		n := &NodePairs{Metric: Rate, Pairs: []NodePair{pairWith(1, "a", "b", 0.85), pairWith(2, "c", "d", 0.5)}}
		if _, err := n.Flag(0); err == nil || !strings.Contains(err.Error(), "2 of 2 measured") {
			t.Errorf("err = %v, want too few pairs", err)
		}
	})
}

func TestCompared(t *testing.T) {
	if p := (&Test{}).Compared(); p != endpoints.PodPath {
		t.Errorf("no path: %q, want pod", p)
	}
	if p := (&Test{Path: endpoints.ServicePath}).Compared(); p != endpoints.ServicePath {
		t.Errorf("service: %q", p)
	}
	// The ratios follow the compared path.
	tst := &Test{ID: "service_tcp_stream_1", Path: endpoints.ServicePath, Paths: map[endpoints.Path]*Path{
		endpoints.NodePath:    {Samples: []Sample{{Rate: 4, ClientSD: 1, ServerSD: 1}, {Rate: 4, ClientSD: 1, ServerSD: 1}}},
		endpoints.ServicePath: {Samples: []Sample{{Rate: 3, ClientSD: 2, ServerSD: 1}, {Rate: 3, ClientSD: 2, ServerSD: 1}}},
	}}
	if err := tst.Summarize(); err != nil {
		t.Fatal(err)
	}
	if r := tst.Ratios[Rate].Median; r != 0.75 {
		t.Errorf("service/node rate ratio %v, want 0.75", r)
	}
	if r := tst.Ratios[ClientCPU].Median; r != 2 {
		t.Errorf("service/node client CPU ratio %v, want 2", r)
	}
}
