package kindcluster

import (
	"context"
	"fmt"
)

// bounded runs f, a kind call that takes no context, and gives up when ctx
// ends. The call itself finishes in the background; what it was doing fails
// once the cluster is deleted.
func bounded[T any](ctx context.Context, what string, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("%s: %w", what, context.Cause(ctx))
	}
}
