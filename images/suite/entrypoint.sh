#!/usr/bin/env bash
# Entrypoint of the podperf suite image: the four specs (e2e.test, run by the ginkgo CLI) against a
# cluster, with the artifacts (junit.xml, results.json, the reports) written to $ARTIFACTS.
#
#   IMAGE [--ginkgo.FLAG[=VALUE]...] [SUITE FLAGS...]
#   IMAGE --help        this text and the suite's own flags
#   IMAGE --help-all    every flag: the suite's, the upstream e2e framework's and Ginkgo's (ginkgo.*)
#
# Suite flags are those that `make e2e` passes after `--` (docs/flags.md), e.g. --samples=5
# --baseline=cilium-legacy-host-routing. Ginkgo's flags take the prefix --ginkgo. and go to the ginkgo
# CLI, e.g. --ginkgo.label-filter=rr --ginkgo.dry-run (give their values with '=').
# --target defaults to kubernetes and --report-dir to $ARTIFACTS.
# Cluster: --kubeconfig=FILE or KUBECONFIG when given, else the in-cluster config (the pod's
# ServiceAccount) when KUBERNETES_SERVICE_HOST is set.
#
# Environment:
#   ARTIFACTS     where the artifacts go (default /artifacts); must be writable by the user (65532)
#   GINKGO_FLAGS  ginkgo CLI flags before the --ginkgo.* ones (default: -v --timeout=90m)
#   PODPERF_HOLD  seconds to wait after the run, artifacts in place, until $ARTIFACTS/.collected
#                 exists (kubectl cp them out, then kubectl exec ... touch it); default 0: exit at once
# After the run it prints results.json between "podperf results.json begin/end" lines, so that
# the logs alone carry the figures, and exits with the suite's exit status.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
E2E=$HERE/e2e.test
GINKGO=$HERE/ginkgo
SUITE_FLAGS=$HERE/../suite-flags.txt
ARTIFACTS=${ARTIFACTS:-/artifacts}
PODPERF_HOLD=${PODPERF_HOLD:-0}
read -r -a GFLAGS <<<"${GINKGO_FLAGS:--v --timeout=90m}"

die() { echo "podperf: error: $*" >&2; exit 2; }
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }

# suite_help prints the part of e2e.test's usage that covers the suite's own flags (their names
# are in suite-flags.txt, taken from docs/flags.md when the image was built), plus --kubeconfig.
suite_help() {
  echo
  echo "Suite flags (IMAGE --help-all lists the upstream framework's and Ginkgo's too):"
  "$E2E" --help 2>&1 | awk -v list="$SUITE_FLAGS" '
    BEGIN { while ((getline n < list) > 0) want[n] = 1; want["kubeconfig"] = 1 }
    /^  -/ { name = $1; sub(/^-+/, "", name); keep = (name in want) }
    keep'
}

[[ $PODPERF_HOLD =~ ^[0-9]+$ ]] || die "PODPERF_HOLD=$PODPERF_HOLD: give a number of seconds (0: no hold)"

ginkgo_args=() suite_args=()
target=kubernetes target_given=0 report_given=0 kubeconfig_given=0 kind_given=0 dry_run=0 testrun_given=0
while [ $# -gt 0 ]; do
  a=$1
  shift
  case $a in
    -h | -help | --help) usage; suite_help; exit 0 ;;
    --help-all) usage; echo; "$E2E" --help 2>&1 || true; exit 0 ;;
    --ginkgo.* | -ginkgo.*)
      g=--${a#*ginkgo.}
      case $g in --dry-run | --dry-run=true) dry_run=1 ;; esac
      ginkgo_args+=("$g")
      continue ;;
    --target=* | -target=*) target=${a#*=} target_given=1 ;;
    --target | -target) [ $# -gt 0 ] || die "$a needs a value"; target=$1 target_given=1; suite_args+=("$a"); a=$1; shift ;;
    --report-dir* | -report-dir*) report_given=1 ;;
    --kubeconfig* | -kubeconfig*) kubeconfig_given=1 ;;
    --kind-cluster* | -kind-cluster*) kind_given=1 ;;
    --test.run* | -test.run*) testrun_given=1 ;;
  esac
  suite_args+=("$a")
