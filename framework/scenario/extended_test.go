package scenario_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"podperf/framework/baseline"
	"podperf/framework/netperf"
	"podperf/framework/results"
	"podperf/framework/scenario"
)

func TestExtended(t *testing.T) {
	s := scenario.Settings{Duration: 2 * time.Second, ControlPort: 12865, DataPortBase: 12866}
	seen := map[netperf.Test]bool{}
	for _, sc := range scenario.Extended {
		if !slices.Contains(sc.Labels, scenario.ExtendedLabel) || !slices.Contains(sc.Labels, string(sc.Test)) {
			t.Errorf("%s: labels %v lack extended or the test", sc.ID, sc.Labels)
		}
		if err := sc.Spec(s).Validate(); err != nil {
			t.Errorf("%s: %v", sc.ID, err)
		}
		seen[sc.Test] = true
	}
	for _, want := range []netperf.Test{netperf.TCPCRR, netperf.UDPStream, netperf.UDPRR} {
		if !seen[want] {
			t.Errorf("no extended %s", want)
		}
	}
	for _, sc := range scenario.Benchmark {
		if slices.Contains(sc.Labels, scenario.ExtendedLabel) {
			t.Errorf("%s of the four is labelled extended", sc.ID)
		}
	}
}

func TestSweeps(t *testing.T) {
	s := scenario.Settings{Duration: 2 * time.Second, ControlPort: 12865, DataPortBase: 12866}
	sw := scenario.Sweeps([]int{64, 65536})
	if len(sw) != 4 {
		t.Fatalf("%d sweep scenarios, want 4", len(sw))
	}
	for _, sc := range sw {
		err := sc.Spec(s).Validate()
		udpTooBig := sc.Test == netperf.UDPStream && sc.MessageSize > netperf.MaxUDPMessage
		if (err != nil) != udpTooBig {
			t.Errorf("%s: Validate = %v", sc.ID, err)
		}
		if sc.Spec(s).MessageSize != sc.MessageSize || sc.Sweep == "" || !strings.HasPrefix(sc.ID, sc.Sweep+"_") {
			t.Errorf("%s: spec size %d, sweep %q", sc.ID, sc.Spec(s).MessageSize, sc.Sweep)
		}
		if r := sc.NewResult(); r.MessageSize != sc.MessageSize || r.Sweep != sc.Sweep {
			t.Errorf("%s: result size %d sweep %q", sc.ID, r.MessageSize, r.Sweep)
		}
	}
	if scenario.Sweeps(nil) != nil {
		t.Error("no sizes, yet a sweep")
	}
}

func TestWithStreams(t *testing.T) {
	got := scenario.WithStreams(scenario.Benchmark, 8)
	for i, sc := range got {
		orig := scenario.Benchmark[i]
		if sc.ID != orig.ID {
			t.Errorf("id %s changed to %s", orig.ID, sc.ID)
		}
		switch orig.ID {
		case "tcp_stream_32":
			if sc.Streams != 8 || sc.CPUs != 0 || sc.Title != "TCP_STREAM 8 streams" {
				t.Errorf("%+v", sc)
			}
		case "tcp_rr_32":
			if sc.Streams != 8 || sc.CPUs != 8 || sc.Title != "TCP_RR 8 connections, 8 CPUs" {
				t.Errorf("%+v", sc)
			}
		default:
			if sc.Streams != orig.Streams || sc.Title != orig.Title {
				t.Errorf("single test changed: %+v", sc)
			}
		}
	}
	if scenario.Benchmark[1].Streams != 32 {
		t.Fatal("WithStreams changed the benchmark itself")
	}
	if same := scenario.WithStreams(scenario.Benchmark, 0); !slices.EqualFunc(same, scenario.Benchmark, func(a, b scenario.Scenario) bool { return a.Title == b.Title && a.Streams == b.Streams }) {
		t.Error("--streams unset changed the tests")
	}
}

func TestReferenceUnpublished(t *testing.T) {
	prof, err := baseline.Builtin("cilium-legacy-host-routing")
	if err != nil {
		t.Fatal(err)
	}
	if p, unpub := scenario.Reference(prof, scenario.Benchmark[0]); unpub || p != prof {
		t.Error("a published test is judged as unpublished")
	}
	crr := scenario.Extended[0]
	p, unpub := scenario.Reference(prof, crr)
	if !unpub || p == prof {
		t.Fatal("TCP_CRR has no published figure, yet the profile is used as is")
	}
	if _, ok := prof.Tests[crr.ID]; ok {
		t.Fatal("Reference changed the profile it was given")
	}
	tf := p.Tests[crr.ID]
	for _, m := range results.Metrics {
		if tf.Ratio(m) != 1 {
			t.Errorf("%s: expected ratio %v, want 1 (the node-to-node reference)", m, tf.Ratio(m))
		}
	}
	if tf.Unit != "trans/s" || tf.CPUNormalisedTo != 0 {
		t.Errorf("figures %+v", tf)
	}
	if p, unpub := scenario.Reference(nil, crr); !unpub || p.Tests[crr.ID].Ratio(results.Rate) != 1 {
		t.Error("no profile at all")
	}
	if !tf.Unpublished {
		t.Error("the stand-in figures are not marked unpublished: their verdicts would call them published")
	}
	if prof.Tests["tcp_rr_1"].Unpublished || p.Tests["tcp_rr_1"].Unpublished {
		t.Error("a published test's figures are marked unpublished")
	}
}
