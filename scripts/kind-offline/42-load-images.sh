#!/usr/bin/env bash
# Step 42: load the netperf image archive into every node's containerd with `kind load image-archive`.
# Pods use it with imagePullPolicy IfNotPresent or Never. Skipped when every node already has the
# same image ID as the local docker image.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need kind
TAR=$STATE/images/netperf.tar
[ -s "$TAR" ] || die "$TAR missing (run 31-netperf-image.sh)"
id=$("$DOCKER" image inspect -f '{{.Id}}' "$NETPERF_IMAGE" 2>/dev/null) || die "$NETPERF_IMAGE not in docker (run 31-netperf-image.sh)"

mapfile -t nodes < <(kind get nodes --name "$CLUSTER_NAME" | sort)
[ ${#nodes[@]} -gt 0 ] || die "cluster $CLUSTER_NAME has no nodes (run 40-cluster.sh)"
node_has_image() { # NODE
  [ "$("$DOCKER" exec "$1" crictl inspecti -o json "$NETPERF_IMAGE" 2>/dev/null | jq -r '.status.id')" = "$id" ]
}
missing=()
for n in "${nodes[@]}"; do node_has_image "$n" || missing+=("$n"); done
[ ${#missing[@]} -gt 0 ] || skip_step "$NETPERF_IMAGE ($id) on ${nodes[*]}"

log "kind load image-archive $TAR into ${missing[*]}"
kind load image-archive "$TAR" --name "$CLUSTER_NAME" --nodes "$(IFS=,; echo "${missing[*]}")"
for n in "${nodes[@]}"; do node_has_image "$n" || die "$NETPERF_IMAGE not found on $n after kind load"; done
log "$NETPERF_IMAGE present on ${nodes[*]}"
