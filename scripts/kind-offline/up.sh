#!/usr/bin/env bash
# Bring up the offline kind cluster "podperf" (1 control plane + 2 workers) on this machine, building
# everything locally: no container registry is used. Runs the numbered steps in order, times each one,
# logs each to $STATE/logs/<step>.log and prints a table of durations (also written to
# $STATE/timings.txt). A step whose outputs exist is skipped, so a second run takes seconds.
#
#   scripts/kind-offline/up.sh              # all steps
#   scripts/kind-offline/up.sh 40-cluster   # only the named steps (their inputs must exist)
#   KIND_OFFLINE_CNI=cilium scripts/kind-offline/up.sh   # Cilium instead of ptp + kube-proxy
#   KIND_OFFLINE_FAMILY=dual scripts/kind-offline/up.sh  # IPv4 and IPv6 (ptp only)
#
# Environment: KIND_OFFLINE_DIR (state, default <repo>/_kind-offline), KIND_OFFLINE_CNI (ptp, the
# default, or cilium), KIND_OFFLINE_FAMILY (ipv4, the default, or dual), KIND_OFFLINE_SERIAL=1 (do not overlap the rootfs steps with the Go builds),
# GOMODCACHE/GOCACHE/GOPROXY as for any Go build.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ "$KIND_OFFLINE_CNI" = cilium ]; then
  # Cilium's binaries, runtime rootfs and images; the cluster has no kube-proxy and no ptp CNI.
  ALL_STEPS=(00-host 10-kubernetes 11-tools 12-cilium 20-rootfs 21-cilium-rootfs 30-component-images
    31-netperf-image 32-node-image 33-cilium-images 40-cluster 42-load-images 43-cilium 50-ready)
else
  ALL_STEPS=(00-host 10-kubernetes 11-tools 20-rootfs 30-component-images 31-netperf-image 32-node-image
    40-cluster 41-cni 42-load-images 50-ready)
fi
if [ $# -gt 0 ]; then
  for s in "$@"; do [ -x "$KO_SCRIPTS/$s.sh" ] || die "unknown step '$s' (steps: ${ALL_STEPS[*]})"; done
  STEPS=("$@")
else
  STEPS=("${ALL_STEPS[@]}")
fi
selected() { local s; for s in "${STEPS[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

now() { date +%s.%N; }
T0=$(now)
declare -a ROWS=()

# run_step NAME: run one step with its log; records "name status seconds" in $STATE/logs/NAME.result
run_step() {
  local name=$1 t0 rc=0 status
  t0=$(now)
  "$KO_SCRIPTS/$name.sh" >"$STATE/logs/$name.log" 2>&1 </dev/null || rc=$?
  if [ $rc -ne 0 ]; then status=FAILED
  elif grep -q '^SKIPPED (cached)' "$STATE/logs/$name.log"; then status=cached
  else status=ran; fi
  awk -v n="$name" -v s="$status" -v a="$t0" -v b="$(now)" 'BEGIN {printf "%s %s %.1f\n", n, s, b - a}' \
    >"$STATE/logs/$name.result"
  return $rc
}

report() {
  local r out=$STATE/timings.txt
  {
    printf '%-22s %-7s %9s\n' step status seconds
    for r in "${ROWS[@]}"; do
      read -r n s t <<<"$r"
      printf '%-22s %-7s %9s\n' "$n" "$s" "$t"
    done
    awk -v a="$T0" -v b="$(now)" 'BEGIN {printf "%-22s %-7s %9.1f\n", "total (wall)", "", b - a}'
  } >"$out"
  echo
  cat "$out"
  { echo "# $(date -u +%FT%TZ) ${STEPS[*]}"; cat "$out"; } >>"$STATE/timings-history.txt"
}

finish_step() { # NAME RC
  local name=$1 rc=$2 line
  line=$(cat "$STATE/logs/$name.result")
  ROWS+=("$line")
  echo "==> $line"
  if [ "$rc" -ne 0 ]; then
    echo "---- last lines of $STATE/logs/$name.log"
    tail -n 25 "$STATE/logs/$name.log"
    if [ -n "${BG_PID:-}" ] && kill -0 "$BG_PID" 2>/dev/null; then
      echo "waiting for the background steps ${BG_STEPS[*]} to end before exiting"
      wait "$BG_PID" || true
    fi
    report
    die "step $name failed; full log: $STATE/logs/$name.log"
  fi
}

step() { local rc=0; echo "==> $1 ..."; run_step "$1" || rc=$?; finish_step "$1" $rc; }

# The rootfs steps (network + dpkg bound) run one after the other in the background while the Go
# builds (CPU bound) run, unless told otherwise.
BG_STEPS=()
if [ "${KIND_OFFLINE_SERIAL:-0}" != 1 ] && { selected 10-kubernetes || selected 11-tools || selected 12-cilium; }; then
  for s in 20-rootfs 21-cilium-rootfs; do selected "$s" && BG_STEPS+=("$s"); done
fi
in_bg() { local s; for s in "${BG_STEPS[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }
start_bg() {
  echo "==> ${BG_STEPS[*]} ... (in the background)"
  for b in "${BG_STEPS[@]}"; do rm -f "$STATE/logs/$b.rc"; done
  (for b in "${BG_STEPS[@]}"; do rc=0; run_step "$b" || rc=$?; echo $rc >"$STATE/logs/$b.rc"; done) &
  BG_PID=$!
}
echo "state: $STATE (CNI $KIND_OFFLINE_CNI)"
for s in "${STEPS[@]}"; do
  if [ ${#BG_STEPS[@]} -gt 0 ]; then
    case $s in
      10-kubernetes | 11-tools | 12-cilium) [ -n "${BG_PID:-}" ] || [ -n "${BG_DONE:-}" ] || start_bg ;;
    esac
    if in_bg "$s"; then
      # The first background step in the list waits for them all and reports them in order.
      if [ -z "${BG_DONE:-}" ]; then
        [ -n "${BG_PID:-}" ] || start_bg
        wait "$BG_PID" || true
        BG_PID='' BG_DONE=1
        for b in "${BG_STEPS[@]}"; do finish_step "$b" "$(cat "$STATE/logs/$b.rc" 2>/dev/null || echo 1)"; done
      fi
      continue
    fi
  fi
  step "$s"
done
report
if selected 50-ready; then
  echo
  echo "kubeconfig: $KUBECONFIG_FILE"
  echo "kubectl:    $STATE/bin/kubectl --kubeconfig $KUBECONFIG_FILE get nodes -o wide"
fi
