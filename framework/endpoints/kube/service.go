package kube

import (
	"context"
	"fmt"
	"strings"
	"time"

	v1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"

	"podperf/framework/endpoints"
)

// serviceReadyTimeout bounds the wait for a Service's endpoint to be ready.
const serviceReadyTimeout = time.Minute

// serviceSpec is the ClusterIP Service in front of the netserver pod server:
// netperf's control port and every data port (-- -P) of req, TCP and UDP,
// each forwarded to the same port of the pod.
func serviceSpec(name, server string, req endpoints.Request) *v1.Service {
	port := func(name string, n int, proto v1.Protocol) v1.ServicePort {
		return v1.ServicePort{Name: name, Protocol: proto, Port: int32(n), TargetPort: intstr.FromInt32(int32(n))}
	}
	ports := []v1.ServicePort{port("control", req.ControlPort, v1.ProtocolTCP)}
	for i := range req.DataPorts {
		ports = append(ports,
			port(fmt.Sprintf("data-%d", i), req.DataPortBase+i, v1.ProtocolTCP),
			port(fmt.Sprintf("data-udp-%d", i), req.DataPortBase+i, v1.ProtocolUDP))
	}
	return &v1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app.kubernetes.io/name": "podperf"}},
		Spec: v1.ServiceSpec{
			Type:     v1.ServiceTypeClusterIP,
			Selector: map[string]string{podLabel: server},
			Ports:    ports,
		},
	}
}

// expose puts a ClusterIP Service in front of the server pod and makes its
// address the one netperf dials, once the Service has the pod as a ready
// endpoint.
func (p *pair) expose(ctx context.Context, req endpoints.Request) error {
	svc := serviceSpec(p.serverName, p.serverName, req)
	created, err := p.t.c.CoreV1().Services(p.ns).Create(ctx, svc, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("create Service %s/%s: %w", p.ns, svc.Name, err)
	}
	p.service = created.Name
	ip := created.Spec.ClusterIP
	if ip == "" || ip == v1.ClusterIPNone {
		return fmt.Errorf("the Service %s/%s got no cluster IP", p.ns, svc.Name)
	}
	if err := waitServiceEndpoint(ctx, p.t, p.ns, svc.Name, p.info.ServerAddress, serviceReadyTimeout); err != nil {
		return err
	}
	p.info.BackendAddress, p.info.ServerAddress = p.info.ServerAddress, ip
	p.info.Notes = append(p.info.Notes, fmt.Sprintf("ClusterIP Service %s/%s %s (TCP and UDP ports %s) in front of the server pod %s: the cluster's Service translation (kube-proxy, or the CNI's replacement) on the path",
		p.ns, svc.Name, ip, portList(req), p.info.BackendAddress))
	return nil
}

// portList names the Service's ports for a reader: "12865, 12866-12897".
func portList(req endpoints.Request) string {
	data := fmt.Sprint(req.DataPortBase)
	if req.DataPorts > 1 {
		data = fmt.Sprintf("%d-%d", req.DataPortBase, req.DataPortBase+req.DataPorts-1)
	}
	return fmt.Sprintf("%d, %s", req.ControlPort, data)
}

// waitServiceEndpoint waits until an EndpointSlice of the Service holds addr
// as a ready endpoint: before that, the Service's address leads nowhere.
func waitServiceEndpoint(ctx context.Context, t *Target, ns, service, addr string, timeout time.Duration) error {
	var seen string
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		slices, err := t.c.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=" + service})
		if err != nil {
			seen = err.Error()
			return false, nil // the API server may be briefly unavailable
		}
		var found []string
		for _, s := range slices.Items {
			for _, e := range s.Endpoints {
				ready := e.Conditions.Ready == nil || *e.Conditions.Ready
				for _, a := range e.Addresses {
					found = append(found, fmt.Sprintf("%s (ready %v)", a, ready))
					if a == addr && ready {
						return true, nil
					}
				}
			}
		}
		seen = "endpoints: " + strings.Join(found, ", ")
		if len(found) == 0 {
			seen = "no endpoints"
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("the Service %s/%s has no ready endpoint %s after %s (last seen: %s): %w", ns, service, addr, timeout, seen, err)
	}
	return nil
}
