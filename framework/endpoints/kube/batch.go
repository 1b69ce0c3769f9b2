package kube

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"podperf/framework/endpoints"
)

// batchMarker starts each command's section in the batch script's output.
const batchMarker = "@@podperf-batch"

// RunAll starts every argv at once from one exec: 32 execs through the API
// server and the runtime take seconds each on a small node, and the processes
// would start tens of seconds apart. Each command's output goes to its own
// file in /tmp (an emptyDir), printed in order once all have exited.
func (p *pair) RunAll(ctx context.Context, argvs [][]string) ([]endpoints.Output, error) {
	o, err := p.Run(ctx, []string{"sh", "-c", batchScript(argvs)})
	if err != nil {
		return nil, err
	}
	if o.ExitCode != 0 {
		return nil, fmt.Errorf("batch of %d commands in %s/%s exited %d: %s", len(argvs), p.ns, p.clientName, o.ExitCode, strings.TrimSpace(o.Stderr))
	}
	outs, err := splitBatch(o.Stdout, len(argvs))
	for i := range outs {
		outs[i].Started, outs[i].Ended = o.Started, o.Ended
	}
	return outs, err
}

func batchScript(argvs [][]string) string {
	var b strings.Builder
	b.WriteString("d=$(mktemp -d) || exit 1\n")
	for i, argv := range argvs {
		q := make([]string, len(argv))
		for j, a := range argv {
			q[j] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		fmt.Fprintf(&b, "(%s >\"$d/%d.out\" 2>&1; echo $? >\"$d/%d.rc\") &\n", strings.Join(q, " "), i, i)
	}
	b.WriteString("wait\n")
	fmt.Fprintf(&b, "i=0; while [ $i -lt %d ]; do echo \"%s $i $(cat \"$d/$i.rc\")\"; cat \"$d/$i.out\"; i=$((i+1)); done\n", len(argvs), batchMarker)
	b.WriteString("rm -rf \"$d\"\n")
	return b.String()
}

// splitBatch cuts the script's output into n outputs (stdout and stderr of
// each command are merged, which is how the netperf parser reads them anyway).
func splitBatch(out string, n int) ([]endpoints.Output, error) {
	outs := make([]endpoints.Output, n)
	seen := make([]bool, n)
	cur := -1
	var sb strings.Builder
	flush := func() {
		if cur >= 0 {
			outs[cur].Stdout = sb.String()
		}
		sb.Reset()
	}
	for _, line := range strings.SplitAfter(out, "\n") {
		if rest, ok := strings.CutPrefix(line, batchMarker+" "); ok {
			flush()
			f := strings.Fields(rest)
			if len(f) == 0 {
				return outs, fmt.Errorf("batch output has an empty section header")
			}
			i, err1 := strconv.Atoi(f[0])
			if err1 != nil || i < 0 || i >= n || len(f) < 2 {
				return outs, fmt.Errorf("batch output has a malformed section header %q", strings.TrimSpace(line))
			}
			rc, err := strconv.Atoi(f[1])
			if err != nil {
				return outs, fmt.Errorf("batch command %d left no exit code (%q)", i, strings.TrimSpace(line))
			}
			cur, seen[i], outs[i].ExitCode = i, true, rc
			continue
		}
		sb.WriteString(line)
	}
	flush()
	for i, ok := range seen {
		if !ok {
			return outs, fmt.Errorf("batch output lacks command %d of %d", i+1, n)
		}
	}
	return outs, nil
}
