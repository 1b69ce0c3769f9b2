package kube

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	coordv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func nolog(string, ...any) {}

func TestLeaseKeepsASecondRunOff(t *testing.T) {
	ctx := context.Background()
	c := newClientset()
	first, err := acquireLease(ctx, c, nolog)
	if err != nil {
		t.Fatal(err)
	}
	_, err = acquireLease(ctx, c, nolog)
	var busy *ClusterBusyError
	if !errors.As(err, &busy) {
		t.Fatalf("second run: err = %v, want *ClusterBusyError", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "another podperf run (") || !strings.Contains(msg, "default/podperf-run expires 1m0s after") {
		t.Errorf("message %q", msg)
	}
	if err := first.release(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CoordinationV1().Leases(LeaseNamespace).Get(ctx, LeaseName, metav1.GetOptions{}); err == nil {
		t.Fatal("lease left behind after release")
	}
	second, err := acquireLease(ctx, c, nolog)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	_ = second.release(ctx)
}

func TestLeaseTakesOverAnExpiredOne(t *testing.T) {
	ctx := context.Background()
	old := metav1.NewMicroTime(time.Now().Add(-2 * leaseDuration))
	c := newClientset(&coordv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: LeaseName, Namespace: LeaseNamespace},
		Spec: coordv1.LeaseSpec{HolderIdentity: ptr.To("dead-host pid 1"), LeaseDurationSeconds: ptr.To[int32](60),
			AcquireTime: &old, RenewTime: &old},
	})
	var logged []string
	l, err := acquireLease(ctx, c, func(f string, a ...any) { logged = append(logged, f) })
	if err != nil {
		t.Fatalf("expired lease: %v", err)
	}
	defer l.release(ctx)
	if len(logged) != 1 {
		t.Errorf("taking over should be logged once, got %v", logged)
	}
	got, _ := c.CoordinationV1().Leases(LeaseNamespace).Get(ctx, LeaseName, metav1.GetOptions{})
	if h := ptr.Deref(got.Spec.HolderIdentity, ""); h == "dead-host pid 1" {
		t.Errorf("holder still %q", h)
	}
}
