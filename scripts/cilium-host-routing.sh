#!/usr/bin/env bash
# Set the host routing of the Cilium that scripts/cilium-install.sh installed (a cluster that can
# pull images: make kind-up, the benchmark workflow) and check that every agent reports it:
#   bpf     bpf.hostLegacyRouting=false  (eBPF host routing, what manifests/cilium/values.yaml asks for)
#   legacy  bpf.hostLegacyRouting=true   (legacy host routing: through the host's stack)
# When the agents already report the mode, it only checks. Otherwise it upgrades the Helm release
# "cilium" with that one value changed (--reuse-values, same chart version), restarts the agents and
# waits for them. It fails naming the first agent that reports another mode, or no kube-proxy
# replacement. The offline cluster has scripts/kind-offline/cilium-routing.sh instead.
#
#   scripts/cilium-host-routing.sh bpf|legacy
# Environment: KIND_CLUSTER_NAME (podperf; kubeconfig context kind-NAME), CILIUM_VERSION (the chart
# version cilium-install.sh installed, 1.18.4 by default there).
set -euo pipefail
CLUSTER=${KIND_CLUSTER_NAME:-podperf}
CILIUM_VERSION=${CILIUM_VERSION:-1.18.4}
die() { echo "error: $*" >&2; exit 1; }
log() { echo "[$(date +%T)] $*"; }

mode=${1:-}
case $mode in
  bpf) legacy=false want=BPF ;;
  legacy) legacy=true want=Legacy ;;
  -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
  *) die "usage: cilium-host-routing.sh bpf|legacy, got '$mode'" ;;
esac
for c in helm kubectl jq; do command -v "$c" >/dev/null || die "'$c' not found on PATH"; done
ctx=kind-$CLUSTER
K=(kubectl --context "$ctx" -n kube-system)
"${K[@]}" get daemonset cilium >/dev/null 2>&1 || die "no cilium DaemonSet in context $ctx: run make kind-up first"

# check_agents: every node has an agent reporting host routing $want and kube-proxy replacement.
check_agents() {
  local nodes count=0 p n status got kpr
  nodes=$(kubectl --context "$ctx" get nodes --no-headers | wc -l)
  while read -r p n; do
    [ -n "$p" ] || continue
    status=$("${K[@]}" exec "$p" -c cilium-agent -- cilium-dbg status -o json 2>/dev/null) || status='{}'
    got=$(jq -r '.routing."intra-host-routing-mode" // empty' <<<"$status")
    kpr=$(jq -r '."kube-proxy-replacement".mode // empty' <<<"$status")
    if [ "$got" != "$want" ]; then
      echo "cilium agent $p on $n reports host routing '${got:-no answer}', want $want" >&2
      return 1
    fi
    if [ "$kpr" != True ]; then
      echo "cilium agent $p on $n reports kube-proxy replacement '${kpr:-no answer}', want True" >&2
      return 1
    fi
    log "$n: cilium agent $p, host routing $got, kube-proxy replacement $kpr"
    count=$((count + 1))
  done < <("${K[@]}" get pods -l k8s-app=cilium -o jsonpath='{range .items[*]}{.metadata.name} {.spec.nodeName}{"\n"}{end}')
  [ "$count" = "$nodes" ] || { echo "$count cilium agents report for $nodes nodes" >&2; return 1; }
}

if check_agents 2>/dev/null; then
  log "host routing is already $mode on every agent"
  exit 0
fi
log "helm upgrade cilium --reuse-values --set bpf.hostLegacyRouting=$legacy (chart $CILIUM_VERSION)"
helm upgrade cilium cilium/cilium --kube-context "$ctx" --namespace kube-system --version "$CILIUM_VERSION" \
  --reuse-values --set bpf.hostLegacyRouting=$legacy >/dev/null
"${K[@]}" rollout restart daemonset/cilium
"${K[@]}" rollout status daemonset/cilium --timeout=600s
check_agents || die "host routing is not $mode on every agent (above); see: kubectl -n kube-system logs ds/cilium -c cilium-agent"
log "host routing $mode on every agent"
