package kube

import (
	"fmt"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	e2epod "k8s.io/kubernetes/test/e2e/framework/pod"
	"k8s.io/utils/ptr"

	"podperf/framework/endpoints"
)

// podLabel carries the pod's own name, for a Service to select it by.
const podLabel = "podperf/pod"

// uid is the image's non-root user.
const uid = 65532

// podSpec is a netperf/netserver pod pinned to node. The pod-network pods meet
// the restricted Pod Security level; the reference pods differ only by
// hostNetwork, which is why their namespace is privileged.
func podSpec(name, node string, path endpoints.Path, image string, cpuMilli int64, command []string, readyPort int) *v1.Pod {
	c := v1.Container{
		Name:            "netperf",
		Image:           image,
		ImagePullPolicy: v1.PullIfNotPresent,
		Command:         command,
		SecurityContext: &v1.SecurityContext{
			RunAsNonRoot:             ptr.To(true),
			RunAsUser:                ptr.To[int64](uid),
			RunAsGroup:               ptr.To[int64](uid),
			AllowPrivilegeEscalation: ptr.To(false),
			ReadOnlyRootFilesystem:   ptr.To(true),
			Capabilities:             &v1.Capabilities{Drop: []v1.Capability{"ALL"}},
			SeccompProfile:           &v1.SeccompProfile{Type: v1.SeccompProfileTypeRuntimeDefault},
		},
		VolumeMounts: []v1.VolumeMount{{Name: "tmp", MountPath: "/tmp"}},
	}
	if cpuMilli > 0 {
		// requests == limits: Guaranteed QoS, so the allowance is the pod's own.
		r := v1.ResourceList{
			v1.ResourceCPU:    *resource.NewMilliQuantity(cpuMilli, resource.DecimalSI),
			v1.ResourceMemory: resource.MustParse("256Mi"),
		}
		c.Resources = v1.ResourceRequirements{Requests: r, Limits: r}
	}
	if readyPort > 0 {
		c.ReadinessProbe = &v1.Probe{
			ProbeHandler:  v1.ProbeHandler{TCPSocket: &v1.TCPSocketAction{Port: intstr.FromInt32(int32(readyPort))}},
			PeriodSeconds: 1,
		}
	}
	pod := &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app.kubernetes.io/name": "podperf", "podperf/path": string(path), podLabel: name}},
		Spec: v1.PodSpec{
			HostNetwork:                   path == endpoints.NodePath,
			RestartPolicy:                 v1.RestartPolicyNever,
			TerminationGracePeriodSeconds: ptr.To[int64](1),
			AutomountServiceAccountToken:  ptr.To(false),
			SecurityContext: &v1.PodSecurityContext{
				RunAsNonRoot:   ptr.To(true),
				SeccompProfile: &v1.SeccompProfile{Type: v1.SeccompProfileTypeRuntimeDefault},
			},
			Containers: []v1.Container{c},
			Volumes:    []v1.Volume{{Name: "tmp", VolumeSource: v1.VolumeSource{EmptyDir: &v1.EmptyDirVolumeSource{Medium: v1.StorageMediumMemory}}}},
		},
	}
	// Pinned to its node through the scheduler (node affinity; the same-node
	// path pins both pods to one), so that a node short of CPU leaves the pod
	// Pending with a reason instead of failing it.
	e2epod.SetNodeSelection(&pod.Spec, e2epod.NodeSelection{Name: node})
	return pod
}

func serverCommand(port int) []string {
	return []string{"netserver", "-D", "-p", fmt.Sprint(port)}
}

var clientCommand = []string{"sleep", "infinity"}
