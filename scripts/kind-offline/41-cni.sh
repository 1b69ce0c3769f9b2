#!/usr/bin/env bash
# Step 41: the stand-in for kindnetd (kind-offline.yaml sets disableDefaultCNI). On every node:
#   /etc/cni/net.d/10-podperf.conflist  manifests/cni/ptp.conflist with the node's podCIDR: ptp (a veth
#                                       per pod, routed, no bridge) + host-local IPAM over the podCIDR
#                                       + portmap; the suite's --kind-cni=ptp writes the same file
#   ip route <podCIDR of node X> via <IP of node X>   for every other node (all nodes share one L2
#                                       docker network, so a direct route is enough: no overlay)
# Already-configured nodes are left alone.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need kubectl
[ "$KIND_OFFLINE_CNI" = ptp ] || die "41-cni is the CNI=ptp step; this run has KIND_OFFLINE_CNI=$KIND_OFFLINE_CNI (43-cilium installs Cilium)"
[ -s "$KUBECONFIG_FILE" ] || die "$KUBECONFIG_FILE missing (run 40-cluster.sh)"
grep -q '@POD_CIDR@' "$CNI_CONFLIST" || die "$CNI_CONFLIST has no @POD_CIDR@ to replace"

for _ in $(seq 1 90); do
  total=$(kc get nodes --no-headers 2>/dev/null | wc -l)
  with_cidr=$(kc get nodes -o jsonpath='{range .items[*]}{.spec.podCIDR}{"\n"}{end}' 2>/dev/null | grep -c . || true)
  [ "$total" -gt 0 ] && [ "$with_cidr" = "$total" ] && break
  sleep 2
done
if [ "$total" -eq 0 ] || [ "$with_cidr" != "$total" ]; then
  die "nodes have no podCIDR after 180s (is allocate-node-cidrs on?)"
fi
mapfile -t rows < <(kc get nodes -o jsonpath='{range .items[*]}{.metadata.name} {.spec.podCIDR} {.status.addresses[?(@.type=="InternalIP")].address}{"\n"}{end}')

conflist() { sed "s#@POD_CIDR@#$1#g" "$CNI_CONFLIST"; } # PODCIDR

changed=0
for r in "${rows[@]}"; do
  read -r name cidr ip <<<"$r"
  want=$(conflist "$cidr")
  if [ "$("$DOCKER" exec "$name" cat /etc/cni/net.d/10-podperf.conflist 2>/dev/null || true)" != "$want" ]; then
    "$DOCKER" exec -i "$name" sh -c 'mkdir -p /etc/cni/net.d && cat >/etc/cni/net.d/10-podperf.conflist' <<<"$want"
    changed=1
  fi
  if [ "$("$DOCKER" exec "$name" sysctl -n net.ipv4.ip_forward)" != 1 ]; then
    "$DOCKER" exec "$name" sysctl -qw net.ipv4.ip_forward=1
    changed=1
  fi
  for o in "${rows[@]}"; do
    read -r oname ocidr oip <<<"$o"
    [ "$oname" = "$name" ] && continue
    if ! grep -q "via $oip " <<<"$("$DOCKER" exec "$name" ip route show "$ocidr")"; then
      "$DOCKER" exec "$name" ip route replace "$ocidr" via "$oip"
      changed=1
    fi
  done
  log "$name: podCIDR $cidr, IP $ip"
done
[ $changed = 1 ] || skip_step "CNI config and routes present on ${#rows[@]} nodes"