done

# Only the Ginkgo suite: the package's plain Go tests read the source tree, which the image lacks.
defaults=()
[ $testrun_given = 1 ] || defaults+=("-test.run=^TestE2E\$")
[ $target_given = 1 ] || defaults+=(--target=kubernetes)
if [ $report_given = 0 ]; then
  mkdir -p "$ARTIFACTS" 2>/dev/null || true
  { [ -d "$ARTIFACTS" ] && [ -w "$ARTIFACTS" ]; } ||
    die "ARTIFACTS=$ARTIFACTS is not a writable directory for uid $(id -u): mount one (docker run -v DIR:$ARTIFACTS after chown $(id -u) DIR; a Kubernetes emptyDir) or set ARTIFACTS"
  defaults+=("--report-dir=$ARTIFACTS")
fi
if [ "$target" = kubernetes ] && [ $dry_run = 0 ] && [ $kubeconfig_given = 0 ] && [ $kind_given = 0 ] &&
  [ -z "${KUBECONFIG:-}" ] && [ -z "${KUBERNETES_SERVICE_HOST:-}" ]; then
  die "no cluster to run against: run the image in a pod (in-cluster config), or mount a kubeconfig and pass --kubeconfig=FILE (or set KUBECONFIG)"
fi
if [ -n "${KUBERNETES_SERVICE_HOST:-}" ] && [ $kubeconfig_given = 0 ] && [ -z "${KUBECONFIG:-}" ]; then
  echo "podperf: in-cluster config (API server ${KUBERNETES_SERVICE_HOST}:${KUBERNETES_SERVICE_PORT:-443}, the pod's ServiceAccount)"
fi
[ -t 1 ] || GFLAGS+=(--no-color)

# ginkgo runs e2e.test from the binary's directory; the suite goes back to this one.
PODPERF_CWD=$PWD
export PODPERF_CWD
echo "podperf: ginkgo run ${GFLAGS[*]} ${ginkgo_args[*]} $E2E -- ${defaults[*]} ${suite_args[*]}"
# In the background, so that a SIGTERM (pod deletion, docker stop) reaches ginkgo as the interrupt
# it cleans up after: the suite deletes its namespaces and pods.
"$GINKGO" run "${GFLAGS[@]}" "${ginkgo_args[@]}" "$E2E" -- "${defaults[@]}" "${suite_args[@]}" &
child=$!
trap 'kill -INT "$child" 2>/dev/null || true' INT TERM
rc=0
wait "$child" || rc=$?
while kill -0 "$child" 2>/dev/null; do
  rc=0
  wait "$child" || rc=$?
done
trap - INT TERM

dir=$ARTIFACTS
prev=
for a in "${suite_args[@]}"; do
  case $a in --report-dir=* | -report-dir=*) dir=${a#*=} ;; esac
  case $prev in --report-dir | -report-dir) dir=$a ;; esac
  prev=$a
done
if [ -s "$dir/results.json" ]; then
  echo "----- podperf results.json begin -----"
  cat "$dir/results.json"
  echo
  echo "----- podperf results.json end -----"
fi
files=$(ls -m "$dir" 2>/dev/null || true)
echo "podperf: exit status $rc; artifacts in $dir: ${files:-none}"

if [ "$PODPERF_HOLD" -gt 0 ]; then
  # As PID 1 without a handler, bash would ignore SIGTERM: end the hold on it instead.
  trap 'exit "$rc"' INT TERM
  echo "podperf: holding up to ${PODPERF_HOLD}s for $dir/.collected (kubectl cp the artifacts, then touch it)"
  for ((i = 0; i < PODPERF_HOLD; i++)); do
    [ -e "$dir/.collected" ] && { echo "podperf: artifacts collected"; break; }
    sleep 1
  done
fi
exit "$rc"
