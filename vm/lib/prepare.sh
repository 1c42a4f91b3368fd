#!/usr/bin/env bash
# Prepares everything a guest boot needs, cached under $CACHE_DIR/<kernel release>/:
#   root/          Debian's kernel modules (+ v4l2loopback.ko) laid out as /usr/lib/modules; the
#                  guest's overlay puts it above the host's read-only root
#   vmlinux        the uncompressed kernel (qemu boots it through its PVH entry: no decompression
#                  under TCG)
#   initramfs.cpio busybox + the virtio/9p/overlay modules + guest/init
# Prints the directory on stdout. Idempotent: a warm cache costs about a second.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
mkdir -p "$CACHE_DIR"

# --- which kernel: what bookworm's linux-image-amd64 points at today (or DEEPSEG_VM_KERNEL) -------
kver=${DEEPSEG_VM_KERNEL:-}
if [[ -z $kver ]]; then
  meta=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: linux-image-\(.*\)$/\1/p' | head -1 || true)
  if [[ -z $meta ]]; then
    apt-get update -q >/dev/null 2>&1 || true
    meta=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: linux-image-\(.*\)$/\1/p' | head -1 || true)
  fi
  kver=$meta
fi
if [[ -z $kver ]]; then
  # No package lists (offline): fall back to the newest kernel already cached.
  kver=$(ls -1 "$CACHE_DIR" 2>/dev/null | grep -E '^[0-9]+\.[0-9]+\.[0-9]+-[0-9]+-amd64$' | sort -V | tail -1 || true)
  [[ -n $kver ]] || die "cannot resolve linux-image-amd64 (apt-cache) and nothing is cached"
fi
kdir="$CACHE_DIR/$kver"
root="$kdir/root"
mkdir -p "$kdir"

# --- .debs: apt-get download into the cache, unpack with dpkg-deb -x ------------------------------
if [[ ! -f $kdir/.unpacked ]]; then
  kbuild=$(apt-cache depends "linux-headers-$kver" | sed -n 's/^ *Depends: \(linux-kbuild-.*\)$/\1/p' | head -1)
  common=$(apt-cache depends "linux-headers-$kver" | sed -n 's/^ *Depends: \(linux-headers-.*-common\)$/\1/p' | head -1)
  [[ -n $kbuild && -n $common ]] || die "cannot resolve the headers of linux-headers-$kver"
  debs="$kdir/debs"
  mkdir -p "$debs"
  log "downloading linux-image-$kver, its headers, $kbuild, v4l2loopback-dkms"
  (cd "$debs" && apt-get download -q "linux-image-$kver" "linux-headers-$kver" "$common" "$kbuild" \
    v4l2loopback-dkms >"$kdir/download.log" 2>&1) || die "apt-get download failed, see $kdir/download.log"
  rm -rf "$root"
  mkdir -p "$root"
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$root"; done
  # The host is merged-/usr (/lib -> usr/lib); as an overlay layer above it this tree must be too,
  # or its real lib/ directory would hide the host's libraries.
  if [[ -d $root/lib && ! -L $root/lib ]]; then
    mkdir -p "$root/usr/lib"
    cp -a "$root/lib/." "$root/usr/lib/"
    rm -rf "$root/lib"
    ln -s usr/lib "$root/lib"
  fi
  touch "$kdir/.unpacked"
fi

# --- v4l2loopback.ko from the dkms sources, against the unpacked headers ----------------------------
mod="$root/usr/lib/modules/$kver/updates/v4l2loopback.ko"
if [[ ! -f $mod ]]; then
  src=$(ls -d "$root"/usr/src/v4l2loopback-* | head -1)
  build="$kdir/v4l2loopback-build"
  rm -rf "$build"
  cp -r "$src" "$build"
  log "building v4l2loopback.ko ($(basename "$src")) for $kver"
  # The headers' Makefile includes the common headers by absolute path: point it at our copy
  # (again on every build: the cache may have moved).
  sed -i "s#^include .*/\(linux-headers-[^/]*-common\)/Makefile#include $root/usr/src/\1/Makefile#" \
    "$root/usr/src/linux-headers-$kver/Makefile"
  make -s -C "$root/usr/src/linux-headers-$kver" M="$build" modules >"$kdir/module-build.log" 2>&1 ||
    die "module build failed, see $kdir/module-build.log"
  mkdir -p "$(dirname "$mod")"
  cp "$build/v4l2loopback.ko" "$mod"
  rm -f "$kdir/.depmod"
