#!/usr/bin/env bash
# Step 33 (CNI=cilium): the Cilium images, laid out as Cilium's images/cilium and images/operator
# Dockerfiles lay them out, made with `docker import` (no registry, no FROM):
#   $CILIUM_IMAGE           rootfs/cilium (step 21) + the agent commands in /usr/bin, cilium-cni in
#                           /opt/cni/bin, the bpf/ sources in /var/lib/cilium/bpf (compiled by the
#                           agent at run time), /init-container.sh, /install-plugin.sh,
#                           /cni-uninstall.sh; `cilium` links to cilium-dbg
#   $CILIUM_OPERATOR_IMAGE  cilium-operator-generic on a skeleton with the CA bundle
# Output: $STATE/images/cilium.tar and cilium-operator.tar (docker-archive), loaded into the nodes by
# 42-load-images. Skipped when both archives exist and are newer than the binaries (step 12) and
# the rootfs (step 21).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
docker_up || die "dockerd is not running (run 00-host.sh)"

C=$STATE/cilium
OUT=$STATE/images
AGENT_TAR=$OUT/cilium.tar
OPERATOR_TAR=$OUT/cilium-operator.tar
S=$STATE/stamps/cilium-images
if [ -s "$AGENT_TAR" ] && [ -s "$OPERATOR_TAR" ] && [ "$S" -nt "$C/bin/VERSION" ] && [ "$S" -nt "$STATE/stamps/rootfs-cilium" ]; then
  "$DOCKER" image inspect "$CILIUM_IMAGE" >/dev/null 2>&1 || "$DOCKER" load -i "$AGENT_TAR" >/dev/null
  "$DOCKER" image inspect "$CILIUM_OPERATOR_IMAGE" >/dev/null 2>&1 || "$DOCKER" load -i "$OPERATOR_TAR" >/dev/null
  skip_step "$CILIUM_IMAGE and $CILIUM_OPERATOR_IMAGE in $OUT"
fi
[ "$(cat "$C/bin/VERSION" 2>/dev/null)" = "$CILIUM_VERSION" ] || die "cilium $CILIUM_VERSION binaries missing in $C/bin (run 12-cilium.sh)"
has_stamp rootfs-cilium || die "rootfs/cilium missing (run 21-cilium-rootfs.sh)"

work=$(mktemp -d "$STATE/imgwork.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$OUT"
PATHENV='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

# The agent image.
A=$work/cilium
log "agent image: rootfs/cilium + cilium binaries + bpf sources"
cp -a "$STATE/rootfs/cilium" "$A"
for b in cilium-agent cilium-dbg cilium-health cilium-health-responder cilium-bugtool cilium-mount cilium-sysctlfix; do
  install -m 0755 "$C/bin/$b" "$A/usr/bin/$b"
done
ln -sf cilium-dbg "$A/usr/bin/cilium"   # cilium-dbg's Makefile installs the old name too
install -D -m 0755 "$C/bin/cilium-cni" "$A/opt/cni/bin/cilium-cni"
install -m 0755 "$C/src/images/cilium/init-container.sh" "$A/init-container.sh"
install -m 0755 "$C/src/plugins/cilium-cni/install-plugin.sh" "$A/install-plugin.sh"
install -m 0755 "$C/src/plugins/cilium-cni/cni-uninstall.sh" "$A/cni-uninstall.sh"
# What Cilium's install-bpf target copies: bpf/ without its tests, custom programs and Makefiles.
mkdir -p "$A/var/lib/cilium"
chmod 0750 "$A/var/lib/cilium"
cp -a "$C/src/bpf" "$A/var/lib/cilium/bpf"
rm -rf "$A/var/lib/cilium/bpf"/{tests,complexity-tests,custom,Makefile,Makefile.bpf,.gitignore}
chmod -R u+rwX,go+rX "$A/var/lib/cilium/bpf"
mkdir -p "$A/home/cilium"
tar -C "$A" -c . | "$DOCKER" import \
  --change "$PATHENV" \
  --change 'ENV INITSYSTEM=SYSTEMD' \
  --change 'ENV HUBBLE_SERVER=unix:///var/run/cilium/hubble.sock' \
  --change 'WORKDIR /home/cilium' \
  --change 'CMD ["/usr/bin/cilium-dbg"]' \
  - "$CILIUM_IMAGE" >/dev/null
"$DOCKER" run --rm --entrypoint /usr/bin/cilium-agent "$CILIUM_IMAGE" --version
"$DOCKER" run --rm --entrypoint sh "$CILIUM_IMAGE" -c 'clang --version | sed -n 1p; ls /var/lib/cilium/bpf/bpf_lxc.c'
"$DOCKER" save -o "$AGENT_TAR.tmp" "$CILIUM_IMAGE"
mv "$AGENT_TAR.tmp" "$AGENT_TAR"
log "$CILIUM_IMAGE -> $AGENT_TAR ($(du -h "$AGENT_TAR" | cut -f1))"

# The operator image: like images/operator (scratch + CA bundle + the binary), plus passwd/group.
O=$work/operator
mkdir -p "$O"/{etc/ssl/certs,tmp,usr/bin}
chmod 1777 "$O/tmp"
cp "$STATE/rootfs/cilium/etc/ssl/certs/ca-certificates.crt" "$O/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' >"$O/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' >"$O/etc/group"
install -m 0755 "$C/bin/cilium-operator-generic" "$O/usr/bin/cilium-operator-generic"
tar -C "$O" -c . | "$DOCKER" import --change "$PATHENV" - "$CILIUM_OPERATOR_IMAGE" >/dev/null
"$DOCKER" run --rm --entrypoint /usr/bin/cilium-operator-generic "$CILIUM_OPERATOR_IMAGE" --version
"$DOCKER" save -o "$OPERATOR_TAR.tmp" "$CILIUM_OPERATOR_IMAGE"
mv "$OPERATOR_TAR.tmp" "$OPERATOR_TAR"
log "$CILIUM_OPERATOR_IMAGE -> $OPERATOR_TAR ($(du -h "$OPERATOR_TAR" | cut -f1))"
stamp cilium-images
