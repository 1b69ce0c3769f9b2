#!/usr/bin/env bash
# Step 20: Debian root filesystems made with debootstrap from the Debian archive apt already uses.
#   rootfs/base  minbase; the base of the kube-proxy and netperf images
#   rootfs/node  minbase + systemd, containerd, runc, CNI plugins, iptables/nftables, ...: the kind node
# .deb files are cached in $STATE/debcache and reused by the chroot installs of later steps.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need debootstrap

# What kind's base image installs, with Debian's containerd/runc/CNI plugins instead of its own builds.
NODE_PKGS=systemd,systemd-sysv,dbus,containerd,runc,containernetworking-plugins,conntrack,iptables,nftables
NODE_PKGS+=,iproute2,ethtool,socat,util-linux,mount,kmod,libseccomp2,pigz,e2fsprogs,bash,ca-certificates
NODE_PKGS+=,curl,jq,procps,iputils-ping

has_stamp rootfs-base && has_stamp rootfs-node && skip_step "rootfs/base and rootfs/node in $STATE/rootfs"
for name in base node; do
  has_stamp "rootfs-$name" && { log "rootfs/$name: present"; continue; }
  t0=$(date +%s)
  log "debootstrap $name ($DEBIAN_SUITE from $DEBIAN_MIRROR)"
  if [ $name = node ]; then
    debootstrap_minbase "$STATE/rootfs/$name" "debootstrap-$name" --include="$NODE_PKGS"
  else
    debootstrap_minbase "$STATE/rootfs/$name" "debootstrap-$name"
  fi
  stamp "rootfs-$name"
  log "rootfs/$name: $(du -sh "$STATE/rootfs/$name" | cut -f1) in $(($(date +%s) - t0))s"
done
