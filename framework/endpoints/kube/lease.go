package kube

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	coordv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	clientset "k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

// The run's lease on the cluster: two runs measuring one cluster at once
// would share its nodes' CPUs and wires, and both would report figures of
// neither. A run that dies leaves the lease to expire leaseDuration after its
// last renewal.
const (
	LeaseNamespace = "default"
	LeaseName      = "podperf-run"
	leaseDuration  = 60 * time.Second
	leaseRenew     = 15 * time.Second
)

// ClusterBusyError says another run holds the cluster's lease.
type ClusterBusyError struct {
	Holder  string
	Since   time.Time
	Renewed time.Time
}

func (e *ClusterBusyError) Error() string {
	return fmt.Sprintf("another podperf run (%s, since %s, renewed %s ago) is measuring this cluster: wait for it to end; if it died, its lease %s/%s expires %s after its last renewal",
		e.Holder, e.Since.UTC().Format(time.RFC3339), time.Since(e.Renewed).Round(time.Second), LeaseNamespace, LeaseName, leaseDuration)
}

// clusterLease is a held lease, renewed until released.
type clusterLease struct {
	c    clientset.Interface
	uid  types.UID
	stop context.CancelFunc
	done sync.WaitGroup
}

// acquireLease takes the cluster's lease, or takes over one that expired, or
// returns a *ClusterBusyError.
func acquireLease(ctx context.Context, c clientset.Interface, logf func(string, ...any)) (*clusterLease, error) {
	host, _ := os.Hostname()
	holder := fmt.Sprintf("%s pid %d", host, os.Getpid())
	now := metav1.NewMicroTime(time.Now())
	want := &coordv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: LeaseName, Namespace: LeaseNamespace,
			Labels: map[string]string{"app.kubernetes.io/name": "podperf"}},
		Spec: coordv1.LeaseSpec{HolderIdentity: &holder, LeaseDurationSeconds: ptr.To(int32(leaseDuration / time.Second)),
			AcquireTime: &now, RenewTime: &now},
	}
	leases := c.CoordinationV1().Leases(LeaseNamespace)
	got, err := leases.Create(ctx, want, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		var old *coordv1.Lease
		if old, err = leases.Get(ctx, LeaseName, metav1.GetOptions{}); err != nil {
			return nil, fmt.Errorf("read lease %s/%s: %w", LeaseNamespace, LeaseName, err)
		}
		if busy := heldBy(old); busy != nil {
			return nil, busy
		}
		logf("lease %s/%s of %s expired: taking it over", LeaseNamespace, LeaseName, ptr.Deref(old.Spec.HolderIdentity, "an unknown run"))
		old.Spec = want.Spec
		got, err = leases.Update(ctx, old, metav1.UpdateOptions{}) // fails on a race: the other run won it
	}
	if err != nil {
		return nil, fmt.Errorf("take lease %s/%s: %w", LeaseNamespace, LeaseName, err)
	}
	l := &clusterLease{c: c, uid: got.UID}
	rctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	l.stop = stop
	l.done.Add(1)
	go l.renew(rctx, logf)
	return l, nil
}

// heldBy returns a *ClusterBusyError when the lease is held and not expired.
func heldBy(l *coordv1.Lease) error {
	renewed := l.Spec.RenewTime
	if renewed == nil || l.Spec.LeaseDurationSeconds == nil || ptr.Deref(l.Spec.HolderIdentity, "") == "" {
		return nil
	}
	if time.Since(renewed.Time) > time.Duration(*l.Spec.LeaseDurationSeconds)*time.Second {
		return nil
	}
	busy := &ClusterBusyError{Holder: *l.Spec.HolderIdentity, Renewed: renewed.Time}
	if l.Spec.AcquireTime != nil {
		busy.Since = l.Spec.AcquireTime.Time
	}
	return busy
}

func (l *clusterLease) renew(ctx context.Context, logf func(string, ...any)) {
	defer l.done.Done()
	t := time.NewTicker(leaseRenew)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		leases := l.c.CoordinationV1().Leases(LeaseNamespace)
		cur, err := leases.Get(ctx, LeaseName, metav1.GetOptions{})
		if err == nil && cur.UID == l.uid {
			cur.Spec.RenewTime = ptr.To(metav1.NewMicroTime(time.Now()))
			_, err = leases.Update(ctx, cur, metav1.UpdateOptions{})
		}
		if err != nil && ctx.Err() == nil {
			logf("WARNING: renew lease %s/%s: %v", LeaseNamespace, LeaseName, err)
		}
	}
}

// release stops renewing and deletes the lease if it is still this run's.
func (l *clusterLease) release(ctx context.Context) error {
	if l == nil {
		return nil
	}
	l.stop()
	l.done.Wait()
	err := l.c.CoordinationV1().Leases(LeaseNamespace).Delete(ctx, LeaseName,
		metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &l.uid}})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		return fmt.Errorf("delete lease %s/%s: %w", LeaseNamespace, LeaseName, err)
	}
	return nil
}
