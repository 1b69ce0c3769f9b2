package kube

import (
	"os/exec"
	"strings"
	"testing"
)

// The batch script runs in the client pod's /bin/sh; here it runs in the
// machine's, with real commands, and its output is split back.
func TestBatchScriptRoundTrip(t *testing.T) {
	argvs := [][]string{
		{"sh", "-c", "echo one; echo err >&2"},
		{"sh", "-c", "echo \"it's two\"; exit 3"},
		{"printf", "%s\\n", "a b", "c'd"},
	}
	out, err := exec.Command("sh", "-c", batchScript(argvs)).Output()
	if err != nil {
		t.Fatalf("batch script: %v", err)
	}
	got, err := splitBatch(string(out), len(argvs))
	if err != nil {
		t.Fatalf("splitBatch: %v\n%s", err, out)
	}
	want := []struct {
		out  string
		code int
	}{{"one\nerr\n", 0}, {"it's two\n", 3}, {"a b\nc'd\n", 0}}
	for i, w := range want {
		if got[i].Stdout != w.out || got[i].ExitCode != w.code {
			t.Errorf("command %d: got %q exit %d, want %q exit %d", i, got[i].Stdout, got[i].ExitCode, w.out, w.code)
		}
	}
}

func TestSplitBatchRejectsIncompleteOutput(t *testing.T) {
	for name, out := range map[string]string{
		"missing section": batchMarker + " 0 0\nok\n",
		"no exit code":    batchMarker + " 0\nok\n" + batchMarker + " 1 0\n",
		"bad index":       batchMarker + " 7 0\n",
		"empty header":    batchMarker + " \n",
	} {
		if _, err := splitBatch(out, 2); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: want a one-line error, got %v", name, err)
		}
	}
}
