package report

import (
	"fmt"

	"podperf/framework/results"
)

// transportColumns are the summary's columns of transport figures, present
// only when some test has them: "retransmits" (TCP, the client's, per GB or
// per million transactions) and "loss" (UDP_STREAM).
type transportColumns struct{ retrans, loss bool }

func transportColumnsOf(run *results.Run) transportColumns {
	var c transportColumns
	for _, t := range run.Tests {
		if t == nil {
			continue
		}
		for _, rt := range rowTests(t) {
			for _, p := range rt.Paths {
				if p == nil {
					continue
				}
				c.retrans = c.retrans || p.Retransmits != nil
				_, l := p.Stats[results.Loss]
				c.loss = c.loss || l
			}
		}
	}
	return c
}

// header is the columns' headings, each followed by a tab.
func (c transportColumns) header() string {
	s := ""
	if c.retrans {
		s += "retransmits\t"
	}
	if c.loss {
		s += "loss\t"
	}
	return s
}

// cells are one path's cells, each followed by a tab.
func (c transportColumns) cells(path *results.Path) string {
	s := ""
	if path == nil {
		path = &results.Path{}
	}
	if c.retrans {
		cell := "-"
		if r := path.Retransmits; r != nil {
			cell = fmt.Sprintf("%d (%.3g/%s)", r.Total, r.PerWork, r.WorkUnit)
		}
		s += cell + "\t"
	}
	if c.loss {
		cell := "-"
		if l, ok := path.Stats[results.Loss]; ok {
			cell = fmt.Sprintf("%.2f%%", l.Median*100)
		}
		s += cell + "\t"
	}
	return s
}
