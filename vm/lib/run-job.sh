#!/usr/bin/env bash
# Boots the guest once for one job:  vm/lib/run-job.sh <kernel dir from prepare.sh> <job> [timeout s]
# The job is vm/jobs/<job>.sh, run as root inside the guest from the repository root. Its output is
# in $WORK_DIR/runs/<job>/job.log, the guest console in console.log; the exit status of this script
# is the job's (124 when the host-side timeout fired, 125 when the guest wrote no exit code).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
kdir=$1
job=$2
limit=${3:-${DEEPSEG_VM_TIMEOUT:-300}}
out="$WORK_DIR/runs/$job"
rm -rf "$out"
mkdir -p "$out"
# What the job may need from the host's environment (9p shares the files, not the variables).
{
  printf 'PATH=%q\n' "$PATH"
  for v in CI DEEPSEG_SHARED DEEPSEG_VM_VERBOSE; do
    [[ -n ${!v:-} ]] && printf '%s=%q\n' "$v" "${!v}"
  done
} >"$out/env"

mem=${DEEPSEG_VM_MEMORY:-768}
set +e
# KVM does not work on these machines: TCG, with a large translation cache.
timeout --kill-after=10 "$limit" qemu-system-x86_64 \
  -nodefaults -no-user-config -no-reboot -display none -vga none -net none \
  -accel tcg,tb-size=128 -cpu max -m "$mem" -smp 2 \
  -kernel "$kdir/vmlinux" -initrd "$kdir/initramfs.cpio" \
  -append "console=ttyS0 loglevel=4 panic=-1 dsjob=$job dsrepo=$REPO_DIR" \
  -serial "file:$out/console.log" \
  -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
  -virtfs "local,path=$kdir/root,mount_tag=debs,security_model=none,readonly=on,multidevs=remap" \
  -virtfs "local,path=$out,mount_tag=results,security_model=none,multidevs=remap" \
  </dev/null >"$out/qemu.log" 2>&1
status=$?
set -e
if ((status == 124 || status == 137)); then
  log "job $job: timed out after ${limit}s (guest console: $out/console.log)"
  exit 124
fi
if [[ ! -f $out/exit-code ]]; then
  log "job $job: the guest wrote no exit code (qemu status $status; see $out/console.log, $out/qemu.log)"
  exit 125
fi
exit "$(cat "$out/exit-code")"
