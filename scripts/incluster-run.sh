#!/usr/bin/env bash
# Run the suite image as a Job in the offline kind cluster (scripts/kind-offline/up.sh), under the
# least-privilege role of manifests/incluster/rbac.yaml, and bring its results out:
#   1. loads $KIND_OFFLINE_DIR/images/suite.tar into the nodes (builds it first when missing);
#   2. applies manifests/incluster/{namespace,rbac}.yaml and checks the ServiceAccount's rights
#      with `kubectl auth can-i`: every right the suite needs, and none of a few it must not have;
#   3. starts manifests/incluster/job.yaml with the suite flags for this cluster, follows its log;
#   4. when the entrypoint holds, copies /artifacts to $ARTIFACTS/incluster (kubectl cp), saves the
#      log there, releases the pod and waits for the Job to finish;
#   5. fails when the log or results.json shows the API refusing the ServiceAccount something;
#   6. deletes all it created (the Job's namespace, the RBAC objects, the image on the nodes) and
#      checks that none of it, and none of the suite's own namespaces, is left.
# The exit status is the suite's (the Job's container), or 1 when a step above fails.
#
#   scripts/incluster-run.sh [SUITE FLAGS...]      (make incluster)
# Without flags: a short run, --duration=5s --samples=2 --max-samples=4 --inconclusive=warn, and on
# the ptp cluster --baseline=cilium-legacy-host-routing --tolerances=local (as .ci/run does); on a
# Cilium cluster the suite reads the agents' host routing and picks the profile itself.
# Environment: KIND_OFFLINE_DIR (the cluster's state: kubeconfig, kubectl, kind), ARTIFACTS
# (default <repo>/_artifacts), JOB_TIMEOUT (seconds for the run, default 3600), KEEP_IMAGE=1 (leave
# the image on the nodes).
# shellcheck disable=SC2317  # cleanup runs from the EXIT trap, the probes from wait_for
set -euo pipefail
. "$(dirname "$0")/kind-offline/lib.sh"
# shellcheck source=SCRIPTDIR/../images/suite/suite.env
. "$REPO_ROOT/images/suite/suite.env"
case ${1:-} in -h | --help) sed -n '2,21p' "$0"; exit 0 ;; esac

M=$REPO_ROOT/manifests/incluster
NS=podperf-runner JOB=podperf SA=podperf
ARCHIVE=$STATE/images/suite.tar
OUT=${ARTIFACTS:-$REPO_ROOT/_artifacts}/incluster
JOB_TIMEOUT=${JOB_TIMEOUT:-3600}
[[ $JOB_TIMEOUT =~ ^[0-9]+$ ]] || die "JOB_TIMEOUT=$JOB_TIMEOUT: give seconds"
need kubectl kind jq
docker_up || die "dockerd is not running: bring the cluster up with make kind-offline"
[ -s "$KUBECONFIG_FILE" ] || die "$KUBECONFIG_FILE missing: bring the cluster up with make kind-offline"
kc get nodes >/dev/null || die "the cluster of $KUBECONFIG_FILE does not answer"
grep -q "image: $SUITE_IMAGE " "$M/job.yaml" || die "$M/job.yaml does not run $SUITE_IMAGE (images/suite/suite.env): make them agree"

