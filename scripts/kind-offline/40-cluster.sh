#!/usr/bin/env bash
# Step 40: `kind create cluster` (name podperf, 1 control plane + 2 workers) from the local node image
# and kind-config/kind-offline.yaml (CNI=cilium: kind-offline-cilium.yaml), on a pre-created docker network "kind" with subnet
# KIND_NET_SUBNET (manifests/podperf.env; kind would otherwise create one with its own IPv4/IPv6
# ranges). Writes $STATE/kubeconfig.
# An existing cluster whose API server answers with all three nodes is kept; a broken one is recreated,
# and one made for the other CNI is refused.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
docker_up || die "dockerd is not running (run 00-host.sh)"
need kind kubectl
"$DOCKER" image inspect "$NODE_IMAGE" >/dev/null 2>&1 || die "node image $NODE_IMAGE missing (run 32-node-image.sh)"

# The kind config's ranges (lib.sh reads them from it) must lie inside ALLOWED_NET.
# (A dual-stack config lists an IPv4 and an IPv6 range: each must lie in ALLOWED_NET or ALLOWED_NET6.)
for kv in "podSubnet=$POD_SUBNET" "serviceSubnet=$SERVICE_SUBNET"; do
  IFS=, read -r -a ranges <<<"${kv#*=}"
  for r in "${ranges[@]}"; do
    in_allowed_net "$r" || die "${KIND_CONFIG#"$REPO_ROOT"/} sets ${kv%%=*} to '${kv#*=}': '$r' is not a range inside $ALLOWED_NET or $ALLOWED_NET6"
  done
done

# The node network: IPv4, plus IPv6 for a dual-stack cluster.
net_args=(--subnet "$KIND_NET_SUBNET" --gateway "$KIND_NET_GATEWAY")
want=$KIND_NET_SUBNET   # the subnets, sorted as docker's are below
if [ "$KIND_OFFLINE_FAMILY" = dual ]; then
  net_args+=(--ipv6 --subnet "$KIND_NET_SUBNET6" --gateway "$KIND_NET_GATEWAY6")
  want=$(printf '%s\n' "$KIND_NET_SUBNET" "$KIND_NET_SUBNET6" | sort | xargs)
fi
subnet=$("$DOCKER" network inspect kind -f '{{range .IPAM.Config}}{{.Subnet}}{{"\n"}}{{end}}' 2>/dev/null | sort | xargs || true)
if [ -z "$subnet" ]; then
  log "creating docker network kind ($want)"
  "$DOCKER" network create -d bridge "${net_args[@]}" \
    -o com.docker.network.bridge.enable_ip_masquerade=true -o com.docker.network.driver.mtu=1500 kind >/dev/null
elif [ "$subnet" != "$want" ]; then
  die "docker network kind has subnets '$subnet', want '$want' (FAMILY=$KIND_OFFLINE_FAMILY); delete its cluster first: make kind-offline-down (removes the network too)"
fi

# A bridge left by another dockerd (another state dir) with the same gateway address breaks
# node-to-node traffic on this one: kubeadm join then hangs until kind gives up.
holders=$(ip -o -4 addr show | awk -v gw="$KIND_NET_GATEWAY/" 'index($4, gw) == 1 {print $2}')
[ "$(echo "$holders" | grep -c .)" -le 1 ] ||
  die "several interfaces hold $KIND_NET_GATEWAY (${holders//$'\n'/ }): delete the stale bridge (ip link del <name>) that the docker network kind does not use"

want_nodes=$(grep -c '^- role:' "$KIND_CONFIG")
if grep -qx "$CLUSTER_NAME" <<<"$(kind get clusters 2>/dev/null)"; then
  kind get kubeconfig --name "$CLUSTER_NAME" >"$KUBECONFIG_FILE.tmp" 2>/dev/null && mv "$KUBECONFIG_FILE.tmp" "$KUBECONFIG_FILE"
  have_nodes=$(kc get nodes --no-headers --request-timeout=10s 2>/dev/null | wc -l || true)
  if [ "$have_nodes" = "$want_nodes" ]; then
    # kind-offline.yaml (ptp) deploys kube-proxy, kind-offline-cilium.yaml does not.
    if ds=$(kc -n kube-system get daemonsets -o name --request-timeout=10s 2>/dev/null); then
      made_for=cilium
      grep -qx daemonset.apps/kube-proxy <<<"$ds" && made_for=ptp
      [ "$made_for" = "$KIND_OFFLINE_CNI" ] ||
        die "cluster $CLUSTER_NAME was made for CNI=$made_for, this run asks for CNI=$KIND_OFFLINE_CNI: delete it first (make kind-offline-down)"
    fi
    skip_step "cluster $CLUSTER_NAME is up with $have_nodes nodes"
  fi
  log "cluster $CLUSTER_NAME exists but its API server reports '$have_nodes' of $want_nodes nodes: recreating it"
  kind delete cluster --name "$CLUSTER_NAME" --kubeconfig "$KUBECONFIG_FILE"
fi

log "kind create cluster --name $CLUSTER_NAME --image $NODE_IMAGE --config ${KIND_CONFIG#"$REPO_ROOT"/}"
if ! kind create cluster --name "$CLUSTER_NAME" --image "$NODE_IMAGE" --config "$KIND_CONFIG" \
  --kubeconfig "$KUBECONFIG_FILE" --retain; then
  rm -rf "$STATE/logs/kind-export"
  kind export logs "$STATE/logs/kind-export" --name "$CLUSTER_NAME" >/dev/null 2>&1 || true
  die "kind create cluster failed; node logs in $STATE/logs/kind-export (delete with down.sh)"
fi

"$DOCKER" ps --filter "label=io.x-k8s.kind.cluster=$CLUSTER_NAME" \
  --format '{{.Names}}' | sort | while read -r n; do
  echo "$n $("$DOCKER" inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$n")"
done
