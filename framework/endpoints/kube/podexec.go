package kube

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	v1 "k8s.io/api/core/v1"
	clientset "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/kubectl/pkg/cmd/exec"
)

// restExec execs into any pod with the run's own credentials, outside a
// spec's framework (the cluster's facts are read before the first spec).
func restExec(c clientset.Interface, cfg *rest.Config) podExec {
	return func(ctx context.Context, namespace, pod, container string, argv ...string) (string, error) {
		if cfg == nil {
			return "", fmt.Errorf("no REST config to exec with")
		}
		req := c.CoreV1().RESTClient().Post().Resource("pods").Name(pod).Namespace(namespace).SubResource("exec")
		req.VersionedParams(&v1.PodExecOptions{Container: container, Command: argv, Stdout: true, Stderr: true}, scheme.ParameterCodec)
		var stdout, stderr bytes.Buffer
		err := (&exec.DefaultRemoteExecutor{}).ExecuteWithContext(ctx, req.URL(), cfg, nil, &stdout, &stderr, false, nil)
		if err != nil {
			if msg := strings.TrimSpace(stderr.String()); msg != "" {
				return stdout.String(), fmt.Errorf("%w: %s", err, msg)
			}
			return stdout.String(), err
		}
		return stdout.String(), nil
	}
}
