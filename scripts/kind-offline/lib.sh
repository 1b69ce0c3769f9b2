# Shared settings and helpers for the offline kind scripts. Sourced by every step; not run directly.
# shellcheck shell=bash disable=SC2034  # the variables are used by the scripts that source this file

KO_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$KO_SCRIPTS/../.." && pwd)

# Values shared with the Go code: NETPERF_IMAGE, K8S_VERSION, NODE_IMAGE, CILIUM_VERSION, CILIUM_IMAGE,
# CILIUM_OPERATOR_IMAGE, ALLOWED_NET (every address stays inside it), KIND_NET_SUBNET and
# KIND_NET_GATEWAY (the docker network "kind": node IPs).
# shellcheck source=SCRIPTDIR/../../manifests/podperf.env
. "$REPO_ROOT/manifests/podperf.env"

# All state (builds, rootfs trees, images, docker data, logs, kubeconfig) lives here.
STATE=${KIND_OFFLINE_DIR:-$REPO_ROOT/_kind-offline}
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)
mkdir -p "$STATE/bin" "$STATE/logs" "$STATE/stamps"

# Versions. kubeadm $K8S_VERSION asks for exactly these etcd/CoreDNS/pause tags (checked in 30-component-images.sh).
K8S_STAGING_VERSION=v0.${K8S_VERSION#v1.}   # the staging modules' tag for Kubernetes v1.X.Y is v0.X.Y
ETCD_VERSION=v3.7.0
ETCD_IMAGE_TAG=3.7.0-0
COREDNS_VERSION=v1.14.6
PAUSE_IMAGE_TAG=3.10.2
CRICTL_VERSION=v1.37.0
KIND_VERSION=v0.33.0
DEBIAN_SUITE=bookworm
# CNI=cilium: helm for the chart, the gobgp release that replaces the pseudo-version Cilium's go.mod
# pins, and the Debian suite of the Cilium image (cilium-agent >= 1.18 wants clang/LLVM >= 18.1).
HELM_VERSION=v3.22.0
GOBGP_V4_VERSION=v4.7.0
CILIUM_SUITE=trixie

# Cluster and images (NODE_IMAGE and NETPERF_IMAGE come from podperf.env).
CLUSTER_NAME=${KIND_CLUSTER_NAME:-podperf}
# The pod network: ptp (41-cni.sh, with kube-proxy) or cilium (12/21/33/43 steps, no kube-proxy).
KIND_OFFLINE_CNI=${KIND_OFFLINE_CNI:-ptp}
# The address families: ipv4, or dual (IPv4 and IPv6; CNI=ptp only).
KIND_OFFLINE_FAMILY=${KIND_OFFLINE_FAMILY:-ipv4}
case $KIND_OFFLINE_CNI/$KIND_OFFLINE_FAMILY in
  ptp/ipv4) KIND_CONFIG=$REPO_ROOT/kind-config/kind-offline.yaml ;;
  ptp/dual) KIND_CONFIG=$REPO_ROOT/kind-config/kind-offline-dual-stack.yaml ;;
  cilium/ipv4) KIND_CONFIG=$REPO_ROOT/kind-config/kind-offline-cilium.yaml ;;
  *) echo "error: KIND_OFFLINE_CNI='$KIND_OFFLINE_CNI' KIND_OFFLINE_FAMILY='$KIND_OFFLINE_FAMILY': want CNI ptp (FAMILY ipv4 or dual) or cilium (FAMILY ipv4)" >&2; exit 1 ;;
esac
CILIUM_VALUES=$REPO_ROOT/manifests/cilium/values.yaml
KUBECONFIG_FILE=$STATE/kubeconfig
# @POD_CIDR@ stands for the node's IPv4 podCIDR, @POD_CIDR6@ for its IPv6 one (dual stack).
CNI_CONFLIST=$REPO_ROOT/manifests/cni/ptp.conflist
[ "$KIND_OFFLINE_FAMILY" = dual ] && CNI_CONFLIST=$REPO_ROOT/manifests/cni/ptp-dual-stack.conflist

# Addresses, all inside ALLOWED_NET (the docker network "kind" is in podperf.env).
DOCKER_BIP=198.19.254.1/24          # docker0
DOCKER_POOL=198.19.0.0/16           # default pool for docker networks
# The pod and service ranges are the kind config's own: kind reads them from there, and so does this.
POD_SUBNET=$(awk '$1 == "podSubnet:" {print $2; exit}' "$KIND_CONFIG")
SERVICE_SUBNET=$(awk '$1 == "serviceSubnet:" {print $2; exit}' "$KIND_CONFIG")

