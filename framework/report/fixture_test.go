package report_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"podperf/framework/baseline"
	"podperf/framework/endpoints"
	"podperf/framework/netperf"
	"podperf/framework/results"
	"podperf/framework/verdict"
)

// fullRun is a run with every field of results.json set somewhere: a
// 32-stream test and a 32-connection RR test measured and judged as the
// suite does, and a test that failed after measuring. checkFull proves that
// nothing was forgotten, so a schema test on it covers the whole format.
func fullRun(t *testing.T) *results.Run {
	t.Helper()
	t0 := time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)
	lat := func(p50 float64) *netperf.Latency {
		return &netperf.Latency{P50: p50, P90: p50 * 1.3, P99: p50 * 2.1, Mean: p50 * 1.05, Min: p50 / 3, Max: p50 * 40}
	}
	sample := func(i int, rr bool, rate, sd float64) results.Sample {
		start := t0.Add(time.Duration(i) * time.Minute)
		s := results.Sample{Index: i, Started: start, Rate: rate, RateUnit: "Gbit/s", NaiveSum: rate * 1.01,
			ClientCPUPercent: 61.5, ServerCPUPercent: 44.25, ClientSD: sd, ServerSD: sd * 0.8, SDUnit: "usec/KB",
			ClientCPUs: 2, ServerCPUs: 2, ClientTxRate: rate * 1.003,
			Window: netperf.Window{Start: start.Add(2 * time.Second), End: start.Add(12 * time.Second), StartSkew: 71 * time.Millisecond, EndSkew: 40 * time.Millisecond}}
		proc := netperf.Result{Test: netperf.TCPStream, Throughput: rate * 1e9 / 32, Unit: "bit/s", LocalCPU: 61.5, RemoteCPU: 44.25,
			LocalSD: sd * 32, RemoteSD: sd * 25, SDUnit: "usec/KB", LocalCPUs: 2, RemoteCPUs: 2, Elapsed: 10 * time.Second,
			ConfidenceLevel: 99, Iterations: 3, ThroughputConfid: 2.5, LocalCPUConfid: 4.1, RemoteCPUConfid: 3.9,
			Interim: []netperf.Interval{{Rate: rate * 1e9 / 32, Length: 200 * time.Millisecond, End: start.Add(3 * time.Second)}}}
		if rr {
			s.RateUnit, s.SDUnit, s.Latency, s.LatencyLower = "trans/s", "usec/Tran", lat(300+rate/1000), lat(250+rate/1000)
			proc.Test, proc.Unit, proc.SDUnit, proc.Latency = netperf.TCPRR, "trans/s", "usec/Tran", lat(300)
			proc.Throughput = rate / 32
		}
		s.Processes = []netperf.Result{proc}
		return s
	}
	path := func(p endpoints.Path, rr bool, figs ...[2]float64) *results.Path {
		out := &results.Path{Pair: endpoints.PairInfo{Path: p, ClientNode: "node-a", ServerNode: "node-b", ClientAddress: "198.18.240.10",
			ServerAddress: "198.18.241.10", ClientIface: "eth0", MTU: 1500, CPUsRequested: 32, CPUsGranted: 2, CPUSet: "client 0-1, server 0-1",
			Notes: []string{"32 CPUs requested, 2 granted: this machine has 2"}, Startup: 1500 * time.Millisecond}}
		for i, f := range figs {
			out.Samples = append(out.Samples, sample(i+1, rr, f[0], f[1]))
		}
		return out
	}
	stream := &results.Test{ID: "tcp_stream_32", Title: "TCP_STREAM 32 streams", Netperf: netperf.TCPStream, Streams: 32,
		Paths: map[endpoints.Path]*results.Path{
			endpoints.NodePath: path(endpoints.NodePath, false, [2]float64{14.1, 1.17}, [2]float64{13.8, 1.19}, [2]float64{14.0, 1.16}),
			endpoints.PodPath:  path(endpoints.PodPath, false, [2]float64{13.4, 1.21}, [2]float64{13.6, 1.23}, [2]float64{13.3, 1.20}),
		},
		Notes:    []string{"pod path: client and server share CPUs 0-1: the machine has too few to keep them apart"},
		Warnings: []string{"pod path, sample 2: netperf reports 13.6 Gbit/s but the client interface carried 14.5 Gbit/s over the same window (+6.6%, more than the 5% allowed by --counter-tolerance): the aggregate is suspect"},
	}
	rr := &results.Test{ID: "tcp_rr_32", Title: "TCP_RR 32 connections, 32 CPUs", Netperf: netperf.TCPRR, Streams: 32, CPUs: 32,
		Paths: map[endpoints.Path]*results.Path{
			endpoints.NodePath: path(endpoints.NodePath, true, [2]float64{94300, 20.6}, [2]float64{92100, 21.1}, [2]float64{95800, 20.2}),
			endpoints.PodPath:  path(endpoints.PodPath, true, [2]float64{79200, 25.1}, [2]float64{81000, 24.2}, [2]float64{77400, 26.0}),
		},
	}
	prof := profile(t, "cilium-legacy-host-routing")
	tol := verdict.Tolerances{Defaults: map[results.Metric]float64{results.Rate: 0.25, results.ClientCPU: 0.5, results.ServerCPU: 0.5}}
	for _, tst := range []*results.Test{stream, rr} {
		if err := tst.Summarize(); err != nil {
			t.Fatal(err)
		}
		against := verdict.Against{Mode: verdict.Relative, Profile: prof, Tol: tol}
		if tst == rr {
			// Judged against a stored run (--reference), here its own samples,
			// so that the verdicts' two-sample fields are covered too.
			against.Reference, against.RefName = &results.Run{Tests: []*results.Test{rr}}, "before/results.json"
		}
		v, err := verdict.JudgeTest(against, tst, nil)
		if err != nil {
			t.Fatal(err)
		}
		tst.Verdicts = v
		want := prof.Tests[tst.ID]
		for _, p := range tst.Paths {
			cs, ss := p.Stats[results.ClientCPU], p.Stats[results.ServerCPU]
			pct := func(sd float64, cpus int) float64 {
				return baseline.PercentFromSD(sd, cpus, want.CPUNormalisedTo, want.Unit)
			}
			p.CPU = &results.NormalisedCPU{Work: want.CPUNormalisedTo, Unit: want.Unit, ClientCPUs: 2, ServerCPUs: 2,
				ClientPercent: pct(cs.Median, 2), ServerPercent: pct(ss.Median, 2),
				ClientPercentCI: [2]float64{pct(cs.CILow, 2), pct(cs.CIHigh, 2)}, ServerPercentCI: [2]float64{pct(ss.CILow, 2), pct(ss.CIHigh, 2)},
				TestbedCPUs: 32, ClientPercentTestbed: pct(cs.Median, 32), ServerPercentTestbed: pct(ss.Median, 32)}
		}
	}
	broken := &results.Test{ID: "tcp_rr_1", Title: "TCP_RR 1 connection, 1 CPU", Netperf: netperf.TCPRR, Streams: 1, CPUs: 1,
		Paths: map[endpoints.Path]*results.Path{}, Error: "set up the pod-to-pod path: netserver did not start"}
	return withTransport(&results.Run{
		Schema: results.Schema, StartedAt: t0, FinishedAt: t0.Add(9*time.Minute + 32*time.Second),
		Environment: endpoints.Environment{Target: "kubernetes", Kernel: "6.1.0-28-amd64", CPUModel: "AMD EPYC 7B13", CPUs: 2,
			Netperf: "Netperf version 2.7.0", Kubernetes: "v1.37.2", CNI: "cilium",
			Datapath: &endpoints.Datapath{CNI: "cilium", Version: "1.20.2", Routing: "Native", HostRouting: "Legacy", KubeProxyReplacement: "True",
				Masquerading: "BPF", Source: "cilium-dbg status -o json in the agents on node-a and node-b"},
			Details: map[string]string{"mtu": "1500", "nodeAddresses": "198.18.250.1,198.18.250.2"}},
		Settings: results.Settings{Target: "kubernetes", Duration: 10 * time.Second, Samples: 3, Baseline: "cilium-legacy-host-routing",
			Tolerances: "local", ToleranceMode: "relative", ControlPort: 12865, DataPortBase: 12866, Inconclusive: "warn", MaxSamples: 10,
			SampleBudget: 20 * time.Minute, CounterTolerance: 0.05, NetperfConfidence: &netperf.Confidence{Level: 99, Width: 5, MinIter: 3, MaxIter: 10},
			Reference: "before/results.json"},
		Tests:    []*results.Test{rr, broken, stream},
		Verdict:  results.Fail,
		Warnings: []string{"the cilium agents report host routing Legacy, the baseline describes BPF"},
		Error:    "Interrupted by User",
	})
}

