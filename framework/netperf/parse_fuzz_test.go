package netperf_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"podperf/framework/netperf"
)

// The fuzz targets below hold the parser to one property on any input: it
// returns, it does not panic, and it gives either a well-formed Result or a
// *netperf.Error with a kind whose message is one bounded line. Their
// seeds are the real captures in testdata/ (plus any committed inputs in
// testdata/fuzz/<FuzzName>/); "make fuzz" runs each for a while.

// maxMessage bounds an error message: one line a user can read, however long
// the garbled output it describes.
const maxMessage = 1024

// addCaptures seeds f with every real netperf capture in testdata/, each
// with exit code 0 and, for the error captures, 1.
func addCaptures(f *testing.F) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "*.out"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no captures in testdata: %v", err)
	}
	var outs []string
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		outs = append(outs, string(b))
	}
	return outs
}

// checkParsed fails t unless (r, err) is a well-formed result or a typed
// one-line error.
func checkParsed(t *testing.T, r netperf.Result, err error) {
	t.Helper()
	if err != nil {
		var ne *netperf.Error
		if !errors.As(err, &ne) {
			t.Fatalf("error %q (%T) is not a *netperf.Error", err, err)
		}
		switch ne.Kind {
		case netperf.ErrNoNetserver, netperf.ErrDataConn, netperf.ErrUnknownTest, netperf.ErrBadSelector,
			netperf.ErrNotInstalled, netperf.ErrNoOutput, netperf.ErrBadOutput, netperf.ErrNoData, netperf.ErrExit:
		default:
			t.Fatalf("error %q has unknown kind %q", err, ne.Kind)
		}
		msg := err.Error()
		if msg == "" || strings.ContainsAny(msg, "\n\r") || len(msg) > maxMessage {
			t.Fatalf("error is not one line of at most %d bytes (%d bytes): %q", maxMessage, len(msg), msg)
		}
		return
	}
	finite := func(what string, v float64, min float64) {
		t.Helper()
		if math.IsNaN(v) || math.IsInf(v, 0) || v < min {
			t.Fatalf("Parse accepted %s = %v (want a finite figure >= %v)", what, v, min)
		}
	}
	switch r.Unit {
	case "bit/s", "trans/s":
	default:
		t.Fatalf("Parse accepted unit %q", r.Unit)
	}
	if r.Throughput <= 0 {
		t.Fatalf("Parse accepted throughput %v", r.Throughput)
	}
	finite("throughput", r.Throughput, 0)
	if (r.Unit == "trans/s") != (r.Latency != nil) {
		t.Fatalf("unit %s with latency %v", r.Unit, r.Latency)
	}
	if l := r.Latency; l != nil {
		for _, v := range []float64{l.P50, l.P90, l.P99, l.Mean, l.Min, l.Max} {
			finite("a latency", v, 0)
		}
	}
	finite("LOCAL_CPU_UTIL", r.LocalCPU, 0)
	finite("REMOTE_CPU_UTIL", r.RemoteCPU, 0)
	finite("LOCAL_SD", r.LocalSD, 0)
	finite("REMOTE_SD", r.RemoteSD, 0)
	if r.LocalCPUs < 1 || r.RemoteCPUs < 1 {
		t.Fatalf("Parse accepted CPU counts %d/%d", r.LocalCPUs, r.RemoteCPUs)
	}
	if r.Elapsed <= 0 {
		t.Fatalf("Parse accepted elapsed time %v", r.Elapsed)
	}
	if r.Iterations < 1 || r.ConfidenceLevel < 0 {
		t.Fatalf("Parse accepted %d iterations at confidence level %d", r.Iterations, r.ConfidenceLevel)
	}
	for i, iv := range r.Interim {
		finite("an interim rate", iv.Rate, 0)
		if iv.Length < 0 {
			t.Fatalf("interim result %d: length %v ending %v", i, iv.Length, iv.End)
		}
	}
}

// FuzzParse feeds whole outputs to Check (and so to Parse), with an exit code.
func FuzzParse(f *testing.F) {
	for _, out := range addCaptures(f) {
		f.Add(out, 0)
		f.Add(out, 1)
	}
	f.Fuzz(func(t *testing.T, out string, exit int) {
		r, err := netperf.Check(out, exit)
		checkParsed(t, r, err)
		if exit == 0 {
			r, err = netperf.Parse(out)
			checkParsed(t, r, err)
		}
	})
}

// FuzzInterim feeds -D interim-result lines, the input of the interim parser,
// in front of the final figures of a real capture, so that every input reaches
// it.
func FuzzInterim(f *testing.F) {
	tail := ""
	for _, out := range addCaptures(f) {
		var interim, rest []string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "NETPERF_") {
				interim = append(interim, l)
			} else {
				rest = append(rest, l)
			}
		}
		if len(interim) > 0 {
			f.Add(strings.Join(interim, "\n"))
			if tail == "" {
				tail = strings.Join(rest, "\n")
			}
		}
	}
	if tail == "" {
		f.Fatal("no capture in testdata has interim results")
	}
	f.Fuzz(func(t *testing.T, interim string) {
		r, err := netperf.Parse(interim + "\n" + tail)
		checkParsed(t, r, err)
	})
}
