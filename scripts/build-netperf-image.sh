#!/usr/bin/env bash
# Build the netperf test image from manifests/netperf/Dockerfile (needs a reachable registry for the
# debian:bookworm-slim base and Debian's archive). Without a registry use build-netperf-image-offline.sh.
#
#   scripts/build-netperf-image.sh [--save FILE.tar]
# Environment: NETPERF_IMAGE (default: NETPERF_IMAGE of manifests/podperf.env).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
IMAGE=${NETPERF_IMAGE:-}
# shellcheck source=SCRIPTDIR/../manifests/podperf.env
. "$ROOT/manifests/podperf.env"
IMAGE=${IMAGE:-$NETPERF_IMAGE}
save=""
while [ $# -gt 0 ]; do
  case $1 in
    --save) save=${2:?--save needs a file name}; shift 2 ;;
    -h | --help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "error: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
command -v docker >/dev/null || { echo "error: docker not found" >&2; exit 1; }

docker build -t "$IMAGE" -f "$ROOT/manifests/netperf/Dockerfile" "$ROOT/manifests/netperf"
docker run --rm "$IMAGE" netperf -V
if [ -n "$save" ]; then
  docker save -o "$save" "$IMAGE"
  echo "saved $IMAGE to $save"
fi
echo "built $IMAGE"
