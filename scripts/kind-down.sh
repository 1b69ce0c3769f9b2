#!/usr/bin/env bash
# Delete the kind cluster created by scripts/kind-up.sh.
#   scripts/kind-down.sh        (KIND_CLUSTER_NAME, default podperf)
set -euo pipefail
CLUSTER=${KIND_CLUSTER_NAME:-podperf}
command -v kind >/dev/null || { echo "error: 'kind' not found on PATH" >&2; exit 1; }
kind delete cluster --name "$CLUSTER"
