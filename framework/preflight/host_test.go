package preflight

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// On this machine's own /sys: either governors, or a skip that says why.
func TestReadGovernorsHere(t *testing.T) {
	got, err := ReadGovernors("/sys")
	var skip *SkipError
	switch {
	case errors.As(err, &skip):
		if _, statErr := os.Stat("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"); statErr == nil {
			t.Fatalf("skipped (%v) although cpu0 has a governor", err)
		}
		if !strings.Contains(skip.Reason, "no cpufreq scaling governor") {
			t.Errorf("reason %q", skip.Reason)
		}
	case err != nil:
		t.Fatal(err)
	default:
		n := 0
		for _, c := range got {
			n += c
		}
		if n == 0 {
			t.Errorf("governors %v", got)
		}
	}
}

// A sysfs laid out as a machine with cpufreq has it (this machine's may
// not: most VMs have no cpufreq).
func TestReadGovernorsTree(t *testing.T) {
	root := t.TempDir()
	for cpu, g := range map[string]string{"cpu0": "performance\n", "cpu1": "powersave\n", "cpu2": "performance\n"} {
		dir := filepath.Join(root, "devices/system/cpu", cpu, "cpufreq")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "scaling_governor"), []byte(g), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// cpufreq's own directory is not a CPU.
	if err := os.MkdirAll(filepath.Join(root, "devices/system/cpu/cpufreq/policy0"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := ReadGovernors(root)
	if err != nil {
		t.Fatal(err)
	}
	if got["performance"] != 2 || got["powersave"] != 1 || len(got) != 2 {
		t.Errorf("ReadGovernors = %v", got)
	}
}

// The test's own process is found by its name in the real /proc.
func TestFindProcesses(t *testing.T) {
	comm, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Skip("no /proc here:", err)
	}
	pids, err := FindProcesses("/proc", strings.TrimSpace(string(comm)))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(pids, os.Getpid()) {
		t.Errorf("FindProcesses(%q) = %v, lacks pid %d", comm, pids, os.Getpid())
	}
	none, err := FindProcesses("/proc", "no-such-process-name")
	if err != nil || len(none) != 0 {
		t.Errorf("FindProcesses of no process = %v, %v", none, err)
	}
	if _, err := FindProcesses(filepath.Join(t.TempDir(), "absent"), "x"); err == nil {
		t.Error("FindProcesses of a missing /proc: no error")
	}
}

// Real captures of ethtool -k on a veth in a network namespace, as made,
// and after ethtool -K eth0 tso off gso off.
func TestParseEthtoolFeatures(t *testing.T) {
	for file, want := range map[string]map[string]string{
		"ethtool-k-veth.txt": {"tcp-segmentation-offload": "on", "generic-segmentation-offload": "on", "generic-receive-offload": "off",
			"tx-checksum-ipv4": "off [fixed]", "scatter-gather": "on", "rx-checksumming": "on", "tx-checksumming": "on"},
		"ethtool-k-veth-tso-off.txt": {"tcp-segmentation-offload": "off", "generic-segmentation-offload": "off", "tx-tcp-segmentation": "off"},
	} {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseEthtoolFeatures(string(b))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %q, want %q", file, k, got[k], v)
			}
		}
		c := JudgeOffloads([]InterfaceOffloads{{Where: "pod-a eth0", Veth: true, Features: got}})
		if wantStatus := map[string]Status{"ethtool-k-veth.txt": OK, "ethtool-k-veth-tso-off.txt": Warn}[file]; c.Status != wantStatus {
			t.Errorf("%s: %s %q, want %s", file, c.Status, c.Observed, wantStatus)
		}
	}
	for _, bad := range []string{"", "netlink error: no device matches name", "Features for eth0:\nnot a feature line at all\n"} {
		if _, err := ParseEthtoolFeatures(bad); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseEthtoolFeatures(%q) = %v, want a one-line error", bad, err)
		}
	}
}
