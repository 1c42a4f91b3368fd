# Shared settings of the kernel harness. Sourced by vm/*.sh; not executable on its own.
set -euo pipefail

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$VM_DIR/.." && pwd)
# Downloaded .debs, the built module, vmlinux and the initramfs: shared by every checkout on the
# machine (CI clones afresh each run); delete it for a cold run.
CACHE_DIR=${DEEPSEG_VM_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/deepseg/vm}
# Per-checkout output (git-ignored): job logs and results in runs/<job>/, build and apt logs.
WORK_DIR=$REPO_DIR/.cache/vm
# Debian bookworm packages the harness needs on the host (also listed in .ci/apt/v4l2.txt).
HOST_PACKAGES=(qemu-system-x86 busybox-static kmod v4l-utils ffmpeg gcc gcc-12 make xz-utils linux-libc-dev)

log() { printf '[vm] %s\n' "$*" >&2; }
die() { printf '[vm] error: %s\n' "$*" >&2; exit 1; }
