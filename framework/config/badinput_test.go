package config

import (
	"errors"
	"flag"
	"io"
	"os"
	"strings"
	"testing"
)

// badInput is one rejected configuration: the flags, the flag the error must
// name, and what else the message must say (the accepted values, where there
// is a short list of them).
type badInput struct {
	what  string
	args  []string
	flag  string
	names []string
}

// td is a file of bad input in testdata/badinput.
func td(name string) string { return "testdata/badinput/" + name }

const kube = "--target=kubernetes"

var badInputs = []badInput{
	{"unknown target", []string{"--target=aws"}, "--target", []string{"local or kubernetes"}},
	{"duration 0", []string{"--duration=0s"}, "--duration", []string{"whole seconds from 1s to 1h0m0s"}},
	{"duration 1.5 s", []string{"--duration=1.5s"}, "--duration", []string{"whole seconds from 1s to 1h0m0s"}},
	{"duration 1 h 1 s", []string{"--duration=1h0m1s"}, "--duration", []string{"whole seconds from 1s to 1h0m0s"}},
	{"negative duration", []string{"--duration=-10s"}, "--duration", []string{"1s to 1h0m0s"}},
	{"samples 0", []string{"--samples=0"}, "--samples", []string{"1 to 100"}},
	{"samples 101", []string{"--samples=101"}, "--samples", []string{"1 to 100"}},
	{"max-samples below samples", []string{"--samples=5", "--max-samples=4"}, "--max-samples", []string{"below --samples=5", "5 to 100"}},
	{"max-samples 0", []string{"--max-samples=0"}, "--max-samples", []string{"3 to 100"}},
	{"max-samples 101", []string{"--max-samples=101"}, "--max-samples", []string{"to 100"}},
	{"negative sample budget", []string{"--sample-budget=-1s"}, "--sample-budget", []string{"0", "positive duration"}},
	{"counter tolerance as a percentage", []string{"--counter-tolerance=5"}, "--counter-tolerance", []string{"fraction from 0"}},
	{"negative counter tolerance", []string{"--counter-tolerance=-0.1"}, "--counter-tolerance", []string{"fraction from 0"}},
	{"counter tolerance NaN", []string{"--counter-tolerance=NaN"}, "--counter-tolerance", []string{"fraction from 0"}},
	{"control port 0", []string{"--control-port=0"}, "--control-port", []string{"1-65535"}},
	{"control port 65536", []string{"--control-port=65536"}, "--control-port", []string{"1-65535"}},
	{"data port 0", []string{"--data-port=0"}, "--data-port", []string{"1-65504"}},
	{"data ports past 65535", []string{"--data-port=65505"}, "--data-port", []string{"1-65504"}},
	{"control port inside the 32 data ports", []string{"--control-port=12870", "--data-port=12866"}, "--control-port", []string{"12866-12897"}},
	{"control port at the last data port", []string{"--control-port=12897", "--data-port=12866"}, "--control-port", []string{"12866-12897"}},
	{"unknown tolerance mode", []string{"--tolerance-mode=strict"}, "--tolerance-mode", []string{"relative or absolute"}},
	{"unknown inconclusive policy", []string{"--inconclusive=retry"}, "--inconclusive", []string{"fail, warn or pass"}},
	{"netperf confidence, one field", []string{"--netperf-confidence=99"}, "--netperf-confidence", []string{"LEVEL,WIDTH[,MIN,MAX]"}},
	{"netperf confidence, text", []string{"--netperf-confidence=high,5"}, "--netperf-confidence", []string{"LEVEL,WIDTH[,MIN,MAX]"}},
	{"netperf confidence, level 90", []string{"--netperf-confidence=90,5"}, "--netperf-confidence", []string{"95 or 99"}},
	{"netperf confidence, 31 iterations", []string{"--netperf-confidence=99,5,3,31"}, "--netperf-confidence", []string{"3 <= min <= max <= 30"}},
	{"unknown built-in baseline", []string{"--baseline=cilium-ipsec"}, "--baseline", []string{"calico, calico-ebpf, cilium-ebpf-host-routing, cilium-legacy-host-routing"}},
	{"missing baseline file", []string{"--baseline=" + td("nonexistent.yaml")}, "--baseline", []string{"no such file", "a YAML file or one of the built-in baselines"}},
	{"baseline that is not YAML", []string{"--baseline=" + td("profile-not-yaml.yaml")}, "--baseline", []string{"profile-not-yaml.yaml is not a valid profile"}},
	{"baseline with a key twice", []string{"--baseline=" + td("profile-duplicate-key.yaml")}, "--baseline", []string{`"name" already set`}},
	{"baseline of another schema", []string{"--baseline=" + td("profile-wrong-version.yaml")}, "--baseline", []string{`want "podperf/v1"/"BaselineProfile"`}},
	{"baseline whose CPU forms disagree", []string{"--baseline=" + td("profile-cpu-forms-disagree.yaml")}, "--baseline", []string{"tests.tcp_stream_1.pod: client CPU", "disagree"}},
	{"baseline with an unknown test", []string{"--baseline=" + td("profile-unknown-test.yaml")}, "--baseline", []string{"tests.tcp_stream_64", "tcp_stream_1, tcp_stream_32, tcp_rr_1, tcp_rr_32"}},
	{"baseline without a selected test", []string{"--baseline=" + td("profile-missing-test.yaml")}, "--baseline", []string{"no figures for tcp_rr_32", "--label-filter"}},
	{"unknown built-in tolerances", []string{"--tolerances=tight"}, "--tolerances", []string{"default, kind, local, regression"}},
	{"missing tolerance file", []string{"--tolerances=" + td("nonexistent.yaml")}, "--tolerances", []string{"no such file", "default, kind, local, regression"}},
	{"tolerances that are not YAML", []string{"--tolerances=" + td("tolerances-not-yaml.yaml")}, "--tolerances", []string{"are not valid"}},
	{"tolerances without a default", []string{"--tolerances=" + td("tolerances-missing-default.yaml")}, "--tolerances", []string{"defaults.server_cpu is missing"}},
	{"zero tolerance", []string{"--tolerances=" + td("tolerances-zero.yaml")}, "--tolerances", []string{"defaults.rate = 0", "above 0 and below 1"}},
	{"zero per-test tolerance", []string{"--tolerances=" + td("tolerances-zero-per-test.yaml")}, "--tolerances", []string{"tests.tcp_rr_32.server_cpu = 0", "above 0 and at most 2"}},
	{"negative tolerance", []string{"--tolerances=" + td("tolerances-negative.yaml")}, "--tolerances", []string{"defaults.client_cpu = -0.25"}},
	{"rate tolerance of 100 %", []string{"--tolerances=" + td("tolerances-rate-one.yaml")}, "--tolerances", []string{"defaults.rate = 1", "above 0 and below 1"}},
	{"absurd CPU tolerance", []string{"--tolerances=" + td("tolerances-cpu-absurd.yaml")}, "--tolerances", []string{"defaults.server_cpu = 4", "above 0 and at most 2"}},
	{"tolerance as a percentage", []string{"--tolerances=" + td("tolerances-percent.yaml")}, "--tolerances", []string{"defaults.rate = 10", "fraction"}},
	{"unknown metric", []string{"--tolerances=" + td("tolerances-unknown-metric.yaml")}, "--tolerances", []string{`unknown metric "p99_latency"`, "rate, client_cpu, server_cpu"}},
	{"tolerances for an unknown test", []string{"--tolerances=" + td("tolerances-unknown-test.yaml")}, "--tolerances", []string{"tests.tcp_crr_1", "tcp_stream_1, tcp_stream_32, tcp_rr_1, tcp_rr_32"}},
	{"write-baseline into a missing directory", []string{"--write-baseline=/nonexistent/dir/b.yaml"}, "--write-baseline", []string{"directory /nonexistent/dir does not exist"}},
	{"image that does not parse", []string{kube, "--image=localhost/Podperf/netperf:v1"}, "--image", []string{"not an image reference", "localhost/podperf/netperf:v1"}},
	{"image with an empty tag", []string{kube, "--image=netperf:"}, "--image", []string{"not an image reference"}},
	{"empty image", []string{kube, "--image="}, "--image", []string{"not an image reference"}},
	{"pod start timeout 0", []string{kube, "--pod-start-timeout=0s"}, "--pod-start-timeout", []string{"positive duration"}},
	{"client node without server node", []string{kube, "--client-node=a"}, "--client-node", []string{"both nodes or neither"}},
	{"server node without client node", []string{kube, "--server-node=b"}, "--client-node", []string{"both nodes or neither"}},
	{"client and server the same node", []string{kube, "--client-node=a", "--server-node=a"}, "--client-node", []string{"two different nodes"}},
	{"node names and a selector", []string{kube, "--client-node=a", "--server-node=b", "--node-selector=pool=perf"}, "--node-selector", []string{"one or the other"}},
	{"node selector that does not parse", []string{kube, "--node-selector=pool in (a"}, "--node-selector", []string{"not a label selector"}},
	{"node flags on the local target", []string{"--client-node=a", "--server-node=b"}, "--client-node", []string{"--target=kubernetes only"}},
	{"local-tc on the Kubernetes target", []string{kube, "--local-tc=pod:rate=2gbit"}, "--local-tc", []string{"--target=local only"}},
	{"local-tc that does not parse", []string{"--local-tc=node:rate=2gbit"}, "--local-tc", []string{"pod: or wire:"}},
	{"local-tc on a node the ring does not build", []string{"--node-pairs=3", "--local-tc=pod:rate=2gbit,node=node-e"}, "--local-tc", []string{"--node-pairs=3 builds 3 nodes", "give --node-pairs=5 or more"}},
	{"local-tc on a node that does not exist", []string{"--local-tc=pod:rate=2gbit,node=web-1"}, "--local-tc", []string{"node-a to node-p"}},
	{"more node pairs than the local target builds", []string{"--node-pairs=17"}, "--node-pairs", []string{"at most 16 node pairs", "--target=kubernetes"}},
	{"kind cluster on the local target", []string{"--kind-cluster=x"}, "--kind-cluster", []string{"needs --target=kubernetes"}},
	{"kind cluster with a kubeconfig", []string{kube, "--kind-cluster=x", "--kubeconfig=/tmp/kubeconfig"}, "--kubeconfig", []string{"one or the other"}},
	{"kind cluster name in capitals", []string{kube, "--kind-cluster=Podperf"}, "--kind-cluster", []string{"a-z, 0-9, '.' and '-', at most 50 characters"}},
	{"kind cluster name too long", []string{kube, "--kind-cluster=" + strings.Repeat("a", 51)}, "--kind-cluster", []string{"at most 50 characters"}},
	{"unknown kind CNI", []string{kube, "--kind-cluster=x", "--kind-cni=calico"}, "--kind-cni", []string{"use ptp, or leave it empty"}},
	{"kind node image that does not parse", []string{kube, "--kind-cluster=x", "--kind-image=a b"}, "--kind-image", []string{"not an image reference"}},
	{"missing kind config", []string{kube, "--kind-cluster=x", "--kind-config=/nonexistent/kind.yaml"}, "--kind-config", []string{"no such file"}},
	{"missing kind archive", []string{kube, "--kind-cluster=x", "--kind-load=/nonexistent/netperf.tar"}, "--kind-load", []string{"no such file"}},
	{"kind-config without kind-cluster", []string{kube, "--kind-config=kind-config/kind-offline.yaml"}, "--kind-config", []string{"needs --kind-cluster=NAME"}},
	{"kind-image without kind-cluster", []string{kube, "--kind-image=x"}, "--kind-image", []string{"needs --kind-cluster=NAME"}},
	{"kind-load without kind-cluster", []string{kube, "--kind-load=a.tar"}, "--kind-load", []string{"needs --kind-cluster=NAME"}},
	{"kind-cni without kind-cluster", []string{kube, "--kind-cni=ptp"}, "--kind-cni", []string{"needs --kind-cluster=NAME"}},
	{"kind-keep without kind-cluster", []string{kube, "--kind-keep"}, "--kind-keep", []string{"needs --kind-cluster=NAME"}},
}

