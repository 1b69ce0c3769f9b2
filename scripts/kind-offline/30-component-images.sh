#!/usr/bin/env bash
# Step 30: the container images kubeadm deploys, made from the locally built binaries with
# `docker import` (a tar of a root filesystem) and `docker save` -- no registry, no FROM pulls:
#   registry.k8s.io/{kube-apiserver,kube-controller-manager,kube-scheduler}  static binary + skeleton
#   registry.k8s.io/kube-proxy       Debian minbase + iptables/nftables/conntrack/ipset
#   registry.k8s.io/etcd, coredns/coredns, pause                              static binary + skeleton
# The tags are the ones `kubeadm config images list` prints; the step fails if they differ.
# Output: $STATE/images/components/*.tar (docker-archive), preloaded into the node image by step 32.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
docker_up || die "dockerd is not running (run 00-host.sh)"

OUT=$STATE/images/components
has_stamp component-images && [ -d "$OUT" ] && skip_step "component image archives in $OUT"
for f in "$K8S_BIN"/{kube-apiserver,kube-controller-manager,kube-scheduler,kube-proxy,kubeadm} "$TOOLS_BIN/etcd" "$TOOLS_BIN/coredns" "$TOOLS_BIN/pause"; do
  [ -x "$f" ] || die "$f missing (run 10-kubernetes.sh and 11-tools.sh)"
done
has_stamp rootfs-base || die "rootfs/base missing (run 20-rootfs.sh)"

R=registry.k8s.io
declare -A TAG=(
  [kube-apiserver]=$R/kube-apiserver:$K8S_VERSION
  [kube-controller-manager]=$R/kube-controller-manager:$K8S_VERSION
  [kube-scheduler]=$R/kube-scheduler:$K8S_VERSION
  [kube-proxy]=$R/kube-proxy:$K8S_VERSION
  [etcd]=$R/etcd:$ETCD_IMAGE_TAG
  [coredns]=$R/coredns/coredns:$COREDNS_VERSION
  [pause]=$R/pause:$PAUSE_IMAGE_TAG
)
want=$("$K8S_BIN/kubeadm" config images list --kubernetes-version "$K8S_VERSION" | sort)
have=$(printf '%s\n' "${TAG[@]}" | sort)
[ "$want" = "$have" ] || die "kubeadm wants [$(tr '\n' ' ' <<<"$want")], this step builds [$(tr '\n' ' ' <<<"$have")]; update the versions in lib.sh"

work=$(mktemp -d "$STATE/imgwork.XXXXXX")
trap 'rm -rf "$work"' EXIT
rm -rf "$OUT"
mkdir -p "$OUT"

skeleton() { # DIR: what a distroless image has: passwd/group, /tmp, nsswitch
  mkdir -p "$1"/{etc,tmp,root,var/run,usr/local/bin}
  chmod 1777 "$1/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$1/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$1/etc/group"
  echo 'hosts: files dns' >"$1/etc/nsswitch.conf"
}
PATHENV='ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin'

image() { # NAME DIR [docker import --change ...]
  local name=$1 dir=$2; shift 2
  tar -C "$dir" -c . | "$DOCKER" import "$@" - "${TAG[$name]}" >/dev/null
  "$DOCKER" save -o "$OUT/$name.tar" "${TAG[$name]}"
  log "${TAG[$name]} -> $OUT/$name.tar ($(du -h "$OUT/$name.tar" | cut -f1))"
}

for c in kube-apiserver kube-controller-manager kube-scheduler; do
  skeleton "$work/$c"
  cp "$K8S_BIN/$c" "$work/$c/usr/local/bin/"
  image "$c" "$work/$c" --change "$PATHENV" --change "ENTRYPOINT [\"/usr/local/bin/$c\"]"
done

skeleton "$work/etcd"
cp "$TOOLS_BIN/etcd" "$work/etcd/usr/local/bin/"
mkdir -p "$work/etcd/var/lib/etcd"
image etcd "$work/etcd" --change "$PATHENV" --change 'ENTRYPOINT ["/usr/local/bin/etcd"]'

# kubeadm's CoreDNS Deployment runs the image entrypoint /coredns with -conf.
skeleton "$work/coredns"
cp "$TOOLS_BIN/coredns" "$work/coredns/coredns"
image coredns "$work/coredns" --change "$PATHENV" --change 'ENTRYPOINT ["/coredns"]'

skeleton "$work/pause"
cp "$TOOLS_BIN/pause" "$work/pause/pause"
image pause "$work/pause" --change 'ENTRYPOINT ["/pause"]' --change 'USER 65535:65535'

# kube-proxy programs iptables/nftables and conntrack, so it needs those tools and their libraries.
if ! has_stamp rootfs-kube-proxy; then
  log "rootfs/kube-proxy: minbase + iptables nftables conntrack ipset kmod"
  rm -rf "$STATE/rootfs/kube-proxy"
  cp -a "$STATE/rootfs/base" "$STATE/rootfs/kube-proxy"
  chroot_apt_install "$STATE/rootfs/kube-proxy" main iptables nftables conntrack ipset kmod >/dev/null
  stamp rootfs-kube-proxy
fi
mkdir -p "$work/kube-proxy"
cp -a "$STATE/rootfs/kube-proxy/." "$work/kube-proxy/"
install -m 0755 "$K8S_BIN/kube-proxy" "$work/kube-proxy/usr/local/bin/kube-proxy"
image kube-proxy "$work/kube-proxy" --change "$PATHENV" --change 'ENTRYPOINT ["/usr/local/bin/kube-proxy"]'

stamp component-images
