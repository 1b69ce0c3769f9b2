package netperf_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"podperf/framework/netperf"
)

// readOut returns a captured netperf output from testdata. The files are real
// netperf 2.7.0 outputs captured on the local target.
func readOut(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// parseOut parses a testdata file and fails the test on error.
func parseOut(t *testing.T, name string) netperf.Result {
	t.Helper()
	r, err := netperf.Parse(readOut(t, name))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return r
}

// near reports whether got equals want to within a relative 1e-12 (the
// parser multiplies by unit factors, so bit-exact equality with a literal
// is not guaranteed).
func near(got, want float64) bool {
	if got == want {
		return true
	}
	return math.Abs(got-want) <= 1e-12*math.Max(math.Abs(got), math.Abs(want))
}

func checkNear(t *testing.T, what string, got, want float64) {
	t.Helper()
	if !near(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// unixMs builds the wall-clock time netperf printed as seconds.milliseconds.
func unixMs(sec, ms int64) time.Time { return time.Unix(sec, ms*int64(time.Millisecond)) }

type wantInterval struct {
	rate   float64 // base units
	length time.Duration
	end    time.Time
}

func TestParseRealOutputs(t *testing.T) {
	tests := []struct {
		file       string
		throughput float64
		unit       string
		latency    *netperf.Latency
		cpu        float64 // local, and remote unless remoteCPU is set
		sd         float64 // idem
		remoteCPU  float64
		remoteSD   float64
		sdUnit     string
		elapsed    time.Duration
		confLevel  int
		iterations int
		tputConfid float64
		cpuConfid  [2]float64 // local, remote
		interim    []wantInterval
	}{
		{
			file: "tcp_stream.out", throughput: 5706.55e6, unit: "bit/s",
			cpu: 100, sd: 2.871, sdUnit: "usec/KB", elapsed: 2 * time.Second, iterations: 1,
		},
		{
			file: "tcp_rr.out", throughput: 40607.41, unit: "trans/s",
			latency: &netperf.Latency{P50: 19, P90: 21, P99: 68, Mean: 24.55, Min: 17, Max: 22151},
			cpu:     100, sd: 49.252, sdUnit: "usec/Tran", elapsed: 2 * time.Second, iterations: 1,
		},
		{
			file: "tcp_stream_confidence.out", throughput: 3073.91e6, unit: "bit/s",
			cpu: 74.14, sd: 3.977, remoteCPU: 74.09, remoteSD: 3.974, sdUnit: "usec/KB", elapsed: 1 * time.Second,
			confLevel: 99, iterations: 3, tputConfid: 113.105, cpuConfid: [2]float64{8.689, 8.48},
		},
		{
			file: "multi_stream_0.out", throughput: 2440.38e6, unit: "bit/s",
			cpu: 100, sd: 6.714, sdUnit: "usec/KB", elapsed: 3020 * time.Millisecond, iterations: 1,
			interim: []wantInterval{
				{2306.06e6, 1238 * time.Millisecond, unixMs(1795656923, 410)},
				{2571.13e6, 1006 * time.Millisecond, unixMs(1795656924, 416)},
				{2501.17e6, 768 * time.Millisecond, unixMs(1795656925, 184)},
			},
		},
		{
			file: "multi_stream_1.out", throughput: 2685.80e6, unit: "bit/s",
			cpu: 100, sd: 6.100, sdUnit: "usec/KB", elapsed: 3 * time.Second, iterations: 1,
			interim: []wantInterval{
				{2871.42e6, 1012 * time.Millisecond, unixMs(1795656923, 294)},
				{2352.11e6, 1221 * time.Millisecond, unixMs(1795656924, 515)},
				{2983.28e6, 768 * time.Millisecond, unixMs(1795656925, 283)},
			},
		},
		{
			file: "multi_stream_2.out", throughput: 2103.16e6, unit: "bit/s",
			cpu: 100, sd: 7.790, sdUnit: "usec/KB", elapsed: 3010 * time.Millisecond, iterations: 1,
			interim: []wantInterval{
				{2197.68e6, 2671 * time.Millisecond, unixMs(1795656924, 909)},
				{1371.76e6, 337 * time.Millisecond, unixMs(1795656925, 246)},
			},
		},
		{
			file: "multi_rr_0.out", throughput: 14575.70, unit: "trans/s",
			latency: &netperf.Latency{P50: 54, P90: 97, P99: 301, Mean: 68.52, Min: 18, Max: 33422},
			cpu:     100, sd: 137.215, sdUnit: "usec/Tran", elapsed: 3 * time.Second, iterations: 1,
			interim: []wantInterval{
				{11686.90, 1020 * time.Millisecond, unixMs(1795656926, 411)},
				{14512.59, 1000 * time.Millisecond, unixMs(1795656927, 411)},
				{17655.48, 980 * time.Millisecond, unixMs(1795656928, 390)},
			},
		},
		{
			file: "multi_rr_1.out", throughput: 15608.11, unit: "trans/s",
			latency: &netperf.Latency{P50: 51, P90: 96, P99: 275, Mean: 63.98, Min: 18, Max: 30594},
			cpu:     100, sd: 128.138, sdUnit: "usec/Tran", elapsed: 3 * time.Second, iterations: 1,
			interim: []wantInterval{
				{15451.87, 2538 * time.Millisecond, unixMs(1795656927, 926)},
				{16485.50, 462 * time.Millisecond, unixMs(1795656928, 388)},
			},
		},
		{
			file: "multi_rr_2.out", throughput: 14278.11, unit: "trans/s",
			latency: &netperf.Latency{P50: 52, P90: 97, P99: 322, Mean: 69.95, Min: 18, Max: 24679},
			cpu:     100, sd: 140.075, sdUnit: "usec/Tran", elapsed: 3 * time.Second, iterations: 1,
			interim: []wantInterval{
				{11418.26, 1250 * time.Millisecond, unixMs(1795656926, 634)},
				{15958.94, 1006 * time.Millisecond, unixMs(1795656927, 639)},
				{16817.51, 746 * time.Millisecond, unixMs(1795656928, 385)},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			r := parseOut(t, tc.file)
			checkNear(t, "Throughput", r.Throughput, tc.throughput)
			if r.Unit != tc.unit {
				t.Errorf("Unit = %q, want %q", r.Unit, tc.unit)
			}
			switch {
			case tc.latency == nil && r.Latency != nil:
				t.Errorf("Latency = %+v, want nil for a stream test", *r.Latency)
			case tc.latency != nil && r.Latency == nil:
				t.Errorf("Latency = nil, want %+v", *tc.latency)
			case tc.latency != nil && *r.Latency != *tc.latency:
				t.Errorf("Latency = %+v, want %+v", *r.Latency, *tc.latency)
			}
			rcpu, rsd := tc.cpu, tc.sd
			if tc.remoteCPU != 0 {
				rcpu, rsd = tc.remoteCPU, tc.remoteSD
			}
			if r.LocalCPU != tc.cpu || r.RemoteCPU != rcpu {
				t.Errorf("CPU local/remote = %v/%v, want %v/%v", r.LocalCPU, r.RemoteCPU, tc.cpu, rcpu)
			}
			if r.LocalSD != tc.sd || r.RemoteSD != rsd {
				t.Errorf("SD local/remote = %v/%v, want %v/%v", r.LocalSD, r.RemoteSD, tc.sd, rsd)
			}
			if r.SDUnit != tc.sdUnit {
				t.Errorf("SDUnit = %q, want %q", r.SDUnit, tc.sdUnit)
			}
			if r.LocalCPUs != 2 || r.RemoteCPUs != 2 {
				t.Errorf("CPU counts = %d/%d, want 2/2 (the captures ran with 2 CPUs)", r.LocalCPUs, r.RemoteCPUs)
			}
			if r.Elapsed != tc.elapsed {
				t.Errorf("Elapsed = %v, want %v", r.Elapsed, tc.elapsed)
			}
			if r.ConfidenceLevel != tc.confLevel || r.Iterations != tc.iterations {
				t.Errorf("confidence level/iterations = %d/%d, want %d/%d", r.ConfidenceLevel, r.Iterations, tc.confLevel, tc.iterations)
			}
			if r.ThroughputConfid != tc.tputConfid || r.LocalCPUConfid != tc.cpuConfid[0] || r.RemoteCPUConfid != tc.cpuConfid[1] {
				t.Errorf("confidence widths tput/local/remote = %v/%v/%v, want %v/%v/%v (netperf's -1 placeholders are ignored without -I)",
					r.ThroughputConfid, r.LocalCPUConfid, r.RemoteCPUConfid, tc.tputConfid, tc.cpuConfid[0], tc.cpuConfid[1])
			}
			if len(r.Interim) != len(tc.interim) {
				t.Fatalf("%d interim intervals, want %d: %+v", len(r.Interim), len(tc.interim), r.Interim)
			}
			for i, w := range tc.interim {
				got := r.Interim[i]
				checkNear(t, "interim rate", got.Rate, w.rate)
				if got.Length != w.length || !got.End.Equal(w.end) {
					t.Errorf("interim %d: length %v end %v, want %v %v", i, got.Length, got.End.UnixMilli(), w.length, w.end.UnixMilli())
				}
				if !got.Start().Equal(w.end.Add(-w.length)) {
					t.Errorf("interim %d: Start() = %v, want End-Length", i, got.Start())
				}
			}
			// Consecutive intervals of one process tile its run: netperf prints
			// ends and lengths rounded to the millisecond, so a boundary may be
			// off by 1ms (multi_rr_0 and multi_rr_2 have such overlaps).
			for i := 1; i < len(r.Interim); i++ {
				if d := r.Interim[i].Start().Sub(r.Interim[i-1].End); d < -time.Millisecond || d > time.Millisecond {
					t.Errorf("interim %d starts %v after the previous one ended", i, d)
				}
			}
		})
	}
}

// netperf's own service demand on the captures agrees with ServiceDemand's
// definition (CPU µs per KB of 1024 bytes, or per transaction), to the three
// decimals netperf prints. netperf divides by its unrounded rate, while the
// printed THROUGHPUT has two decimals, so the rounding of the rate (relative
// 0.005/THROUGHPUT) is allowed for beside the rounding of the demand itself.
// The confidence run is left out: with -i netperf averages the per-iteration
// demands, which is not the demand of the mean.
func TestServiceDemandMatchesNetperf(t *testing.T) {
	for _, f := range []string{"tcp_stream.out", "tcp_rr.out", "multi_stream_0.out", "multi_stream_1.out", "multi_stream_2.out", "multi_rr_0.out", "multi_rr_1.out", "multi_rr_2.out"} {
		r := parseOut(t, f)
		printed := r.Throughput // as netperf printed it: trans/s, or 10^6bits/s
		if r.Unit == "bit/s" {
			printed /= 1e6
		}
		got := netperf.ServiceDemand(r.LocalCPU, r.LocalCPUs, r.Throughput, r.Unit)
		if math.Abs(got-r.LocalSD) > 0.0005+got*0.005/printed {
			t.Errorf("%s: ServiceDemand(%v%%, %d CPUs, %v %s) = %.4f, netperf printed %.3f", f, r.LocalCPU, r.LocalCPUs, r.Throughput, r.Unit, got, r.LocalSD)
		}
	}
}

func TestCheckErrorOutputs(t *testing.T) {
	tests := []struct {
		file     string
		exitCode int
		kind     netperf.ErrorKind
		contains []string // the advice and netperf's own line
	}{
		{"err_no_netserver.out", 255, netperf.ErrNoNetserver, []string{"no netserver answered", "port 12999"}},
		{"err_unreachable.out", 255, netperf.ErrNoNetserver, []string{"no netserver answered", "198.18.250.3 at port 12865"}},
		{"err_bad_selector.out", 255, netperf.ErrBadSelector, []string{"output selector", "NOT_A_SELECTOR"}},
		{"err_bad_test.out", 1, netperf.ErrUnknownTest, []string{"does not know the test", "(NOPE) is unknown to this netperf"}},
		{"err_netserver_killed.out", 1, netperf.ErrDataConn, []string{"data connection broke", "send_data failed: Connection reset by peer"}},
		// CPU measurement failed: netperf exits 0 with -1 placeholders, which the
		// strict parser rejects rather than report a CPU of -1%.
		{"err_no_cpu.out", 0, netperf.ErrBadOutput, []string{"no CPU utilisation (-1)"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			out := readOut(t, tc.file)
			res, err := netperf.Check(out, tc.exitCode)
			var ne *netperf.Error
			if !errors.As(err, &ne) {
				t.Fatalf("Check: error %v (%T), want a *netperf.Error", err, err)
			}
			if ne.Kind != tc.kind {
				t.Errorf("Kind = %q, want %q (message %q)", ne.Kind, tc.kind, ne.Error())
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("message is not one line: %q", err.Error())
			}
			for _, s := range tc.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("message %q lacks %q", err.Error(), s)
				}
			}
			if res.Throughput != 0 || res.Unit != "" {
				t.Errorf("Check returned a result %+v beside the error", res)
			}
			// The kind comes from netperf's text, not from the exit code: Parse
			// of the same output (exit code unknown) agrees.
			_, perr := netperf.Parse(out)
			var pe *netperf.Error
			if !errors.As(perr, &pe) || pe.Kind != tc.kind {
				t.Errorf("Parse: %v, want a *netperf.Error of kind %q", perr, tc.kind)
			}
		})
	}
}

func TestCheckExitCodes(t *testing.T) {
	good := readOut(t, "tcp_stream.out")
	t.Run("success", func(t *testing.T) {
		r, err := netperf.Check(good, 0)
		if err != nil || !near(r.Throughput, 5706.55e6) {
			t.Fatalf("Check(tcp_stream, 0) = %v, %v", r.Throughput, err)
		}
	})
	tests := []struct {
		name     string
		out      string
		exitCode int
		kind     netperf.ErrorKind
		contains string
	}{
		{"unrecognised text, non-zero exit", "something odd happened\nsecond line", 2, netperf.ErrExit, "netperf exited with code 2: something odd happened"},
		{"no output, non-zero exit", "", 3, netperf.ErrExit, "netperf exited with code 3 (no output)"},
		{"killed by SIGPIPE", "", 141, netperf.ErrDataConn, "netperf was killed by SIGPIPE: the server side reset the connection while netperf sent (netserver gone, or the connection cut) (no output)"},
		{"results but non-zero exit", good, 1, netperf.ErrExit, "netperf exited with code 1: MIGRATED TCP STREAM TEST"},
		{"no output, exit 0", "", 0, netperf.ErrNoOutput, "netperf printed no results (no output)"},
		{"banner only, exit 0", "MIGRATED TCP STREAM TEST from 0.0.0.0 (0.0.0.0) port 12866 AF_INET\n", 0, netperf.ErrNoOutput, "netperf printed no results: MIGRATED"},
		{"netperf not installed", "exec: \"netperf\": executable file not found in $PATH", 127, netperf.ErrNotInstalled, "not installed"},
		{"control connection lost", "netperf: recv_response: partial response received: 0 bytes", 1, netperf.ErrDataConn, "stopped answering"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := netperf.Check(tc.out, tc.exitCode)
			var ne *netperf.Error
			if !errors.As(err, &ne) {
				t.Fatalf("Check: %v (%T), want a *netperf.Error", err, err)
			}
			if ne.Kind != tc.kind || !strings.Contains(ne.Error(), tc.contains) {
				t.Errorf("got %q %q, want kind %q containing %q", ne.Kind, ne.Error(), tc.kind, tc.contains)
			}
			if strings.ContainsAny(ne.Error(), "\r\n") {
				t.Errorf("message is not one line: %q", ne.Error())
			}
		})
	}
	t.Run("long output is cut", func(t *testing.T) {
		_, err := netperf.Check(strings.Repeat("x", 500), 9)
		if err == nil || len(err.Error()) > 260 || !strings.HasSuffix(err.Error(), "…") {
			t.Errorf("message not shortened: %d bytes: %v", len(err.Error()), err)
		}
	})
}

