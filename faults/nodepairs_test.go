package faults

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestSlowNode is a slow node among several: the local miniature grown into a
// ring of five node pairs (--node-pairs=5), with node-c's pod veth cut to a
// third of a healthy pod rate. The run must pass (an outlier is a warning,
// not a failure), flag exactly the pair node-c sends from, name node-c among
// its suspects, and leave the ring's namespaces behind it as it found them.
func TestSlowNode(t *testing.T) {
	before := snapshot(t)
	r := start(t, "slow node", options{args: []string{
		"--ginkgo.label-filter=extended && node-pairs", "--target=local", "--node-pairs=5",
		"--local-tc=pod:rate=3gbit,node=node-c",
		"--duration=2s", "--samples=2", "--max-samples=2", "--inconclusive=warn",
	}})
	took := r.wait(r.started, 3*time.Minute)
	if r.exit != 0 {
		t.Fatalf("the run exited %d", r.exit)
	}
	b, err := os.ReadFile(filepath.Join(r.dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Tests []struct {
			Warnings  []string `json:"warnings"`
			NodePairs *struct {
				Suspects []string `json:"suspects"`
				Pairs    []struct {
					Index      int     `json:"index"`
					ClientNode string  `json:"clientNode"`
					RobustZ    float64 `json:"robustZ"`
					Outlier    bool    `json:"outlier"`
					Error      string  `json:"error"`
				} `json:"pairs"`
			} `json:"nodePairs"`
		} `json:"tests"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("results.json: %v", err)
	}
	if len(res.Tests) != 1 || res.Tests[0].NodePairs == nil {
		t.Fatalf("results.json has no node-pairs test: %s", b)
	}
	np := res.Tests[0].NodePairs
	var flagged []string
	for _, p := range np.Pairs {
		if p.Error != "" {
			t.Errorf("node pair %d: %s", p.Index, p.Error)
		}
		if p.Outlier {
			flagged = append(flagged, p.ClientNode)
		}
		t.Logf("node pair %d (client %s): robust z %.2f, outlier %v", p.Index, p.ClientNode, p.RobustZ, p.Outlier)
	}
	if len(np.Pairs) != 5 || !slices.Equal(flagged, []string{"node-c"}) {
		t.Errorf("flagged the pairs sent from %v of %d; want node-c's alone", flagged, len(np.Pairs))
	}
	if !slices.Contains(np.Suspects, "node-c") || len(res.Tests[0].Warnings) == 0 {
		t.Errorf("suspects %v, warnings %q: want node-c named in a warning", np.Suspects, res.Tests[0].Warnings)
	}
	checkClean(t, r, before)
	t.Logf("slow node: run took %s, suspects %v", took.Round(100*time.Millisecond), np.Suspects)
}
