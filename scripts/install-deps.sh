#!/usr/bin/env bash
# Installs what the local target needs on a Debian 12 machine: netperf (Debian's non-free
# component), iproute2 (ip netns, tc), util-linux (taskset) and nftables (nft, the Service path of
# the extended specs); ethtool for the preflight's offload check (docs/preflight.md); shellcheck
# for make lint and xmllint
# (libxml2-utils), which checks junit.xml against its schema in the unit tests.
# Idempotent; run as root.
set -euo pipefail

need=()
command -v netperf >/dev/null && command -v netserver >/dev/null || need+=(netperf)
command -v ip >/dev/null && command -v tc >/dev/null || need+=(iproute2)
command -v taskset >/dev/null || need+=(util-linux)
command -v nft >/dev/null || need+=(nftables)
command -v ethtool >/dev/null || need+=(ethtool)
command -v shellcheck >/dev/null || need+=(shellcheck)
command -v xmllint >/dev/null || need+=(libxml2-utils)
[ ${#need[@]} -eq 0 ] && { echo "install-deps: netperf, iproute2, taskset, nft, ethtool, shellcheck and xmllint are present"; exit 0; }

if [ "$(id -u)" -ne 0 ]; then
  if [[ " ${need[*]} " != *" netperf "* && " ${need[*]} " != *" iproute2 "* && " ${need[*]} " != *" util-linux "* ]]; then
    # Only the checks, the Service path (nft) and the preflight (ethtool) need these: the local
    # target can run without.
    echo "install-deps: ${need[*]} missing (make lint and the junit.xml schema check need them); run this script as root to install" >&2
    exit 0
  fi
  echo "install-deps: missing ${need[*]}; run this script as root (it uses apt-get)" >&2
  exit 1
fi

# netperf lives in non-free only; add that component for bookworm, reusing the archive URI
# of the Debian entry that is already configured.
src=/etc/apt/sources.list.d/podperf-non-free.sources
if [[ " ${need[*]} " == *" netperf "* && ! -f $src ]]; then
  uri=$(awk '/^URIs:/ && $2 ~ /debian\/?$/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '/^deb / && $0 ~ / bookworm / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$uri" ] || uri=http://deb.debian.org/debian
  cat >"$src" <<SRC
Types: deb
URIs: $uri
Suites: bookworm
Components: non-free
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  echo "install-deps: added $src ($uri bookworm non-free)"
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "install-deps: installed ${need[*]}"
