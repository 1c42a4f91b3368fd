// Struct layouts of <linux/videodev2.h> on 64-bit Linux (x86-64, arm64): byte offsets and sizes.
// Checked against the C headers by layout.test.ts (gcc + linux-libc-dev). 32-bit ABIs differ where a
// pointer, `unsigned long` or `struct timeval` is involved (v4l2_buffer, v4l2_format): see README.

/** Byte offsets and sizes of the V4L2 structs the package reads and writes. */
export const LAYOUT = {
  capability: {
    size: 104,
    driver: 0, // char[16]
    card: 16, // char[32]
    bus_info: 48, // char[32]
    version: 80,
    capabilities: 84,
    device_caps: 88,
  },
  fmtdesc: { size: 64, index: 0, type: 4, flags: 8, description: 12, pixelformat: 44, mbus_code: 48 },
  frmsizeenum: {
    size: 44,
    index: 0,
    pixel_format: 4,
    type: 8,
    // union { discrete { width, height }; stepwise { min_width, max_width, step_width,
    //                                               min_height, max_height, step_height } }
    union: 12,
  },
  frmivalenum: {
    size: 52,
    index: 0,
    pixel_format: 4,
    width: 8,
    height: 12,
    type: 16,
    // union { struct v4l2_fract discrete; struct { min, max, step } stepwise }
    union: 20,
  },
  format: { size: 208, type: 0, fmt: 8 },
  pix_format: {
    size: 48,
    width: 0,
    height: 4,
    pixelformat: 8,
    field: 12,
    bytesperline: 16,
    sizeimage: 20,
    colorspace: 24,
    priv: 28,
    flags: 32,
    ycbcr_enc: 36,
    quantization: 40,
    xfer_func: 44,
  },
  streamparm: { size: 204, type: 0, parm: 4 },
  // v4l2_captureparm and v4l2_outputparm share this shape.
  captureparm: {
    size: 40,
    capability: 0,
    capturemode: 4,
    timeperframe: 8,
    extendedmode: 16,
    readbuffers: 20,
  },
  requestbuffers: { size: 20, count: 0, type: 4, memory: 8, capabilities: 12 },
  buffer: {
    size: 88,
    index: 0,
    type: 4,
    bytesused: 8,
    flags: 12,
    field: 16,
    timestamp: 24, // struct timeval: tv_sec (long) then tv_usec (long)
    timestamp_usec: 32,
    timecode: 40,
    sequence: 56,
    memory: 60,
    m: 64, // union { __u32 offset; unsigned long userptr; planes*; __s32 fd }
    length: 72,
    reserved2: 76,
    request_fd: 80,
  },
  control: { size: 8, id: 0, value: 4 },
} as const;
