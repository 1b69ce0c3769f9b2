package report_test

import (
	"maps"

	"podperf/framework/endpoints"
	"podperf/framework/results"
	"podperf/framework/stats"
)

// withPaths adds to the fixture run an extended spec's test over the Service
// path measured on three node pairs, the third of which stands out, so that
// the schema test covers the fields only those specs fill. It copies the
// figures of the fixture's TCP_RR test; the golden files are made without it.
func withPaths(r *results.Run) *results.Run {
	var rr *results.Test
	for _, t := range r.Tests {
		if t.ID == "tcp_rr_32" {
			rr = t
		}
	}
	svc := *rr
	svc.ID, svc.Title, svc.Path = "service_tcp_rr_32", rr.Title+", pod-to-Service", endpoints.ServicePath
	svc.Paths = maps.Clone(rr.Paths)
	pod := *rr.Paths[endpoints.PodPath]
	pod.Pair.Path, pod.Pair.BackendAddress, pod.Pair.ServerAddress = endpoints.ServicePath, pod.Pair.ServerAddress, "198.18.96.10"
	delete(svc.Paths, endpoints.PodPath)
	svc.Paths[endpoints.ServicePath] = &pod
	pair := func(i int, client, server string, z float64) results.NodePair {
		return results.NodePair{Index: i, ClientNode: client, ServerNode: server, Paths: svc.Paths, Ratios: rr.Ratios,
			Verdicts: rr.Verdicts, RobustZ: z, Outlier: z > stats.OutlierLimit}
	}
	pairs := []results.NodePair{pair(1, "node-a", "node-b", 0), pair(2, "node-c", "node-d", 0.6745), pair(3, "node-e", "node-f", 8.1)}
	pairs[2].Error = "measure: node node-f is not Ready"
	svc.NodePairs = &results.NodePairs{Metric: results.Rate, Pairs: pairs, Suspects: []string{"node-f"},
		Outliers: stats.Outliers{Median: 0.82, MAD: 0.01, Scale: 0.014826, Z: []float64{0, 0.6745, 8.1}, Limit: stats.OutlierLimit, Flagged: []int{2}}}
	r.Tests = append(r.Tests, &svc)
	return r
}
