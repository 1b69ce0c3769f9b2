#!/usr/bin/env bash
# Step 32: the kind node image $NODE_IMAGE (manifests/podperf.env), assembled directly.
#
# `kind build node-image` cannot work offline: whatever the --type, it pulls kindest/base and fetches
# etcd, CoreDNS, pause, kindnetd and local-path-provisioner from registries. This step lays out the
# same image by hand:
#   rootfs/node (debootstrap: systemd, Debian's containerd 1.6 + runc + CNI plugins, iptables, ...)
#   + kind's own base-image files (entrypoint, systemd units, containerd config), read from the
#     sigs.k8s.io/kind module in the Go module cache
#   + kubeadm, kubelet, kubectl, crictl and /kind/version
#   + the component images preloaded into containerd's k8s.io namespace, as kind does: start
#     containerd in a build container, `ctr images import`, `docker commit`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
docker_up || die "dockerd is not running (run 00-host.sh)"

if "$DOCKER" image inspect "$NODE_IMAGE" >/dev/null 2>&1 && has_stamp node-image; then
  skip_step "$NODE_IMAGE"
fi
has_stamp rootfs-node || die "rootfs/node missing (run 20-rootfs.sh)"
has_stamp component-images || die "component images missing (run 30-component-images.sh)"
for f in "$K8S_BIN"/{kubeadm,kubelet,kubectl} "$TOOLS_BIN"/{crictl,kind}; do
  [ -x "$f" ] || die "$f missing (run 10-kubernetes.sh and 11-tools.sh)"
done

KIND_SRC=$(cd "$STATE/tools/kind" && go list -m -f '{{.Dir}}' sigs.k8s.io/kind)
F=$KIND_SRC/images/base/files
[ -f "$F/usr/local/bin/entrypoint" ] || die "kind's images/base/files not found under $KIND_SRC"

R=$STATE/rootfs/node-image
log "assembling $R"
rm -rf "$R"
cp -a "$STATE/rootfs/node" "$R"

