// Encoders and decoders of the V4L2 structs, over plain Uint8Arrays laid out as in layout.ts. The
// real binding hands these bytes to ioctl(2); the fake binding reads and writes the same bytes.
import { FrmType } from './constants.ts';
import { LAYOUT } from './layout.ts';

const L = LAYOUT;

/** A zeroed argument buffer of `size` bytes with a little-endian DataView over it. */
export function newStruct(size: number): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(size);
  return { bytes, view: new DataView(bytes.buffer) };
}

/** A DataView over exactly the bytes of `bytes`. */
export function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function cString(bytes: Uint8Array, offset: number, length: number): string {
  const slice = bytes.subarray(offset, offset + length);
  const end = slice.indexOf(0);
  return new TextDecoder().decode(end < 0 ? slice : slice.subarray(0, end));
}

function putCString(bytes: Uint8Array, offset: number, length: number, value: string): void {
  const encoded = new TextEncoder().encode(value).subarray(0, length - 1);
  bytes.fill(0, offset, offset + length);
  bytes.set(encoded, offset);
}

/** A ratio of two integers, as `struct v4l2_fract` (timeperframe is seconds per frame). */
export interface Fraction {
  numerator: number;
  denominator: number;
}

// --- v4l2_capability ---------------------------------------------------------------------------------

/** Decoded `struct v4l2_capability`. */
export interface Capability {
  driver: string;
  card: string;
  busInfo: string;
  version: number;
  capabilities: number;
  deviceCaps: number;
}

export function decodeCapability(bytes: Uint8Array): Capability {
  const v = dataView(bytes);
  return {
    driver: cString(bytes, L.capability.driver, 16),
    card: cString(bytes, L.capability.card, 32),
    busInfo: cString(bytes, L.capability.bus_info, 32),
    version: v.getUint32(L.capability.version, true),
    capabilities: v.getUint32(L.capability.capabilities, true),
    deviceCaps: v.getUint32(L.capability.device_caps, true),
  };
}

export function encodeCapability(bytes: Uint8Array, cap: Capability): void {
  const v = dataView(bytes);
  putCString(bytes, L.capability.driver, 16, cap.driver);
  putCString(bytes, L.capability.card, 32, cap.card);
  putCString(bytes, L.capability.bus_info, 32, cap.busInfo);
  v.setUint32(L.capability.version, cap.version, true);
  v.setUint32(L.capability.capabilities, cap.capabilities >>> 0, true);
  v.setUint32(L.capability.device_caps, cap.deviceCaps >>> 0, true);
}

// --- v4l2_fmtdesc ------------------------------------------------------------------------------------

/** Decoded `struct v4l2_fmtdesc`. */
export interface FmtDesc {
  index: number;
  type: number;
  flags: number;
  description: string;
  pixelformat: number;
}

export function encodeFmtdesc(index: number, type: number): Uint8Array {
  const { bytes, view } = newStruct(L.fmtdesc.size);
  view.setUint32(L.fmtdesc.index, index, true);
  view.setUint32(L.fmtdesc.type, type, true);
  return bytes;
}

export function decodeFmtdesc(bytes: Uint8Array): FmtDesc {
  const v = dataView(bytes);
  return {
    index: v.getUint32(L.fmtdesc.index, true),
    type: v.getUint32(L.fmtdesc.type, true),
    flags: v.getUint32(L.fmtdesc.flags, true),
    description: cString(bytes, L.fmtdesc.description, 32),
    pixelformat: v.getUint32(L.fmtdesc.pixelformat, true),
  };
}

export function writeFmtdesc(bytes: Uint8Array, d: Omit<FmtDesc, 'index' | 'type'>): void {
  const v = dataView(bytes);
  v.setUint32(L.fmtdesc.flags, d.flags, true);
  putCString(bytes, L.fmtdesc.description, 32, d.description);
  v.setUint32(L.fmtdesc.pixelformat, d.pixelformat, true);
}

// --- v4l2_frmsizeenum --------------------------------------------------------------------------------

