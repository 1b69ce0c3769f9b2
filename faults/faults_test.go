package faults

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"podperf/framework/netperf"
)

// fault is one row of the fault matrix (docs/faults.md). Target says where
// it is injected; the Kubernetes rows run on a cluster (not here).
type fault struct {
	name   string
	target string
	// bound is how long the run may go on after the fault (from its start
	// for faults present from the start).
	bound time.Duration
	// setup prepares the suite's environment (a PATH with wrappers).
	setup func(t *testing.T) options
	// at is a line of the suite's log to wait for, then wait delay, then
	// inject; no at: the fault is there from the start.
	at     string
	delay  time.Duration
	inject func(t *testing.T, r *run)
	want   outcome
}

// The server pod's namespace, the client pod's and its interface.
const (
	serverPod = "podperf-pod-b"
	clientPod = "podperf-pod-a"
	clientIf  = "eth0"
)

var matrix = []fault{
	{
		name: "netserver killed mid-test", target: "local", bound: 10 * time.Second,
		at: duringPodSample2, delay: 300 * time.Millisecond,
		inject: func(t *testing.T, r *run) {
			killed := 0
			for _, pid := range netnsPids(serverPod) {
				if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); strings.TrimSpace(string(b)) == "netserver" {
					if syscall.Kill(pid, syscall.SIGKILL) == nil {
						killed++
					}
				}
			}
			if killed == 0 {
				t.Fatalf("no netserver in %s to kill", serverPod)
			}
		},
		want: outcome{junit: dataBroke, result: dataBroke, node: 2, pod: 1},
	},
	{
		name: "control port blocked", target: "local", bound: limit + 13500*time.Millisecond,
		at: afterPodSample1,
		inject: func(t *testing.T, r *run) {
			sh(t, "ip", "netns", "exec", serverPod, "iptables", "-I", "INPUT", "-p", "tcp", "--dport", "12865", "-j", "DROP")
		},
		want: outcome{junit: stopped, result: stopped, node: 2, pod: 1},
	},
	{
		name: "data port blocked", target: "local", bound: 20 * time.Second,
		at: afterPodSample1,
		inject: func(t *testing.T, r *run) {
			sh(t, "ip", "netns", "exec", serverPod, "iptables", "-I", "INPUT", "-p", "tcp", "--dport", "12866", "-j", "DROP")
		},
		want: outcome{junit: movedNothing, result: movedNothing, node: 2, pod: 1},
	},
	{
		name: "100% packet loss", target: "local", bound: limit + 13500*time.Millisecond,
		at: duringPodSample2, delay: 300 * time.Millisecond,
		inject: func(t *testing.T, r *run) {
			// netem is not in every kernel (not in this machine's); the
			// blackhole qdisc drops every packet as netem loss 100% does.
			if _, err := exec.Command("tc", "-n", clientPod, "qdisc", "replace", "dev", clientIf, "root", "netem", "loss", "100%").CombinedOutput(); err != nil {
				t.Log("netem is not available: dropping every packet with the blackhole qdisc instead")
				sh(t, "tc", "-n", clientPod, "qdisc", "replace", "dev", clientIf, "root", "blackhole")
			}
		},
		want: outcome{junit: stopped, result: stopped, node: 2, pod: 1},
	},
	{
		name: "netperf missing", target: "local", bound: 10 * time.Second,
		setup: withoutNetperf,
		want:  outcome{junit: needsNetperf, result: needsNetperf, runLevel: true},
	},
	{
		name: "netperf of another version", target: "local", bound: 10 * time.Second,
		setup: func(t *testing.T) options { return wrap(t, oldNetperf) },
		want:  outcome{junit: tooOld, result: tooOld, runLevel: true},
	},
	{
		name: "netperf output truncated", target: "local", bound: 10 * time.Second,
		setup: func(t *testing.T) options { return wrap(t, mangled("head -c 300")) },
		want:  outcome{junit: badOutput, result: badOutput, node: 2, pod: 1},
	},
	{
		name: "netperf output garbled", target: "local", bound: 10 * time.Second,
		setup: func(t *testing.T) options { return wrap(t, mangled("tr 0-9 x")) },
		want:  outcome{junit: badOutput, result: badOutput, node: 2, pod: 1},
	},
	{
		name: "SIGINT during a test", target: "local", bound: 10 * time.Second,
		at: duringPodSample2, delay: 300 * time.Millisecond,
		inject: func(t *testing.T, r *run) { r.signal(syscall.SIGINT) },
		want:   outcome{junit: interrupted, result: stoppedByInterrupt, node: 2, pod: 1},
	},
	{
		name: "SIGTERM during a test", target: "local", bound: 10 * time.Second,
		at: duringPodSample2, delay: 300 * time.Millisecond,
		inject: func(t *testing.T, r *run) { r.signal(syscall.SIGTERM) },
		want:   outcome{junit: interrupted, result: stoppedByInterrupt, node: 2, pod: 1},
	},
}

// limit is how long the suite lets one netperf of the fault runs' 1 s
// samples go on before it stops it.
var limit = netperf.Spec{Test: netperf.TCPStream, Duration: time.Second}.Limit()

