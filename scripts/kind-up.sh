#!/usr/bin/env bash
# Create the kind cluster "podperf" (1 control plane + 2 workers) on a machine that can pull images,
# and load the netperf test image into it. Offline machines use scripts/kind-offline/up.sh instead.
#
#   scripts/kind-up.sh [default-cni|cilium]
#     default-cni  kind-config/kind-default-cni.yaml: kindnetd + kube-proxy (default)
#     cilium       kind-config/kind-cilium.yaml, then scripts/cilium-install.sh
# Environment: KIND_CLUSTER_NAME (podperf), KIND_NODE_IMAGE (kind's default node image if unset).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# NETPERF_IMAGE, KIND_NET_SUBNET, KIND_NET_GATEWAY: shared with the Go code.
# shellcheck source=SCRIPTDIR/../manifests/podperf.env
. "$ROOT/manifests/podperf.env"
CLUSTER=${KIND_CLUSTER_NAME:-podperf}
MODE=${1:-default-cni}
die() { echo "error: $*" >&2; exit 1; }

case $MODE in
  default-cni | cilium) CONFIG=$ROOT/kind-config/kind-$MODE.yaml ;;
  *) die "unknown mode '$MODE' (usage: kind-up.sh [default-cni|cilium])" ;;
esac
for c in kind kubectl docker; do command -v "$c" >/dev/null || die "'$c' not found on PATH"; done

# Node addresses in KIND_NET_SUBNET, inside ALLOWED_NET: create kind's docker network before kind does.
if ! docker network inspect kind >/dev/null 2>&1; then
  docker network create -d bridge --subnet "$KIND_NET_SUBNET" --gateway "$KIND_NET_GATEWAY" \
    -o com.docker.network.bridge.enable_ip_masquerade=true -o com.docker.network.driver.mtu=1500 kind >/dev/null
fi

if grep -qx "$CLUSTER" <<<"$(kind get clusters 2>/dev/null)"; then
  echo "cluster $CLUSTER exists; delete it with scripts/kind-down.sh to recreate it"
else
  kind create cluster --name "$CLUSTER" --config "$CONFIG" ${KIND_NODE_IMAGE:+--image "$KIND_NODE_IMAGE"}
fi

if [ "$MODE" = cilium ]; then
  "$ROOT/scripts/cilium-install.sh"
else
  kubectl --context "kind-$CLUSTER" wait --for=condition=Ready node --all --timeout=300s
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if docker image inspect "$NETPERF_IMAGE" >/dev/null 2>&1; then
  docker save -o "$tmp/netperf.tar" "$NETPERF_IMAGE"
else
  "$ROOT/scripts/build-netperf-image.sh" --save "$tmp/netperf.tar"
fi
kind load image-archive "$tmp/netperf.tar" --name "$CLUSTER"
kubectl --context "kind-$CLUSTER" get nodes -o wide
echo "cluster $CLUSTER ready ($MODE); test image $NETPERF_IMAGE loaded"