// TestParseMalformed edits a real output into each kind of damage the strict
// parser must refuse.
func TestParseMalformed(t *testing.T) {
	stream := readOut(t, "tcp_stream.out")
	rr := readOut(t, "tcp_rr.out")
	multi := readOut(t, "multi_stream_0.out")
	replace := func(s, old, new string) string {
		t.Helper()
		if !strings.Contains(s, old) {
			t.Fatalf("testdata lacks %q", old)
		}
		return strings.Replace(s, old, new, 1)
	}
	drop := func(s, line string) string { return replace(s, line+"\n", "") }
	tests := []struct {
		name     string
		out      string
		contains string
	}{
		{"missing THROUGHPUT", drop(stream, "THROUGHPUT=5706.55"), "lacks THROUGHPUT"},
		{"missing THROUGHPUT_UNITS", drop(stream, "THROUGHPUT_UNITS=10^6bits/s"), "lacks THROUGHPUT_UNITS"},
		{"missing LOCAL_CPU_UTIL", drop(stream, "LOCAL_CPU_UTIL=100.00"), "lacks LOCAL_CPU_UTIL"},
		{"missing SD_UNITS", drop(stream, "SD_UNITS=usec/KB"), "lacks SD_UNITS"},
		{"missing REMOTE_CPU_COUNT", drop(stream, "REMOTE_CPU_COUNT=2"), "lacks REMOTE_CPU_COUNT"},
		{"missing ELAPSED_TIME", drop(stream, "ELAPSED_TIME=2.00"), "lacks ELAPSED_TIME"},
		{"missing CONFIDENCE_LEVEL", drop(stream, "CONFIDENCE_LEVEL=0"), "lacks CONFIDENCE_LEVEL"},
		{"RR missing P99_LATENCY", drop(rr, "P99_LATENCY=68"), "lacks P99_LATENCY"},
		{"confidence run missing THROUGHPUT_CONFID", drop(readOut(t, "tcp_stream_confidence.out"), "THROUGHPUT_CONFID=113.105"), "lacks THROUGHPUT_CONFID"},
		{"non-numeric THROUGHPUT", replace(stream, "THROUGHPUT=5706.55", "THROUGHPUT=fast"), `THROUGHPUT="fast" is not a number`},
		{"NaN THROUGHPUT", replace(stream, "THROUGHPUT=5706.55", "THROUGHPUT=nan"), `THROUGHPUT="nan" is not a number`},
		{"infinite REMOTE_SD", replace(stream, "REMOTE_SD=2.871", "REMOTE_SD=+Inf"), `REMOTE_SD="+Inf" is not a number`},
		{"non-numeric RR latency", replace(rr, "MEAN_LATENCY=24.55", "MEAN_LATENCY=n/a"), `MEAN_LATENCY="n/a" is not a number`},
		{"empty CPU count", replace(stream, "LOCAL_CPU_COUNT=2", "LOCAL_CPU_COUNT="), `LOCAL_CPU_COUNT="" is not a number`},
		{"unknown unit", replace(stream, "THROUGHPUT_UNITS=10^6bits/s", "THROUGHPUT_UNITS=KBytes/s"), `THROUGHPUT_UNITS "KBytes/s" is not one the suite understands`},
		{"negative remote CPU only", replace(stream, "REMOTE_CPU_UTIL=100.00", "REMOTE_CPU_UTIL=-1.00"), "no CPU utilisation (-1)"},
		{"gap in interim indices", strings.NewReplacer(
			"NETPERF_INTERIM_RESULT[1]=2571.13\n", "", "NETPERF_UNITS[1]=10^6bits/s\n", "",
			"NETPERF_INTERVAL[1]=1.006\n", "", "NETPERF_ENDING[1]=1795656924.416\n", "").Replace(multi),
			"interim result 1 is missing"},
		{"interim indices not starting at 0", strings.NewReplacer("[0]", "[3]").Replace(multi), "interim result 0 is missing"},
		{"interim entry without its end", drop(multi, "NETPERF_ENDING[2]=1795656925.184"), "interim result 2"},
		{"interim with non-numeric rate", replace(multi, "NETPERF_INTERIM_RESULT[1]=2571.13", "NETPERF_INTERIM_RESULT[1]=x"), "interim result 1"},
		{"interim in unknown units", replace(multi, "NETPERF_UNITS[0]=10^6bits/s", "NETPERF_UNITS[0]=KBytes/s"), `interim units "KBytes/s" are not understood`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := netperf.Parse(tc.out)
			var ne *netperf.Error
			if !errors.As(err, &ne) {
				t.Fatalf("Parse = %+v, %v; want a *netperf.Error", r, err)
			}
			if ne.Kind != netperf.ErrBadOutput {
				t.Errorf("Kind = %q, want %q", ne.Kind, netperf.ErrBadOutput)
			}
			if !strings.Contains(ne.Error(), tc.contains) {
				t.Errorf("message %q lacks %q", ne.Error(), tc.contains)
			}
			if strings.ContainsAny(ne.Error(), "\r\n") {
				t.Errorf("message is not one line: %q", ne.Error())
			}
		})
	}
}

