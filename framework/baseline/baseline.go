// Package baseline reads and writes baseline profiles: the published (or a
// recorded run's) figures of the four tests for one network configuration,
// with the node-to-node reference measured on the same test bed.
package baseline

import (
	"fmt"
	"math"
	"os"
	"podperf/framework/results"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// APIVersion is the profile schema version this suite reads and writes.
const APIVersion = "podperf/v1"

// Kind is the profile's kind field.
const Kind = "BaselineProfile"

// Profile is one configuration's figures.
type Profile struct {
	APIVersion  string  `json:"apiVersion"`
	Kind        string  `json:"kind"`
	Name        string  `json:"name"`
	Description string  `json:"description,omitempty"`
	Source      Source  `json:"source"`
	Testbed     Testbed `json:"testbed"`
	// Datapath is the network configuration the figures belong to, so that a
	// run can tell whether the cluster it measures is the one described.
	Datapath *Datapath              `json:"datapath,omitempty"`
	Tests    map[string]TestFigures `json:"tests"`
}

// Datapath names a network configuration in the terms a CNI's agents report
// it (endpoints.Datapath).
type Datapath struct {
	CNI string `json:"cni"`
	// HostRouting is BPF or Legacy (Cilium's host routing); empty where it
	// does not apply.
	HostRouting string `json:"hostRouting,omitempty"`
}

// Source says where the figures come from and how exact they are.
type Source struct {
	Title string   `json:"title"`
	URL   string   `json:"url,omitempty"`
	Notes []string `json:"notes,omitempty"`
}

// Testbed is the hardware and software the figures were measured on.
type Testbed struct {
	Nodes       string `json:"nodes"`
	CPU         string `json:"cpu,omitempty"`
	CPUsPerNode int    `json:"cpusPerNode"`
	NIC         string `json:"nic,omitempty"`
	Kernel      string `json:"kernel,omitempty"`
	MTU         int    `json:"mtu,omitempty"`
	Network     string `json:"network,omitempty"`
}

// TestFigures are one test's figures on the pod path and the node path.
type TestFigures struct {
	// Unit of Rate: "Gbit/s" for stream tests, "trans/s" for RR tests.
	Unit string `json:"unit"`
	// CPUNormalisedTo is the work rate (in Unit) that the published CPU
	// percentages are normalised to: 100 Gbit/s, 50,000 or 1,000,000 trans/s.
	CPUNormalisedTo float64 `json:"cpuNormalisedTo"`
	Pod             Figures `json:"pod"`
	Node            Figures `json:"node"`
	// ReadingError is the uncertainty of the figures themselves (for charts
	// read by eye, about one pixel).
	ReadingError *ReadingError `json:"readingError,omitempty"`
	// Samples are the raw samples behind a recorded profile's figures
	// (--write-baseline), so that a run judged against it carries the
	// recording's noise too; published profiles have none.
	Samples *Samples `json:"samples,omitempty"`
	// Unpublished marks figures that stand in for a test no profile
	// publishes: the node-to-node reference of the same run (a pod/node
	// ratio of 1). Verdicts against them say so. Never written to a file.
	Unpublished bool `json:"-"`
}

// Samples are a recorded run's raw samples per metric, pod and node paired
// (the i-th pod sample was taken beside the i-th node sample).
type Samples struct {
	Pod  map[results.Metric][]float64 `json:"pod"`
	Node map[results.Metric][]float64 `json:"node"`
}

// Figures are rate and CPU of one path. CPU is given both as service demand
// (CPU µs per KB or per transaction, comparable across machines) and as the
// published form, % of all the node's CPUs at CPUNormalisedTo.
type Figures struct {
	Rate             float64 `json:"rate"`
	ClientCPUPercent float64 `json:"clientCPUPercent"`
	ServerCPUPercent float64 `json:"serverCPUPercent"`
	ClientSD         float64 `json:"clientServiceDemand"`
	ServerSD         float64 `json:"serverServiceDemand"`
}

// ReadingError is the absolute uncertainty of Rate (in Unit) and of the CPU
// percentages (in percentage points).
type ReadingError struct {
	Rate       float64 `json:"rate"`
	CPUPercent float64 `json:"cpuPercent"`
}

// Ratio is pod over node for one figure: what the relative verdict compares.
func (t TestFigures) Ratio(metric results.Metric) float64 {
	p, n := t.Pod.Get(metric), t.Node.Get(metric)
	if n == 0 {
		return 0
	}
	return p / n
}

// Get returns one metric of the path (service demand for the CPU metrics).
func (f Figures) Get(metric results.Metric) float64 {
	switch metric {
	case results.Rate:
		return f.Rate
	case results.ClientCPU:
		return f.ClientSD
	case results.ServerCPU:
		return f.ServerSD
	}
	return 0
}

// WorkPerSecond converts a rate in unit to netperf's service-demand unit of
// work per second: KB (1024 bytes) per second for streams, transactions for RR.
func WorkPerSecond(rate float64, unit string) float64 {
	if unit == "Gbit/s" {
		return rate * 1e9 / 8 / 1024
	}
	return rate
}

// SDFromPercent converts a published normalised CPU percentage to service demand.
func SDFromPercent(pct float64, cpus int, normalisedTo float64, unit string) float64 {
	return pct / 100 * float64(cpus) * 1e6 / WorkPerSecond(normalisedTo, unit)
}

// PercentFromSD is the inverse of SDFromPercent.
func PercentFromSD(sd float64, cpus int, normalisedTo float64, unit string) float64 {
	return sd * WorkPerSecond(normalisedTo, unit) / (float64(cpus) * 1e6) * 100
}

// Parse decodes and validates a profile; where names it in errors.
func Parse(b []byte, where string) (*Profile, error) {
	var p Profile
	if err := yaml.UnmarshalStrict(b, &p); err != nil {
		return nil, fmt.Errorf("baseline %s is not a valid profile: %w", where, err)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("baseline %s: %w", where, err)
	}
	return &p, nil
}

// Validate checks the profile is complete and self-consistent.
func (p *Profile) Validate() error {
	if p.APIVersion != APIVersion || p.Kind != Kind {
		return fmt.Errorf("apiVersion/kind are %q/%q, want %q/%q", p.APIVersion, p.Kind, APIVersion, Kind)
	}
	if p.Name == "" {
		return fmt.Errorf("name is empty")
	}
	if len(p.Tests) == 0 {
		return fmt.Errorf("has no tests")
	}
	if d := p.Datapath; d != nil {
		if d.CNI == "" {
			return fmt.Errorf("datapath.cni is empty: name the CNI the figures belong to, or drop datapath")
		}
		if d.HostRouting != "" && d.HostRouting != "BPF" && d.HostRouting != "Legacy" {
			return fmt.Errorf("datapath.hostRouting is %q, want BPF or Legacy (as cilium-dbg status reports it)", d.HostRouting)
		}
	}
	if p.Testbed.CPUsPerNode <= 0 {
		return fmt.Errorf("testbed.cpusPerNode must be positive (it converts CPU %% to service demand)")
	}
	names := make([]string, 0, len(p.Tests))
	for n := range p.Tests {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		t := p.Tests[n]
		if t.Unit != "Gbit/s" && t.Unit != "trans/s" {
			return fmt.Errorf("tests.%s.unit is %q, want Gbit/s or trans/s", n, t.Unit)
		}
		if t.CPUNormalisedTo <= 0 {
			return fmt.Errorf("tests.%s.cpuNormalisedTo must be positive", n)
		}
		for path, f := range map[string]Figures{"pod": t.Pod, "node": t.Node} {
			if f.Rate <= 0 || f.ClientSD <= 0 || f.ServerSD <= 0 {
				return fmt.Errorf("tests.%s.%s: rate and both service demands must be positive", n, path)
			}
			// The two CPU forms must describe the same figure; 3% allows for
			// the rounding of published values.
			for side, pair := range map[string][2]float64{"client": {f.ClientCPUPercent, f.ClientSD}, "server": {f.ServerCPUPercent, f.ServerSD}} {
				want := SDFromPercent(pair[0], p.Testbed.CPUsPerNode, t.CPUNormalisedTo, t.Unit)
				if math.Abs(want-pair[1]) > 0.03*pair[1] {
					return fmt.Errorf("tests.%s.%s: %s CPU %.3g%% and service demand %.4g disagree (the %% gives %.4g at %d CPUs)", n, path, side, pair[0], pair[1], want, p.Testbed.CPUsPerNode)
				}
			}
		}
	}
	return nil
}

// Write stores the profile as YAML with a header comment.
func (p *Profile) Write(path, header string) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("refusing to write baseline %s: %w", path, err)
	}
	b, err := yaml.Marshal(p)
	if err != nil {
		return err
	}
	var hdr strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(header), "\n") {
		hdr.WriteString("# " + l + "\n")
	}
	return os.WriteFile(path, append([]byte(hdr.String()), b...), 0o644)
}
