package netperf_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"podperf/framework/netperf"
)

// rawInterval is one interim line group of a capture, in netperf's printed
// units: rate in the file's unit, length and end in milliseconds.
type rawInterval struct {
	rate       float64
	lengthMs   int64
	endMs      int64 // Unix milliseconds
	unitFactor float64
}

// The interim figures of the captures, copied from the files by hand so that
// the expected aggregate below does not depend on the parser under test.
var (
	rawStreams = [][]rawInterval{
		{{2306.06, 1238, 1795656923410, 1e6}, {2571.13, 1006, 1795656924416, 1e6}, {2501.17, 768, 1795656925184, 1e6}},
		{{2871.42, 1012, 1795656923294, 1e6}, {2352.11, 1221, 1795656924515, 1e6}, {2983.28, 768, 1795656925283, 1e6}},
		{{2197.68, 2671, 1795656924909, 1e6}, {1371.76, 337, 1795656925246, 1e6}},
	}
	rawRRs = [][]rawInterval{
		{{11686.90, 1020, 1795656926411, 1}, {14512.59, 1000, 1795656927411, 1}, {17655.48, 980, 1795656928390, 1}},
		{{15451.87, 2538, 1795656927926, 1}, {16485.50, 462, 1795656928388, 1}},
		{{11418.26, 1250, 1795656926634, 1}, {15958.94, 1006, 1795656927639, 1}, {16817.51, 746, 1795656928385, 1}},
	}
)

// window computes the common window in Unix ms: the latest first-interval start
// and the earliest last-interval end, with the skews.
func window(procs [][]rawInterval) (start, end, startSkew, endSkew int64) {
	var firstStart, lastEnd int64
	for i, p := range procs {
		s, e := p[0].endMs-p[0].lengthMs, p[len(p)-1].endMs
		if i == 0 {
			start, end, firstStart, lastEnd = s, e, s, e
			continue
		}
		start, firstStart = max(start, s), min(firstStart, s)
		end, lastEnd = min(end, e), max(lastEnd, e)
	}
	return start, end, start - firstStart, lastEnd - end
}

// aggregate sums each process's time-weighted mean rate over [start, end].
func aggregate(procs [][]rawInterval, start, end int64) float64 {
	var sum float64
	for _, p := range procs {
		var work float64
		for _, iv := range p {
			from, to := max(iv.endMs-iv.lengthMs, start), min(iv.endMs, end)
			if to > from {
				work += iv.rate * iv.unitFactor * float64(to-from)
			}
		}
		sum += work / float64(end-start)
	}
	return sum
}

func parseAll(t *testing.T, prefix string) []netperf.Result {
	t.Helper()
	var rs []netperf.Result
	for i := range 3 {
		rs = append(rs, parseOut(t, prefix+string(rune('0'+i))+".out"))
	}
	return rs
}

func TestCombineRealStreams(t *testing.T) {
	rs := parseAll(t, "multi_stream_")
	g, err := netperf.Combine(rs)
	if err != nil {
		t.Fatal(err)
	}
	start, end, startSkew, endSkew := window(rawStreams)
	// The same figures by hand: the processes started at .172, .282 and .238
	// and ended at .184, .283 and .246 (seconds after 1795656922/5).
	if start != 1795656922282 || end != 1795656925184 || startSkew != 110 || endSkew != 99 {
		t.Fatalf("test's own window is wrong: %d %d %d %d", start, end, startSkew, endSkew)
	}
	if !g.Window.Start.Equal(time.UnixMilli(start)) || !g.Window.End.Equal(time.UnixMilli(end)) {
		t.Errorf("Window = %d..%d, want %d..%d", g.Window.Start.UnixMilli(), g.Window.End.UnixMilli(), start, end)
	}
	if g.Window.StartSkew != 110*time.Millisecond || g.Window.EndSkew != 99*time.Millisecond {
		t.Errorf("skews = %v/%v, want 110ms/99ms", g.Window.StartSkew, g.Window.EndSkew)
	}
	if g.Window.Length() != 2902*time.Millisecond {
		t.Errorf("Window.Length() = %v, want 2.902s", g.Window.Length())
	}

	want := aggregate(rawStreams, start, end)
	if math.Abs(want-7247.7078e6) > 1e3 { // pinned independently with a calculator
		t.Fatalf("test's own aggregate is %v", want)
	}
	if math.Abs(g.Throughput-want) > 1e-9*want {
		t.Errorf("Throughput = %.6f bit/s, want %.6f (sum of time-weighted interim rates over the window)", g.Throughput, want)
	}
	naive := (2440.38 + 2685.80 + 2103.16) * 1e6
	checkNear(t, "NaiveSum", g.NaiveSum, naive)
	if math.Abs(g.Throughput-g.NaiveSum) < 1e6 {
		t.Errorf("Throughput %v and NaiveSum %v should differ by more than 1 Mbit/s on these skewed runs", g.Throughput, g.NaiveSum)
	}
	if g.Unit != "bit/s" || g.SDUnit != "usec/KB" || g.LocalCPUs != 2 || g.RemoteCPUs != 2 {
		t.Errorf("Unit %q SDUnit %q CPUs %d/%d", g.Unit, g.SDUnit, g.LocalCPUs, g.RemoteCPUs)
	}
	if g.LocalCPU != 100 || g.RemoteCPU != 100 {
		t.Errorf("CPU = %v/%v, want the mean 100/100", g.LocalCPU, g.RemoteCPU)
	}
	// SD from the mean CPU against the aggregate: 100% of 2 CPUs over the KB/s.
	wantSD := 1.0 * 2 * 1e6 / (want / 8 / 1024)
	if math.Abs(g.LocalSD-wantSD) > 1e-9*wantSD || g.RemoteSD != g.LocalSD {
		t.Errorf("SD local/remote = %v/%v, want %v", g.LocalSD, g.RemoteSD, wantSD)
	}
	checkNear(t, "LocalSD vs ServiceDemand", g.LocalSD, netperf.ServiceDemand(g.LocalCPU, g.LocalCPUs, g.Throughput, g.Unit))
	if g.Latency != nil || g.LatencyLower != nil {
		t.Errorf("stream group has latency %+v / %+v", g.Latency, g.LatencyLower)
	}
	if len(g.Processes) != 3 || g.Processes[2].Throughput != rs[2].Throughput {
		t.Errorf("Processes not kept in order")
	}
}

