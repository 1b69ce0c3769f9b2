package netperf

import (
	"bufio"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Result is one netperf process's figures in base units: Throughput is bit/s for
// stream tests and transactions/s for RR tests; latencies are microseconds.
type Result struct {
	Test       Test    `json:"test"`
	Throughput float64 `json:"throughput"`
	Unit       string  `json:"unit"` // "bit/s" or "trans/s"

	// RR only.
	Latency *Latency `json:"latency,omitempty"`

	LocalCPU   float64 `json:"localCPUPercent"`  // system-wide utilisation, percent of all CPUs
	RemoteCPU  float64 `json:"remoteCPUPercent"` // idem, on the server
	LocalSD    float64 `json:"localServiceDemand"`
	RemoteSD   float64 `json:"remoteServiceDemand"`
	SDUnit     string  `json:"serviceDemandUnit"` // "usec/KB" or "usec/Tran"
	LocalCPUs  int     `json:"localCPUCount"`
	RemoteCPUs int     `json:"remoteCPUCount"`

	Elapsed time.Duration `json:"elapsed"`

	// Confidence figures; Level is 0 when netperf ran a single iteration.
	ConfidenceLevel  int     `json:"confidenceLevel"`
	Iterations       int     `json:"iterations"`
	ThroughputConfid float64 `json:"throughputConfidencePercent,omitempty"`
	LocalCPUConfid   float64 `json:"localCPUConfidencePercent,omitempty"`
	RemoteCPUConfid  float64 `json:"remoteCPUConfidencePercent,omitempty"`

	Interim []Interval `json:"interim,omitempty"`

	// Transport figures, where netperf printed them (runs captured before the
	// suite asked for them lack them). LocalRetrans and RemoteRetrans are the
	// data connection's TCP retransmissions on the client and the server; nil
	// where netperf reports -1 (UDP, TCP_CRR).
	LocalRetrans  *int64 `json:"localRetransmits,omitempty"`
	RemoteRetrans *int64 `json:"remoteRetransmits,omitempty"`
	// SendSize is the bytes of each send call; BytesSent and BytesReceived
	// are the client's and the server's totals.
	SendSize      int     `json:"sendSize,omitempty"`
	BytesSent     float64 `json:"bytesSent,omitempty"`
	BytesReceived float64 `json:"bytesReceived,omitempty"`
	// SentRate is what the client sent, in Unit, for UDP_STREAM, whose
	// Throughput is what the server received.
	SentRate float64 `json:"sentRate,omitempty"`
}

// Latency holds netperf's per-connection latency figures in microseconds.
type Latency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Mean float64 `json:"mean"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
}

// Interval is one -D interim result: the rate over the Length seconds that
// ended at End (wall clock of the client).
type Interval struct {
	Rate   float64       `json:"rate"` // base units, as Result.Throughput
	Length time.Duration `json:"length"`
	End    time.Time     `json:"end"`
}

// Start is when the interval began.
func (i Interval) Start() time.Time { return i.End.Add(-i.Length) }

var interimKey = regexp.MustCompile(`^NETPERF_(INTERIM_RESULT|UNITS|INTERVAL|ENDING)\[(\d+)\]$`)

// Parse reads the keyval output of one netperf run (-k with Selectors, with or
// without -D). It is strict: a missing or malformed figure is an error, so a
// changed netperf build cannot silently produce zeros. Output that is one of
// netperf's own error texts becomes a *Error.
func Parse(out string) (Result, error) {
	if err := classify(out, 0); err != nil {
		return Result{}, err
	}
	kv := map[string]string{}
	interim := map[int]map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		k, v, ok := strings.Cut(line, "=")
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			continue // banner lines ("MIGRATED TCP STREAM TEST from ...") and blank lines
		}
		if m := interimKey.FindStringSubmatch(k); m != nil {
			i, _ := strconv.Atoi(m[2])
			if interim[i] == nil {
				interim[i] = map[string]string{}
			}
			interim[i][m[1]] = v
			continue
		}
		kv[k] = strings.Trim(v, `"`)
	}
	if err := sc.Err(); err != nil {
		return Result{}, &Error{Kind: ErrBadOutput, Msg: "netperf output cannot be read", Err: err}
	}
	if len(kv) == 0 {
		return Result{}, &Error{Kind: ErrNoOutput, Msg: "netperf printed no results" + excerpt(out)}
	}
	p := parser{kv: kv}
	r := Result{}
	unit := p.str("THROUGHPUT_UNITS", true)
	tput := p.num("THROUGHPUT")
	switch unit {
	case "10^6bits/s", "10^9bits/s", "10^3bits/s":
		r.Throughput, r.Unit = tput*unitScale(unit), "bit/s"
	case "Trans/s":
		r.Throughput, r.Unit = tput, "trans/s"
	default:
		if p.err == nil {
			p.err = fmt.Errorf("THROUGHPUT_UNITS %q is not one the suite understands (expected 10^6bits/s or Trans/s)", unit)
		}
	}
	if p.err == nil && tput <= 0 {
		// netperf exits 0 when the data connection never carried anything (a
		// firewall dropping the data port, total packet loss); the figures
		// beside the rate are then meaningless (service demand "inf").
		return Result{}, &Error{Kind: ErrNoData, Msg: fmt.Sprintf("the data connection moved nothing: netperf reported %v %s over %s s (data port blocked by a firewall, or all packets lost on the path)", tput, unit, p.kv["ELAPSED_TIME"])}
	}
	if r.Unit == "trans/s" {
		r.Latency = &Latency{
			P50: p.num("P50_LATENCY"), P90: p.num("P90_LATENCY"), P99: p.num("P99_LATENCY"),
			Mean: p.num("MEAN_LATENCY"), Min: p.num("MIN_LATENCY"), Max: p.num("MAX_LATENCY"),
		}
	}
	r.LocalCPU, r.RemoteCPU = p.num("LOCAL_CPU_UTIL"), p.num("REMOTE_CPU_UTIL")
	r.LocalSD, r.RemoteSD = p.num("LOCAL_SD"), p.num("REMOTE_SD")
	r.SDUnit = p.str("SD_UNITS", true)
	r.LocalCPUs, r.RemoteCPUs = int(p.num("LOCAL_CPU_COUNT")), int(p.num("REMOTE_CPU_COUNT"))
	r.Elapsed = p.seconds("ELAPSED_TIME")
	r.ConfidenceLevel = int(p.num("CONFIDENCE_LEVEL"))
	r.Iterations = int(p.optNum("CONFIDENCE_ITERATION", 1))
	if r.ConfidenceLevel > 0 {
		r.ThroughputConfid = p.num("THROUGHPUT_CONFID")
		r.LocalCPUConfid = p.num("LOCAL_CPU_CONFID")
		r.RemoteCPUConfid = p.num("REMOTE_CPU_CONFID")
	}
	p.transport(&r, unit)
	if p.err != nil {
		return Result{}, &Error{Kind: ErrBadOutput, Err: p.err}
	}
	if r.LocalCPU < 0 || r.RemoteCPU < 0 {
		// netperf prints -1 when CPU measurement was not requested or failed.
		return Result{}, &Error{Kind: ErrBadOutput, Msg: "netperf reported no CPU utilisation (-1): run it with -c -C and check /proc/stat is readable on both sides"}
	}
	var err error
	if r.Interim, err = parseInterim(interim); err != nil {
		return Result{}, &Error{Kind: ErrBadOutput, Err: err}
	}
	if err = r.sane(); err != nil {
		return Result{}, &Error{Kind: ErrBadOutput, Err: err}
	}
	return r, nil
}