// resolveArgs registers the suite's flags on a fresh set, as the suite does,
// with the upstream framework's --kubeconfig beside them, parses args and
// resolves them; then it checks the selection an empty --label-filter makes
// (every spec, as in Ginkgo).
func resolveArgs(t *testing.T, args []string) (*Config, error) {
	t.Helper()
	var c Config
	fs := flag.NewFlagSet("podperf", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.String("kubeconfig", "", "the upstream framework's flag")
	c.Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("flags %q: %v", args, err)
	}
	if err := c.Resolve(); err != nil {
		return &c, err
	}
	_, err := c.Select("", BenchmarkLabels(), func(string) (LabelMatcher, error) { return func([]string) bool { return true }, nil })
	return &c, err
}

// TestBadInput holds every rejected configuration to the same contract: an
// *InputError for the flag, one line, naming the flag and what is accepted.
// It also keeps the table in docs/bad-input.md (go test ./framework/config
// -run TestBadInput -update rewrites it).
func TestBadInput(t *testing.T) {
	var doc strings.Builder
	doc.WriteString("| case | flags | message |\n|---|---|---|\n")
	for _, tc := range badInputs {
		t.Run(tc.what, func(t *testing.T) {
			_, err := resolveArgs(t, tc.args)
			if err == nil {
				t.Fatalf("accepted %q", tc.args)
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %q (%T) is not an *InputError", err, err)
			}
			msg := err.Error()
			if ie.Flag != tc.flag || !strings.Contains(msg, tc.flag) {
				t.Errorf("error for %s (message %q), want %s", ie.Flag, msg, tc.flag)
			}
			if strings.ContainsAny(msg, "\n\r") {
				t.Errorf("error is not one line: %q", msg)
			}
			for _, s := range tc.names {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q lacks %q", msg, s)
				}
			}
			doc.WriteString("| " + cell(tc.what) + " | " + codeSpan(strings.Join(tc.args, " ")) + " | " + codeSpan("podperf: "+msg) + " |\n")
		})
	}
	checkDocBlock(t, "../../docs/bad-input.md", "badinput", doc.String())
}

