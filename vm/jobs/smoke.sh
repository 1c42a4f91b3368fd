#!/usr/bin/env bash
# vm-timeout: 120
# Boots, loads the media drivers, checks they answer. The cheapest proof the harness works.
set -euo pipefail
modprobe vivid n_devs=1
modprobe v4l2loopback devices=2 exclusive_caps=1
ls -l /dev/video*
v4l2-ctl --list-devices
node --version
