#!/usr/bin/env bash
# Build the suite image $SUITE_IMAGE (images/suite/suite.env) without any registry, smoke-test it and
# save it as a docker archive for `kind load image-archive` (or `docker load`).
#
# The image is images/suite/Dockerfile on the netperf image $NETPERF_IMAGE (manifests/podperf.env):
# that one is loaded from $KIND_OFFLINE_DIR/images/netperf.tar when docker lacks it, and built with
# scripts/build-netperf-image-offline.sh (debootstrap) only when neither exists. On it go e2e.test
# (go test -c ./e2e), the ginkgo CLI at the version in go.mod, the podperf command, the baselines
# and tolerances, and images/suite/entrypoint.sh. All Go binaries are static (CGO_ENABLED=0).
#
#   scripts/build-suite-image.sh [--out FILE.tar] [--no-smoke]
#     --out       the archive (default $KIND_OFFLINE_DIR/images/suite.tar)
#     --no-smoke  skip the checks: `--help` lists the suite's flags, a --ginkgo.dry-run of the four
#                 specs passes, the user is 65532 and netperf runs
# Needs docker. When no dockerd answers, it starts one as scripts/kind-offline/00-host.sh does (as
# root) and stops it again at the end.
set -euo pipefail
. "$(dirname "$0")/kind-offline/lib.sh"
# shellcheck source=SCRIPTDIR/../images/suite/suite.env
. "$REPO_ROOT/images/suite/suite.env"
out=$STATE/images/suite.tar
smoke=1
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=${2:?--out needs a file name}; shift 2 ;;
    --no-smoke) smoke=0; shift ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (usage: build-suite-image.sh [--out FILE.tar] [--no-smoke])" ;;
  esac
done
need go