fi
if [[ ! -f $kdir/.depmod ]]; then
  depmod -b "$root" "$kver"
  touch "$kdir/.depmod"
fi

# --- vmlinux: the payload of vmlinuz, decompressed -------------------------------------------------
if [[ ! -f $kdir/vmlinux ]]; then
  vmlinuz="$root/boot/vmlinuz-$kver"
  log "extracting vmlinux"
  extracted=0
  # Magic numbers as in the kernel's scripts/extract-vmlinux: xz, zstd, gzip.
  for magic in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08'; do
    tool=${magic%%:*}
    pattern=${magic#*:}
    for off in $(LC_ALL=C grep -aboP "$pattern" "$vmlinuz" | cut -d: -f1 | head -5); do
      case $tool in
        xz) tail -c +$((off + 1)) "$vmlinuz" | xz -dc >"$kdir/vmlinux.tmp" 2>/dev/null || true ;;
        zstd) tail -c +$((off + 1)) "$vmlinuz" | zstd -dc >"$kdir/vmlinux.tmp" 2>/dev/null || true ;;
        gzip) tail -c +$((off + 1)) "$vmlinuz" | gzip -dc >"$kdir/vmlinux.tmp" 2>/dev/null || true ;;
      esac
      if [[ $(head -c 4 "$kdir/vmlinux.tmp" 2>/dev/null | od -An -tx1 | tr -d ' ') == 7f454c46 ]]; then
        mv "$kdir/vmlinux.tmp" "$kdir/vmlinux"
        extracted=1
        break 2
      fi
    done
  done
  rm -f "$kdir/vmlinux.tmp"
  ((extracted)) || die "could not extract an ELF vmlinux from $vmlinuz"
fi

# --- initramfs: busybox, the modules that reach the shares, guest/init -----------------------------
initrd="$kdir/initramfs.cpio"
stamp=$(cat "$VM_DIR/guest/init" "$(command -v busybox)" | md5sum | cut -c1-12)
if [[ ! -f $initrd || $(cat "$kdir/.initramfs" 2>/dev/null) != "$stamp" ]]; then
  staging="$kdir/initramfs"
  rm -rf "$staging"
  mkdir -p "$staging"/{bin,dev,proc,sys,modules,host,debs,rw,newroot}
  cp "$(command -v busybox)" "$staging/bin/busybox"
  cp "$VM_DIR/guest/init" "$staging/init"
  chmod +x "$staging/init"
  # Dependencies first, in modules.dep order (depmod output lists them after the colon).
  moddir="$root/usr/lib/modules/$kver"
  : >"$staging/modules.list"
  add_module() {
    local rel deps d
    rel=$(grep -E "(^|/)$1\.ko:" "$moddir/modules.dep" | head -1 | cut -d: -f1)
    [[ -n $rel ]] || return 0 # built in
    deps=$(grep -E "^$rel:" "$moddir/modules.dep" | cut -d: -f2)
    for d in $deps; do add_module "$(basename "$d" .ko)"; done
    grep -qx "$(basename "$rel")" "$staging/modules.list" && return 0
    cp "$moddir/$rel" "$staging/modules/"
    basename "$rel" >>"$staging/modules.list"
  }
  for m in virtio_pci 9pnet_virtio 9p overlay; do add_module "$m"; done
  (cd "$staging" && find . | busybox cpio -o -H newc 2>/dev/null >"$initrd.tmp")
  mv "$initrd.tmp" "$initrd"
  echo "$stamp" >"$kdir/.initramfs"
fi

echo "$kdir"
