#!/usr/bin/env bash
# Step 50: wait until every node is Ready, kube-proxy (CNI=cilium: the Cilium agents, in the host
# routing mode cilium-config asks for, and the operator) and CoreDNS are rolled out, and both
# workers hold the netperf image; then print the cluster.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need kubectl
[ -s "$KUBECONFIG_FILE" ] || die "$KUBECONFIG_FILE missing (run 40-cluster.sh)"

want=$(grep -c '^- role:' "$KIND_CONFIG")
kc wait --for=condition=Ready node --all --timeout=300s
have=$(kc get nodes --no-headers | wc -l)
[ "$have" = "$want" ] || die "cluster has $have nodes, $KIND_CONFIG asks for $want"
workers=$(kc get nodes -l '!node-role.kubernetes.io/control-plane' --no-headers | wc -l)
[ "$workers" -ge 2 ] || die "cluster has $workers workers; the benchmark needs 2"
if [ "$KIND_OFFLINE_CNI" = cilium ]; then
  # No kube-proxy: Cilium's agents (kube-proxy replacement) and operator, in the mode they are asked for.
  . "$KO_SCRIPTS/cilium-lib.sh"
  wait_agents 300
  kc -n kube-system rollout status deployment/cilium-operator --timeout=300s
  check_agents "$(cilium_cm_mode)"
else
  kc -n kube-system rollout status daemonset/kube-proxy --timeout=300s
fi
kc -n kube-system rollout status deployment/coredns --timeout=300s

for n in $(kc get nodes -l '!node-role.kubernetes.io/control-plane' -o jsonpath='{.items[*].metadata.name}'); do
  "$DOCKER" exec "$n" crictl inspecti "$NETPERF_IMAGE" >/dev/null 2>&1 || die "$NETPERF_IMAGE missing on $n (run 42-load-images.sh)"
done
kc get nodes -o wide
kc get pods -A -o wide
