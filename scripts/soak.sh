#!/usr/bin/env bash
# make soak: many short runs of the suite back to back, recording after each
# the machine's open files, processes, network namespaces, veths, tc qdiscs,
# iptables rules and available memory, and each run's verdict. It fails when
# a run leaves something behind or a figure grows across the runs; it prints
# a table and writes $ARTIFACTS/soak.json.
#
#   SOAK_RUNS=50            runs on the local target (default 50)
#   SOAK_KIND=1             the Kubernetes target instead (KUBECONFIG's cluster,
#                           e.g. make kind-offline), 10 runs by default, and
#                           the cluster's namespaces and pods recorded too
#   SOAK_FILTER, SOAK_FLAGS the spec and the suite's flags of each run
#   SOAK_MACHINE=0          record the machine-wide open files, processes and
#                           memory without judging them (a machine shared with
#                           other work); the suite's own leftovers are judged always
#
# Run it under flock /tmp/podperf-e2e.lock where others share the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

kind=${SOAK_KIND:-0}
if [ "$kind" = 1 ]; then
  runs=${SOAK_RUNS:-10}
  : "${KUBECONFIG:?SOAK_KIND=1 needs KUBECONFIG (make kind-offline writes _kind-offline/kubeconfig)}"
  command -v kubectl >/dev/null || { echo "soak: SOAK_KIND=1 needs kubectl" >&2; exit 1; }
  target=(--target=kubernetes "--kubeconfig=$KUBECONFIG")
  flags=${SOAK_FLAGS:---duration=1s --samples=2 --max-samples=2 --inconclusive=warn}
else
  runs=${SOAK_RUNS:-50}
  target=(--target=local)
  flags=${SOAK_FLAGS:---duration=1s --samples=2 --max-samples=2 --inconclusive=warn}
fi
filter=${SOAK_FILTER:-TCP_STREAM && single}
artifacts=${ARTIFACTS:-$PWD/_artifacts}
case $runs in '' | *[!0-9]* | 0 | 1) echo "soak: SOAK_RUNS=$runs: use a whole number of at least 2" >&2; exit 2 ;; esac
mkdir -p "$artifacts"
artifacts=$(cd "$artifacts" && pwd)

work=$(mktemp -d /tmp/podperf-soak.XXXXXX)
trap 'rm -rf "$work"' EXIT
# An interrupt stops the running suite (which cleans up after itself) and
# waits for it before the work directory goes.
child=
stop() {
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null || true; wait "$child" || true; fi
  exit 130
}
trap stop INT TERM
echo "soak: building the suite (go test -c ./e2e)"
go test -c -o "$work/e2e.test" ./e2e
cd "$work"

# figures prints one line: the machine's figures after a run.
figures() {
  local files procs netns ours mounts veths qdiscs rules mem left kns kpods
  files=$(cut -f1 /proc/sys/fs/file-nr)
  procs=$(find /proc -maxdepth 1 -name '[0-9]*' | wc -l)
  netns=$(ip netns list | wc -l)
  ours=$(ip netns list | grep -c '^podperf-' || true)
  veths=$(ip -o link show type veth | wc -l)
  qdiscs=$(tc qdisc show | wc -l)
  rules=$(iptables-save 2>/dev/null | grep -c '^-A' || true)
  mem=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
  mounts=$(grep -c ' - nsfs ' /proc/self/mountinfo || true)
  # Processes that carry this soak's mark: everything a run started inherits
  # it, so any found after the run is the suite's and outlived it.
  left=$(grep -lsz "^PODPERF_SOAK=$token\$" /proc/[0-9]*/environ | wc -l)
  kns=- kpods=-
  if [ "$kind" = 1 ]; then
    kns=$(kubectl get namespaces --no-headers | wc -l)
    kpods=$(kubectl get pods -A --no-headers | wc -l)
  fi
  echo "$files $procs $netns $ours $mounts $veths $qdiscs $rules $mem $left $kns $kpods"
}

# lockfree says whether the local target's lock is free.
lockfree() { flock -n /run/podperf-local.lock true 2>/dev/null && echo yes || echo no; }

table=$work/table
token=$$-$RANDOM
echo "run exit seconds verdict openfiles processes netns podperf_netns nsfs_mounts veths qdiscs iptables memavail_kb suite_procs_left kube_namespaces kube_pods lock_free" >"$table"
echo "0 - - - $(figures) $(lockfree)" >>"$table"
for i in $(seq 1 "$runs"); do
  dir=$work/run
  rm -rf "$dir"
  start=$(date +%s.%N)
  rc=0
  # The suite alone (-test.run): the package's plain Go tests are not part of a run.
  # shellcheck disable=SC2086 # flags are words on purpose
  PODPERF_SOAK=$token TMPDIR=$work "$work/e2e.test" -test.run='^TestE2E$' --ginkgo.label-filter="$filter" "${target[@]}" $flags \
    --report-dir="$dir" >"$work/log" 2>&1 &
  child=$!
  wait "$child" || rc=$?
  child=
  secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}')
  verdict=$(sed -n 's/^  "verdict": "\(.*\)",\{0,1\}$/\1/p' "$dir/results.json" 2>/dev/null | head -n1)
  verdict=${verdict:-none}
  echo "$i $rc $secs ${verdict// /_} $(figures) $(lockfree)" >>"$table"
  printf 'soak: run %d of %d: exit %d, %ss, verdict %s\n' "$i" "$runs" "$rc" "$secs" "$verdict"
  if [ "$rc" -ne 0 ]; then
    cp "$work/log" "$artifacts/soak-run-$i.log"
    echo "soak: run $i failed; its log is $artifacts/soak-run-$i.log" >&2
  fi