/** A frame size: one discrete size, or a range (stepwise/continuous). */
export type FrameSize =
  | { type: 'discrete'; width: number; height: number }
  | {
      type: 'stepwise' | 'continuous';
      minWidth: number;
      maxWidth: number;
      stepWidth: number;
      minHeight: number;
      maxHeight: number;
      stepHeight: number;
    };

export function encodeFrmsizeenum(index: number, pixelformat: number): Uint8Array {
  const { bytes, view } = newStruct(L.frmsizeenum.size);
  view.setUint32(L.frmsizeenum.index, index, true);
  view.setUint32(L.frmsizeenum.pixel_format, pixelformat, true);
  return bytes;
}

export function decodeFrmsizeenum(bytes: Uint8Array): FrameSize {
  const v = dataView(bytes);
  const type = v.getUint32(L.frmsizeenum.type, true);
  const u = (i: number) => v.getUint32(L.frmsizeenum.union + 4 * i, true);
  if (type === FrmType.DISCRETE) return { type: 'discrete', width: u(0), height: u(1) };
  return {
    type: type === FrmType.CONTINUOUS ? 'continuous' : 'stepwise',
    minWidth: u(0),
    maxWidth: u(1),
    stepWidth: u(2),
    minHeight: u(3),
    maxHeight: u(4),
    stepHeight: u(5),
  };
}

export function writeFrmsizeenum(bytes: Uint8Array, size: FrameSize): void {
  const v = dataView(bytes);
  const u = (i: number, value: number) => v.setUint32(L.frmsizeenum.union + 4 * i, value, true);
  if (size.type === 'discrete') {
    v.setUint32(L.frmsizeenum.type, FrmType.DISCRETE, true);
    u(0, size.width);
    u(1, size.height);
    return;
  }
  v.setUint32(L.frmsizeenum.type, size.type === 'continuous' ? FrmType.CONTINUOUS : FrmType.STEPWISE, true);
  const values = [
    size.minWidth,
    size.maxWidth,
    size.stepWidth,
    size.minHeight,
    size.maxHeight,
    size.stepHeight,
  ];
  for (let i = 0; i < values.length; i++) u(i, values[i]!);
}

// --- v4l2_frmivalenum --------------------------------------------------------------------------------

/** A frame interval (seconds per frame): one value, or a range. */
export type FrameInterval =
  | { type: 'discrete'; interval: Fraction }
  | { type: 'stepwise' | 'continuous'; min: Fraction; max: Fraction; step: Fraction };

export function encodeFrmivalenum(
  index: number,
  pixelformat: number,
  width: number,
  height: number,
): Uint8Array {
  const { bytes, view } = newStruct(L.frmivalenum.size);
  view.setUint32(L.frmivalenum.index, index, true);
  view.setUint32(L.frmivalenum.pixel_format, pixelformat, true);
  view.setUint32(L.frmivalenum.width, width, true);
  view.setUint32(L.frmivalenum.height, height, true);
  return bytes;
}

export function decodeFrmivalenum(bytes: Uint8Array): FrameInterval {
  const v = dataView(bytes);
  const type = v.getUint32(L.frmivalenum.type, true);
  const f = (i: number): Fraction => ({
    numerator: v.getUint32(L.frmivalenum.union + 8 * i, true),
    denominator: v.getUint32(L.frmivalenum.union + 8 * i + 4, true),
  });
  if (type === FrmType.DISCRETE) return { type: 'discrete', interval: f(0) };
  return { type: type === FrmType.CONTINUOUS ? 'continuous' : 'stepwise', min: f(0), max: f(1), step: f(2) };
}

export function writeFrmivalenum(bytes: Uint8Array, interval: FrameInterval): void {
  const v = dataView(bytes);
  const f = (i: number, value: Fraction) => {
    v.setUint32(L.frmivalenum.union + 8 * i, value.numerator, true);
    v.setUint32(L.frmivalenum.union + 8 * i + 4, value.denominator, true);
  };
  if (interval.type === 'discrete') {
    v.setUint32(L.frmivalenum.type, FrmType.DISCRETE, true);
    f(0, interval.interval);
    return;
  }
  v.setUint32(
    L.frmivalenum.type,
    interval.type === 'continuous' ? FrmType.CONTINUOUS : FrmType.STEPWISE,
    true,
  );
  f(0, interval.min);
  f(1, interval.max);
  f(2, interval.step);
}

