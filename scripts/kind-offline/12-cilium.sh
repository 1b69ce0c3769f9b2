#!/usr/bin/env bash
# Step 12 (CNI=cilium): Cilium's binaries and helm, from the Go module proxy.
#   cilium/src   a writable copy of the module github.com/cilium/cilium@$CILIUM_VERSION (the whole
#                tree: the Go sources, bpf/ and the Helm chart install/kubernetes/cilium)
#   cilium/bin   cilium-agent, cilium-dbg, cilium-health, cilium-health-responder, cilium-bugtool,
#                cilium-mount, cilium-sysctlfix, cilium-cni (the agent image) and
#                cilium-operator-generic (the operator image), as Cilium's Makefiles name them
#   tools/bin/helm  helm $HELM_VERSION, built in a scratch module; linked into bin/
# Two module fixes make v1.20 build from the proxy (both only when go.mod needs them):
#   - github.com/osrg/gobgp/v4 is pinned to a pseudo-version the proxy refuses: replaced by v4.7.0.
#   - sigs.k8s.io/mcs-api/controllers (a nested module) is served at no version. The operator and
#     the agent use one constant of it (DerivedServiceAnnotation, Multi-Cluster Services via
#     ClusterMesh, unused here). It is replaced by a one-file module written to cilium/mcs-api-stub.
# Skipped when every binary exists and cilium/bin/VERSION says $CILIUM_VERSION.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need go

C=$STATE/cilium
CBIN=$C/bin
AGENT_BINS=(cilium-agent cilium-dbg cilium-health cilium-health-responder cilium-bugtool cilium-mount
  cilium-sysctlfix cilium-cni)
cilium_built() {
  local b
  [ "$(cat "$CBIN/VERSION" 2>/dev/null)" = "$CILIUM_VERSION" ] || return 1
  for b in "${AGENT_BINS[@]}" cilium-operator-generic; do [ -x "$CBIN/$b" ] || return 1; done
}
if cilium_built && [ -x "$TOOLS_BIN/helm" ]; then
  ln -sf "$TOOLS_BIN/helm" "$STATE/bin/helm"
  skip_step "cilium $CILIUM_VERSION binaries in $CBIN, helm $HELM_VERSION"
fi

# helm, the way 11-tools builds its commands: a scratch module with a tool line. Its Makefile stamps
# the version and the Kubernetes version that `helm template` assumes (from client-go v0.X: 1.X).
if [ ! -x "$TOOLS_BIN/helm" ]; then
  t0=$(date +%s)
  d=$STATE/tools/helm
  rm -rf "$d"; mkdir -p "$d" "$TOOLS_BIN"
  (
    cd "$d"
    go mod init podperf.local/helm 2>/dev/null
    go get -tool "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
    k8s_minor=$(go list -f '{{.Version}}' -m k8s.io/client-go | cut -d. -f2)
    ld="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
    for p in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
      ld+=" -X $p.k8sVersionMajor=1 -X $p.k8sVersionMinor=$k8s_minor"
    done
    CGO_ENABLED=0 go build -trimpath -ldflags "$ld" -o "$TOOLS_BIN/helm.tmp" helm.sh/helm/v3/cmd/helm
  )
  mv "$TOOLS_BIN/helm.tmp" "$TOOLS_BIN/helm"
  log "helm: built in $(($(date +%s) - t0))s"
fi
ln -sf "$TOOLS_BIN/helm" "$STATE/bin/helm"
"$TOOLS_BIN/helm" version --short
if cilium_built; then log "cilium $CILIUM_VERSION binaries: present in $CBIN"; exit 0; fi

# The module's source: the zip holds the whole repository tree (Go, bpf/, chart, images/).
mod=github.com/cilium/cilium@$CILIUM_VERSION
dl=$(go mod download -json "$mod")
dir=$(jq -r '.Dir // empty' <<<"$dl")
[ -d "${dir:-/nonexistent}/daemon" ] || die "go mod download $mod gave no source tree; check GOPROXY reaches the Go module proxy"
rm -rf "$C/src" "$CBIN"
mkdir -p "$C" "$CBIN"
cp -r "$dir" "$C/src"
chmod -R u+w "$C/src"
cd "$C/src"
# Replaced requirements need the module graph resolved at build time (the zip has no vendor/).
export GOFLAGS=-mod=mod CGO_ENABLED=0

if grep -Eq 'github.com/osrg/gobgp/v4 v[^ ]*[0-9]{14}-[0-9a-f]{12}' go.mod; then
  log "go.mod pins gobgp/v4 to a pseudo-version: replacing it with $GOBGP_V4_VERSION"
  go mod edit -replace "github.com/osrg/gobgp/v4=github.com/osrg/gobgp/v4@$GOBGP_V4_VERSION"
fi
if grep -q 'sigs.k8s.io/mcs-api/controllers ' go.mod; then
  log "replacing sigs.k8s.io/mcs-api/controllers with $C/mcs-api-stub (one constant)"
  rm -rf "$C/mcs-api-stub"; mkdir -p "$C/mcs-api-stub"
  printf 'module sigs.k8s.io/mcs-api/controllers\n\ngo 1.23\n' >"$C/mcs-api-stub/go.mod"
  cat >"$C/mcs-api-stub/controllers.go" <<'EOF'
// Package controllers stands in for sigs.k8s.io/mcs-api/controllers, which the Go module proxy
// does not serve. Cilium uses only this constant of it (same value as upstream).
package controllers

// DerivedServiceAnnotation is set on a ServiceImport to name its derived Service.
const DerivedServiceAnnotation = "multicluster.kubernetes.io/derived-service"
EOF
  go mod edit -replace "sigs.k8s.io/mcs-api/controllers=$C/mcs-api-stub"
fi

# Cilium's Makefile.defs stamps "VERSION REVISION AUTHOR-DATE"; the agent's status reports
# "VERSION (vVERSION-REVISION)" only when all three are there. The module has no git revision: the
# revision says where it was built, the date is the tag's time from the proxy. -s -w as upstream.
tagtime=$(jq -r '.Time // empty' "$(jq -r '.Info' <<<"$dl")")
LDFLAGS="-s -w -X 'github.com/cilium/cilium/pkg/version.ciliumVersion=${CILIUM_VERSION#v} podperf-offline ${tagtime:-unknown}'"
t0=$(date +%s)
out=$C/build.tmp
rm -rf "$out"; mkdir -p "$out"
# One go build for the agent image's commands: the links run in parallel.
go build -ldflags "$LDFLAGS" -o "$out/" ./daemon ./cilium-dbg ./cilium-health ./cilium-health/responder \
  ./bugtool ./tools/mount ./tools/sysctlfix ./plugins/cilium-cni
# Package directory -> the name the image uses.
for m in daemon:cilium-agent cilium-dbg:cilium-dbg cilium-health:cilium-health responder:cilium-health-responder \
  bugtool:cilium-bugtool mount:cilium-mount sysctlfix:cilium-sysctlfix cilium-cni:cilium-cni; do
  mv "$out/${m%%:*}" "$CBIN/${m#*:}"
done
log "agent binaries: built in $(($(date +%s) - t0))s"
t0=$(date +%s)
go build -tags ipam_provider_operator -ldflags "$LDFLAGS" -o "$CBIN/cilium-operator-generic" ./operator
log "cilium-operator-generic: built in $(($(date +%s) - t0))s"
rm -rf "$out"
echo "$CILIUM_VERSION" >"$CBIN/VERSION"
"$CBIN/cilium-agent" --version
"$CBIN/cilium-operator-generic" --version
ls -l "$CBIN"
