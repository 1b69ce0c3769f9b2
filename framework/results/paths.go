package results

import (
	"fmt"
	"slices"
	"strings"

	"podperf/framework/endpoints"
	"podperf/framework/stats"
)

// Compared is the path whose figures are set beside the node-to-node
// reference: Path, or the pod path when the test names none.
func (t *Test) Compared() endpoints.Path {
	if t.Path == "" {
		return endpoints.PodPath
	}
	return t.Path
}

// NodePairs is one test measured on several node pairs, and the pair that
// stands out from the others (docs/paths.md#node-pairs).
type NodePairs struct {
	// Metric is the figure compared across the pairs: the paired pod/node
	// ratio of this metric, so that a pair of faster nodes does not stand out.
	Metric Metric `json:"metric"`
	// Outliers scores each pair's median ratio by its distance from the
	// median of all pairs in units of 1.4826 median absolute deviations.
	Outliers stats.Outliers `json:"outliers"`
	Pairs    []NodePair     `json:"pairs"`
	// Suspects are the nodes of the outlier pairs; a node shared by every
	// outlier pair (of two or more) comes alone.
	Suspects []string `json:"suspects,omitempty"`
}

// NodePair is the test's figures on one node pair.
type NodePair struct {
	Index      int                      `json:"index"` // from 1; pair 1 is the run's pair
	ClientNode string                   `json:"clientNode"`
	ServerNode string                   `json:"serverNode"`
	Paths      map[endpoints.Path]*Path `json:"paths"`
	Ratios     map[Metric]stats.Summary `json:"ratios,omitempty"`
	Verdicts   []Verdict                `json:"verdicts,omitempty"`
	Error      string                   `json:"error,omitempty"`
	// RobustZ is the pair's score among the pairs; Outlier is RobustZ above the limit.
	RobustZ float64 `json:"robustZ"`
	Outlier bool    `json:"outlier"`
}

// Flag scores every measured pair's median ratio of Metric among the
// others (stats.FindOutliers with limit; 0: stats.OutlierLimit), marks the
// outliers and names the suspect nodes. Pairs that failed to measure take no
// part. It returns one warning per outlier pair, naming its nodes.
func (n *NodePairs) Flag(limit float64) ([]string, error) {
	var xs []float64
	var idx []int
	for i, p := range n.Pairs {
		r, ok := p.Ratios[n.Metric]
		if p.Error != "" || !ok || r.N == 0 {
			continue
		}
		xs = append(xs, r.Median)
		idx = append(idx, i)
	}
	o, err := stats.FindOutliers(xs, limit)
	if err != nil {
		return nil, fmt.Errorf("node pairs: %d of %d measured: %w", len(xs), len(n.Pairs), err)
	}
	n.Outliers = o
	var warnings []string
	var flagged []NodePair
	for j, i := range idx {
		p := &n.Pairs[i]
		p.RobustZ = o.Z[j]
		p.Outlier = slices.Contains(o.Flagged, j)
		if p.Outlier {
			flagged = append(flagged, *p)
		}
	}
	n.Suspects = suspects(flagged)
	for _, p := range flagged {
		warnings = append(warnings, fmt.Sprintf("node pair %d (client %s, server %s) stands out: pod/node %s ratio %.3f against a median of %.3f over %d pairs (robust z %.1f > %.3g, MAD %.3g); suspect node(s): %s",
			p.Index, p.ClientNode, p.ServerNode, n.Metric, p.Ratios[n.Metric].Median, o.Median, len(xs), p.RobustZ, o.Limit, o.MAD, strings.Join(n.Suspects, ", ")))
	}
	return warnings, nil
}

// suspects are the nodes of the outlier pairs: the one node that every
// outlier pair shares when there are two or more (a ring of pairs puts a
// faulty node in two), else all of their nodes.
func suspects(flagged []NodePair) []string {
	if len(flagged) == 0 {
		return nil
	}
	count := map[string]int{}
	var all []string
	for _, p := range flagged {
		for _, node := range []string{p.ClientNode, p.ServerNode} {
			if count[node] == 0 {
				all = append(all, node)
			}
			count[node]++
		}
	}
	if len(flagged) >= 2 {
		var common []string
		for _, node := range all {
			if count[node] == len(flagged) {
				common = append(common, node)
			}
		}
		if len(common) == 1 {
			return common
		}
	}
	return all
}