func TestCombineRealRR(t *testing.T) {
	rs := parseAll(t, "multi_rr_")
	g, err := netperf.Combine(rs)
	if err != nil {
		t.Fatal(err)
	}
	start, end, startSkew, endSkew := window(rawRRs)
	if start != 1795656925391 || end != 1795656928385 || startSkew != 7 || endSkew != 5 {
		t.Fatalf("test's own window is wrong: %d %d %d %d", start, end, startSkew, endSkew)
	}
	if !g.Window.Start.Equal(time.UnixMilli(start)) || !g.Window.End.Equal(time.UnixMilli(end)) ||
		g.Window.StartSkew != 7*time.Millisecond || g.Window.EndSkew != 5*time.Millisecond {
		t.Errorf("Window = %+v, want %d..%d skews 7ms/5ms", g.Window, start, end)
	}
	want := aggregate(rawRRs, start, end)
	if math.Abs(want-44481.666) > 0.01 {
		t.Fatalf("test's own aggregate is %v", want)
	}
	if math.Abs(g.Throughput-want) > 1e-9*want {
		t.Errorf("Throughput = %.6f trans/s, want %.6f", g.Throughput, want)
	}
	checkNear(t, "NaiveSum", g.NaiveSum, 14575.70+15608.11+14278.11)
	if g.Throughput == g.NaiveSum {
		t.Errorf("Throughput equals NaiveSum %v", g.NaiveSum)
	}
	if g.Unit != "trans/s" || g.SDUnit != "usec/Tran" {
		t.Errorf("Unit %q SDUnit %q", g.Unit, g.SDUnit)
	}
	checkNear(t, "LocalSD", g.LocalSD, 1.0*2*1e6/want)
	checkNear(t, "RemoteSD", g.RemoteSD, netperf.ServiceDemand(100, 2, g.Throughput, "trans/s"))

	if g.Latency == nil || g.LatencyLower == nil {
		t.Fatalf("RR group lacks latency: %+v %+v", g.Latency, g.LatencyLower)
	}
	// Upper: the largest per-process percentile; lower: the smallest.
	// Processes: P50 54/51/52, P90 97/96/97, P99 301/275/322, min 18/18/18, max 33422/30594/24679.
	up, lo := *g.Latency, *g.LatencyLower
	if up.P50 != 54 || up.P90 != 97 || up.P99 != 322 || up.Min != 18 || up.Max != 33422 {
		t.Errorf("upper latency = %+v", up)
	}
	if lo.P50 != 51 || lo.P90 != 96 || lo.P99 != 275 || lo.Min != 18 || lo.Max != 33422 {
		t.Errorf("lower latency = %+v", lo)
	}
	// Mean weighted by transactions (rate x elapsed; all three ran 3.00s).
	wantMean := (68.52*14575.70*3 + 63.98*15608.11*3 + 69.95*14278.11*3) / ((14575.70 + 15608.11 + 14278.11) * 3)
	if math.Abs(up.Mean-wantMean) > 1e-9 || lo.Mean != up.Mean {
		t.Errorf("mean latency = %v/%v, want %v", up.Mean, lo.Mean, wantMean)
	}
	if math.Abs(wantMean-67.3855) > 1e-4 {
		t.Fatalf("test's own mean is %v", wantMean)
	}
}

