# Helpers for the Cilium agents of the offline cluster, sourced after lib.sh by 43-cilium.sh,
# 50-ready.sh and cilium-routing.sh; not run directly.
# shellcheck shell=bash

# cilium_cm_mode: the host routing mode the ConfigMap cilium-config asks for: bpf or legacy.
cilium_cm_mode() {
  local v
  v=$(kc -n kube-system get configmap cilium-config -o jsonpath='{.data.enable-host-legacy-routing}')
  case $v in
    true) echo legacy ;;
    false | "") echo bpf ;;
    *) die "cilium-config has enable-host-legacy-routing='$v'" ;;
  esac
}

# cilium_pods: the agent pods, one "name node" per line.
cilium_pods() {
  kc -n kube-system get pods -l k8s-app=cilium \
    -o jsonpath='{range .items[*]}{.metadata.name} {.spec.nodeName}{"\n"}{end}'
}

# agent_mode POD: the host routing mode the agent reports (cilium-dbg status -o json,
# .routing.intra-host-routing-mode): BPF or Legacy.
agent_mode() {
  kc -n kube-system exec "$1" -c cilium-agent -- cilium-dbg status -o json 2>/dev/null |
    jq -r '.routing."intra-host-routing-mode" // empty'
}

# dump_agents: what an operator needs when the agents do not come up (goes to the step log).
dump_agents() {
  echo "---- cilium pods"
  kc -n kube-system get pods -l k8s-app=cilium -o wide || true
  local p n
  while read -r p n; do
    [ -n "$p" ] || continue
    echo "---- last lines of the cilium-agent log on $n ($p)"
    kc -n kube-system logs "$p" -c cilium-agent --tail=40 2>&1 || true
  done < <(cilium_pods)
}

# wait_agents SECONDS: the DaemonSet rolled out (every agent ready), or die with the agents' logs.
wait_agents() {
  if ! kc -n kube-system rollout status daemonset/cilium --timeout="$1s"; then
    dump_agents
    die "cilium agents not ready after $1s (log above); see kubectl -n kube-system logs ds/cilium -c cilium-agent"
  fi
}

# check_agents MODE: every node runs an agent that reports kube-proxy replacement and the host
# routing MODE (bpf or legacy). Dies naming the first agent that differs: with eBPF host routing
# asked for, an agent that fell back to legacy fails here.
check_agents() {
  local want=$1 want_status nodes p n got kpr count=0
  case $want in bpf) want_status=BPF ;; legacy) want_status=Legacy ;; *) die "check_agents: mode '$want'" ;; esac
  nodes=$(kc get nodes --no-headers | wc -l)
  while read -r p n; do
    [ -n "$p" ] || continue
    got=$(agent_mode "$p")
    [ "$got" = "$want_status" ] ||
      die "cilium agent $p on $n reports host routing '${got:-no answer}', want $want_status; see: kubectl -n kube-system logs $p -c cilium-agent"
    kpr=$(kc -n kube-system exec "$p" -c cilium-agent -- cilium-dbg status -o json | jq -r '."kube-proxy-replacement".mode // empty')
    [ "$kpr" = True ] || die "cilium agent $p on $n reports kube-proxy replacement '$kpr', want True"
    log "$n: cilium agent $p, host routing $got, kube-proxy replacement $kpr"
    count=$((count + 1))
  done < <(cilium_pods)
  [ "$count" = "$nodes" ] || die "$count cilium agents for $nodes nodes"
}