# Suite flags: the caller's, or a short run fitted to the cluster's CNI.
if [ $# -gt 0 ]; then
  args=("$@")
else
  args=(--duration=5s --samples=2 --max-samples=4 --inconclusive=warn)
  kc -n kube-system get daemonset cilium >/dev/null 2>&1 || args+=(--baseline=cilium-legacy-host-routing --tolerances=local)
fi

nodes=()
loaded=0
cleanup() {
  local rc=$?
  set +e
  log "deleting what this run created"
  kc delete -f "$M/job.yaml" --ignore-not-found --wait=true --timeout=240s >/dev/null 2>&1
  kc delete -f "$M/rbac.yaml" --ignore-not-found >/dev/null
  kc delete -f "$M/namespace.yaml" --ignore-not-found --wait=true --timeout=240s >/dev/null
  if [ "$loaded" = 1 ] && [ "${KEEP_IMAGE:-0}" != 1 ]; then
    for n in "${nodes[@]}"; do "$DOCKER" exec "$n" crictl rmi "$SUITE_IMAGE" >/dev/null 2>&1; done
  fi
  # What is left: the runner's objects, the suite's namespaces (label e2e-framework=podperf and
  # their -hostnet companions), the image.
  local left=()
  kc get namespace "$NS" >/dev/null 2>&1 && left+=("namespace $NS")
  kc get clusterrole podperf >/dev/null 2>&1 && left+=("clusterrole podperf")
  kc get clusterrolebinding podperf >/dev/null 2>&1 && left+=("clusterrolebinding podperf")
  kc -n kube-system get role podperf-cni-facts >/dev/null 2>&1 && left+=("role kube-system/podperf-cni-facts")
  kc -n kube-system get rolebinding podperf-cni-facts >/dev/null 2>&1 && left+=("rolebinding kube-system/podperf-cni-facts")
  local ns
  for ns in $(kc get namespaces -o name 2>/dev/null | sed -n 's|^namespace/\(podperf-.*\)|\1|p'); do
    left+=("namespace $ns")
  done
  if [ "$loaded" = 1 ] && [ "${KEEP_IMAGE:-0}" != 1 ]; then
    for n in "${nodes[@]}"; do
      "$DOCKER" exec "$n" crictl inspecti "$SUITE_IMAGE" >/dev/null 2>&1 && left+=("image $SUITE_IMAGE on $n")
    done
  fi
  if [ ${#left[@]} -gt 0 ]; then
    echo "error: left behind: ${left[*]}" >&2
    [ "$rc" != 0 ] || rc=1
  else
    log "nothing left behind"
  fi
  exit "$rc"
}
trap cleanup EXIT

# 1. The image on every node.
if [ ! -s "$ARCHIVE" ]; then
  log "$ARCHIVE missing: building it (scripts/build-suite-image.sh)"
  "$REPO_ROOT/scripts/build-suite-image.sh" --out "$ARCHIVE"
fi
mapfile -t nodes < <(kind get nodes --name "$CLUSTER_NAME")
[ ${#nodes[@]} -gt 0 ] || die "kind reports no nodes for the cluster $CLUSTER_NAME"
log "kind load image-archive $ARCHIVE ($SUITE_IMAGE) into ${nodes[*]}"
loaded=1
kind load image-archive "$ARCHIVE" --name "$CLUSTER_NAME" >/dev/null

# 2. Namespace, ServiceAccount, RBAC, and what they allow.
kc apply -f "$M/namespace.yaml" -f "$M/rbac.yaml" >/dev/null
as=(--as "system:serviceaccount:$NS:$SA")
fails=0
# can VERB RESOURCE[/NAME|/SUBRESOURCE] [NAMESPACE] WANT(yes|no). kubectl reads TYPE/NAME, so the
# pod subresources (pods/exec, pods/log, pods/eviction) go through --subresource.
can() {
  local verb=$1 res=$2 ns=$3 want=$4 got sub=()
  case $res in
    pods/exec | pods/log | pods/eviction) sub=(--subresource "${res#pods/}"); res=pods ;;
  esac
  got=$(kc auth can-i "${as[@]}" "$verb" "$res" "${sub[@]}" ${ns:+-n "$ns"} 2>/dev/null || true)
  if [ "$got" != "$want" ]; then
    echo "  $verb $res ${ns:+in $ns }: $got, want $want" >&2
    fails=$((fails + 1))
  fi
}
for r in "create namespaces" "get namespaces" "delete namespaces" "get nodes" "list nodes"; do
  read -r verb res <<<"$r"
  can "$verb" "$res" "" yes
done
for r in "create pods" "get pods" "list pods" "delete pods" "create pods/exec" "get pods/exec" "get pods/log" \
  "list events" "create services" "delete services" "list endpointslices.discovery.k8s.io" \
  "list serviceaccounts" "watch serviceaccounts" "list configmaps" "watch configmaps"; do
  read -r verb res <<<"$r"
  can "$verb" "$res" podperf-check yes
done
can list daemonsets.apps kube-system yes
can get configmaps/cilium-config kube-system yes
can create leases.coordination.k8s.io default yes
can get leases.coordination.k8s.io/podperf-run default yes
can update leases.coordination.k8s.io/podperf-run default yes
can delete leases.coordination.k8s.io/podperf-run default yes
can update leases.coordination.k8s.io/kube-scheduler kube-system no
# Rights the suite does not use, and must not have.
can get secrets kube-system no
can list secrets "" no
can list namespaces "" no
can update nodes "" no
can delete nodes "" no
can create deployments.apps podperf-check no
can create daemonsets.apps kube-system no
can get configmaps/kubeadm-config kube-system no
can create clusterrolebindings.rbac.authorization.k8s.io "" no
can create pods/eviction podperf-check no
[ $fails = 0 ] || die "the ServiceAccount $NS/$SA has other rights than manifests/incluster/rbac.yaml means ($fails above)"
log "RBAC: the ServiceAccount $NS/$SA has the suite's rights and none of the others checked"

# 3. The Job, with this run's flags.
log "starting Job $NS/$JOB: ${args[*]}"
# The flags as a JSON array (jq 1.6, Debian 12's, reads "--x" after --args as its own option).
args_json=$(printf '%s\n' "${args[@]}" | jq -R . | jq -s -c .)
kc create -f "$M/job.yaml" --dry-run=client -o json |
  jq --argjson args "$args_json" '.spec.template.spec.containers[0].args = $args' |
  kc apply -f - >/dev/null
pod=
wait_for() { # SECONDS DESCRIPTION COMMAND...: poll COMMAND every 2 s
  local secs=$1 what=$2 t0
  shift 2
  t0=$(date +%s)
  until "$@"; do
    [ $(($(date +%s) - t0)) -lt "$secs" ] || die "$what: not within ${secs}s"
    sleep 2
  done
}
pod_name() { pod=$(kc -n "$NS" get pods -l "job-name=$JOB" -o jsonpath='{.items[0].metadata.name}' 2>/dev/null) && [ -n "$pod" ]; }
wait_for 60 "a pod of Job $JOB" pod_name
phase() { kc -n "$NS" get pod "$pod" -o jsonpath='{.status.phase}' 2>/dev/null; }
started() { case $(phase) in Running | Succeeded | Failed) return 0 ;; *) return 1 ;; esac; }
wait_for 300 "pod $pod running" started
log "pod $pod $(phase) on $(kc -n "$NS" get pod "$pod" -o jsonpath='{.spec.nodeName}'); following its log"
mkdir -p "$OUT"
kc -n "$NS" logs -f "$pod" >"$OUT/job.log" 2>&1 &
follow=$!
held() { grep -q '^podperf: holding' "$OUT/job.log" 2>/dev/null || [ "$(phase)" != Running ]; }
wait_for "$JOB_TIMEOUT" "the run in pod $pod" held

# 4. The artifacts, then the pod's release.
if [ "$(phase)" = Running ]; then
  rm -rf "$OUT/artifacts"
  kc -n "$NS" cp "$pod:/artifacts" "$OUT/artifacts" >/dev/null
  kc -n "$NS" exec "$pod" -- touch /artifacts/.collected
else
  echo "warning: pod $pod ended ($(phase)) before holding: only its log is kept" >&2
fi
done_() { kc -n "$NS" get job "$JOB" -o jsonpath='{range .status.conditions[*]}{.type}={.status} {end}' | grep -Eq '(Complete|Failed)=True'; }
wait_for 240 "Job $JOB to finish" done_
wait "$follow" 2>/dev/null || true
code=$(kc -n "$NS" get pod "$pod" -o jsonpath='{.status.containerStatuses[0].state.terminated.exitCode}')
log "Job $JOB: $(kc -n "$NS" get job "$JOB" -o jsonpath='{range .status.conditions[*]}{.type} {end}'), suite exit status ${code:-unknown}"

# 5. Refusals by the API are a role that misses a right the suite uses.
if grep -E 'is forbidden|cannot [a-z]+ resource' "$OUT/job.log" "$OUT/artifacts/results.json" >"$OUT/forbidden.txt" 2>/dev/null; then
  head -n 5 "$OUT/forbidden.txt" >&2
  die "the API refused the ServiceAccount something ($(wc -l <"$OUT/forbidden.txt") lines in $OUT/forbidden.txt): manifests/incluster/rbac.yaml misses a right"
fi
rm -f "$OUT/forbidden.txt"
[ -s "$OUT/artifacts/results.json" ] && log "results: $OUT/artifacts/results.json ($(jq -r '.verdict' "$OUT/artifacts/results.json")), junit: $OUT/artifacts/junit.xml"
log "log: $OUT/job.log"
exit "${code:-1}"
