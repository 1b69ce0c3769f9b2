#!/usr/bin/env bash
# Delete the offline kind cluster (ptp or cilium), its kubeconfig and the docker network "kind".
# Built binaries and images stay in $STATE, so a later up.sh only recreates the cluster.
#
#   scripts/kind-offline/down.sh [--stop-docker]
#     --stop-docker  also stop the dockerd that 00-host.sh started (its data stays in $STATE/docker)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
stop_docker=0
for a in "$@"; do
  case $a in
    --stop-docker) stop_docker=1 ;;
    -h | --help) sed -n '2,7p' "$0"; exit 0 ;;
    *) die "unknown argument '$a' (usage: down.sh [--stop-docker])" ;;
  esac
done

if docker_up && command -v kind >/dev/null; then
  if grep -qx "$CLUSTER_NAME" <<<"$(kind get clusters 2>/dev/null)"; then
    kind delete cluster --name "$CLUSTER_NAME" --kubeconfig "$KUBECONFIG_FILE"
  else
    log "no cluster $CLUSTER_NAME"
  fi
fi
rm -f "$KUBECONFIG_FILE"

# The docker network "kind" goes too once no container uses it (40-cluster.sh creates it again).
# Before a dockerd stops this matters: a stopped dockerd leaves its bridge behind, holding
# KIND_NET_GATEWAY, and a later dockerd (another state dir) then gets a second bridge with the same
# subnet, across which the nodes cannot reach each other.
if docker_up && users=$("$DOCKER" network inspect kind -f '{{len .Containers}}' 2>/dev/null); then
  if [ "$users" = 0 ]; then
    "$DOCKER" network rm kind >/dev/null && log "removed docker network kind"
  else
    log "docker network kind kept: $users containers still use it"
  fi
fi

if [ $stop_docker = 1 ]; then
  pidfile=$STATE/docker/dockerd.pid
  if [ -f "$pidfile" ] && pid=$(cat "$pidfile") && kill -0 "$pid" 2>/dev/null; then
    log "stopping dockerd (pid $pid)"
    kill -TERM "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    ! kill -0 "$pid" 2>/dev/null || die "dockerd (pid $pid) still running after 30s"
  else
    log "no dockerd started from $STATE is running"
  fi
fi