func profile(t *testing.T, name string) *baseline.Profile {
	t.Helper()
	p, err := baseline.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// checkFull fails for every field of v's type that is zero everywhere in v:
// a field added to results.json must be added to the fixture too.
func checkFull(t *testing.T, v any) {
	t.Helper()
	all, set := map[string]bool{}, map[string]bool{}
	fields(reflect.TypeOf(v), "run", all)
	values(reflect.ValueOf(v), "run", set)
	var missing []string
	for p := range all {
		if !set[p] {
			missing = append(missing, p)
		}
	}
	slices.Sort(missing)
	for _, p := range missing {
		t.Errorf("the fixture leaves %s empty: set it, so that the schema test covers it", p)
	}
}

var timeType = reflect.TypeOf(time.Time{})

func jsonName(f reflect.StructField) (string, bool) {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if !f.IsExported() || name == "-" {
		return "", false
	}
	if name == "" {
		name = f.Name
	}
	return name, true
}

func fields(t reflect.Type, at string, out map[string]bool) {
	switch t.Kind() {
	case reflect.Pointer:
		fields(t.Elem(), at, out)
	case reflect.Slice:
		fields(t.Elem(), at+"[]", out)
	case reflect.Map:
		fields(t.Elem(), at+"{}", out)
	case reflect.Struct:
		if t == timeType {
			return
		}
		for i := 0; i < t.NumField(); i++ {
			if name, ok := jsonName(t.Field(i)); ok {
				out[at+"."+name] = true
				fields(t.Field(i).Type, at+"."+name, out)
			}
		}
	}
}

func values(v reflect.Value, at string, set map[string]bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			values(v.Elem(), at, set)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			values(v.Index(i), at+"[]", set)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			values(v.MapIndex(k), at+"{}", set)
		}
	case reflect.Struct:
		if v.Type() == timeType {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			name, ok := jsonName(v.Type().Field(i))
			if !ok {
				continue
			}
			f := v.Field(i)
			if !f.IsZero() && !(f.Kind() == reflect.Slice || f.Kind() == reflect.Map) || (f.Kind() == reflect.Slice || f.Kind() == reflect.Map) && f.Len() > 0 {
				set[at+"."+name] = true
			}
			values(f, at+"."+name, set)
		}
	}
}
