#!/usr/bin/env bash
# Step 41: the stand-in for kindnetd (kind-offline.yaml sets disableDefaultCNI). On every node:
#   /etc/cni/net.d/10-podperf.conflist  manifests/cni/ptp.conflist with the node's podCIDR: ptp (a veth
#                                       per pod, routed, no bridge) + host-local IPAM over the podCIDR
#                                       + portmap; the suite's --kind-cni=ptp writes the same file
#   ip route <podCIDR of node X> via <IP of node X>   for every other node (all nodes share one L2
#                                       docker network, so a direct route is enough: no overlay)
# With FAMILY=dual (kind-offline-dual-stack.yaml) the same for IPv6: manifests/cni/ptp-dual-stack.conflist
# with both podCIDRs, IPv6 forwarding, and a route to each node's IPv6 podCIDR via its IPv6 address.
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
# One row per node: name, podCIDRs and InternalIPs (comma-separated, IPv4 first as kind lists them).
mapfile -t rows < <(kc get nodes -o jsonpath='{range .items[*]}{.metadata.name} {.spec.podCIDRs[*]} {"|"} {.status.addresses[?(@.type=="InternalIP")].address}{"\n"}{end}' |
  awk -F' [|] ' '{split($1, a, " "); name = a[1]; cidrs = a[2]; for (i = 3; i in a; i++) cidrs = cidrs "," a[i]; gsub(/ /, ",", $2); print name, cidrs, $2}')

# family ADDR-OR-PREFIX: 6 or 4.
family() { case $1 in *:*) echo 6 ;; *) echo 4 ;; esac; }
# pick FAMILY LIST: the first item of that family in a comma-separated list.
# (None: empty, and success, so that an assignment from it does not end the script under set -e.)
pick() { local x; IFS=, read -r -a xs <<<"$2"; for x in "${xs[@]}"; do [ "$(family "$x")" = "$1" ] && { echo "$x"; return 0; }; done; return 0; }
conflist() { sed -e "s#@POD_CIDR@#$1#g" -e "s#@POD_CIDR6@#$2#g" "$CNI_CONFLIST"; } # PODCIDR PODCIDR6

fams=(4)
[ "$KIND_OFFLINE_FAMILY" = dual ] && fams=(4 6)
changed=0
for r in "${rows[@]}"; do
  read -r name cidrs ips <<<"$r"
  cidr=$(pick 4 "$cidrs") cidr6=$(pick 6 "$cidrs")
  [ -n "$cidr" ] || die "node $name has no IPv4 podCIDR (podCIDRs: $cidrs)"
  if [ "$KIND_OFFLINE_FAMILY" = dual ]; then
    [ -n "$cidr6" ] || die "node $name has no IPv6 podCIDR (podCIDRs: $cidrs): is the cluster dual stack (${KIND_CONFIG#"$REPO_ROOT"/})?"
    [ -n "$(pick 6 "$ips")" ] || die "node $name has no IPv6 InternalIP (addresses: $ips): the docker network kind needs an IPv6 subnet (make kind-offline-down, then make kind-offline FAMILY=dual)"
  fi
  want=$(conflist "$cidr" "$cidr6")
  if [ "$("$DOCKER" exec "$name" cat /etc/cni/net.d/10-podperf.conflist 2>/dev/null || true)" != "$want" ]; then
    "$DOCKER" exec -i "$name" sh -c 'mkdir -p /etc/cni/net.d && cat >/etc/cni/net.d/10-podperf.conflist' <<<"$want"
    changed=1
  fi
  for f in "${fams[@]}"; do
    key=net.ipv4.ip_forward
    [ "$f" = 6 ] && key=net.ipv6.conf.all.forwarding
    if [ "$("$DOCKER" exec "$name" sysctl -n "$key")" != 1 ]; then
      "$DOCKER" exec "$name" sysctl -qw "$key=1"
      changed=1
    fi
  done
  for o in "${rows[@]}"; do
    read -r oname ocidrs oips <<<"$o"
    [ "$oname" = "$name" ] && continue
    for f in "${fams[@]}"; do
      ocidr=$(pick "$f" "$ocidrs") oip=$(pick "$f" "$oips")
      if ! grep -q "via $oip " <<<"$("$DOCKER" exec "$name" ip "-$f" route show "$ocidr")"; then
        "$DOCKER" exec "$name" ip "-$f" route replace "$ocidr" via "$oip"
        changed=1
      fi
    done
  done
  log "$name: podCIDRs $cidrs, IPs $ips"
done
[ $changed = 1 ] || skip_step "CNI config and routes present on ${#rows[@]} nodes"
