package kube

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The sampler script runs under a real bash on this machine's loopback
// interface, its output feeding the sampler as the exec stream would: the
// readings come about every counterPeriod, without a process per reading,
// and the counter is interpolated at the middle of a call.
func TestSamplerScript(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash here")
	}
	s := newSampler()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", samplerScript("lo"))
	cmd.Stdout = s
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	time.Sleep(50 * time.Millisecond)
	t0 := time.Now()
	v1, err := s.at(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	v2, err := s.at(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if v2 < v1 {
		t.Errorf("counter went back: %d then %d", v1, v2)
	}
	s.mu.Lock()
	n, off := len(s.readings), s.offset
	span := s.readings[n-1].pod.Sub(s.readings[0].pod)
	s.mu.Unlock()
	// 0.75 s or more at one reading per 100 ms: 6 to 10 readings.
	if per := span / time.Duration(max(n-1, 1)); n < 6 || per < 90*time.Millisecond || per > 200*time.Millisecond {
		t.Errorf("%d readings over %s (%s apart), want one about every %s", n, span, per, counterPeriod)
	}
	// Same clock here: the offset is the delivery time, small and positive.
	if off < 0 || off > 50*time.Millisecond {
		t.Errorf("clock offset %s, want the pipe's delivery time", off)
	}
}

func TestSamplerLinesAndInterpolation(t *testing.T) {
	s := newSampler()
	base := time.Now().Add(-time.Second)
	// Lines split across writes, and one malformed line skipped.
	lines := []string{
		unixMicro(base) + " 1000\n",
		unixMicro(base.Add(100*time.Millisecond)) + " 2000\n",
		"garbage\n",
		unixMicro(base.Add(200*time.Millisecond)) + " 3000\n",
	}
	all := strings.Join(lines, "")
	for _, part := range []string{all[:7], all[7:40], all[40:]} {
		if _, err := s.Write([]byte(part)); err != nil {
			t.Fatal(err)
		}
	}
	if len(s.readings) != 3 {
		t.Fatalf("%d readings, want 3: %+v", len(s.readings), s.readings)
	}
	// Offset: the smallest arrival minus pod time; take it as zero for the check.
	s.offset = 0
	if v, ok := s.interpolate(base.Add(150 * time.Millisecond)); !ok || v != 2500 {
		t.Errorf("interpolate at +150ms = %d, %v; want 2500", v, ok)
	}
	if _, ok := s.interpolate(base.Add(300 * time.Millisecond)); ok {
		t.Error("a time after the last reading was answered without waiting")
	}
	if v, ok := s.interpolate(base.Add(-time.Second)); !ok || v != 1000 {
		t.Errorf("before the first reading = %d, %v; want the first reading", v, ok)
	}
}

func unixMicro(t time.Time) string {
	us := t.UnixMicro()
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}