// --- v4l2_format / v4l2_pix_format -------------------------------------------------------------------

/** Decoded single-planar `struct v4l2_pix_format`. */
export interface PixFormat {
  width: number;
  height: number;
  pixelformat: number;
  field: number;
  bytesperline: number;
  sizeimage: number;
  colorspace: number;
  ycbcrEnc: number;
  quantization: number;
  xferFunc: number;
}

export function encodeFormat(type: number, pix?: PixFormat): Uint8Array {
  const { bytes, view } = newStruct(L.format.size);
  view.setUint32(L.format.type, type, true);
  if (pix) writePixFormat(bytes, pix);
  return bytes;
}

export function writePixFormat(bytes: Uint8Array, pix: PixFormat): void {
  const v = dataView(bytes);
  const o = L.format.fmt;
  const P = L.pix_format;
  v.setUint32(o + P.width, pix.width, true);
  v.setUint32(o + P.height, pix.height, true);
  v.setUint32(o + P.pixelformat, pix.pixelformat, true);
  v.setUint32(o + P.field, pix.field, true);
  v.setUint32(o + P.bytesperline, pix.bytesperline, true);
  v.setUint32(o + P.sizeimage, pix.sizeimage, true);
  v.setUint32(o + P.colorspace, pix.colorspace, true);
  v.setUint32(o + P.ycbcr_enc, pix.ycbcrEnc, true);
  v.setUint32(o + P.quantization, pix.quantization, true);
  v.setUint32(o + P.xfer_func, pix.xferFunc, true);
}

export function decodeFormat(bytes: Uint8Array): { type: number; pix: PixFormat } {
  const v = dataView(bytes);
  const o = L.format.fmt;
  const P = L.pix_format;
  return {
    type: v.getUint32(L.format.type, true),
    pix: {
      width: v.getUint32(o + P.width, true),
      height: v.getUint32(o + P.height, true),
      pixelformat: v.getUint32(o + P.pixelformat, true),
      field: v.getUint32(o + P.field, true),
      bytesperline: v.getUint32(o + P.bytesperline, true),
      sizeimage: v.getUint32(o + P.sizeimage, true),
      colorspace: v.getUint32(o + P.colorspace, true),
      ycbcrEnc: v.getUint32(o + P.ycbcr_enc, true),
      quantization: v.getUint32(o + P.quantization, true),
      xferFunc: v.getUint32(o + P.xfer_func, true),
    },
  };
}

// --- v4l2_streamparm ---------------------------------------------------------------------------------

/** Decoded capture/output part of `struct v4l2_streamparm`. */
export interface StreamParm {
  type: number;
  capability: number;
  timeperframe: Fraction;
}

export function encodeStreamparm(type: number, timeperframe?: Fraction): Uint8Array {
  const { bytes, view } = newStruct(L.streamparm.size);
  view.setUint32(L.streamparm.type, type, true);
  if (timeperframe) writeTimeperframe(bytes, timeperframe);
  return bytes;
}

export function writeTimeperframe(bytes: Uint8Array, timeperframe: Fraction, capability?: number): void {
  const v = dataView(bytes);
  const o = L.streamparm.parm;
  if (capability !== undefined) v.setUint32(o + L.captureparm.capability, capability, true);
  v.setUint32(o + L.captureparm.timeperframe, timeperframe.numerator, true);
  v.setUint32(o + L.captureparm.timeperframe + 4, timeperframe.denominator, true);
}

export function decodeStreamparm(bytes: Uint8Array): StreamParm {
  const v = dataView(bytes);
  const o = L.streamparm.parm;
  return {
    type: v.getUint32(L.streamparm.type, true),
    capability: v.getUint32(o + L.captureparm.capability, true),
    timeperframe: {
      numerator: v.getUint32(o + L.captureparm.timeperframe, true),
      denominator: v.getUint32(o + L.captureparm.timeperframe + 4, true),
    },
  };
}

