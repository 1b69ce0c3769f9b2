package kube

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/kubectl/pkg/cmd/exec"
)

// readInterface finds the client's interface (the one holding its address),
// and its MTU.
func (p *pair) readInterface(ctx context.Context) {
	out, err := p.exec(ctx, "ip", "-o", "-4", "addr", "show")
	if err != nil {
		p.info.Notes = append(p.info.Notes, fmt.Sprintf("could not list the client's interfaces: %v", err))
		return
	}
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) >= 4 && strings.HasPrefix(f[3], p.info.ClientAddress+"/") {
			p.info.ClientIface = strings.TrimSuffix(f[1], ":")
		}
	}
	if p.info.ClientIface == "" {
		return
	}
	if mtu, err := p.exec(ctx, "cat", "/sys/class/net/"+p.info.ClientIface+"/mtu"); err == nil {
		p.info.MTU, _ = strconv.Atoi(mtu)
	}
}

// The counter is read inside the client pod by one sampler, a bash loop
// started with a single exec that prints the pod's clock and the counter
// every counterPeriod and sleeps on a builtin (no process is started per
// reading). An exec per reading cost about 47 ms of CPU of the API server,
// kubelet, containerd and runc: at the two to four reads a second the
// interpolation needs, a tenth of a CPU on the node being measured. The
// stream costs a few small writes a second, and one exec per
// counterLifetime.
const (
	counterPeriod   = 100 * time.Millisecond
	counterLifetime = 2 * time.Minute
	// counterIdle stops a sampler nobody has read for this long (between
	// tests); the loop in the pod also ends after counterLifetime and when
	// its output is closed.
	counterIdle = time.Minute
	// counterWait bounds the wait for a fresh reading.
	counterWait = 5 * time.Second
)

// samplerScript prints "EPOCHREALTIME BYTES" lines for iface. The sleep is
// read -t on a pipe whose write end the shell holds itself: it never gets
// data, so it returns at the timeout, without a fork.
func samplerScript(iface string) string {
	n := int(counterLifetime / counterPeriod)
	return fmt.Sprintf(`f=/sys/class/net/%s/statistics/tx_bytes
exec 3<> <(:)
i=0
while [ "$i" -lt %d ]; do
  read -r b < "$f" || exit 1
  printf '%%s %%s\n' "$EPOCHREALTIME" "$b" || exit 0
  read -t %.3f -u 3
  i=$((i+1))
done
`, iface, n, counterPeriod.Seconds())
}

// reading is one line of the sampler: the pod's clock and the counter.
type reading struct {
	pod   time.Time
	bytes uint64
}

// sampler holds the readings of one stream. The pod's clock may differ from
// this process's: offset (this clock minus the pod's) is the smallest gap
// between a reading's pod time and its arrival here, which exceeds the true
// offset by the fastest delivery (milliseconds).
type sampler struct {
	mu       sync.Mutex
	readings []reading
	offset   time.Duration
	haveOff  bool
	notify   chan struct{} // closed and replaced at every reading
	done     chan struct{} // closed when the stream ends
	err      error
	lastUse  time.Time
	cancel   context.CancelFunc
	lineBuf  bytes.Buffer
	maxStore int
}

var samplers sync.Map // *pair -> *sampler

func newSampler() *sampler {
	return &sampler{notify: make(chan struct{}), done: make(chan struct{}), lastUse: time.Now(), maxStore: 4 * int(counterLifetime/counterPeriod)}
}

// Write takes the stream's output; complete lines become readings.
func (s *sampler) Write(b []byte) (int, error) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lineBuf.Write(b)
	for {
		line, err := s.lineBuf.ReadString('\n')
		if err != nil {
			// An incomplete line waits for the rest.
			s.lineBuf.Reset()
			s.lineBuf.WriteString(line)
			break
		}
		r, ok := parseReading(line)
		if !ok {
			continue
		}
		if off := now.Sub(r.pod); !s.haveOff || off < s.offset {
			s.offset, s.haveOff = off, true
		}
		s.readings = append(s.readings, r)
		if len(s.readings) > s.maxStore {
			s.readings = s.readings[len(s.readings)-s.maxStore:]
		}
		close(s.notify)
		s.notify = make(chan struct{})
	}
	return len(b), nil
}

// parseReading reads "1700000000.123456 12345".
func parseReading(line string) (reading, bool) {
	f := strings.Fields(line)
	if len(f) != 2 {
		return reading{}, false
	}
	sec, frac, _ := strings.Cut(f[0], ".")
	s, err1 := strconv.ParseInt(sec, 10, 64)
	us, err2 := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	b, err3 := strconv.ParseUint(f[1], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return reading{}, false
	}
	return reading{pod: time.Unix(s, us*1000), bytes: b}, true
}

