package config

import (
	"flag"
	"fmt"
	"strconv"
	"sync"
)

// MaxNodePairs bounds --node-pairs: two pods per pair on a cluster's nodes,
// measured one pair after the other.
const MaxNodePairs = 64

// PathSettings are the settings of the extended specs (docs/paths.md).
type PathSettings struct {
	// NodePairs is how many node pairs the node-pairs spec measures.
	NodePairs int
}

// pathSettings holds the PathSettings of each Config that registered its
// flags, beside the benchmark's own settings.
var pathSettings sync.Map // *Config -> *PathSettings

// registerPaths adds the extended specs' flags to fs.
func (c *Config) registerPaths(fs *flag.FlagSet) {
	ps := &PathSettings{NodePairs: 1}
	pathSettings.Store(c, ps)
	fs.Var((*nodePairs)(&ps.NodePairs), "node-pairs",
		fmt.Sprintf("the node-pairs spec (label node-pairs) measures TCP_STREAM 1 stream on this many distinct node pairs and flags the pair whose pod/node ratio stands out (1 to %d, 16 on the local target, which grows its miniature into a ring of nodes; at least 3 to flag one)", MaxNodePairs))
}

// Paths returns the extended specs' settings.
func (c *Config) Paths() PathSettings {
	if v, ok := pathSettings.Load(c); ok {
		return *v.(*PathSettings)
	}
	return PathSettings{NodePairs: 1}
}

// nodePairs is --node-pairs, checked as it is parsed.
type nodePairs int

func (n *nodePairs) String() string {
	if n == nil {
		return "1"
	}
	return strconv.Itoa(int(*n))
}

func (n *nodePairs) Set(s string) error {
	k, err := strconv.Atoi(s)
	if err != nil || k < 1 || k > MaxNodePairs {
		return fmt.Errorf("--node-pairs=%q: use a whole number from 1 to %d", s, MaxNodePairs)
	}
	*n = nodePairs(k)
	return nil
}
