#!/usr/bin/env bash
# Switch the Cilium of the offline cluster (make kind-offline CNI=cilium) between eBPF host routing
# and legacy host routing, the two datapaths the benchmark profiles compare:
#   bpf     bpf.hostLegacyRouting=false  (cilium-config enable-host-legacy-routing: "false")
#   legacy  bpf.hostLegacyRouting=true   (cilium-config enable-host-legacy-routing: "true")
# Upgrades the Helm release "cilium" with that one value changed (--reuse-values), restarts the
# agents, and waits until every agent reports the mode (cilium-dbg status: "Host: BPF" or
# "Host: Legacy" on the Routing line). Fails naming the agent that does not.
#
#   scripts/kind-offline/cilium-routing.sh bpf|legacy      (make cilium-routing MODE=bpf|legacy)
# Environment: KIND_OFFLINE_DIR (the state of up.sh; its kubeconfig and helm are used).
set -euo pipefail
KIND_OFFLINE_CNI=cilium
. "$(dirname "$0")/lib.sh"
. "$KO_SCRIPTS/cilium-lib.sh"
mode=${1:-}
case $mode in
  bpf) legacy=false ;;
  legacy) legacy=true ;;
  -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
  *) die "usage: cilium-routing.sh bpf|legacy (make cilium-routing MODE=bpf|legacy), got '$mode'" ;;
esac
need kubectl helm jq
[ -s "$KUBECONFIG_FILE" ] || die "$KUBECONFIG_FILE missing: bring the cluster up with make kind-offline CNI=cilium"
kc -n kube-system get daemonset cilium >/dev/null 2>&1 ||
  die "no cilium DaemonSet in the cluster of $KUBECONFIG_FILE: bring it up with make kind-offline CNI=cilium"
H=(helm --kubeconfig "$KUBECONFIG_FILE" --namespace kube-system)
"${H[@]}" status cilium >/dev/null 2>&1 || die "no Helm release cilium in kube-system: run make kind-offline CNI=cilium"
CHART=$STATE/cilium/src/install/kubernetes/cilium
[ -f "$CHART/Chart.yaml" ] || die "Cilium chart missing in $CHART (run scripts/kind-offline/up.sh 12-cilium)"

t0=$(date +%s)
if [ "$(cilium_cm_mode)" = "$mode" ] && check_agents "$mode" 2>/dev/null; then
  log "host routing is already $mode on every agent"
  exit 0
fi
log "helm upgrade cilium --reuse-values --set bpf.hostLegacyRouting=$legacy"
"${H[@]}" upgrade cilium "$CHART" --reuse-values --set bpf.hostLegacyRouting=$legacy >/dev/null
[ "$(cilium_cm_mode)" = "$mode" ] || die "cilium-config still says host routing $(cilium_cm_mode) after helm upgrade"
log "restarting the cilium agents"
kc -n kube-system rollout restart daemonset/cilium
wait_agents 300
check_agents "$mode"
log "host routing $mode on every agent after $(($(date +%s) - t0))s"
