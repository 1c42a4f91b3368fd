import { isDeepsegError } from '@deepseg/yuyv';
import type { V4l2Binding } from './binding.ts';
import { BufType, Cap, Errno } from './constants.ts';
import { getDefaultBinding } from './default-binding.ts';
import { DeviceHandle, LOOPBACK_DRIVER, nodeCaps } from './device.ts';
import { fourccName } from './pixel-format.ts';
import {
  type Capability,
  decodeFmtdesc,
  decodeFrmivalenum,
  decodeFrmsizeenum,
  encodeFmtdesc,
  encodeFrmivalenum,
  encodeFrmsizeenum,
  type FrameInterval,
  type FrameSize,
} from './structs.ts';
import { checkDevicePath } from './validate.ts';

/** Options shared by the discovery calls. */
export interface DiscoveryOptions {
  /** The binding to use; default the real koffi binding (tests pass a `FakeV4l2`). */
  binding?: V4l2Binding;
}

/** What a device node can do, decoded from its capability bits. */
export interface DeviceCaps {
  capture: boolean;
  output: boolean;
  /** Multi-planar capture or output only (not supported by openCapture/openOutput). */
  multiplanar: boolean;
  /** mmap streaming I/O. */
  streaming: boolean;
  /** read()/write() I/O. */
  readWrite: boolean;
  /** A memory-to-memory codec, not a camera. */
  m2m: boolean;
  /** A metadata node (UVC cameras have one beside each video node). */
  metadata: boolean;
}

/** One `/dev/video*` node as `listDevices` reports it. */
export interface DeviceInfo {
  path: string;
  /** Driver name, e.g. `uvcvideo`, `vivid`, `v4l2 loopback`. */
  driver: string;
  /** Human name of the device, e.g. `HD Webcam C270` (for v4l2loopback: its card_label). */
  card: string;
  /** Bus location, e.g. `usb-0000:00:14.0-1`, `platform:v4l2loopback-000`. */
  bus: string;
  /** Driver (kernel) version, `major.minor.patch`. */
  version: string;
  /** Raw `capabilities` and `device_caps` bits. */
  capabilities: number;
  deviceCaps: number;
  caps: DeviceCaps;
  /** True for v4l2loopback nodes (the virtual camera's output). */
  isLoopback: boolean;
  /** Set when the node exists but could not be queried (e.g. ERR_PERMISSION); other fields are empty. */
  error?: { code: string; message: string };
}

/** A frame size with the frame intervals the device offers at it. */
export type SizeInfo = FrameSize & {
  /** Intervals at this size (for stepwise sizes: at the largest size). */
  intervals: FrameInterval[];
};

/** One pixel format a device offers for a buffer type. */
export interface FormatInfo {
  /** FourCC name without trailing spaces, e.g. `YUYV`, `MJPG`. */
  pixelFormat: string;
  fourcc: number;
  description: string;
  /** V4L2_FMT_FLAG_COMPRESSED. */
  compressed: boolean;
  /** V4L2_FMT_FLAG_EMULATED (libv4l conversion). */
  emulated: boolean;
  sizes: SizeInfo[];
}

/** `DeviceInfo` plus everything the device offers for capture and for output. */
export interface DeviceDescription extends DeviceInfo {
  capture: FormatInfo[];
  output: FormatInfo[];
}

/** Frames per second of a `timeperframe` fraction. */
export function fractionToFps(f: { numerator: number; denominator: number }): number {
  return f.numerator === 0 ? 0 : f.denominator / f.numerator;
}

export function decodeCaps(bits: number): DeviceCaps {
  return {
    capture: (bits & Cap.VIDEO_CAPTURE) !== 0,
    output: (bits & Cap.VIDEO_OUTPUT) !== 0,
    multiplanar: (bits & (Cap.VIDEO_CAPTURE_MPLANE | Cap.VIDEO_OUTPUT_MPLANE)) !== 0,
    streaming: (bits & Cap.STREAMING) !== 0,
    readWrite: (bits & Cap.READWRITE) !== 0,
    m2m: (bits & (Cap.VIDEO_M2M | Cap.VIDEO_M2M_MPLANE)) !== 0,
    metadata: (bits & Cap.META_CAPTURE) !== 0,
  };
}

export function deviceInfo(path: string, cap: Capability): DeviceInfo {
  const bits = nodeCaps(cap);
  return {
    path,
    driver: cap.driver,
    card: cap.card,
    bus: cap.busInfo,
    version: `${(cap.version >>> 16) & 0xff}.${(cap.version >>> 8) & 0xff}.${cap.version & 0xff}`,
    capabilities: cap.capabilities,
    deviceCaps: cap.deviceCaps,
    caps: decodeCaps(bits),
    isLoopback: cap.driver === LOOPBACK_DRIVER,
  };
}

/**
 * Lists the `/dev/video*` nodes with driver, card, bus and capabilities.
 *
 * Nodes that exist but cannot be opened are listed with `error` set instead of being skipped.
 *
 * @example
 * ```ts
 * for (const d of await listDevices()) console.log(d.path, d.card, d.caps.capture ? 'camera' : '');
 * ```
 * @throws ERR_BACKEND_UNAVAILABLE when koffi cannot load.
 */
