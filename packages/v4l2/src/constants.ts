// Numeric constants of <linux/videodev2.h> the package uses (checked by layout.test.ts).

/** `enum v4l2_buf_type` values used here. */
export const BufType = { VIDEO_CAPTURE: 1, VIDEO_OUTPUT: 2 } as const;
/** `enum v4l2_memory`: only MMAP streaming is used. */
export const Memory = { MMAP: 1 } as const;
/** `enum v4l2_field`: progressive frames. */
export const Field = { ANY: 0, NONE: 1 } as const;

/** `V4L2_CAP_*` capability bits. */
export const Cap = {
  VIDEO_CAPTURE: 0x00000001,
  VIDEO_OUTPUT: 0x00000002,
  VIDEO_CAPTURE_MPLANE: 0x00001000,
  VIDEO_OUTPUT_MPLANE: 0x00002000,
  VIDEO_M2M_MPLANE: 0x00004000,
  VIDEO_M2M: 0x00008000,
  EXT_PIX_FORMAT: 0x00200000,
  META_CAPTURE: 0x00800000,
  READWRITE: 0x01000000,
  STREAMING: 0x04000000,
  DEVICE_CAPS: 0x80000000,
} as const;

/** `V4L2_BUF_FLAG_*` bits of v4l2_buffer.flags. */
export const BufFlag = {
  MAPPED: 0x1,
  QUEUED: 0x2,
  DONE: 0x4,
  ERROR: 0x40,
  TIMESTAMP_MONOTONIC: 0x2000,
} as const;

/** `V4L2_FRMSIZE_TYPE_*` / `V4L2_FRMIVAL_TYPE_*`. */
export const FrmType = { DISCRETE: 1, CONTINUOUS: 2, STEPWISE: 3 } as const;

/** `V4L2_CAP_TIMEPERFRAME`: the driver honours S_PARM timeperframe. */
export const CAP_TIMEPERFRAME = 0x1000;

/** `enum v4l2_colorspace` values accepted by `openOutput`. */
export const Colorspace = { DEFAULT: 0, SMPTE170M: 1, REC709: 3, JPEG: 7, SRGB: 8 } as const;

/** Linux errno values the package names (x86-64 and arm64 share them). */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  ENODEV: 19,
  EINVAL: 22,
  ENOSPC: 28,
  EPIPE: 32,
  ENOTTY: 25,
} as const;

/** open(2) flags (same on x86-64 and arm64). */
export const OpenFlag = { O_RDWR: 0x2, O_NONBLOCK: 0x800, O_CLOEXEC: 0x80000 } as const;