// TestGoodInput: the defaults and the edges of every range pass.
func TestGoodInput(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{kube},
		{"--duration=1s"},
		{"--duration=1h"},
		{"--samples=100", "--max-samples=100"},
		{"--samples=5", "--max-samples=5"},
		{"--control-port=65535", "--data-port=1"},
		{"--data-port=65504"},
		{"--control-port=12865", "--data-port=12866"},
		{"--control-port=12898", "--data-port=12866"},
		{"--counter-tolerance=0"},
		{"--netperf-confidence=99,5,3,10", "--inconclusive=warn", "--tolerance-mode=absolute"},
		{kube, "--client-node=a", "--server-node=b", "--image=registry.example:5000/podperf/netperf@sha256:" + strings.Repeat("a", 64)},
		{kube, "--node-selector=pool in (perf,lab)", "--image=netperf"},
		{"--local-tc=pod:rate=2gbit;wire:delay=1ms"},
	} {
		c, err := resolveArgs(t, args)
		if err != nil {
			t.Errorf("%q: %v", args, err)
			continue
		}
		if c.MaxSamples < c.Samples || c.Profile == nil || c.Tol.Defaults == nil {
			t.Errorf("%q resolved to max-samples %d < samples %d, profile %v, tolerances %v", args, c.MaxSamples, c.Samples, c.Profile, c.Tol)
		}
	}
	// Without --max-samples, a --samples above its default raises it.
	if c, err := resolveArgs(t, []string{"--samples=20"}); err != nil || c.MaxSamples != 20 {
		t.Errorf("--samples=20 alone: max-samples %d, %v; want 20", c.MaxSamples, err)
	}
}

// checkDocBlock compares the block of doc between <!-- name:begin --> and
// <!-- name:end --> with want, or rewrites it with -update.
func checkDocBlock(t *testing.T, doc, name, want string) {
	t.Helper()
	if t.Failed() {
		return
	}
	b, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	text, begin, end := string(b), "<!-- "+name+":begin -->", "<!-- "+name+":end -->"
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("%s needs a %s line and a %s line around the table", doc, begin, end)
	}
	start := i + len(begin)
	if got := text[start:j]; got == "\n"+want {
		return
	} else if !*update {
		t.Fatalf("the table in %s differs from the messages (%s); regenerate it with: go test ./framework/config -run %s -update", doc, firstDiff(got, "\n"+want), t.Name())
	}
	if err := os.WriteFile(doc, []byte(text[:start]+"\n"+want+text[j:]), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("rewrote the table in %s", doc)
}
