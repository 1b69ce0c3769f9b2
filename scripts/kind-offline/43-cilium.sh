#!/usr/bin/env bash
# Step 43 (CNI=cilium): install Cilium from the chart of the built module
# (cilium/src/install/kubernetes/cilium) with manifests/cilium/values.yaml, as the Helm release
# "cilium" in kube-system. The images are the local ones (step 33, loaded by step 42), never pulled;
# the agents reach the API server at the control-plane node (no kube-proxy, so no Service yet).
# Then waits for the agents and the operator, and checks that every agent runs kube-proxy
# replacement and the host routing mode its ConfigMap asks for.
# Skipped when the release of $CILIUM_VERSION is deployed with these images and the rollout is done:
# the host routing mode is then left as it is (`make cilium-routing MODE=bpf|legacy` switches it).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$KO_SCRIPTS/cilium-lib.sh"
[ "$KIND_OFFLINE_CNI" = cilium ] || die "43-cilium is the CNI=cilium step; this run has KIND_OFFLINE_CNI=$KIND_OFFLINE_CNI"
need kubectl helm jq
[ -s "$KUBECONFIG_FILE" ] || die "$KUBECONFIG_FILE missing (run 40-cluster.sh)"
CHART=$STATE/cilium/src/install/kubernetes/cilium
[ -f "$CHART/Chart.yaml" ] || die "Cilium chart missing in $CHART (run 12-cilium.sh)"
[ "$(awk '$1 == "version:" {print "v" $2; exit}' "$CHART/Chart.yaml")" = "$CILIUM_VERSION" ] ||
  die "$CHART is not chart $CILIUM_VERSION (run 12-cilium.sh)"
if kc -n kube-system get daemonset kube-proxy >/dev/null 2>&1; then
  die "kube-proxy runs in cluster $CLUSTER_NAME (made for CNI=ptp): run make kind-offline-down, then make kind-offline CNI=cilium"
fi

# The images keep their tags when rebuilt: the pods carry the image IDs as an annotation, so that a
# rebuilt image rolls them out again.
agent_id=$("$DOCKER" image inspect -f '{{.Id}}' "$CILIUM_IMAGE" 2>/dev/null) || die "$CILIUM_IMAGE not in docker (run 33-cilium-images.sh)"
operator_id=$("$DOCKER" image inspect -f '{{.Id}}' "$CILIUM_OPERATOR_IMAGE" 2>/dev/null) ||
  die "$CILIUM_OPERATOR_IMAGE not in docker (run 33-cilium-images.sh)"
agent_id=${agent_id#sha256:}; agent_id=${agent_id:0:12}
operator_id=${operator_id#sha256:}; operator_id=${operator_id:0:12}

H=(helm --kubeconfig "$KUBECONFIG_FILE" --namespace kube-system)
release=$("${H[@]}" list --filter '^cilium$' -o json 2>/dev/null || echo '[]')
status=$(jq -r '.[0].status // empty' <<<"$release")
chart=$(jq -r '.[0].chart // empty' <<<"$release")
tmpl='{.spec.template.spec.containers[0].image}@{.spec.template.metadata.annotations.podperf-image-id} '
images=$(kc -n kube-system get daemonset cilium -o jsonpath="$tmpl" 2>/dev/null || true)
images+=$(kc -n kube-system get deployment cilium-operator -o jsonpath="$tmpl" 2>/dev/null || true)
if [ "$status" = deployed ] && [ "$chart" = "cilium-${CILIUM_VERSION#v}" ] &&
  [ "$images" = "$CILIUM_IMAGE@$agent_id $CILIUM_OPERATOR_IMAGE@$operator_id " ] &&
  kc -n kube-system rollout status daemonset/cilium --timeout=10s >/dev/null 2>&1 &&
  kc -n kube-system rollout status deployment/cilium-operator --timeout=10s >/dev/null 2>&1; then
  check_agents "$(cilium_cm_mode)"
  skip_step "Helm release cilium ($chart) deployed and rolled out; host routing $(cilium_cm_mode)"
fi

# CAP_SYS_RESOURCE may be missing from the capability bounding set (README, Traps). The nodes' runc
# then fails every container that asks for it ("unable to apply caps"), and the chart asks for it in
# cilium-agent and clean-cilium-state, to raise RLIMIT_MEMLOCK. On kernels >= 5.11 BPF memory is
# charged to the memory cgroup and no such limit applies, so both lists go without it: the chart's
# own lists (securityContext.capabilities in its values.yaml) minus SYS_RESOURCE.
CAPS=()
capbnd=$(awk '$1 == "CapBnd:" {print $2}' /proc/self/status)
if (( (0x$capbnd >> 24) & 1 )); then
  log "CAP_SYS_RESOURCE is in the bounding set: the chart's capability lists as they are"
else
  for c in ciliumAgent cleanCiliumState; do
    list=$(awk -v key="$c:" '$1 == key {f = 1; next} f && /^      - / {print $2; next} f && /^    [a-zA-Z]/ {exit}' \
      "$CHART/values.yaml" | grep -vx SYS_RESOURCE | paste -sd, -)
    [ -n "$list" ] || die "no securityContext.capabilities.$c list found in $CHART/values.yaml"
    CAPS+=(--set "securityContext.capabilities.$c={$list}")
  done
  log "CAP_SYS_RESOURCE is not in the bounding set (CapBnd $capbnd): ${CAPS[*]}"
fi

log "helm upgrade --install cilium ($CILIUM_VERSION) with ${CILIUM_VALUES#"$REPO_ROOT"/}"
"${H[@]}" upgrade --install cilium "$CHART" -f "$CILIUM_VALUES" \
  --set image.override="$CILIUM_IMAGE" --set image.pullPolicy=IfNotPresent \
  --set operator.image.override="$CILIUM_OPERATOR_IMAGE" --set operator.image.pullPolicy=IfNotPresent \
  --set-string podAnnotations.podperf-image-id="$agent_id" \
  --set-string operator.podAnnotations.podperf-image-id="$operator_id" \
  --set k8sServiceHost="$CLUSTER_NAME-control-plane" --set k8sServicePort=6443 "${CAPS[@]}"
wait_agents 600
kc -n kube-system rollout status deployment/cilium-operator --timeout=300s ||
  die "cilium-operator not ready after 300s; see: kubectl -n kube-system logs deploy/cilium-operator"
check_agents "$(cilium_cm_mode)"
kc -n kube-system get pods -l k8s-app=cilium -o wide