// ivs builds contiguous interim intervals of 1s each at the given rates,
// the first starting at Unix second start.
func ivs(start int64, rates ...float64) []netperf.Interval {
	var out []netperf.Interval
	for i, r := range rates {
		out = append(out, netperf.Interval{Rate: r, Length: time.Second, End: time.Unix(start+int64(i)+1, 0)})
	}
	return out
}

func TestCombineHandBuilt(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		if _, err := netperf.Combine(nil); err == nil {
			t.Error("Combine(nil) succeeded")
		}
	})
	t.Run("processes that never overlap", func(t *testing.T) {
		rs := []netperf.Result{
			{Throughput: 1e9, Unit: "bit/s", Interim: ivs(100, 1e9, 1e9)},
			{Throughput: 1e9, Unit: "bit/s", Interim: ivs(105, 1e9, 1e9)},
		}
		_, err := netperf.Combine(rs)
		if err == nil || !strings.Contains(err.Error(), "never all ran at once") {
			t.Fatalf("Combine = %v, want a never-ran-together error", err)
		}
		if !strings.Contains(err.Error(), "start skew 5s") {
			t.Errorf("error %q does not give the skew", err)
		}
	})
	t.Run("processes that only touch", func(t *testing.T) {
		rs := []netperf.Result{
			{Throughput: 1, Unit: "trans/s", Interim: ivs(100, 1, 1)},
			{Throughput: 1, Unit: "trans/s", Interim: ivs(102, 1, 1)},
		}
		if _, err := netperf.Combine(rs); err == nil {
			t.Error("a zero-length common window was accepted")
		}
	})
	t.Run("a process without interim results", func(t *testing.T) {
		rs := []netperf.Result{{Throughput: 1, Unit: "trans/s", Interim: ivs(100, 1)}, {Throughput: 1, Unit: "trans/s"}}
		_, err := netperf.Combine(rs)
		if err == nil || !strings.Contains(err.Error(), "process 2 printed no interim results") {
			t.Errorf("Combine = %v, want an error naming process 2", err)
		}
	})
	t.Run("single process is unchanged", func(t *testing.T) {
		r := parseOut(t, "tcp_rr.out")
		g, err := netperf.Combine([]netperf.Result{r})
		if err != nil {
			t.Fatal(err)
		}
		if g.Throughput != r.Throughput || g.NaiveSum != r.Throughput || g.Unit != r.Unit ||
			g.LocalCPU != r.LocalCPU || g.RemoteCPU != r.RemoteCPU || g.LocalSD != r.LocalSD || g.RemoteSD != r.RemoteSD ||
			g.SDUnit != r.SDUnit || g.LocalCPUs != r.LocalCPUs || g.RemoteCPUs != r.RemoteCPUs {
			t.Errorf("group %+v differs from its one process %+v", g, r)
		}
		if g.Latency == nil || *g.Latency != *r.Latency || g.LatencyLower != nil {
			t.Errorf("latency %+v / lower %+v, want the process's and no lower bound", g.Latency, g.LatencyLower)
		}
		if !g.Window.Start.IsZero() || !g.Window.End.IsZero() {
			t.Errorf("window %+v without interim results", g.Window)
		}
	})
	t.Run("single process with interim keeps its window", func(t *testing.T) {
		r := parseOut(t, "multi_stream_2.out")
		g, err := netperf.Combine([]netperf.Result{r})
		if err != nil {
			t.Fatal(err)
		}
		if g.Throughput != r.Throughput || g.LocalSD != r.LocalSD {
			t.Errorf("figures changed: %v %v", g.Throughput, g.LocalSD)
		}
		if g.Window.Start.UnixMilli() != 1795656922238 || g.Window.End.UnixMilli() != 1795656925246 || g.Window.StartSkew != 0 || g.Window.EndSkew != 0 {
			t.Errorf("window = %+v", g.Window)
		}
	})
	t.Run("CPU is the mean, SD recomputed", func(t *testing.T) {
		rs := []netperf.Result{
			{Throughput: 10e9, Unit: "bit/s", SDUnit: "usec/KB", LocalCPU: 10, RemoteCPU: 40, LocalCPUs: 8, RemoteCPUs: 16, LocalSD: 99, RemoteSD: 99, Interim: ivs(100, 10e9, 10e9, 10e9)},
			{Throughput: 20e9, Unit: "bit/s", SDUnit: "usec/KB", LocalCPU: 30, RemoteCPU: 20, LocalCPUs: 8, RemoteCPUs: 16, LocalSD: 99, RemoteSD: 99, Interim: ivs(101, 20e9, 20e9, 20e9)},
		}
		g, err := netperf.Combine(rs)
		if err != nil {
			t.Fatal(err)
		}
		// Window 101..103; each process ran at a constant rate there.
		if g.Window.Start.Unix() != 101 || g.Window.End.Unix() != 103 || g.Window.StartSkew != time.Second || g.Window.EndSkew != time.Second {
			t.Errorf("window %+v", g.Window)
		}
		checkNear(t, "Throughput", g.Throughput, 30e9)
		checkNear(t, "LocalCPU", g.LocalCPU, 20)
		checkNear(t, "RemoteCPU", g.RemoteCPU, 30)
		// 20% of 8 CPUs = 1.6 CPU-seconds per second over 30e9/8/1024 KB/s.
		checkNear(t, "LocalSD", g.LocalSD, 1.6e6/(30e9/8/1024))
		checkNear(t, "RemoteSD", g.RemoteSD, 0.30*16*1e6/(30e9/8/1024))
	})
	t.Run("rate weighted by time inside the window", func(t *testing.T) {
		// Process 1 runs 100..104 at 10, 20, 30, 40; process 2 runs 101.5..103.5.
		p2 := []netperf.Interval{{Rate: 100, Length: 2 * time.Second, End: time.Unix(103, 5e8)}}
		rs := []netperf.Result{
			{Throughput: 25, Unit: "trans/s", Interim: ivs(100, 10, 20, 30, 40)},
			{Throughput: 100, Unit: "trans/s", Interim: p2},
		}
		g, err := netperf.Combine(rs)
		if err != nil {
			t.Fatal(err)
		}
		// Over 101.5..103.5, process 1 did 0.5*20 + 1*30 + 0.5*40 = 60 in 2s.
		checkNear(t, "Throughput", g.Throughput, 30+100)
		checkNear(t, "NaiveSum", g.NaiveSum, 125)
	})
	t.Run("mean latency weighted by transactions", func(t *testing.T) {
		// Same rate, different run lengths: 1000 and 3000 transactions.
		rs := []netperf.Result{
			{Throughput: 1000, Unit: "trans/s", Elapsed: 1 * time.Second, Latency: &netperf.Latency{P50: 5, P90: 8, P99: 30, Mean: 10, Min: 2, Max: 50}, Interim: ivs(100, 1000, 1000, 1000)},
			{Throughput: 1000, Unit: "trans/s", Elapsed: 3 * time.Second, Latency: &netperf.Latency{P50: 7, P90: 9, P99: 20, Mean: 30, Min: 1, Max: 40}, Interim: ivs(100, 1000, 1000, 1000)},
		}
		g, err := netperf.Combine(rs)
		if err != nil {
			t.Fatal(err)
		}
		want := netperf.Latency{P50: 7, P90: 9, P99: 30, Mean: 25, Min: 1, Max: 50}
		if *g.Latency != want {
			t.Errorf("upper = %+v, want %+v", *g.Latency, want)
		}
		wantLo := netperf.Latency{P50: 5, P90: 8, P99: 20, Mean: 25, Min: 1, Max: 50}
		if *g.LatencyLower != wantLo {
			t.Errorf("lower = %+v, want %+v", *g.LatencyLower, wantLo)
		}
	})
}