# kind's base-image files, laid out as in kind's images/base/Dockerfile.
install -m 0755 "$F"/usr/local/bin/* "$R/usr/local/bin/"
mkdir -p "$R/kind/bin" "$R/LICENSES" "$R/etc/containerd" "$R/etc/default" "$R/etc/sysctl.d" \
  "$R/etc/systemd/system/kubelet.service.d" "$R/etc/kubernetes/manifests" "$R/opt/cni/bin"
install -m 0644 "$F/kind/README.txt" "$R/kind/"
install -m 0755 "$F"/kind/bin/* "$R/kind/bin/"
install -m 0644 "$F"/LICENSES/* "$R/LICENSES/"
install -m 0644 "$F/etc/crictl.yaml" "$R/etc/"
install -m 0644 "$F/etc/containerd/config.toml" "$R/etc/containerd/"
install -m 0644 "$F"/etc/default/* "$R/etc/default/"
install -m 0644 "$F"/etc/sysctl.d/* "$R/etc/sysctl.d/"
for f in "$F"/etc/systemd/system/*; do [ -f "$f" ] && install -m 0644 "$f" "$R/etc/systemd/system/"; done
install -m 0644 "$F"/etc/systemd/system/kubelet.service.d/* "$R/etc/systemd/system/kubelet.service.d/"
# Pod traffic is routed between nodes (41-cni.sh), so forwarding must be on.
printf 'net.ipv4.ip_forward=1\nnet.ipv4.conf.all.forwarding=1\n' >"$R/etc/sysctl.d/20-podperf-forward.conf"

# containerd: Debian's 1.6 reads kind's (version 2) config. Changes:
#  - sandbox image: the pause tag kubeadm v1.37 expects, which is preloaded;
#  - no fuse-overlayfs proxy snapshotter (only used by rootless kind, not installed here);
#  - restrict_oom_score_adj: the host's bounding set may lack CAP_SYS_RESOURCE, and runc then fails
#    every pod sandbox ("can't get final child's PID from pipe: EOF") when asked to lower oom_score_adj.
C=$R/etc/containerd/config.toml
sed -i -e "s#^\( *sandbox_image = \).*#\1\"registry.k8s.io/pause:$PAUSE_IMAGE_TAG\"#" \
  -e '/^\[proxy_plugins\]/,/^ *address = /d' \
  -e 's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/' "$C"
if ! grep -q "pause:$PAUSE_IMAGE_TAG" "$C" || ! grep -q 'restrict_oom_score_adj = true' "$C" || grep -q fuse-overlayfs "$C"; then
  die "kind's containerd config.toml changed shape; adjust the edits in 32-node-image.sh"
fi
rm -f "$R/etc/systemd/system/containerd-fuse-overlayfs.service"
ln -sf /usr/bin/containerd "$R/usr/local/bin/containerd"   # kind's containerd.service runs /usr/local/bin/containerd
ln -sf /usr/bin/ctr "$R/usr/local/bin/ctr"
# Base OCI spec with kind's product_uuid hook and without rlimits, as kind generates it.
chroot "$R" ctr oci spec |
  jq '.hooks.createContainer[.hooks.createContainer | length] |= . + {"path": "/kind/bin/mount-product-files.sh"}' |
  jq 'del(.process.rlimits)' >"$R/etc/containerd/cri-base.json"
# CNI plugins where containerd looks for them (Debian installs them in /usr/lib/cni).
for p in "$R"/usr/lib/cni/*; do ln -sf "/usr/lib/cni/$(basename "$p")" "$R/opt/cni/bin/"; done

# Kubernetes binaries and the version file kind reads.
install -m 0755 "$K8S_BIN"/{kubeadm,kubelet,kubectl} "$R/usr/bin/"
install -m 0755 "$TOOLS_BIN/crictl" "$R/usr/local/bin/"
echo -n "$K8S_VERSION" >"$R/kind/version"

# systemd trimming, as in kind's Dockerfile.
find "$R/lib/systemd/system/sysinit.target.wants/" -name systemd-tmpfiles-setup.service -delete
rm -f "$R"/lib/systemd/system/multi-user.target.wants/* "$R"/etc/systemd/system/*.wants/* \
  "$R"/lib/systemd/system/local-fs.target.wants/* "$R"/lib/systemd/system/sockets.target.wants/*udev* \
  "$R"/lib/systemd/system/sockets.target.wants/*initctl* "$R"/lib/systemd/system/basic.target.wants/*
echo "ReadKMsg=no" >>"$R/etc/systemd/journald.conf"
ln -sf /usr/lib/systemd/systemd "$R/sbin/init"
chroot "$R" systemctl enable kubelet.service containerd.service undo-mount-hacks.service
chroot "$R" systemctl mask systemd-binfmt.service
rm -rf "$R"/var/lib/apt/lists/* "$R"/var/cache/apt/archives/*.deb "$R"/var/cache/apt/*.bin \
  "$R"/usr/share/doc "$R"/usr/share/man "$R"/usr/share/info "$R"/usr/share/locale
: >"$R/etc/resolv.conf"
: >"$R/etc/hostname"
: >"$R/etc/machine-id"

STAGE=localhost/podperf/kind-node-stage:$K8S_VERSION
log "importing the stage image"
tar -C "$R" -c . | "$DOCKER" import - "$STAGE" >/dev/null
rm -rf "$R"

# Preload the component images into containerd's k8s.io namespace (unpacked on first use).
ID=podperf-node-build-$$
"$DOCKER" rm -f "$ID" >/dev/null 2>&1 || true
trap '"$DOCKER" rm -f -v "$ID" >/dev/null 2>&1 || true' EXIT
"$DOCKER" run -d --name "$ID" --entrypoint sleep --security-opt seccomp=unconfined "$STAGE" infinity >/dev/null
"$DOCKER" exec "$ID" mkdir -p /tmp/images
for t in "$STATE"/images/components/*.tar; do "$DOCKER" cp "$t" "$ID:/tmp/images/"; done
# shellcheck disable=SC2016  # the script runs in the container, which expands it
"$DOCKER" exec "$ID" bash -euc '
  containerd >/tmp/containerd.log 2>&1 &
  pid=$!
  for _ in $(seq 1 30); do ctr version >/dev/null 2>&1 && break; sleep 1; done
  for t in /tmp/images/*.tar; do ctr --namespace=k8s.io images import --all-platforms --no-unpack --digests "$t" >/dev/null; done
  ctr --namespace=k8s.io images list -q | grep -v -e "^sha256:" -e "@sha256:" || true
  kill $pid; wait $pid || true
  rm -rf /tmp/images /tmp/containerd.log /run/containerd'
COMMITTED=localhost/podperf/kind-node-committed:$K8S_VERSION
"$DOCKER" commit --change 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]' --change 'ENV container=docker' \
  "$ID" "$COMMITTED" >/dev/null
"$DOCKER" rm -f -v "$ID" >/dev/null
trap - EXIT
# docker 20.10 rejects STOPSIGNAL in commit/import --change; a build FROM the local image adds it.
printf 'FROM %s\nSTOPSIGNAL SIGRTMIN+3\n' "$COMMITTED" | "$DOCKER" build -q -t "$NODE_IMAGE" - >/dev/null
"$DOCKER" rmi "$STAGE" >/dev/null 2>&1 || true
stamp node-image
log "$NODE_IMAGE: $(( $("$DOCKER" image inspect -f '{{.Size}}' "$NODE_IMAGE") / 1048576 )) MiB"
