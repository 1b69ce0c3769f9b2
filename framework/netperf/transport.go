package netperf

import "math"

// transport reads the transport figures into r where netperf printed them:
// outputs of runs that did not ask for them parse as before, without them.
func (p *parser) transport(r *Result, unit string) {
	r.LocalRetrans, r.RemoteRetrans = p.optCount("LOCAL_TRANSPORT_RETRANS"), p.optCount("REMOTE_TRANSPORT_RETRANS")
	r.SendSize = int(max(0, p.optNum("LOCAL_SEND_SIZE", 0)))
	r.BytesSent, r.BytesReceived = max(0, p.optNum("LOCAL_BYTES_SENT", 0)), max(0, p.optNum("REMOTE_BYTES_RECVD", 0))
	if p.str("PROTOCOL", false) == "UDP" && r.Unit == "bit/s" {
		// A UDP stream's THROUGHPUT is the server's receive rate; the send
		// rate beside it makes the loss visible.
		r.SentRate = max(0, p.optNum("LOCAL_SEND_THROUGHPUT", 0)) * unitScale(unit)
	}
}

// optCount reads a count netperf may not know: nil when the key is absent or
// netperf printed a negative value (its "not available").
func (p *parser) optCount(k string) *int64 {
	if _, ok := p.kv[k]; !ok {
		return nil
	}
	f := p.num(k)
	if p.err != nil || f < 0 {
		return nil
	}
	n := int64(math.Round(f))
	return &n
}

// Loss is the fraction of a UDP_STREAM's bytes that the server did not
// receive; ok is false for other tests or without byte counts.
func (r Result) Loss() (loss float64, ok bool) {
	if r.Test != UDPStream || r.BytesSent <= 0 {
		return 0, false
	}
	return max(0, 1-r.BytesReceived/r.BytesSent), true
}
