# Shared settings of the kernel harness. Sourced by vm/*.sh; not executable on its own.
set -euo pipefail

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$VM_DIR/.." && pwd)
# Everything downloaded or built lives here (git-ignored); delete it for a cold run.
CACHE_DIR=${DEEPSEG_VM_CACHE:-$REPO_DIR/.cache/vm}
# Debian bookworm packages the harness needs on the host (also listed in .ci/apt/v4l2.txt).
HOST_PACKAGES=(qemu-system-x86 busybox-static kmod v4l-utils ffmpeg gcc gcc-12 make xz-utils linux-libc-dev)

log() { printf '[vm] %s\n' "$*" >&2; }
die() { printf '[vm] error: %s\n' "$*" >&2; exit 1; }
