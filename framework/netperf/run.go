package netperf

import (
	"context"
	"fmt"
	"sync"
	"time"

	"podperf/framework/endpoints"
)

// Run starts n netperf processes of spec together on pair, the i-th on data
// port dataPortBase+i, waits for all of them, and combines their results. n=1
// is a plain single run.
func Run(ctx context.Context, pair endpoints.Pair, spec Spec, n, dataPortBase int) (Group, error) {
	if err := spec.Validate(); err != nil {
		return Group{}, err
	}
	if n < 1 {
		return Group{}, fmt.Errorf("netperf process count %d must be at least 1", n)
	}
	if n > 1 && spec.Interim == 0 {
		return Group{}, fmt.Errorf("%d concurrent netperf processes need interim results (-D) to find their common window", n)
	}
	// netperf cannot report TCP_CRR's retransmissions: the client's TCP
	// counter, read around the run, stands in for them.
	var retransBefore uint64
	var retransErr error
	if spec.Test.IsTCP() && !spec.Test.ReportsRetransmits() {
		retransBefore, retransErr = ReadRetransSegs(ctx, pair)
	}
	stopCounter := sampleCounter(ctx, pair, 250*time.Millisecond)
	argvs := make([][]string, n)
	for i := range n {
		argvs[i] = spec.Args(pair.ServerAddress(), dataPortBase+i)
	}
	outs, errs := runBounded(ctx, pair, spec, argvs)
	counter := stopCounter()
	results := make([]Result, n)
	for i, out := range outs {
		if errs[i] == nil {
			results[i], errs[i] = Check(out.Stdout+out.Stderr, out.ExitCode)
			results[i].Test = spec.Test
			if !spec.Test.ReportsRetransmits() {
				// TCP_CRR's figure is that of its last connection alone.
				results[i].LocalRetrans, results[i].RemoteRetrans = nil, nil
			}
		}
	}
	for i, err := range errs {
		if err != nil {
			if n == 1 {
				return Group{}, err
			}
			return Group{}, fmt.Errorf("netperf process %d of %d (data port %d): %w", i+1, n, dataPortBase+i, err)
		}
	}
	g, err := Combine(results)
	if err != nil {
		return g, err
	}
	if n == 1 && g.Window.End.IsZero() {
		// No interim results: netperf's elapsed time, ending when the process did.
		g.Window = Window{Start: outs[0].Ended.Add(-results[0].Elapsed), End: outs[0].Ended}
	}
	g.ClientTxRate = counter.rate(g.Window.Start, g.Window.End) * 8
	if spec.Test.IsTCP() && !spec.Test.ReportsRetransmits() && retransErr == nil {
		// A counter that cannot be read leaves the figure unknown, not the sample failed.
		if after, err := ReadRetransSegs(ctx, pair); err == nil && after >= retransBefore {
			n := int64(after - retransBefore)
			g.Retransmits, g.RetransmitSource = &n, FromCounter
		}
	}
	return g, nil
}

// runAll starts every argv together: through the pair's BatchRunner when it has
// one, otherwise one Run per argv, released at the same moment.
func runAll(ctx context.Context, pair endpoints.Pair, argvs [][]string) ([]endpoints.Output, []error) {
	outs := make([]endpoints.Output, len(argvs))
	errs := make([]error, len(argvs))
	if b, ok := pair.(endpoints.BatchRunner); ok && len(argvs) > 1 {
		o, err := b.RunAll(ctx, argvs)
		for i := range errs {
			if err != nil {
				errs[i] = err
			} else if i >= len(o) {
				errs[i] = fmt.Errorf("the batch returned %d outputs for %d commands", len(o), len(argvs))
			} else {
				outs[i] = o[i]
			}
		}
		return outs, errs
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range argvs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			outs[i], errs[i] = pair.Run(ctx, argvs[i])
		}()
	}
	close(start)
	wg.Wait()
	return outs, errs
}