done

column -t "$table"

# After every run: no podperf- namespace, no process of the run, a free lock.
# Growth: the median of each figure's change from one run to the next. A
# leak adds its share at every run and moves the median; other work on the
# machine moves single changes. Nothing may grow for namespaces, nsfs mounts,
# veths, qdiscs, rules and cluster objects. Open files, processes and
# MemAvailable are the whole machine's: on a machine shared with other work
# (builds, clusters) they drift with it, and SOAK_MACHINE=0 reports them
# without judging them; by default they may change by a median of 32 open
# files, 1 process and -16 MiB a run. A process or open file the suite
# leaks is caught exactly by suite_procs_left and the namespace counts.
awk -v kind="$kind" -v machine="${SOAK_MACHINE:-1}" '
  NR == 1 { for (c = 1; c <= NF; c++) { name[c] = $c; col[$c] = c }; next }
  { n++; for (c = 1; c <= NF; c++) v[n, c] = $c
    if ($col["podperf_netns"] != 0) { printf "soak: run %d left %d podperf- namespaces\n", $1, $col["podperf_netns"]; bad = 1 }
    if ($col["suite_procs_left"] != 0) { printf "soak: %d processes of run %d outlived it\n", $col["suite_procs_left"], $1; bad = 1 }
    if ($col["lock_free"] != "yes") { printf "soak: after run %d the lock /run/podperf-local.lock is held\n", $1; bad = 1 }
    if ($1 > 0 && $2 != 0) { printf "soak: run %d exited %d\n", $1, $2; bad = 1 }
    if ($1 > 0 && $4 != "pass" && $4 != "inconclusive") { printf "soak: run %d verdict %s\n", $1, $4; bad = 1 } }
  function mediandiff(c,   k, m, a, i, j, t) {
    m = 0; for (k = 2; k <= n; k++) a[++m] = v[k, c] - v[k - 1, c]
    for (i = 2; i <= m; i++) { t = a[i]; for (j = i - 1; j > 0 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
  END {
    split("netns nsfs_mounts veths qdiscs iptables openfiles processes memavail_kb", check, " ")
    if (kind == 1) { check[9] = "kube_namespaces"; check[10] = "kube_pods" }
    slack["openfiles"] = 32; slack["processes"] = 1; slack["memavail_kb"] = -16384
    shared["openfiles"] = shared["processes"] = shared["memavail_kb"] = 1
    for (k = 1; k in check; k++) {
      c = col[check[k]]; d = mediandiff(c)
      judged = !(check[k] in shared) || machine == 1
      printf "soak: %-16s before %10s, after the last run %10s, median change per run %+g%s\n", check[k], v[1, c], v[n, c], d, judged ? "" : " (not judged: SOAK_MACHINE=0)"
      if (!judged) continue
      if (check[k] == "memavail_kb" && d < slack[check[k]]) { printf "soak: %s fell by a median %d kB a run\n", check[k], -d; bad = 1 }
      if (check[k] != "memavail_kb" && d > slack[check[k]] + 0) { printf "soak: %s grew by a median %g a run (slack %d)\n", check[k], d, slack[check[k]]; bad = 1 } }
    exit bad }' "$table" >"$work/verdict" && ok=1 || ok=0
cat "$work/verdict"

# soak.json: the settings, every run's figures and the outcome.
{
  printf '{\n  "target": "%s",\n  "runs": %d,\n  "filter": "%s",\n  "flags": "%s",\n  "passed": %s,\n  "problems": [' \
    "$([ "$kind" = 1 ] && echo kubernetes || echo local)" "$runs" "$filter" "$flags" "$([ "$ok" = 1 ] && echo true || echo false)"
  { grep -v 'median change per run' "$work/verdict" || true; } | sed 's/"/\\"/g; s/^/"/; s/$/"/' | paste -sd, - | tr -d '\n'
  printf '],\n  "figures": [\n'
  awk 'NR == 1 { for (c = 1; c <= NF; c++) name[c] = $c; next }
    { line = "    {"; for (c = 1; c <= NF; c++) {
        val = ($c ~ /^-?[0-9]+(\.[0-9]+)?$/) ? $c : "\"" $c "\""
        line = line (c > 1 ? ", " : "") "\"" name[c] "\": " val }
      rows[++n] = line "}" }
    END { for (i = 1; i <= n; i++) print rows[i] (i < n ? "," : "") }' "$table"
  printf '  ]\n}\n'
} >"$artifacts/soak.json"
echo "soak: $artifacts/soak.json"
[ "$ok" = 1 ] || { echo "soak: FAILED" >&2; exit 1; }
echo "soak: passed: $runs runs, nothing left behind, no figure grew"
