package preflight

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ReadGovernors counts the CPUs of the machine whose sysfs is at sysRoot
// ("/sys") per cpufreq scaling governor. A machine without cpufreq (most
// VMs: the hypervisor sets the speed) gives a *SkipError.
func ReadGovernors(sysRoot string) (map[string]int, error) {
	files, err := filepath.Glob(filepath.Join(sysRoot, "devices/system/cpu/cpu[0-9]*/cpufreq/scaling_governor"))
	if err != nil {
		return nil, fmt.Errorf("list scaling governors: %w", err)
	}
	if len(files) == 0 {
		return nil, &SkipError{Reason: "no cpufreq scaling governor in " + filepath.Join(sysRoot, "devices/system/cpu") +
			" (a VM, or a kernel without frequency scaling): the host's or hypervisor's own setting decides"}
	}
	out := map[string]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read scaling governor: %w", err)
		}
		out[strings.TrimSpace(string(b))]++
	}
	return out, nil
}

// FindProcesses returns, in order, the PIDs of the processes named comm (as
// /proc/PID/comm says) in the proc file system at procRoot ("/proc").
// Processes that end while it reads are passed over.
func FindProcesses(procRoot, comm string) ([]int, error) {
	entries, err := os.ReadDir(procRoot)
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || !e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(procRoot, e.Name(), "comm"))
		if err != nil {
			continue // ended meanwhile
		}
		if strings.TrimSpace(string(b)) == comm {
			pids = append(pids, pid)
		}
	}
	slices.Sort(pids)
	return pids, nil
}

// ParseEthtoolFeatures reads the output of ethtool -k (--show-features):
// one "feature: state" a line after a "Features for IFACE:" header, e.g.
// "generic-receive-offload: off" or "tx-lockless: on [fixed]". Sub-features
// (indented) are read too.
func ParseEthtoolFeatures(out string) (map[string]string, error) {
	features := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	header := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "Features for ") {
			header = true
			continue
		}
		name, state, ok := strings.Cut(line, ":")
		if !ok || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("ethtool -k output: line %q is not \"feature: state\"", line)
		}
		features[name] = strings.TrimSpace(state)
	}
	if !header || len(features) == 0 {
		return nil, fmt.Errorf("ethtool -k output has no \"Features for\" header and feature lines: %q", firstLine(out))
	}
	return features, nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}
