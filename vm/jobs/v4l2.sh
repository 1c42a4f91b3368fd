#!/usr/bin/env bash
# @deepseg/v4l2 against the kernel's own drivers: the shared conformance suite on vivid and
# v4l2loopback, then checks with independent consumers (v4l2-ctl, ffmpeg) and the benchmark.
# Runs inside the guest (vm/lib/run-job.sh); needs packages/v4l2/dist built on the host.
# vm-build: packages/yuyv packages/v4l2
# vm-timeout: 420
set -euo pipefail
here=$(dirname "$0")

load_vivid() {
  modprobe -r vivid 2>/dev/null || true
  # One vivid instance: video capture, video output, vbi, sdr, touch... the capture node comes first.
  modprobe vivid n_devs=1
}
load_vivid
modprobe v4l2loopback devices=2 exclusive_caps=1,1 video_nr=10,11 card_label=deepseg-a,deepseg-b
udevadm settle 2>/dev/null || sleep 0.2

node "$here/v4l2/conformance.mjs"
# The suite's last case disconnects vivid's camera: reload it for the consumer checks.
load_vivid
node "$here/v4l2/consumers.mjs"
load_vivid
node "$REPO_DIR/packages/v4l2/dist/bench.js" --kernel --out "$DEEPSEG_VM_RESULTS/v4l2-kernel.json"