// at returns the counter at the middle of the call that started at t0, as
// the caller stamps it: it waits for a reading taken after that middle, and
// interpolates between it and the one before.
func (s *sampler) at(ctx context.Context, t0 time.Time) (uint64, error) {
	deadline := time.After(counterWait)
	for {
		s.mu.Lock()
		s.lastUse = time.Now()
		mid := t0.Add(time.Since(t0) / 2)
		if v, ok := s.interpolate(mid); ok {
			s.mu.Unlock()
			return v, nil
		}
		notify, err := s.notify, s.err
		s.mu.Unlock()
		if err != nil {
			return 0, err
		}
		select {
		case <-notify:
		case <-s.done:
			s.mu.Lock()
			err := s.err
			s.mu.Unlock()
			if err == nil {
				err = errors.New("the counter sampler in the client pod ended")
			}
			return 0, err
		case <-deadline:
			return 0, fmt.Errorf("no reading of the transmit counter from the client pod within %s", counterWait)
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// interpolate is the counter at t (this process's clock), when a reading at
// or after t has arrived; with no reading before t, that reading's value.
func (s *sampler) interpolate(t time.Time) (uint64, bool) {
	for i, r := range s.readings {
		at := r.pod.Add(s.offset)
		if at.Before(t) {
			continue
		}
		if i == 0 {
			return r.bytes, true
		}
		p := s.readings[i-1]
		pat := p.pod.Add(s.offset)
		span := at.Sub(pat).Seconds()
		if span <= 0 || r.bytes < p.bytes {
			return r.bytes, true
		}
		f := t.Sub(pat).Seconds() / span
		return p.bytes + uint64(f*float64(r.bytes-p.bytes)), true
	}
	return 0, false
}

// sampler returns the pair's running sampler, starting one when there is none.
func (p *pair) sampler(ctx context.Context) (*sampler, error) {
	if v, ok := samplers.Load(p); ok {
		s := v.(*sampler)
		select {
		case <-s.done:
			s.mu.Lock()
			err := s.err
			s.mu.Unlock()
			if err != nil {
				// It failed once (no bash in the image?): the pair reads
				// with an exec per reading from now on.
				return nil, err
			}
			samplers.CompareAndDelete(p, s)
		default:
			return s, nil
		}
	}
	if p.f == nil || p.f.ClientSet == nil || p.f.ClientConfig() == nil {
		return nil, errors.New("no client configuration to exec the counter sampler with")
	}
	s := newSampler()
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	samplers.Store(p, s)
	req := p.f.ClientSet.CoreV1().RESTClient().Post().Resource("pods").Name(p.clientName).Namespace(p.ns).SubResource("exec")
	req.VersionedParams(&v1.PodExecOptions{Container: "netperf", Command: []string{"bash", "-c", samplerScript(p.info.ClientIface)}, Stdout: true, Stderr: true}, scheme.ParameterCodec)
	go func() {
		var stderr bytes.Buffer
		err := (&exec.DefaultRemoteExecutor{}).ExecuteWithContext(sctx, req.URL(), p.f.ClientConfig(), nil, s, &stderr, false, nil)
		s.mu.Lock()
		if err != nil && sctx.Err() == nil {
			s.err = fmt.Errorf("counter sampler in %s/%s: %w: %s", p.ns, p.clientName, err, strings.TrimSpace(stderr.String()))
		}
		failed := s.err != nil
		s.mu.Unlock()
		close(s.done)
		cancel()
		if !failed {
			samplers.CompareAndDelete(p, s)
		}
	}()
	go func() {
		// Stop a sampler nobody reads (the test is over).
		t := time.NewTicker(counterIdle / 4)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
				s.mu.Lock()
				idle := time.Since(s.lastUse) > counterIdle
				s.mu.Unlock()
				if idle {
					cancel()
					return
				}
			}
		}
	}()
	return s, nil
}

// ClientTxBytes reads the client interface's transmit counter through the
// sampler in the pod; where the sampler cannot run, through an exec of its own.
func (p *pair) ClientTxBytes(ctx context.Context) (uint64, error) {
	if p.info.ClientIface == "" {
		return 0, errors.New("the client's interface is unknown")
	}
	t0 := time.Now()
	if s, err := p.sampler(ctx); err == nil {
		if v, err := s.at(ctx, t0); err == nil {
			return v, nil
		}
	}
	return p.execTxBytes(ctx)
}

// execTxBytes reads the counter with one exec.
func (p *pair) execTxBytes(ctx context.Context) (uint64, error) {
	out, err := p.exec(ctx, "cat", "/sys/class/net/"+p.info.ClientIface+"/statistics/tx_bytes")
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(out, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("transmit counter of %s in %s/%s: %w", p.info.ClientIface, p.ns, p.clientName, err)
	}
	return n, nil
}

var _ io.Writer = (*sampler)(nil)
