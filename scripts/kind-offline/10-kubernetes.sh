#!/usr/bin/env bash
# Step 10: Kubernetes binaries (kubeadm, kubelet, kubectl, kube-apiserver, kube-controller-manager,
# kube-scheduler, kube-proxy) built from the k8s.io/kubernetes module served by the Go module proxy.
#
# k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with ./staging paths,
# which do not apply to a dependent module. A scratch module under $STATE/k8s therefore requires
# k8s.io/kubernetes and replaces every staging module with its published v0.x release; the list is
# read from kubernetes' own go.mod. kubeadm picks image tags from its version, so the build stamps
# it with -ldflags -X (a plain `go build` would report v0.0.0-master).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need go jq

done_all=1
for c in "${K8S_CMDS[@]}"; do [ -x "$K8S_BIN/$c" ] || done_all=0; done
if [ $done_all = 1 ] && "$K8S_BIN/kubeadm" version -o short 2>/dev/null | grep -qx "$K8S_VERSION"; then
  ln -sf "$K8S_BIN/kubectl" "$STATE/bin/kubectl"
  skip_step "Kubernetes $K8S_VERSION binaries in $K8S_BIN"
fi

W=$STATE/k8s
mkdir -p "$W"
cd "$W"
t0=$(date +%s)
kdir=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | jq -r '.Dir // empty')
[ -n "$kdir" ] || die "cannot download k8s.io/kubernetes@$K8S_VERSION from the Go module proxy"
mapfile -t staging < <(sed -n '/^replace (/,/^)/p' "$kdir/go.mod" | awk '$2 == "=>" && $3 ~ /^\.\/staging\// {print $1}')
[ ${#staging[@]} -gt 20 ] || die "could not read the staging module list from $kdir/go.mod"
goline=$(awk '$1 == "go" {print $2; exit}' "$kdir/go.mod")
{
  echo "module podperf.local/k8sbuild"
  echo
  echo "go $goline"
  echo
  echo "require k8s.io/kubernetes $K8S_VERSION"
  echo
  echo "replace ("
  for m in "${staging[@]}"; do printf '\t%s => %s %s\n' "$m" "$m" "$K8S_STAGING_VERSION"; done
  echo ")"
  echo
  echo "tool ("
  for c in "${K8S_CMDS[@]}"; do printf '\tk8s.io/kubernetes/cmd/%s\n' "$c"; done
  echo ")"
} >go.mod
rm -f go.sum
log "resolving dependencies (${#staging[@]} staging modules replaced at $K8S_STAGING_VERSION)"
go mod tidy
go mod download
t1=$(date +%s)
log "modules ready in $((t1 - t0))s"

minor=$(echo "$K8S_VERSION" | cut -d. -f2)
ldflags="-s -w"
for p in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
  ldflags+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
  ldflags+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done
pkgs=()
for c in "${K8S_CMDS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
mkdir -p "$W/out"
log "building ${K8S_CMDS[*]}"
# Same tags as Kubernetes' release build; static binaries, so they run in any image.
CGO_ENABLED=0 go build -trimpath -tags selinux,notest,grpcnotrace -ldflags "$ldflags" -o "$W/out/" "${pkgs[@]}"
log "built in $(($(date +%s) - t1))s"

"$W/out/kubeadm" version -o short | grep -qx "$K8S_VERSION" || die "kubeadm does not report $K8S_VERSION (version stamp missing)"
rm -rf "$K8S_BIN"
mv "$W/out" "$K8S_BIN"
ln -sf "$K8S_BIN/kubectl" "$STATE/bin/kubectl"
ls -l "$K8S_BIN"
"$K8S_BIN/kubeadm" config images list --kubernetes-version "$K8S_VERSION"
