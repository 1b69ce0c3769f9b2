#!/usr/bin/env bash
# Step 31: the netperf test image $NETPERF_IMAGE (manifests/podperf.env), built without a registry
# (scripts/build-netperf-image-offline.sh) and saved to $STATE/images/netperf.tar for `kind load`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
docker_up || die "dockerd is not running (run 00-host.sh)"
TAR=$STATE/images/netperf.tar

if [ -s "$TAR" ]; then
  "$DOCKER" image inspect "$NETPERF_IMAGE" >/dev/null 2>&1 || "$DOCKER" load -i "$TAR" >/dev/null
  skip_step "$NETPERF_IMAGE in $TAR"
fi
has_stamp rootfs-base || die "rootfs/base missing (run 20-rootfs.sh)"
"$KO_SCRIPTS/../build-netperf-image-offline.sh" --out "$TAR"