// What a user reads for each fault.
var (
	dataBroke          = regexp.MustCompile(`pod path, sample 2: (the data connection broke|the netserver stopped answering|no netserver answered|netperf was killed by SIGPIPE: the server side reset the connection)`)
	stopped            = regexp.MustCompile(`pod path, sample 2: netperf was stopped after ` + regexp.QuoteMeta(limit.Round(100*time.Millisecond).String()) + `, a 1s test: the server side stopped answering`)
	movedNothing       = regexp.MustCompile(`pod path, sample 2: the data connection moved nothing: netperf reported 0 10\^6bits/s`)
	needsNetperf       = regexp.MustCompile(`set up the local target: the local target needs netperf on PATH: run scripts/install-deps.sh`)
	tooOld             = regexp.MustCompile(`set up the local target: \S+/netperf is Netperf version 2\.4\.5: the suite reads the output selectors of netperf 2\.6 or newer`)
	badOutput          = regexp.MustCompile(`pod path, sample 2: netperf output (lacks|THROUGHPUT)`)
	interrupted        = regexp.MustCompile(`^Interrupted by User$`)
	stoppedByInterrupt = regexp.MustCompile(`pod path, sample 2: netperf in podperf-pod-a stopped before it finished: Interrupted by User`)
)

func TestFaults(t *testing.T) {
	for _, f := range matrix {
		if f.target != "local" {
			continue
		}
		t.Run(f.name, func(t *testing.T) {
			before := snapshot(t)
			var o options
			if f.setup != nil {
				o = f.setup(t)
			}
			r := start(t, f.name, o)
			since := r.started
			if f.at != "" {
				r.waitFor(f.at, time.Minute)
				time.Sleep(f.delay)
				since = time.Now()
				f.inject(t, r)
			}
			took := r.wait(since, f.bound)
			if r.exit == 0 {
				t.Errorf("the run exited 0 after the fault")
			}
			msg := checkReport(t, r, f.want)
			checkClean(t, r, before)
			t.Logf("fault %q: ended %s after the fault (bound %s), exit %d: %s", f.name, took.Round(100*time.Millisecond), f.bound, r.exit, msg)
		})
	}
}

// TestSecondSuite starts a second run while one measures: it must fail at
// once, in one line, and leave the first to finish as if alone.
func TestSecondSuite(t *testing.T) {
	before := snapshot(t)
	first := start(t, "first", options{})
	first.waitFor(afterPodSample1, time.Minute)
	second := start(t, "second", options{})
	took := second.wait(second.started, 10*time.Second)
	if second.exit == 0 {
		t.Errorf("the second run exited 0")
	}
	msg := checkReport(t, second, outcome{junit: locked, result: locked, runLevel: true})
	first.wait(first.started, time.Minute)
	if first.exit != 0 {
		t.Errorf("the first run exited %d after a second one was started beside it", first.exit)
	}
	b, err := os.ReadFile(filepath.Join(first.dir, "results.json"))
	if err != nil || !strings.Contains(string(b), `"verdict"`) {
		t.Errorf("the first run's results.json: %v", err)
	}
	if !strings.Contains(first.log.String(), "pod sample 2 of 2:") {
		t.Errorf("the first run did not take its last sample")
	}
	checkClean(t, first, before)
	t.Logf("fault %q: the second run ended %s after its start (bound 10s), exit %d: %s", "second suite while one runs", took.Round(100*time.Millisecond), second.exit, msg)
}

var locked = regexp.MustCompile(`set up the local target: another local run holds /run/podperf-local.lock: wait for it to finish`)

// wrap puts a netperf wrapper script first on the suite's PATH.
func wrap(t *testing.T, script string) options {
	t.Helper()
	real, err := exec.LookPath("netperf")
	if err != nil {
		t.Skip("netperf is not installed")
	}
	dir := t.TempDir()
	script = strings.NewReplacer("@REAL@", real, "@DIR@", dir).Replace(script)
	if err := os.WriteFile(filepath.Join(dir, "netperf"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return options{path: dir + ":" + os.Getenv("PATH")}
}

// oldNetperf stands in for netperf 2.4.5. No other version of netperf can be
// installed here (Debian 12 ships 2.7.0 only, and there is no network to
// fetch another), so a shim answers -V as 2.4.5 does and, like a netperf
// without output selectors, rejects -k.
const oldNetperf = `#!/bin/sh
if [ "$1" = -V ]; then echo "Netperf version 2.4.5"; exit 0; fi
echo "netperf: invalid option -- 'k'" >&2
exit 1
`

// mangled runs the real netperf and passes its output through filter from
// the fourth test run on (the second pod sample), as a broken pipe or a
// foreign build would.
func mangled(filter string) string {
	return `#!/bin/sh
case " $* " in *" -H "*) ;; *) exec @REAL@ "$@" ;; esac
n=$(( $(cat @DIR@/count 2>/dev/null || echo 0) + 1 ))
echo $n > @DIR@/count
[ $n -lt 4 ] && exec @REAL@ "$@"
out=$(@REAL@ "$@" 2>&1); rc=$?
printf '%s\n' "$out" | ` + filter + `
exit $rc
`
}

// withoutNetperf is a PATH on which every tool of this machine is found but
// netperf: /usr/bin as links without it, then the rest of PATH.
func withoutNetperf(t *testing.T) options {
	t.Helper()
	farm := t.TempDir()
	ents, err := os.ReadDir("/usr/bin")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.Name() != "netperf" {
			if err := os.Symlink(filepath.Join("/usr/bin", e.Name()), filepath.Join(farm, e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := []string{farm}
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if r, err := filepath.EvalSymlinks(d); err == nil && r == "/usr/bin" {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "netperf")); err == nil {
			t.Skipf("netperf is also in %s", d)
		}
		path = append(path, d)
	}
	return options{path: strings.Join(path, ":")}
}
