#!/usr/bin/env bash
# Installs the host packages the harness needs when any is missing (CI machines start fresh).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
mkdir -p "$WORK_DIR"

missing=()
for p in "${HOST_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing host packages: ${missing[*]}"
  [[ $(id -u) == 0 ]] || die "need root to apt-get install ${missing[*]} (or install them yourself)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends \
    "${missing[@]}" >"$WORK_DIR/apt-install.log" 2>&1 || {
    # A stale package list is the usual cause on a fresh machine.
    apt-get update -q >>"$WORK_DIR/apt-install.log" 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends \
      "${missing[@]}" >>"$WORK_DIR/apt-install.log" 2>&1 || die "apt-get install failed, see $WORK_DIR/apt-install.log"
  }
fi
