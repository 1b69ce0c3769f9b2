package results

import (
	"fmt"

	"podperf/framework/endpoints"
	"podperf/framework/netperf"
	"podperf/framework/stats"
)

// Loss is the fraction of a UDP_STREAM's bytes that did not arrive (per
// sample, and its statistics per path): recorded, not judged.
const Loss Metric = "loss"

// What a retransmit jump is (RetransmitJump): the compared path retransmitted
// at least MinJumpRetransmits segments, at a rate per unit of work more than
// the jump factor times the node path's, the node path's taken as at least
// RetransmitFloor (so that a quiet reference does not make a handful of
// retransmits a jump).
const (
	MinJumpRetransmits = 20
	RetransmitFloor    = 10.0 // per GB sent, or per million transactions
	// DefaultRetransmitJump is --retransmit-jump's default factor.
	DefaultRetransmitJump = 4.0
)

// Retransmits are a path's TCP retransmissions over its samples, per unit
// of work: GB sent by the client for streams, million transactions for RR.
type Retransmits struct {
	Total    int64   `json:"total"`
	Samples  int     `json:"samples"` // samples with a figure
	Work     float64 `json:"work"`
	WorkUnit string  `json:"workUnit"` // "GB" or "Mtrans"
	PerWork  float64 `json:"perWork"`  // Total / Work
	Source   string  `json:"source"`   // netperf.FromNetperf or netperf.FromCounter
}

// SetTransport copies a group's transport figures into the sample, in its units.
func (s *Sample) SetTransport(g netperf.Group) {
	s.Retransmits, s.RetransmitSource, s.BytesSent = g.Retransmits, g.RetransmitSource, g.BytesSent
	if s.RateUnit == "Gbit/s" {
		s.SentRate = g.SentRate / 1e9
	}
	if l, ok := g.Loss(); ok {
		s.Loss = &l
		// The client's interface counts what was sent, the rate is what
		// arrived: the counter cannot check it (SentRate stands beside it).
		s.ClientTxRate = 0
	}
}

// work is what the sample moved: GB the client sent (streams) or millions
// of transactions (RR), and the unit; 0 when unknown.
func (s Sample) work() (float64, string) {
	secs := s.Window.Length().Seconds()
	if s.RateUnit == "trans/s" {
		return s.Rate * secs / 1e6, "Mtrans"
	}
	if s.BytesSent > 0 {
		return s.BytesSent / 1e9, "GB"
	}
	return s.Rate * secs / 8, "GB"
}

// SummarizeTransport fills each path's retransmit totals and, for UDP
// streams, the statistics of the loss.
func (t *Test) SummarizeTransport() error {
	for p, path := range t.Paths {
		path.Retransmits = nil
		var r Retransmits
		var losses []float64
		for _, s := range path.Samples {
			if s.Loss != nil {
				losses = append(losses, *s.Loss)
			}
			if s.Retransmits == nil {
				continue
			}
			w, unit := s.work()
			r.Total += *s.Retransmits
			r.Work += w
			r.WorkUnit, r.Source = unit, s.RetransmitSource
			r.Samples++
		}
		if r.Samples > 0 {
			if r.Work > 0 {
				r.PerWork = float64(r.Total) / r.Work
			}
			path.Retransmits = &r
		}
		if len(losses) > 0 {
			sum, err := stats.Summarize(losses)
			if err != nil {
				return fmt.Errorf("%s %s path loss: %w", t.ID, p, err)
			}
			if path.Stats == nil {
				path.Stats = map[Metric]stats.Summary{}
			}
			path.Stats[Loss] = sum
		}
	}
	return nil
}

// RetransmitJump is a warning when the compared path's retransmits jump
// against the node path's by more than factor (see MinJumpRetransmits), and
// "" otherwise: the rate may pass while the path drops packets.
func (t *Test) RetransmitJump(factor float64) string {
	cp, node := t.Paths[t.Compared()], t.Paths[endpoints.NodePath]
	if factor <= 0 || cp == nil || node == nil || cp.Retransmits == nil || node.Retransmits == nil {
		return ""
	}
	c, n := cp.Retransmits, node.Retransmits
	if c.Total < MinJumpRetransmits || c.PerWork <= factor*max(n.PerWork, RetransmitFloor) {
		return ""
	}
	return fmt.Sprintf("retransmits jump on the %s path: %d segments retransmitted, %.3g per %s, against %.3g per %s on the node-to-node path (more than %g times, --retransmit-jump): the path is losing packets, whatever its rate",
		t.Compared(), c.Total, c.PerWork, c.WorkUnit, n.PerWork, n.WorkUnit, factor)
}