ctx=$(mktemp -d)
started_docker=0
cleanup() {
  rm -rf "$ctx"
  if [ $started_docker = 1 ]; then
    local pid
    pid=$(cat "$STATE/docker/dockerd.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      log "stopping the dockerd this script started (pid $pid)"
      kill -TERM "$pid"
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    fi
  fi
}
trap cleanup EXIT

if ! docker_up; then
  [ "$(id -u)" = 0 ] || die "no dockerd answers and only root can start one: start docker, or run as root"
  log "no dockerd answers: starting one (scripts/kind-offline/00-host.sh, log $STATE/logs/00-host.log)"
  started_docker=1
  "$KO_SCRIPTS/00-host.sh" >"$STATE/logs/00-host.log" 2>&1 || die "00-host.sh failed; see $STATE/logs/00-host.log"
fi

# The base: the netperf image, from docker, its archive, or built.
if ! "$DOCKER" image inspect "$NETPERF_IMAGE" >/dev/null 2>&1; then
  if [ -s "$STATE/images/netperf.tar" ]; then
    log "loading $NETPERF_IMAGE from $STATE/images/netperf.tar"
    "$DOCKER" load -i "$STATE/images/netperf.tar" >/dev/null
  else
    log "$NETPERF_IMAGE not found: building it (scripts/build-netperf-image-offline.sh)"
    "$REPO_ROOT/scripts/build-netperf-image-offline.sh"
  fi
fi

# The build context: opt/ becomes /opt/podperf, artifacts/ the (empty) /artifacts.
mkdir -p "$ctx/opt/bin" "$ctx/opt/manifests" "$ctx/artifacts"
t0=$(date +%s)
log "go test -c ./e2e, go build ginkgo and ./cmd/podperf (static)"
(
  cd "$REPO_ROOT"
  export CGO_ENABLED=0
  go test -c -vet=off -trimpath -ldflags='-s -w' -o "$ctx/opt/bin/e2e.test" ./e2e
  go build -trimpath -ldflags='-s -w' -o "$ctx/opt/bin/ginkgo" github.com/onsi/ginkgo/v2/ginkgo
  go build -trimpath -ldflags='-s -w' -o "$ctx/opt/bin/podperf" ./cmd/podperf
)
log "Go binaries built in $(($(date +%s) - t0))s"
install -m 0755 "$REPO_ROOT/images/suite/entrypoint.sh" "$ctx/opt/bin/entrypoint.sh"
# The suite reads its baselines and tolerances from the binary (manifests/embed.go); these copies
# are there to read, and to start a --baseline=FILE or --tolerances=FILE of one's own from.
cp -r "$REPO_ROOT/manifests/baselines" "$REPO_ROOT/manifests/tolerances" "$REPO_ROOT/manifests/results.schema.json" "$ctx/opt/manifests/"
# The names of the suite's own flags, for the entrypoint's --help: the table in docs/flags.md,
# which a test keeps in step with the code.
# shellcheck disable=SC2016  # the backticks are Markdown, not a command substitution
sed -n '/<!-- flags:begin -->/,/<!-- flags:end -->/p' "$REPO_ROOT/docs/flags.md" |
  sed -n 's/^| `--\([a-z0-9-]*\)`.*/\1/p' >"$ctx/opt/suite-flags.txt"
[ -s "$ctx/opt/suite-flags.txt" ] || die "no flag names found between the flags:begin/end markers of docs/flags.md"
chmod -R a+rX "$ctx/opt"

log "docker build $SUITE_IMAGE (FROM $NETPERF_IMAGE)"
old_id=$("$DOCKER" image inspect -f '{{.Id}}' "$SUITE_IMAGE" 2>/dev/null || true)
DOCKER_BUILDKIT=0 "$DOCKER" build -q --build-arg "BASE=$NETPERF_IMAGE" \
  --label "org.opencontainers.image.title=podperf suite" \
  --label "org.opencontainers.image.revision=$(git -C "$REPO_ROOT" describe --always --dirty 2>/dev/null || echo unknown)" \
  -t "$SUITE_IMAGE" -f "$REPO_ROOT/images/suite/Dockerfile" "$ctx" >/dev/null
# The image this one replaced, now untagged, goes (unless a container still uses it).
if [ -n "$old_id" ] && [ "$old_id" != "$("$DOCKER" image inspect -f '{{.Id}}' "$SUITE_IMAGE")" ]; then
  "$DOCKER" rmi "$old_id" >/dev/null 2>&1 || true
fi

if [ $smoke = 1 ]; then
  log "smoke: user, netperf, --help, --ginkgo.dry-run"
  uid=$("$DOCKER" run --rm --entrypoint id "$SUITE_IMAGE" -u)
  [ "$uid" = 65532 ] || die "the image runs as uid $uid, want 65532"
  "$DOCKER" run --rm --entrypoint netperf "$SUITE_IMAGE" -V >/dev/null || die "netperf does not run in $SUITE_IMAGE"
  help=$("$DOCKER" run --rm "$SUITE_IMAGE" --help) || die "$SUITE_IMAGE --help failed"
  for f in samples baseline tolerance-mode write-baseline kubeconfig; do
    grep -q -- "^  -$f " <<<"$help" || die "$SUITE_IMAGE --help does not list -$f"
  done
  dry=$("$DOCKER" run --rm "$SUITE_IMAGE" --ginkgo.dry-run 2>&1) || { echo "$dry" | tail -n 30; die "$SUITE_IMAGE --ginkgo.dry-run failed"; }
  ran=$(grep -Eo 'Ran [0-9]+ of [0-9]+ Specs' <<<"$dry" | head -n1)
  [[ $ran == "Ran 4 of "* ]] || { echo "$dry" | tail -n 30; die "the dry run ran '${ran:-nothing}', want the four specs"; }
  log "smoke passed: uid 65532, netperf runs, $(grep -c '^  -' <<<"$help") flags in --help, dry run: $ran"
fi

mkdir -p "$(dirname "$out")"
"$DOCKER" save -o "$out.tmp" "$SUITE_IMAGE"
mv "$out.tmp" "$out"
log "$SUITE_IMAGE ($("$DOCKER" image inspect -f '{{.Size}}' "$SUITE_IMAGE" | awk '{printf "%.0f MiB", $1 / 1048576}')) -> $out ($(du -h "$out" | cut -f1))"
