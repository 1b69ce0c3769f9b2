#!/usr/bin/env bash
# Step 42: load the image archives into every node's containerd with `kind load image-archive`:
# the netperf image, and with CNI=cilium the Cilium agent and operator images (step 33). Pods use
# them with imagePullPolicy IfNotPresent or Never. An archive is skipped on the nodes that already
# have the same image ID as the local docker image.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need kind

# IMAGE=ARCHIVE=STEP that makes it
WANT=("$NETPERF_IMAGE=$STATE/images/netperf.tar=31-netperf-image")
if [ "$KIND_OFFLINE_CNI" = cilium ]; then
  WANT+=("$CILIUM_IMAGE=$STATE/images/cilium.tar=33-cilium-images"
    "$CILIUM_OPERATOR_IMAGE=$STATE/images/cilium-operator.tar=33-cilium-images")
fi

mapfile -t nodes < <(kind get nodes --name "$CLUSTER_NAME" | sort)
[ ${#nodes[@]} -gt 0 ] || die "cluster $CLUSTER_NAME has no nodes (run 40-cluster.sh)"
node_has_image() { # NODE IMAGE ID
  [ "$("$DOCKER" exec "$1" crictl inspecti -o json "$2" 2>/dev/null | jq -r '.status.id')" = "$3" ]
}
loaded=0
for w in "${WANT[@]}"; do
  IFS='=' read -r image tar from <<<"$w"
  [ -s "$tar" ] || die "$tar missing (run $from.sh)"
  id=$("$DOCKER" image inspect -f '{{.Id}}' "$image" 2>/dev/null) || die "$image not in docker (run $from.sh)"
  missing=()
  for n in "${nodes[@]}"; do node_has_image "$n" "$image" "$id" || missing+=("$n"); done
  [ ${#missing[@]} -gt 0 ] || { log "$image ($id) already on ${nodes[*]}"; continue; }
  log "kind load image-archive $tar into ${missing[*]}"
  kind load image-archive "$tar" --name "$CLUSTER_NAME" --nodes "$(IFS=,; echo "${missing[*]}")"
  for n in "${nodes[@]}"; do node_has_image "$n" "$image" "$id" || die "$image not found on $n after kind load"; done
  log "$image present on ${nodes[*]}"
  loaded=1
done
[ $loaded = 1 ] || skip_step "${#WANT[@]} images on ${nodes[*]}"
