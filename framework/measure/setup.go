package measure

import (
	"context"
	"fmt"
	"time"

	"podperf/framework/endpoints"
	"podperf/framework/results"
)

// Setup prepares the pair of one path for the plan's scenario on tgt, with
// netserver running on its server side, logs where the endpoints are and
// records the pair's notes in res. On error the pair is nil: the target
// removes what it made (Teardown removes the rest).
func (p Plan) Setup(ctx context.Context, tgt endpoints.Target, path endpoints.Path, res *results.Test) (endpoints.Pair, error) {
	step, logf := p.narration()
	step(fmt.Sprintf("setting up the %s path with netserver on the server side (%s)", path.Title(), cpuText(p.Scenario.CPUs)))
	pair, err := tgt.Setup(ctx, p.Scenario.Request(path, p.Settings))
	if err != nil {
		return nil, fmt.Errorf("set up the %s path: %w", path.Title(), err)
	}
	info := pair.Info()
	logf("%s path: client %s on %s -> server %s on %s, %d CPUs granted %s, ready in %s", path, info.ClientAddress, info.ClientNode,
		info.ServerAddress, info.ServerNode, info.CPUsGranted, info.CPUSet, info.Startup.Round(time.Millisecond))
	for _, n := range info.Notes {
		note(res, logf, fmt.Sprintf("%s path: %s", path, n))
	}
	return pair, nil
}

// narration returns the plan's Step and Logf, or functions that do nothing.
func (p Plan) narration() (step func(string), logf func(string, ...any)) {
	step, logf = p.Step, p.Logf
	if step == nil {
		step = func(string) {}
	}
	if logf == nil {
		logf = func(string, ...any) {}
	}
	return step, logf
}

// note records a notice in res and logs it.
func note(res *results.Test, logf func(string, ...any), n string) {
	logf("notice: %s", n)
	res.Notes = append(res.Notes, n)
}

func cpuText(cpus int) string {
	if cpus == 0 {
		return "CPU not limited"
	}
	return fmt.Sprintf("%d CPU allowance", cpus)
}
