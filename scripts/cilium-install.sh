#!/usr/bin/env bash
# Install Cilium with manifests/cilium/values.yaml into a kind cluster created from
# kind-config/kind-cilium.yaml (no default CNI, no kube-proxy), then wait until the agents, the
# operator, every node and CoreDNS are ready. Needs helm, kubectl and registry access.
#
#   scripts/cilium-install.sh               # cluster "podperf", current kubeconfig context
# Environment: KIND_CLUSTER_NAME (podperf), CILIUM_VERSION (chart version), KUBECONFIG.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLUSTER=${KIND_CLUSTER_NAME:-podperf}
CILIUM_VERSION=${CILIUM_VERSION:-1.18.4}
VALUES=$ROOT/manifests/cilium/values.yaml
die() { echo "error: $*" >&2; exit 1; }

for c in helm kubectl; do command -v "$c" >/dev/null || die "'$c' not found on PATH"; done
ctx=kind-$CLUSTER
kubectl config get-contexts "$ctx" >/dev/null 2>&1 || die "no kubeconfig context $ctx (create the cluster with scripts/kind-up.sh cilium)"
K=(kubectl --context "$ctx")
if "${K[@]}" -n kube-system get daemonset kube-proxy >/dev/null 2>&1; then
  die "kube-proxy is running: create the cluster with kind-config/kind-cilium.yaml (kubeProxyMode: none)"
fi

helm repo add cilium https://helm.cilium.io >/dev/null 2>&1 || true
helm repo update cilium >/dev/null
# With kube-proxy replaced, agents reach the API server directly: the control-plane node on the
# docker network "kind", port 6443.
helm upgrade --install cilium cilium/cilium --kube-context "$ctx" --namespace kube-system \
  --version "$CILIUM_VERSION" -f "$VALUES" \
  --set k8sServiceHost="$CLUSTER-control-plane" --set k8sServicePort=6443 --wait=false

"${K[@]}" -n kube-system rollout status daemonset/cilium --timeout=600s
"${K[@]}" -n kube-system rollout status deployment/cilium-operator --timeout=600s
if command -v cilium >/dev/null; then
  cilium status --context "$ctx" --wait --wait-duration 10m
fi
"${K[@]}" wait --for=condition=Ready node --all --timeout=300s
"${K[@]}" -n kube-system rollout status deployment/coredns --timeout=300s
"${K[@]}" get nodes -o wide
echo "cilium $CILIUM_VERSION installed in $CLUSTER"