func TestParseTolerantForms(t *testing.T) {
	stream := readOut(t, "tcp_stream.out")
	tests := []struct {
		name string
		out  string
		tput float64
	}{
		{"CRLF line endings", strings.ReplaceAll(stream, "\n", "\r\n"), 5706.55e6},
		{"quoted values", strings.Replace(stream, "THROUGHPUT_UNITS=10^6bits/s", `THROUGHPUT_UNITS="10^6bits/s"`, 1), 5706.55e6},
		{"Gbit/s units", strings.Replace(strings.Replace(stream, "THROUGHPUT=5706.55", "THROUGHPUT=5.70655", 1), "10^6bits/s", "10^9bits/s", 1), 5706.55e6},
		{"kbit/s units", strings.Replace(strings.Replace(stream, "THROUGHPUT=5706.55", "THROUGHPUT=5706550", 1), "10^6bits/s", "10^3bits/s", 1), 5706.55e6},
		{"no CONFIDENCE_ITERATION", strings.Replace(stream, "CONFIDENCE_ITERATION=1\n", "", 1), 5706.55e6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := netperf.Parse(tc.out)
			if err != nil {
				t.Fatal(err)
			}
			checkNear(t, "Throughput", r.Throughput, tc.tput)
			if r.Unit != "bit/s" || r.Iterations != 1 {
				t.Errorf("Unit %q Iterations %d, want bit/s 1", r.Unit, r.Iterations)
			}
		})
	}
}

// Parse reads the -k output only; nothing in it names the netperf test, so
// Result.Test stays empty here (see TestRunSetsProcessTest for who should fill it).
func TestParseDoesNotGuessTest(t *testing.T) {
	if r := parseOut(t, "tcp_rr.out"); r.Test != "" {
		t.Errorf("Parse set Test = %q from the output alone", r.Test)
	}
}
