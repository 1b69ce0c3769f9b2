package preflight

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// What a warn or fail of each check skews, and what to do: one source for
// every target.
var (
	nodesSkews    = "the benchmark is cross-node: with fewer than two usable nodes no test runs"
	nodesAction   = "make two nodes Ready, schedulable and untainted, or name two with --client-node/--server-node"
	cpuSkews      = "the %d-CPU test runs with fewer CPUs than the published %d: its rate and CPU figures are not the published test's"
	cpuAction     = "run on nodes with %d free allocatable CPUs (two %d-CPU pods on each), or judge against a baseline recorded on this hardware (--write-baseline)"
	zonesSkews    = "traffic between zones crosses a longer and often slower or metered link: lower rates, higher latency than within one zone"
	zonesAction   = "pick two nodes of one zone with --client-node/--server-node or --node-selector"
	cniSkews      = "the run cannot tell which datapath it measured: the baseline cannot be matched to it and results.json records no CNI facts"
	cniAction     = "check that the CNI's agent runs as a DaemonSet in kube-system (and that the suite may list them); record the CNI and its settings with the results by hand"
	imageSkews    = "the first spec's pods pull the image while they start (and on a cluster without a registry never start)"
	imageAction   = "load the image on every node (kind load image-archive, ctr -n k8s.io images import) or pre-pull it; check --image"
	mtuSkews      = "pod packets are smaller than node packets: more packets per byte, so lower throughput and more CPU per GB on the pod path than on the node reference"
	mtuAction     = "expected with a tunnel (its header takes the difference); with native routing set the CNI's MTU to the node's"
	governorSkews = "frequency scaling changes CPU speed during and between samples: noisier rates and CPU figures, wider intervals, more inconclusive verdicts"
	govAction     = "set the performance governor on every node (cpupower frequency-set -g performance), as on the published test bed"
	irqSkews      = "irqbalance moves NIC interrupts between CPUs during a test: rates and latency jump between samples"
	irqAction     = "stop irqbalance (systemctl stop irqbalance) and pin the NIC's interrupts, as on the published test bed"
	offloadSkews  = "without segmentation, checksum and scatter-gather offloads every packet costs CPU: lower throughput and more CPU per GB"
	offloadAction = "turn them on (ethtool -K IFACE tso on gso on gro on tx on rx on sg on) on the interfaces named"
)

// NodeFacts is what a target knows of its nodes.
type NodeFacts struct {
	// Usable is how many nodes could host a test pod.
	Usable int
	// Client and Server are the two nodes the run uses ("" when there are none).
	Client, Server string
	// Detail says how the pair was picked, or why there is none.
	Detail string
}

// JudgeNodes fails with fewer than two usable nodes.
func JudgeNodes(f NodeFacts) Check {
	if f.Usable < 2 || f.Client == "" || f.Server == "" {
		return Check{Status: Fail, Observed: fmt.Sprintf("%d usable: %s", f.Usable, f.Detail), Skews: nodesSkews, Action: nodesAction}
	}
	return Check{Status: OK, Observed: fmt.Sprintf("%d usable; client %s, server %s (%s)", f.Usable, f.Client, f.Server, f.Detail)}
}

// CPUFacts is the CPU allowance a test asking for Want CPUs per pod gets.
type CPUFacts struct {
	Want int
	// GrantedMilli is the allowance of each pod, in millicores; 0 when the
	// test's pods cannot be placed at all.
	GrantedMilli int64
	// Detail says where the figure comes from (free CPU per node, CPUs of the
	// machine) and any note the target makes.
	Detail string
}

// JudgeCPU warns when a test gets less CPU than it asks for, and fails when
// its pods cannot be placed.
func JudgeCPU(f CPUFacts) Check {
	skews, action := fmt.Sprintf(cpuSkews, f.Want, f.Want), fmt.Sprintf(cpuAction, 2*f.Want, f.Want)
	granted := fmt.Sprintf("%d CPUs requested per pod, %s granted", f.Want, milli(f.GrantedMilli))
	if f.Detail != "" {
		granted += ": " + f.Detail
	}
	switch {
	case f.GrantedMilli <= 0:
		return Check{Status: Fail, Observed: fmt.Sprintf("%d CPUs requested per pod, none can be granted: %s", f.Want, f.Detail), Skews: skews, Action: action}
	case f.GrantedMilli < int64(f.Want)*1000:
		return Check{Status: Warn, Observed: granted, Skews: skews, Action: action}
	}
	return Check{Status: OK, Observed: granted}
}

