#!/usr/bin/env bash
# Step 00: host packages (docker.io, debootstrap, jq) and a running dockerd whose addresses are all
# in DOCKER_BIP and DOCKER_POOL (lib.sh), inside ALLOWED_NET. dockerd is started by hand: the host
# may have no systemd as PID 1.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || die "must run as root (apt-get, dockerd, debootstrap, chroot)"

pkgs=(docker.io debootstrap jq)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "packages present: ${pkgs[*]}"
fi
[ -x "$DOCKER" ] || die "$DOCKER missing after installing docker.io"

# kind runs `docker` from PATH: make it Debian's client, whatever else is installed.
ln -sf "$DOCKER" "$STATE/bin/docker"
install -m 0755 "$KO_SCRIPTS/runc-wrapper" "$STATE/bin/runc-wrapper"

if docker_up; then
  log "dockerd already running: $("$DOCKER" version -f '{{.Server.Version}}')"
else
  log "starting dockerd (data in $STATE/docker)"
  # Addresses: docker0 from DOCKER_BIP, every docker network from DOCKER_POOL.
  # Runtime: runc-wrapper drops capabilities missing from the bounding set (see runc-wrapper).
  mkdir -p "$STATE/docker"
  setsid nohup /usr/sbin/dockerd \
    --data-root "$STATE/docker/data" --exec-root "$STATE/docker/exec" \
    --pidfile "$STATE/docker/dockerd.pid" \
    --bip "$DOCKER_BIP" --default-address-pool "base=$DOCKER_POOL,size=24" \
    --add-runtime podperf-runc="$STATE/bin/runc-wrapper" --default-runtime podperf-runc \
    >>"$STATE/logs/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do docker_up && break; sleep 1; done
  docker_up || die "dockerd did not come up; see $STATE/logs/dockerd.log"
  log "dockerd up: $("$DOCKER" version -f '{{.Server.Version}}'), pid $(cat "$STATE/docker/dockerd.pid")"
fi

# A dockerd started elsewhere must still honour the address rule.
read -r -a bip <<<"$("$DOCKER" network inspect bridge -f '{{range .IPAM.Config}}{{.Subnet}} {{end}}' 2>/dev/null || true)"
[ ${#bip[@]} -gt 0 ] || die "docker0 has no subnet; restart dockerd with --bip $DOCKER_BIP"
for s in "${bip[@]}"; do
  in_allowed_net "$s" || die "docker0 subnet is '${bip[*]}', not in $ALLOWED_NET; restart dockerd with --bip $DOCKER_BIP"
done

"$DOCKER" info -f 'docker {{.ServerVersion}}: runtime {{.DefaultRuntime}}, storage {{.Driver}}, cgroup v{{.CgroupVersion}}'