// unitScale is the factor from a netperf bit-rate unit to bit/s (1 for others).
func unitScale(unit string) float64 {
	switch unit {
	case "10^3bits/s":
		return 1e3
	case "10^6bits/s":
		return 1e6
	case "10^9bits/s":
		return 1e9
	}
	return 1
}

func parseInterim(m map[int]map[string]string) ([]Interval, error) {
	out := make([]Interval, 0, len(m))
	for i := 0; i < len(m); i++ {
		e, ok := m[i]
		if !ok {
			return nil, fmt.Errorf("interim result %d is missing (indices must run 0..%d)", i, len(m)-1)
		}
		p := parser{kv: map[string]string{}}
		for k, v := range e {
			p.kv[k] = v
		}
		rate, length, end := p.num("INTERIM_RESULT"), p.seconds("INTERVAL"), p.num("ENDING")
		scale := 1.0
		switch u := p.str("UNITS", true); u {
		case "10^6bits/s":
			scale = 1e6
		case "10^9bits/s":
			scale = 1e9
		case "Trans/s":
		default:
			if p.err == nil {
				p.err = fmt.Errorf("interim units %q are not understood", u)
			}
		}
		if p.err != nil {
			return nil, fmt.Errorf("interim result %d: %w", i, p.err)
		}
		sec, frac := math.Modf(end)
		out = append(out, Interval{
			Rate:   rate * scale,
			Length: length,
			End:    time.Unix(int64(sec), int64(math.Round(frac*1e3))*int64(time.Millisecond)),
		})
	}
	return out, nil
}

type parser struct {
	kv  map[string]string
	err error
}

func (p *parser) str(k string, required bool) string {
	v, ok := p.kv[k]
	if !ok && required && p.err == nil {
		p.err = fmt.Errorf("netperf output lacks %s (was it run with -k and the suite's selectors?)", k)
	}
	return v
}

func (p *parser) num(k string) float64 {
	v := p.str(k, true)
	if p.err != nil {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		p.err = fmt.Errorf("netperf output %s=%q is not a number", k, clip(v))
		return 0
	}
	return f
}

func (p *parser) optNum(k string, def float64) float64 {
	if _, ok := p.kv[k]; !ok {
		return def
	}
	return p.num(k)
}