// milli writes millicores as whole CPUs where they are whole.
func milli(m int64) string {
	if m%1000 == 0 {
		return fmt.Sprint(m / 1000)
	}
	return fmt.Sprintf("%dm", m)
}

// ZoneFacts are the zone labels of the two nodes ("" when unlabelled).
type ZoneFacts struct {
	ClientNode, ServerNode string
	Client, Server         string
}

// JudgeZones warns when client and server are in different zones, and skips
// when the nodes say nothing of zones.
func JudgeZones(f ZoneFacts) Check {
	switch {
	case f.Client == "" && f.Server == "":
		return Check{Status: Skip, Observed: fmt.Sprintf("neither %s nor %s has a topology.kubernetes.io/zone label", f.ClientNode, f.ServerNode)}
	case f.Client != f.Server:
		return Check{Status: Warn, Observed: fmt.Sprintf("client %s in zone %s, server %s in zone %s", f.ClientNode, orNone(f.Client), f.ServerNode, orNone(f.Server)),
			Skews: zonesSkews, Action: zonesAction}
	}
	return Check{Status: OK, Observed: fmt.Sprintf("client %s and server %s both in zone %s", f.ClientNode, f.ServerNode, f.Client)}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// CNIFacts is the CNI a target detected.
type CNIFacts struct {
	// Name is the CNI, "" when none was detected.
	Name string
	// Detail says how it was looked for.
	Detail string
}

// JudgeCNI warns when no CNI was detected.
func JudgeCNI(f CNIFacts) Check {
	if f.Name == "" {
		return Check{Status: Warn, Observed: "not detected: " + f.Detail, Skews: cniSkews, Action: cniAction}
	}
	obs := f.Name
	if f.Detail != "" {
		obs += " (" + f.Detail + ")"
	}
	return Check{Status: OK, Observed: obs}
}

// ImageFacts says on which nodes the test image is present.
type ImageFacts struct {
	Image string
	// Present and Missing are node names.
	Present, Missing []string
	// Truncated are the Missing nodes whose image list may be cut short (the
	// kubelet reports at most 50 images by default), so absence is not certain.
	Truncated []string
}

// JudgeImage warns when a node lacks the image.
func JudgeImage(f ImageFacts) Check {
	if len(f.Missing) == 0 {
		return Check{Status: OK, Observed: fmt.Sprintf("%s present on %s", f.Image, strings.Join(f.Present, " and "))}
	}
	verb := "reports"
	if len(f.Missing) > 1 {
		verb = "report"
	}
	obs := fmt.Sprintf("%s not among the images %s %s", f.Image, strings.Join(f.Missing, " and "), verb)
	if len(f.Truncated) > 0 {
		obs += fmt.Sprintf(" (%s lists the most images a kubelet reports: it may be there all the same)", strings.Join(f.Truncated, " and "))
	}
	return Check{Status: Warn, Observed: obs, Skews: imageSkews, Action: imageAction}
}

// MTUFacts are the MTUs of the interfaces traffic leaves by on the pod path
// and on the node path.
type MTUFacts struct {
	// Pod and Node map an interface (where it is, e.g. "pod-a eth0") to its MTU.
	Pod, Node map[string]int
}

// JudgeMTU warns when the smallest pod MTU is below the smallest node MTU.
func JudgeMTU(f MTUFacts) Check {
	if len(f.Pod) == 0 || len(f.Node) == 0 {
		return Check{Status: Skip, Observed: "the pod or the node interfaces could not be read"}
	}
	pod, node := slices.Min(slices.Collect(maps.Values(f.Pod))), slices.Min(slices.Collect(maps.Values(f.Node)))
	obs := fmt.Sprintf("pod %s; node %s", mtus(f.Pod), mtus(f.Node))
	if pod != node {
		return Check{Status: Warn, Observed: obs, Skews: mtuSkews, Action: mtuAction}
	}
	return Check{Status: OK, Observed: obs}
}

// mtus lists interfaces and their MTUs in name order, those of one MTU together.
func mtus(m map[string]int) string {
	by := map[int][]string{}
	for k, v := range m {
		by[v] = append(by[v], k)
	}
	var out []string
	for _, v := range slices.Sorted(maps.Keys(by)) {
		slices.Sort(by[v])
		out = append(out, fmt.Sprintf("%d (%s)", v, strings.Join(by[v], ", ")))
	}
	return strings.Join(out, ", ")
}

// GovernorFacts counts CPUs per scaling governor, for each place they were
// read ("this machine", a node name).
type GovernorFacts struct {
	Where string
	CPUs  map[string]int
}

// JudgeGovernors warns when a CPU's governor is not performance.
func JudgeGovernors(f GovernorFacts) Check {
	total := 0
	for _, n := range f.CPUs {
		total += n
	}
	var parts []string
	for _, g := range slices.Sorted(maps.Keys(f.CPUs)) {
		parts = append(parts, fmt.Sprintf("%s on %d of %d CPUs", g, f.CPUs[g], total))
	}
	obs := f.Where + ": " + strings.Join(parts, ", ")
	if total == 0 {
		return Check{Status: Skip, Observed: f.Where + ": no CPU reports a scaling governor"}
	}
	if f.CPUs["performance"] != total {
		return Check{Status: Warn, Observed: obs, Skews: governorSkews, Action: govAction}
	}
	return Check{Status: OK, Observed: obs}
}

// IRQBalanceFacts says where irqbalance runs.
type IRQBalanceFacts struct {
	Where string
	// PIDs of the irqbalance processes found.
	PIDs []int
}

// JudgeIRQBalance warns when irqbalance runs.
func JudgeIRQBalance(f IRQBalanceFacts) Check {
	if len(f.PIDs) == 0 {
		return Check{Status: OK, Observed: f.Where + ": not running"}
	}
	return Check{Status: Warn, Observed: fmt.Sprintf("%s: running (pid %s)", f.Where, joinInts(f.PIDs)), Skews: irqSkews, Action: irqAction}
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}

// InterfaceOffloads are the offload features of one interface, as ethtool -k
// prints them ("on", "off", "off [fixed]").
type InterfaceOffloads struct {
	// Where names the interface, e.g. "node-a wire0".
	Where string
	// Veth marks a veth: it hands segments over whole, so receive offload
	// (GRO) is off by default and that costs nothing.
	Veth     bool
	Features map[string]string
}

// The offload features that change what a byte costs.
var (
	offloadFeatures = []string{"tcp-segmentation-offload", "generic-segmentation-offload", "tx-checksumming", "rx-checksumming", "scatter-gather"}
	receiveOffload  = "generic-receive-offload"
)

// JudgeOffloads warns when a feature that matters is off on an interface.
func JudgeOffloads(ifs []InterfaceOffloads) Check {
	if len(ifs) == 0 {
		return Check{Status: Skip, Observed: "no interface to check"}
	}
	var off, where []string
	for _, i := range ifs {
		where = append(where, i.Where)
		features := offloadFeatures
		if !i.Veth {
			features = append(slices.Clone(features), receiveOffload)
		}
		var these []string
		for _, f := range features {
			v, ok := i.Features[f]
			if ok && strings.HasPrefix(v, "off") {
				these = append(these, f+" "+v)
			}
		}
		if len(these) > 0 {
			off = append(off, i.Where+": "+strings.Join(these, ", "))
		}
	}
	if len(off) > 0 {
		return Check{Status: Warn, Observed: "off on " + strings.Join(off, "; "), Skews: offloadSkews, Action: offloadAction}
	}
	return Check{Status: OK, Observed: "segmentation, checksum and scatter-gather offloads on for " + strings.Join(where, ", ")}
}
