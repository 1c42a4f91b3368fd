#!/bin/bash
# Stage 2 (guest root, PID 1): finish the minimal system, run the job named by dsjob= on the kernel
# command line, write its exit code to the results share and power off. Never returns.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RESULTS=/run/deepseg
finish() {
  echo "$1" >"$RESULTS/exit-code"
  sync
  busybox poweroff -f
}
trap 'finish 99' ERR

mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# /tmp stays the overlay's (writable, in RAM): a tmpfs over it would hide a checkout or ../shared under /tmp.
chmod 1777 /tmp
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
hostname deepseg-vm

job=$(sed -n 's/.*dsjob=\([^ ]*\).*/\1/p' /proc/cmdline)
repo=$(sed -n 's/.*dsrepo=\([^ ]*\).*/\1/p' /proc/cmdline)
# Variables the host passed along (PATH of the host's node, CI, DEEPSEG_SHARED...).
[[ -f $RESULTS/env ]] && set -a && source "$RESULTS/env" && set +a
export DEEPSEG_VM=1 DEEPSEG_VM_RESULTS=$RESULTS REPO_DIR=$repo HOME=/root
trap - ERR

script="$repo/vm/jobs/$job.sh"
if [[ ! -f $script ]]; then
  echo "[guest] no job script $script"
  finish 98
fi
echo "[guest] kernel $(uname -r), job $job"
cd "$repo"
bash "$script" 2>&1 | tee "$RESULTS/job.log"
code=${PIPESTATUS[0]}
echo "[guest] job $job exited $code"
finish "$code"
