package scenario_test

import (
	"testing"
	"time"

	"podperf/framework/endpoints"
	"podperf/framework/netperf"
	"podperf/framework/scenario"
)

func TestBenchmark(t *testing.T) {
	want := []struct {
		id      string
		test    netperf.Test
		streams int
		cpus    int
		rr      bool
	}{
		{"tcp_stream_1", netperf.TCPStream, 1, 0, false},
		{"tcp_stream_32", netperf.TCPStream, 32, 0, false},
		{"tcp_rr_1", netperf.TCPRR, 1, 1, true},
		{"tcp_rr_32", netperf.TCPRR, 32, 32, true},
	}
	if len(scenario.Benchmark) != len(want) {
		t.Fatalf("%d scenarios, want %d", len(scenario.Benchmark), len(want))
	}
	for i, w := range want {
		sc := scenario.Benchmark[i]
		if sc.ID != w.id || sc.Test != w.test || sc.Streams != w.streams || sc.CPUs != w.cpus {
			t.Errorf("scenario %d = %+v, want %+v", i, sc, w)
		}
		if w.rr && (sc.RequestSize != 1 || sc.ResponseSize != 1) {
			t.Errorf("%s: sizes %d,%d, want 1,1 as published", sc.ID, sc.RequestSize, sc.ResponseSize)
		}
		if sc.Title == "" || len(sc.Labels) == 0 {
			t.Errorf("%s: no title or labels", sc.ID)
		}
	}
}

func TestSpecAndRequest(t *testing.T) {
	s := scenario.Settings{Duration: 10 * time.Second, Samples: 3, ControlPort: 12865, DataPortBase: 12866}
	for _, sc := range scenario.Benchmark {
		t.Run(sc.ID, func(t *testing.T) {
			spec := sc.Spec(s)
			if err := spec.Validate(); err != nil {
				t.Fatalf("Spec is invalid: %v", err)
			}
			if spec.Test != sc.Test || spec.Duration != s.Duration || spec.ControlPort != 12865 ||
				spec.RequestSize != sc.RequestSize || spec.ResponseSize != sc.ResponseSize || spec.Confidence != nil {
				t.Errorf("Spec = %+v", spec)
			}
			// Concurrent processes need interim timestamps to find their common window.
			if wantInterim := sc.Streams > 1; (spec.Interim != 0) != wantInterim || spec.Interim > 500*time.Millisecond {
				t.Errorf("%d streams: Interim = %v", sc.Streams, spec.Interim)
			}
			// ...and a common start delay, so that processes launched one after
			// another begin sending together.
			if wantDelay := sc.Streams > 1; (spec.StartDelay == 2*time.Second) != wantDelay || (spec.StartDelay != 0) != wantDelay {
				t.Errorf("%d streams: StartDelay = %v", sc.Streams, spec.StartDelay)
			}
			for _, p := range []endpoints.Path{endpoints.PodPath, endpoints.NodePath} {
				r := sc.Request(p, s)
				want := endpoints.Request{Path: p, CPUs: sc.CPUs, ControlPort: 12865, DataPortBase: 12866, DataPorts: sc.Streams}
				if r != want {
					t.Errorf("Request(%s) = %+v, want %+v", p, r, want)
				}
			}
			// netperf's own iterations apply to single processes only.
			withConf := s
			withConf.Confidence = &netperf.Confidence{Level: 99, Width: 5, MinIter: 3, MaxIter: 10}
			if got := sc.Spec(withConf).Confidence; (got != nil) != (sc.Streams == 1) {
				t.Errorf("%d streams: Confidence = %v", sc.Streams, got)
			}
			res := sc.NewResult()
			if res.ID != sc.ID || res.Title != sc.Title || res.Netperf != sc.Test || res.Streams != sc.Streams || res.CPUs != sc.CPUs || res.Paths == nil {
				t.Errorf("NewResult = %+v", res)
			}
		})
	}
}
