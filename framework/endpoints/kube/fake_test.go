package kube

import (
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// newNode is a Ready, schedulable, untainted node with cpu allocatable;
// edits change it.
func newNode(name, cpu string, edits ...func(*v1.Node)) *v1.Node {
	n := &v1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"kubernetes.io/hostname": name}},
		Status: v1.NodeStatus{
			Conditions:  []v1.NodeCondition{{Type: v1.NodeReady, Status: v1.ConditionTrue}},
			Capacity:    v1.ResourceList{v1.ResourceCPU: resource.MustParse(cpu)},
			Allocatable: v1.ResourceList{v1.ResourceCPU: resource.MustParse(cpu)},
			Addresses:   []v1.NodeAddress{{Type: v1.NodeInternalIP, Address: "198.18.0.1"}},
		},
	}
	for _, e := range edits {
		e(n)
	}
	return n
}

// newClientset is a fake clientset holding objs whose pod List honours the
// spec.nodeName field selector, as the API server does (the fake ignores
// field selectors).
func newClientset(objs ...runtime.Object) *fake.Clientset {
	cs := fake.NewClientset(objs...)
	cs.PrependReactor("list", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		la := a.(k8stesting.ListAction)
		obj, err := cs.Tracker().List(v1.SchemeGroupVersion.WithResource("pods"), v1.SchemeGroupVersion.WithKind("Pod"), la.GetNamespace())
		if err != nil {
			return true, nil, err
		}
		sel := la.GetListRestrictions().Fields
		out := &v1.PodList{}
		for _, p := range obj.(*v1.PodList).Items {
			if sel.Matches(fields.Set{"spec.nodeName": p.Spec.NodeName}) {
				out.Items = append(out.Items, p)
			}
		}
		return true, out, nil
	})
	return cs
}
