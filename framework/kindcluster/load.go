package kindcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"sigs.k8s.io/kind/pkg/cluster/nodes"
	"sigs.k8s.io/kind/pkg/cluster/nodeutils"
)

// load puts every archive into every node's containerd, nodes in parallel.
func (c *Cluster) load(ctx context.Context, kindNodes []nodes.Node, archives []string) error {
	if len(archives) == 0 {
		return nil
	}
	start := time.Now()
	errs := make([]error, len(kindNodes))
	var wg sync.WaitGroup
	for i, n := range kindNodes {
		wg.Go(func() {
			for _, a := range archives {
				_, err := bounded(ctx, "load "+a, func() (struct{}, error) {
					f, err := os.Open(a)
					if err != nil {
						return struct{}{}, err
					}
					defer f.Close()
					return struct{}{}, nodeutils.LoadImageArchive(n, f)
				})
				if err != nil {
					c.logRunError(err)
					errs[i] = fmt.Errorf("load %s into node %s: %w", a, n, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	c.logf("loaded %s into %d nodes in %s", strings.Join(archives, ", "), len(kindNodes), time.Since(start).Round(100*time.Millisecond))
	return nil
}
