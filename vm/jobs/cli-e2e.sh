#!/usr/bin/env bash
# deepseg end to end on the kernel's v4l2loopback: a loopback device fed by ffmpeg with the real clip
# stands in for the camera (once YUYV, once MJPEG); deepseg reads it and writes the second loopback
# device; ffmpeg reads that virtual camera as a consumer would. Checks rate, format and size, the green
# background against the same model's masks, a SIGHUP background switch, and a clean SIGTERM.
# Runs inside the guest (vm/lib/run-job.sh); needs the packages' dist/ built on the host.
# vm-build: packages/yuyv packages/v4l2 packages/tflite2onnx packages/segment packages/compose packages/cli
# vm-timeout: 900
set -euo pipefail
here=$(dirname "$0")
modprobe v4l2loopback devices=2 exclusive_caps=1,1 video_nr=20,21 card_label=fake-camera,deepseg
udevadm settle 2>/dev/null || sleep 0.2
node "$here/cli-e2e/e2e.mjs"
