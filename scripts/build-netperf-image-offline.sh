#!/usr/bin/env bash
# Build the netperf test image without any container registry: the equivalent of
# manifests/netperf/Dockerfile made from a debootstrap minbase tree (Debian bookworm), with netperf
# (non-free) and iproute2 installed by apt in a chroot, user 65532, imported with `docker import`.
# Writes the image archive for `kind load image-archive`.
#
#   scripts/build-netperf-image-offline.sh [--out FILE.tar]     (default $KIND_OFFLINE_DIR/images/netperf.tar)
# Needs root, debootstrap and a running dockerd (scripts/kind-offline/00-host.sh provides them).
set -euo pipefail
. "$(dirname "$0")/kind-offline/lib.sh"
out=$STATE/images/netperf.tar
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=${2:?--out needs a file name}; shift 2 ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    *) die "unknown argument '$1'" ;;
  esac
done
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot)"
docker_up || die "dockerd is not running (run scripts/kind-offline/00-host.sh)"

base=$STATE/rootfs/base
if ! has_stamp rootfs-base; then
  log "debootstrap minbase into $base"
  debootstrap_minbase "$base" debootstrap-base
  stamp rootfs-base
fi

R=$STATE/rootfs/netperf
log "rootfs/netperf: minbase + netperf iproute2"
rm -rf "$R"
cp -a "$base" "$R"
chroot_apt_install "$R" "main non-free" netperf iproute2 >/dev/null
chroot "$R" groupadd --gid 65532 netperf
chroot "$R" useradd --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin netperf

tar -C "$R" -c . | "$DOCKER" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'USER 65532:65532' \
  --change 'CMD ["sleep", "infinity"]' \
  - "$NETPERF_IMAGE" >/dev/null
rm -rf "$R"
"$DOCKER" run --rm "$NETPERF_IMAGE" sh -c 'id -u && netperf -V && ip -V' | tr '\n' ' '
echo
mkdir -p "$(dirname "$out")"
"$DOCKER" save -o "$out.tmp" "$NETPERF_IMAGE"
mv "$out.tmp" "$out"
log "$NETPERF_IMAGE -> $out ($(du -h "$out" | cut -f1))"