# Debian's docker client (20.10) matches the daemon; kind runs `docker` from PATH, so $STATE/bin
# (kubectl, kind, a docker link) comes first.
DOCKER=/usr/bin/docker
export PATH="$STATE/bin:$PATH:/usr/sbin:/sbin"
# Debian archive that apt on this host already uses (deb822 or one-line format).
DEBIAN_MIRROR=${DEBIAN_MIRROR:-$(awk '/^URIs:/ && $2 ~ /debian\/?$/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)}
[ -n "$DEBIAN_MIRROR" ] || DEBIAN_MIRROR=$(awk '$1 == "deb" && $3 ~ /^bookworm/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$DEBIAN_MIRROR" ] || DEBIAN_MIRROR=http://deb.debian.org/debian

K8S_CMDS=(kubeadm kubelet kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy)
K8S_BIN=$STATE/k8s/bin
TOOLS_BIN=$STATE/tools/bin

# A command that fails under set -e says where, so that a step's log never ends without a reason.
set -E
trap 'echo "error: ${BASH_SOURCE[0]##*/}:$LINENO: \"$BASH_COMMAND\" failed (exit $?)" >&2' ERR

log() { echo "[$(date +%T)] $*"; }
die() { echo "error: $*" >&2; exit 1; }
# skip_step REASON: the step's outputs exist; up.sh reports the step as cached.
skip_step() { echo "SKIPPED (cached): $*"; exit 0; }
stamp() { date -u +%FT%TZ > "$STATE/stamps/$1"; }
has_stamp() { [ -f "$STATE/stamps/$1" ]; }
need() { local c; for c in "$@"; do command -v "$c" >/dev/null 2>&1 || die "'$c' not found (run 00-host.sh first)"; done; }
docker_up() { "$DOCKER" info >/dev/null 2>&1; }
kc() { kubectl --kubeconfig "$KUBECONFIG_FILE" "$@"; }

# ip4_int A.B.C.D: the IPv4 address as an integer.
ip4_int() { local a b c d; IFS=. read -r a b c d <<<"$1"; echo $(( (10#$a << 24) | (10#$b << 16) | (10#$c << 8) | 10#$d )); }
# ip6_hex ADDR: the IPv6 address as 32 hex digits (no "::", no embedded IPv4).
ip6_hex() {
  local a=$1 head tail g out="" n i
  if [[ $a == *::* ]]; then head=${a%%::*} tail=${a#*::}; else head=$a tail=""; fi
  local -a hs=() ts=()
  [ -n "$head" ] && IFS=: read -r -a hs <<<"$head"
  [ -n "$tail" ] && IFS=: read -r -a ts <<<"$tail"
  n=$(( 8 - ${#hs[@]} - ${#ts[@]} ))
  [[ $a == *::* ]] || n=0
  for g in "${hs[@]}"; do out+=$(printf '%04x' "0x$g"); done
  for (( i = 0; i < n; i++ )); do out+=0000; done
  for g in "${ts[@]}"; do out+=$(printf '%04x' "0x$g"); done
  echo "$out"
}
# in_allowed_net6 ADDR/N: whether that IPv6 prefix lies inside ALLOWED_NET6 (a prefix of whole hex
# digits, as 2001:2::/48 is).
in_allowed_net6() {
  local nbits=${ALLOWED_NET6#*/} digits
  [[ $1 =~ ^[0-9a-fA-F:]+/[0-9]{1,3}$ ]] || return 1
  [ "${1#*/}" -ge "$nbits" ] || return 1
  digits=$(( nbits / 4 ))
  [ "$(ip6_hex "${1%/*}" | cut -c1-"$digits")" = "$(ip6_hex "${ALLOWED_NET6%/*}" | cut -c1-"$digits")" ]
}
# in_allowed_net A.B.C.D/N: whether that IPv4 prefix lies inside ALLOWED_NET (an IPv6 prefix:
# inside ALLOWED_NET6).
in_allowed_net() {
  local nbits=${ALLOWED_NET#*/} mask
  [[ $1 == *:* ]] && { in_allowed_net6 "$1"; return; }
  [[ $1 =~ ^([0-9]{1,3}\.){3}[0-9]{1,3}/[0-9]{1,2}$ ]] || return 1
  [ "${1#*/}" -ge "$nbits" ] || return 1
  mask=$(( (0xffffffff << (32 - nbits)) & 0xffffffff ))
  [ $(( $(ip4_int "${1%/*}") & mask )) = $(( $(ip4_int "${ALLOWED_NET%/*}") & mask )) ]
}

# debootstrap_minbase DIR LOGNAME [debootstrap args...]: a Debian minbase tree in DIR, .debs cached.
debootstrap_minbase() {
  local dir=$1 logname=$2; shift 2
  need debootstrap
  mkdir -p "$STATE/debcache"
  rm -rf "$dir"
  debootstrap --variant=minbase --cache-dir="$STATE/debcache" "$@" "$DEBIAN_SUITE" "$dir" "$DEBIAN_MIRROR" \
    >"$STATE/logs/$logname.log" 2>&1 || die "debootstrap into $dir failed; see $STATE/logs/$logname.log"
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin
}

# chroot_apt_install DIR COMPONENTS PKG...: apt-get install inside a debootstrapped tree, then trim it.
# COMPONENTS is e.g. "main" or "main non-free" (netperf lives in non-free).
chroot_apt_install() {
  local dir=$1 comps=$2; shift 2
  mkdir -p "$dir/var/cache/apt/archives" "$STATE/debcache"
  echo "deb $DEBIAN_MIRROR $DEBIAN_SUITE $comps" >"$dir/etc/apt/sources.list"
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  # Packages must not start services (netperf ships a netserver init script) on the build host.
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
  chmod 0755 "$dir/usr/sbin/policy-rc.d"
  mount --bind "$STATE/debcache" "$dir/var/cache/apt/archives"
  local rc=0
  {
    chroot "$dir" apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive chroot "$dir" apt-get install -y -qq --no-install-recommends "$@"
  } || rc=$?
  umount "$dir/var/cache/apt/archives"
  rm -f "$dir/usr/sbin/policy-rc.d"
  [ $rc = 0 ] || die "apt-get install $* in $dir failed"
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin \
    "$dir"/usr/share/doc "$dir"/usr/share/man "$dir"/usr/share/info "$dir"/usr/share/locale
  : >"$dir/etc/resolv.conf"
}