// --- v4l2_requestbuffers -----------------------------------------------------------------------------

export function encodeRequestbuffers(count: number, type: number, memory: number): Uint8Array {
  const { bytes, view } = newStruct(L.requestbuffers.size);
  view.setUint32(L.requestbuffers.count, count, true);
  view.setUint32(L.requestbuffers.type, type, true);
  view.setUint32(L.requestbuffers.memory, memory, true);
  return bytes;
}

export function decodeRequestbuffers(bytes: Uint8Array): { count: number; type: number; memory: number } {
  const v = dataView(bytes);
  return {
    count: v.getUint32(L.requestbuffers.count, true),
    type: v.getUint32(L.requestbuffers.type, true),
    memory: v.getUint32(L.requestbuffers.memory, true),
  };
}

// --- v4l2_buffer -------------------------------------------------------------------------------------

/** Decoded `struct v4l2_buffer` (MMAP memory, single plane). */
export interface BufferInfo {
  index: number;
  type: number;
  bytesused: number;
  flags: number;
  field: number;
  /** Capture time in microseconds (CLOCK_MONOTONIC for most drivers). */
  timestamp: number;
  sequence: number;
  memory: number;
  /** mmap offset of the buffer. */
  offset: number;
  length: number;
}

export function encodeBuffer(type: number, memory: number, index = 0): Uint8Array {
  const { bytes, view } = newStruct(L.buffer.size);
  view.setUint32(L.buffer.index, index, true);
  view.setUint32(L.buffer.type, type, true);
  view.setUint32(L.buffer.memory, memory, true);
  return bytes;
}

export function decodeBuffer(bytes: Uint8Array): BufferInfo {
  const v = dataView(bytes);
  const sec = Number(v.getBigInt64(L.buffer.timestamp, true));
  const usec = Number(v.getBigInt64(L.buffer.timestamp_usec, true));
  return {
    index: v.getUint32(L.buffer.index, true),
    type: v.getUint32(L.buffer.type, true),
    bytesused: v.getUint32(L.buffer.bytesused, true),
    flags: v.getUint32(L.buffer.flags, true),
    field: v.getUint32(L.buffer.field, true),
    timestamp: sec * 1e6 + usec,
    sequence: v.getUint32(L.buffer.sequence, true),
    memory: v.getUint32(L.buffer.memory, true),
    offset: v.getUint32(L.buffer.m, true),
    length: v.getUint32(L.buffer.length, true),
  };
}

export function writeBuffer(bytes: Uint8Array, b: BufferInfo): void {
  const v = dataView(bytes);
  v.setUint32(L.buffer.index, b.index, true);
  v.setUint32(L.buffer.type, b.type, true);
  v.setUint32(L.buffer.bytesused, b.bytesused, true);
  v.setUint32(L.buffer.flags, b.flags, true);
  v.setUint32(L.buffer.field, b.field, true);
  v.setBigInt64(L.buffer.timestamp, BigInt(Math.floor(b.timestamp / 1e6)), true);
  v.setBigInt64(L.buffer.timestamp_usec, BigInt(Math.round(b.timestamp % 1e6)), true);
  v.setUint32(L.buffer.sequence, b.sequence, true);
  v.setUint32(L.buffer.memory, b.memory, true);
  v.setUint32(L.buffer.m, b.offset, true);
  v.setUint32(L.buffer.length, b.length, true);
}

// --- v4l2_control / buffer type argument ----------------------------------------------------------

export function encodeControl(id: number, value = 0): Uint8Array {
  const { bytes, view } = newStruct(L.control.size);
  view.setUint32(L.control.id, id, true);
  view.setInt32(L.control.value, value, true);
  return bytes;
}

/** The `int` argument of VIDIOC_STREAMON/STREAMOFF. */
export function encodeBufType(type: number): Uint8Array {
  const { bytes, view } = newStruct(4);
  view.setUint32(0, type, true);
  return bytes;
}
