#!/usr/bin/env bash
# Step 11: the other binaries the cluster needs, each built in a scratch module under $STATE/tools
# from the Go module proxy: etcd, CoreDNS, crictl, kind, and the pod sandbox "pause" program
# (scripts/kind-offline/pause). Each binary is skipped when it already exists.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need go

T=$STATE/tools
mkdir -p "$TOOLS_BIN"
built=0

# build NAME MODULE@VERSION PACKAGE [MAIN_GO_SOURCE] [LDFLAGS...]
# With MAIN_GO_SOURCE, a main.go wrapping the library entry point is written; else PACKAGE is a command.
build() {
  local name=$1 modver=$2 pkg=$3 src=$4; shift 4
  [ -x "$TOOLS_BIN/$name" ] && { log "$name: present"; return 0; }
  local d=$T/$name t0
  t0=$(date +%s)
  rm -rf "$d"; mkdir -p "$d"
  (
    cd "$d"
    go mod init "podperf.local/$name" 2>/dev/null
    if [ -n "$src" ]; then
      printf '%s\n' "$src" >main.go
      go get "$modver"
      go mod tidy
      pkg=.
    else
      go get -tool "$pkg@${modver#*@}"
    fi
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w $*" -o "$TOOLS_BIN/$name.tmp" "$pkg"
  )
  mv "$TOOLS_BIN/$name.tmp" "$TOOLS_BIN/$name"
  built=$((built + 1))
  log "$name: built in $(($(date +%s) - t0))s"
}

build etcd "go.etcd.io/etcd/server/v3@$ETCD_VERSION" "" 'package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }'

build coredns "github.com/coredns/coredns@$COREDNS_VERSION" "" 'package main

import (
	_ "github.com/coredns/coredns/core/plugin" // the default plugin set
	"github.com/coredns/coredns/coremain"
)

func main() { coremain.Run() }'

build crictl "sigs.k8s.io/cri-tools@$CRICTL_VERSION" sigs.k8s.io/cri-tools/cmd/crictl "" \
  "-X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION"

build kind "sigs.k8s.io/kind@$KIND_VERSION" sigs.k8s.io/kind ""

if [ ! -x "$TOOLS_BIN/pause" ]; then
  (cd "$KO_SCRIPTS/pause" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$TOOLS_BIN/pause" .)
  built=$((built + 1))
  log "pause: built"
fi

ln -sf "$TOOLS_BIN/kind" "$STATE/bin/kind"
[ $built -gt 0 ] || skip_step "etcd, coredns, crictl, kind, pause in $TOOLS_BIN"
# sed, not head: head exits after one line and the writer's SIGPIPE fails the step under pipefail.
"$TOOLS_BIN/etcd" --version | sed -n 1p
"$TOOLS_BIN/coredns" -version | sed -n 1p
"$TOOLS_BIN/crictl" --version
"$TOOLS_BIN/kind" version
