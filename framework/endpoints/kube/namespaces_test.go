package kube

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func TestWaitNamespacesGone(t *testing.T) {
	ns := func(name string) *v1.Namespace { return &v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}} }
	var log []string
	logf := func(f string, a ...any) { log = append(log, fmt.Sprintf(f, a...)) }

	t.Run("namespaces deleted during the wait", func(t *testing.T) {
		log = nil
		cs := fake.NewClientset(ns("podperf-1"), ns("podperf-1-hostnet"), ns("other"))
		tgt := &Target{c: cs, logf: logf, specNamespaces: []string{"podperf-1", "podperf-1-hostnet"}}
		go func() {
			time.Sleep(1500 * time.Millisecond)
			for _, n := range []string{"podperf-1", "podperf-1-hostnet"} {
				_ = cs.CoreV1().Namespaces().Delete(context.Background(), n, metav1.DeleteOptions{})
			}
		}()
		start := time.Now()
		if err := tgt.Teardown(context.Background()); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d < time.Second || d > 10*time.Second {
			t.Errorf("waited %s for namespaces deleted after 1.5 s", d)
		}
		if len(log) != 1 || !strings.Contains(log[0], "gone in") {
			t.Errorf("log %q", log)
		}
		if got := tgt.spentNamespaces(); got != nil {
			t.Errorf("the namespaces are still remembered: %v", got)
		}
		if _, err := cs.CoreV1().Namespaces().Get(context.Background(), "other", metav1.GetOptions{}); err != nil {
			t.Errorf("another namespace was touched: %v", err)
		}
	})

	t.Run("a namespace that stays is logged after the bound", func(t *testing.T) {
		log = nil
		cs := fake.NewClientset(ns("stuck"))
		tgt := &Target{c: cs, logf: logf}
		start := time.Now()
		tgt.waitNamespacesGone(context.Background(), []string{"gone-already", "stuck"}, 1200*time.Millisecond)
		if d := time.Since(start); d < time.Second || d > 5*time.Second {
			t.Errorf("waited %s, want about the 1.2 s bound", d)
		}
		if len(log) != 1 || !strings.Contains(log[0], "WARNING: namespaces stuck still present") || strings.Contains(log[0], "gone-already") {
			t.Errorf("log %q, want a warning naming only the stuck namespace", log)
		}
	})

	t.Run("nothing bound, nothing to wait for", func(t *testing.T) {
		log = nil
		tgt := &Target{c: fake.NewClientset(), logf: logf}
		if err := tgt.Teardown(context.Background()); err != nil || len(log) != 0 {
			t.Errorf("Teardown = %v, log %q", err, log)
		}
	})
}