func TestServiceDemand(t *testing.T) {
	tests := []struct {
		name string
		util float64
		cpus int
		rate float64
		unit string
		want float64
	}{
		// 8.7% of 32 CPUs = 2.784 CPU-s/s; 100 Gbit/s = 12,207,031.25 KB/s.
		{"8.7% of 32 CPUs at 100 Gbit/s", 8.7, 32, 100e9, "bit/s", 0.22806528},
		{"13.9% of 32 CPUs at 100 Gbit/s", 13.9, 32, 100e9, "bit/s", 0.36438016},
		// RR: per transaction. 1.45% of 32 CPUs at 50,000 trans/s.
		{"1.45% of 32 CPUs at 50k trans/s", 1.45, 32, 50000, "trans/s", 9.28},
		{"100% of 2 CPUs at 40607.41 trans/s", 100, 2, 40607.41, "trans/s", 2e6 / 40607.41},
		{"zero rate", 50, 4, 0, "bit/s", 0},
		{"negative rate", 50, 4, -1, "trans/s", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := netperf.ServiceDemand(tc.util, tc.cpus, tc.rate, tc.unit)
			if math.Abs(got-tc.want) > 1e-9*math.Max(1, tc.want) {
				t.Errorf("ServiceDemand = %.10g, want %.10g", got, tc.want)
			}
		})
	}
	if got := netperf.ServiceDemand(8.7, 32, 100e9, "bit/s"); math.Round(got*1e4)/1e4 != 0.2281 {
		t.Errorf("published rounding: %v does not round to 0.2281 µs/KB", got)
	}
}
