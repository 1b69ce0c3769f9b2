package netperf

import (
	"context"
	"errors"
	"fmt"
	"time"

	"podperf/framework/endpoints"
)

// LimitGrace is what a netperf run may take beyond its own length before it
// is stopped: process start (an exec into a pod on a loaded node), the
// control connection, and the exchange of results at the end. netperf has
// no timeout of its own: with the control port dropped it retries its
// connect for about 2 minutes, and with every packet lost after the start it
// waits for the results on the control connection for the kernel's TCP
// retransmission limit (about 15 minutes).
const LimitGrace = 20 * time.Second

// Limit is how long one run of spec may take before it is stopped: its
// start delay, every confidence iteration at half as long again as asked,
// and LimitGrace.
func (s Spec) Limit() time.Duration {
	iter := 1
	if s.Confidence != nil {
		iter = s.Confidence.MaxIter
	}
	return s.StartDelay + time.Duration(iter)*s.Duration*3/2 + LimitGrace
}

// runBounded is runAll stopped at spec.Limit(): a run still going then fails
// with an ErrTimeout that says where to look, instead of "signal: killed".
func runBounded(ctx context.Context, pair endpoints.Pair, spec Spec, argvs [][]string) ([]endpoints.Output, []error) {
	limit := spec.Limit()
	bounded, cancel := context.WithTimeoutCause(ctx, limit, errLimit)
	defer cancel()
	outs, errs := runAll(bounded, pair, argvs)
	if ctx.Err() == nil && errors.Is(context.Cause(bounded), errLimit) {
		why := "the server side stopped answering (control port blocked, every packet lost, or netserver hung)"
		if se, ok := pair.(endpoints.StallExplainer); ok {
			if err := se.ExplainStall(ctx); err != nil {
				why = err.Error()
			}
		}
		for i, err := range errs {
			if err != nil || outs[i].Ended.Sub(outs[i].Started) >= limit {
				errs[i] = &Error{Kind: ErrTimeout, Err: err, Msg: fmt.Sprintf("netperf was stopped after %s, a %s test: %s",
					limit.Round(100*time.Millisecond), spec.Duration, why)}
			}
		}
	}
	return outs, errs
}

// errLimit is the cause of a run stopped at its limit.
var errLimit = errors.New("netperf run limit reached")
