#!/usr/bin/env bash
# Step 21 (CNI=cilium): rootfs/cilium, the runtime of the Cilium agent image: Debian $CILIUM_SUITE
# minbase plus what Cilium's images/runtime installs (iproute2, iptables, ipset, kmod,
# ca-certificates, libatomic1) and its LLVM: cilium-agent compiles bpf/ at run time and v1.18+
# wants clang/llc >= 18.1, so bookworm's clang-14 will not do; $CILIUM_SUITE has clang-19/llvm-19.
# `clang` and `llc` are links in /usr/local/bin to the 19 versions, as the upstream image has them.
# bpftool is there for debugging (cilium-bugtool calls it). The agent and init container scripts
# run bash, nsenter, mount, cp, grep and sed, all part of minbase. .debs go to the shared debcache.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need debootstrap
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot)"

R=$STATE/rootfs/cilium
has_stamp rootfs-cilium && [ -x "$R/usr/bin/clang-19" ] && [ -L "$R/usr/local/bin/clang" ] && skip_step "rootfs/cilium in $R"
t0=$(date +%s)
DEBIAN_SUITE=$CILIUM_SUITE   # debootstrap_minbase and chroot_apt_install use this suite
log "debootstrap $DEBIAN_SUITE minbase into $R"
debootstrap_minbase "$R" debootstrap-cilium
log "chroot apt: clang-19 llvm-19 and Cilium's runtime packages"
chroot_apt_install "$R" main clang-19 llvm-19 iproute2 iptables ipset kmod ca-certificates libatomic1 \
  bpftool >/dev/null
for t in clang llc; do
  [ -x "$R/usr/bin/$t-19" ] || die "$R/usr/bin/$t-19 missing after apt-get install clang-19 llvm-19"
  ln -sf "/usr/bin/$t-19" "$R/usr/local/bin/$t"
done
chroot "$R" clang --version | sed -n 1p
chroot "$R" llc --version | sed -n 2p
for c in bash nsenter mount ip iptables ipset modprobe bpftool; do
  chroot "$R" sh -c "command -v $c" >/dev/null || die "$c missing in $R"
done
stamp rootfs-cilium
log "rootfs/cilium: $(du -sh "$R" | cut -f1) in $(($(date +%s) - t0))s"