export async function listDevices(options: DiscoveryOptions = {}): Promise<DeviceInfo[]> {
  const binding = options.binding ?? (await getDefaultBinding());
  const result: DeviceInfo[] = [];
  for (const path of binding.listNodes()) {
    let handle: DeviceHandle | undefined;
    try {
      handle = DeviceHandle.open(binding, path);
      result.push(deviceInfo(path, handle.queryCap()));
    } catch (e) {
      if (!isDeepsegError(e)) throw e;
      if (e.code === 'ERR_DEVICE_NOT_FOUND') continue; // vanished between readdir and open
      result.push({
        path,
        driver: '',
        card: '',
        bus: '',
        version: '',
        capabilities: 0,
        deviceCaps: 0,
        caps: decodeCaps(0),
        isLoopback: false,
        error: { code: e.code, message: e.message },
      });
    } finally {
      handle?.close();
    }
  }
  return result;
}

/** Enumerates formats, sizes and intervals of one buffer type on an open device. */
export function enumerateFormats(handle: DeviceHandle, type: number): FormatInfo[] {
  const formats: FormatInfo[] = [];
  for (let i = 0; i < 256; i++) {
    const arg = encodeFmtdesc(i, type);
    const r = handle.tryIoctl('VIDIOC_ENUM_FMT', arg);
    if (r === -Errno.EINVAL || r === -Errno.ENOTTY) break;
    if (r < 0) throw handle.error(r, 'VIDIOC_ENUM_FMT');
    const d = decodeFmtdesc(arg);
    formats.push({
      pixelFormat: fourccName(d.pixelformat).replace(/ +(-BE)?$/, '$1'),
      fourcc: d.pixelformat,
      description: d.description,
      compressed: (d.flags & 0x1) !== 0,
      emulated: (d.flags & 0x2) !== 0,
      sizes: enumerateSizes(handle, d.pixelformat),
    });
  }
  return formats;
}

function enumerateSizes(handle: DeviceHandle, pixelformat: number): SizeInfo[] {
  const sizes: SizeInfo[] = [];
  for (let i = 0; i < 1024; i++) {
    const arg = encodeFrmsizeenum(i, pixelformat);
    const r = handle.tryIoctl('VIDIOC_ENUM_FRAMESIZES', arg);
    if (r === -Errno.EINVAL || r === -Errno.ENOTTY) break;
    if (r < 0) throw handle.error(r, 'VIDIOC_ENUM_FRAMESIZES');
    const size = decodeFrmsizeenum(arg);
    const [w, h] = size.type === 'discrete' ? [size.width, size.height] : [size.maxWidth, size.maxHeight];
    sizes.push({ ...size, intervals: enumerateIntervals(handle, pixelformat, w, h) });
    if (size.type !== 'discrete') break; // a range is the only entry
  }
  return sizes;
}

export function enumerateIntervals(
  handle: DeviceHandle,
  pixelformat: number,
  width: number,
  height: number,
): FrameInterval[] {
  const intervals: FrameInterval[] = [];
  for (let i = 0; i < 256; i++) {
    const arg = encodeFrmivalenum(i, pixelformat, width, height);
    const r = handle.tryIoctl('VIDIOC_ENUM_FRAMEINTERVALS', arg);
    if (r === -Errno.EINVAL || r === -Errno.ENOTTY) break;
    if (r < 0) throw handle.error(r, 'VIDIOC_ENUM_FRAMEINTERVALS');
    const interval = decodeFrmivalenum(arg);
    intervals.push(interval);
    if (interval.type !== 'discrete') break;
  }
  return intervals;
}

/**
 * Describes one device: its `DeviceInfo` plus the formats (ENUM_FMT), frame sizes
 * (ENUM_FRAMESIZES, discrete and stepwise) and frame intervals (ENUM_FRAMEINTERVALS) it offers for
 * capture and for output.
 *
 * @example
 * ```ts
 * const d = await describeDevice('/dev/video0');
 * console.log(d.capture.map((f) => f.pixelFormat)); // [ 'YUYV', 'MJPG' ]
 * ```
 * @throws ERR_DEVICE_NOT_FOUND (lists the devices that exist), ERR_PERMISSION, ERR_DEVICE_GONE,
 *   ERR_UNSUPPORTED_OP (not a V4L2 node).
 */
export async function describeDevice(
  path: string,
  options: DiscoveryOptions = {},
): Promise<DeviceDescription> {
  checkDevicePath(path);
  const binding = options.binding ?? (await getDefaultBinding());
  const handle = DeviceHandle.open(binding, path);
  try {
    const info = deviceInfo(path, handle.queryCap());
    return {
      ...info,
      capture: info.caps.capture ? enumerateFormats(handle, BufType.VIDEO_CAPTURE) : [],
      output: info.caps.output ? enumerateFormats(handle, BufType.VIDEO_OUTPUT) : [],
    };
  } finally {
    handle.close();
  }
}
