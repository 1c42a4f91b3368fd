import type { ColorMatrix, ColorRange } from './color.ts';
import { DeepsegError } from './errors.ts';
import { rgbToYuvQ15, yuvToRgbQ13 } from './fixed-point.ts';
import {
  byteLengthUnchecked,
  isRgbFormat,
  PIXEL_FORMATS,
  type PixelFormat,
  type RgbFormat,
  rgbOffsets,
  type YuvFormat,
  yuvLayout,
} from './pixel-format.ts';
import { assertBytes, assertDimensions, assertLength, assertNoOverlap, assertOneOf } from './validate.ts';
import { finishIo, stageIo } from './wasm.ts';

const MATRICES = ['BT601', 'BT709'] as const;
const RANGES = ['limited', 'full'] as const;

/** Options of {@link convertFrame}. */
export interface ConvertOptions {
  /** Frame width in pixels (integer; even for YUV formats). */
  width: number;
  /** Frame height in pixels (integer; even for NV12/I420). */
  height: number;
  /** Format of `src`. */
  from: PixelFormat;
  /** Format of `dst`. */
  to: PixelFormat;
  /** YUV matrix; default `BT601`. Ignored when neither side is YUV. */
  matrix?: ColorMatrix;
  /** YUV range; default `limited`. Ignored when neither side is YUV. */
  range?: ColorRange;
  /**
   * YUV → YUV only: the range of `dst`; default `range`. `range: 'full', toRange: 'limited'` maps a
   * full-range frame (JPEG's YUV) to the limited range while repacking, in the same pass, like
   * {@link fullToLimitedRange}. The other direction is not supported.
   */
  toRange?: ColorRange;
}

/** Options of the named conversions ({@link yuyvToRgb}, {@link rgbToYuyv}, …). */
export interface ColorOptions {
  /** Frame width in pixels (integer, even). */
  width: number;
  /** Frame height in pixels (integer). */
  height: number;
  /** YUV matrix; default `BT601`. */
  matrix?: ColorMatrix;
  /** YUV range; default `limited`. */
  range?: ColorRange;
}

/**
 * Converts one frame between any two {@link PixelFormat}s, writing into `dst` (which the caller owns
 * and which must not overlap `src`).
 *
 * - YUV → RGB: chroma is taken from the pixel pair (4:2:2) or 2×2 block (4:2:0) the pixel belongs to
 *   (no chroma interpolation, like libswscale's default fast path); exact to ±1 code value of the
 *   double-precision equations of {@link yuvToRgbCoefficients} (clamped to 0..255). RGBA alpha = 255.
 * - RGB → YUV: luma per pixel; chroma from the mean RGB of the pixel pair (4:2:2) or 2×2 block
 *   (4:2:0); exact to ±1 code value of {@link rgbToYuvCoefficients}.
 * - YUV → YUV repacks samples (4:2:2 → 4:2:0 averages the two rows' chroma, rounding half up;
 *   4:2:0 → 4:2:2 repeats it); RGB → RGB reorders channels. Both are exact.
 *
 * @throws DeepsegError `ERR_INVALID_OPTION` (unknown format/matrix/range, non-integer or odd
 *   dimensions), `ERR_INVALID_ARGUMENT` (not a Uint8Array, overlapping buffers),
 *   `ERR_BUFFER_TOO_SMALL` (src or dst shorter than {@link frameByteLength}).
 * @example
 * ```ts
 * const rgb = new Uint8Array(frameByteLength('RGB24', 640, 480));
 * convertFrame(yuyv, rgb, { width: 640, height: 480, from: 'YUYV', to: 'RGB24' });
 * ```
 */
export function convertFrame(src: Uint8Array, dst: Uint8Array, options: ConvertOptions): void {
  const { width, height, from, to, matrix = 'BT601', range = 'limited', toRange = range } = options;
  check(src, dst, width, height, from, to, matrix, range);
  assertOneOf(toRange, RANGES, 'toRange');
  const limited = toRange !== range;
  if (limited && (range !== 'full' || isRgbFormat(from) || isRgbFormat(to))) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected options.toRange "${range}" (a range change is only full → limited between YUV formats) but received "${toRange}"`,
      { option: 'toRange' },
    );
  }
  if (limited) yuvToYuvWasm(src, from as YuvFormat, dst, to as YuvFormat, width, height, true);
  else convertUnchecked(src, dst, width, height, from, to, matrix, range);
}

function check(
  src: Uint8Array,
  dst: Uint8Array,
  width: number,
  height: number,
  from: PixelFormat,
  to: PixelFormat,
  matrix: ColorMatrix,
  range: ColorRange,
): void {
  assertOneOf(from, PIXEL_FORMATS, 'from');
  assertOneOf(to, PIXEL_FORMATS, 'to');
  assertOneOf(matrix, MATRICES, 'matrix');
  assertOneOf(range, RANGES, 'range');
  assertDimensions(width, height, from);
  assertDimensions(width, height, to);
  assertBytes(src, 'src');
  assertBytes(dst, 'dst');
  assertLength(src, byteLengthUnchecked(from, width, height), 'src', width, height, from);
  assertLength(dst, byteLengthUnchecked(to, width, height), 'dst', width, height, to);
  assertNoOverlap(src, dst, 'src and dst');
}

/** @internal Dispatch of {@link convertFrame} after validation. */
export function convertUnchecked(
  src: Uint8Array,
  dst: Uint8Array,
  width: number,
  height: number,
  from: PixelFormat,
  to: PixelFormat,
  matrix: ColorMatrix,
  range: ColorRange,
): void {
  const srcRgb = isRgbFormat(from);
  const dstRgb = isRgbFormat(to);
  if (srcRgb && dstRgb) rgbToRgbKernel(src, from, dst, to, width, height);
  else if ((from === 'YUYV' || from === 'UYVY') && dstRgb)
    packedToRgbWasm(src, from, dst, to, width, height, matrix, range);
  else if (!srcRgb && dstRgb) planarToRgbWasm(src, from as YuvFormat, dst, to, width, height, matrix, range);
  else if (srcRgb && (to === 'YUYV' || to === 'UYVY'))
    rgbToPackedWasm(src, from, dst, to, width, height, matrix, range);
  else if (srcRgb && !dstRgb) rgbToPlanarWasm(src, from, dst, to as YuvFormat, width, height, matrix, range);
  else yuvToYuvWasm(src, from as YuvFormat, dst, to as YuvFormat, width, height);
}

function validateNamed(
  src: Uint8Array,
  dst: Uint8Array,
  options: ColorOptions,
  from: PixelFormat,
  to: PixelFormat,
) {
  const { width, height, matrix = 'BT601', range = 'limited' } = options;
  check(src, dst, width, height, from, to, matrix, range);
  convertUnchecked(src, dst, width, height, from, to, matrix, range);
}

/**
 * YUYV → RGB24 (the webcam → model direction). Same rules and tolerance as {@link convertFrame}.
 *
 * @throws DeepsegError `ERR_INVALID_OPTION`, `ERR_INVALID_ARGUMENT`, `ERR_BUFFER_TOO_SMALL`.
 * @example
 * ```ts
 * yuyvToRgb(frame, rgb, { width: 1280, height: 720 });
 * ```
 */
export function yuyvToRgb(src: Uint8Array, dst: Uint8Array, options: ColorOptions): void {
  validateNamed(src, dst, options, 'YUYV', 'RGB24');
}

/** YUYV → RGBA (alpha 255). See {@link yuyvToRgb}. */
export function yuyvToRgba(src: Uint8Array, dst: Uint8Array, options: ColorOptions): void {
  validateNamed(src, dst, options, 'YUYV', 'RGBA');
}

/** YUYV → BGR24. See {@link yuyvToRgb}. */
export function yuyvToBgr(src: Uint8Array, dst: Uint8Array, options: ColorOptions): void {
  validateNamed(src, dst, options, 'YUYV', 'BGR24');
}

/**
 * RGB24 → YUYV (the background-image → camera direction). Chroma is the mean of each pixel pair.
 *
 * @throws DeepsegError `ERR_INVALID_OPTION`, `ERR_INVALID_ARGUMENT`, `ERR_BUFFER_TOO_SMALL`.
 * @example
 * ```ts
 * rgbToYuyv(rgb, frame, { width: 1280, height: 720 });
 * ```
 */
export function rgbToYuyv(src: Uint8Array, dst: Uint8Array, options: ColorOptions): void {
  validateNamed(src, dst, options, 'RGB24', 'YUYV');
}

/** RGBA → YUYV (alpha ignored). See {@link rgbToYuyv}. */
export function rgbaToYuyv(src: Uint8Array, dst: Uint8Array, options: ColorOptions): void {
  validateNamed(src, dst, options, 'RGBA', 'YUYV');
}

/** BGR24 → YUYV. See {@link rgbToYuyv}. */
export function bgrToYuyv(src: Uint8Array, dst: Uint8Array, options: ColorOptions): void {
  validateNamed(src, dst, options, 'BGR24', 'YUYV');
}

// ---------------------------------------------------------------------------------------------------
// Kernels (validated arguments only).

function packedToRgbWasm(
  src: Uint8Array,
  from: 'YUYV' | 'UYVY',
  dst: Uint8Array,
  to: RgbFormat,
  width: number,
  height: number,
  matrix: ColorMatrix,
  range: ColorRange,
): void {
  const n = width * height * 2;
  const m = byteLengthUnchecked(to, width, height);
  const io = stageIo(src, n, dst, m);
  const { heap: h, src: s, dst: d } = io;
  const q = yuvToRgbQ13(matrix, range);
  h.kernels.packedToRgb(
    s,
    d,
    n >> 2,
    from === 'UYVY' ? 1 : 0,
    to === 'RGBA' ? 4 : 3,
    to === 'BGR24' ? 1 : 0,
    q.yOffset,
    q.cY,
    q.cRV,
    q.cGU,
    q.cGV,
    q.cBU,
  );
  finishIo(io);
}

function planarToRgbWasm(
  src: Uint8Array,
  from: YuvFormat,
  dst: Uint8Array,
  to: RgbFormat,
  width: number,
  height: number,
  matrix: ColorMatrix,
  range: ColorRange,
): void {
  const n = byteLengthUnchecked(from, width, height);
  const m = byteLengthUnchecked(to, width, height);
  const L = yuvLayout(from, width, height);
  const io = stageIo(src, n, dst, m);
  const { heap: h, src: s, dst: d } = io;
  const q = yuvToRgbQ13(matrix, range);
  h.kernels.planarToRgb(
    s,
    d,
    width,
    height,
    s + L.uBase,
    s + L.vBase,
    L.cStride,
    L.chromaShift,
    from === 'NV12' ? 1 : 0,
    to === 'RGBA' ? 4 : 3,
    to === 'BGR24' ? 1 : 0,
    q.yOffset,
    q.cY,
    q.cRV,
    q.cGU,
    q.cGV,
    q.cBU,
  );
  finishIo(io);
}

const isPacked = (f: YuvFormat) => f === 'YUYV' || f === 'UYVY';

/**
 * YUV → YUV in WebAssembly: packed ↔ packed is a copy or a byte swap; planar ↔ planar goes through a
 * YUYV scratch frame (exact: 4:2:2 → 4:2:0 averages the row pair rounding half up, 4:2:0 → 4:2:2
 * repeats rows). `limited` maps full to limited range too: inside the repack for planar → packed
 * (JPEG decoders' output to YUYV), as a pass over `dst` otherwise.
 */
function yuvToYuvWasm(
  src: Uint8Array,
  from: YuvFormat,
  dst: Uint8Array,
  to: YuvFormat,
  width: number,
  height: number,
  limited = false,
): void {
  const n = byteLengthUnchecked(from, width, height);
  const m = byteLengthUnchecked(to, width, height);
  const planarIn = !isPacked(from);
  const planarOut = !isPacked(to);
  const io = stageIo(src, n, dst, m, planarIn && planarOut ? width * height * 2 : 0);
  const { heap: h, src: s, dst: d } = io;
  // (planar → planar maps after: mapped-then-averaged 4:2:0 chroma would round differently)
  const fused = limited && planarIn && !planarOut ? 1 : 0;
  if (!planarIn && !planarOut) {
    if (from === to) h.u8.copyWithin(d, s, s + n);
    else h.kernels.swapPacked(s, d, n);
  } else {
    // planar → packed straight into dst, or into the scratch frame on the way to planar
    const packed = planarIn ? (planarOut ? io.extra : d) : s;
    const packedFormat = planarIn ? (planarOut ? 'YUYV' : to) : from;
    const uyvy = packedFormat === 'UYVY' ? 1 : 0;
    if (planarIn) {
      const a = yuvLayout(from, width, height);
      const nv12 = from === 'NV12' ? 1 : 0;
      h.kernels.planarToPacked(
        s,
        packed,
        width,
        height,
        uyvy,
        s + a.uBase,
        s + a.vBase,
        a.cStride,
        a.chromaShift,
        nv12,
        fused,
      );
    }
    if (planarOut) {
      const b = yuvLayout(to, width, height);
      const nv12 = to === 'NV12' ? 1 : 0;
      h.kernels.packedToPlanar(
        packed,
        d,
        width,
        height,
        uyvy,
        d + b.uBase,
        d + b.vBase,
        b.cStride,
        b.chromaShift,
        nv12,
      );
    }
  }
  if (limited && !fused) {
    if (planarOut) {
      h.kernels.rangeToLimited(d, width * height, 0);
      h.kernels.rangeToLimited(d + width * height, m - width * height, 1);
    } else h.kernels.rangeToLimited(d, m, to === 'YUYV' ? 2 : 3);
  }
  finishIo(io);
}

function rgbToPlanarWasm(
  src: Uint8Array,
  from: RgbFormat,
  dst: Uint8Array,
  to: YuvFormat,
  width: number,
  height: number,
  matrix: ColorMatrix,
  range: ColorRange,
): void {
  const n = byteLengthUnchecked(from, width, height);
  const m = byteLengthUnchecked(to, width, height);
  const L = yuvLayout(to, width, height);
  const io = stageIo(src, n, dst, m);
  const { heap: h, src: s, dst: d } = io;
  const c = rgbToYuvQ15(matrix, range);
  h.kernels.rgbToPlanar(
    s,
    d,
    width,
    height,
    from === 'RGBA' ? 4 : 3,
    from === 'BGR24' ? 1 : 0,
    d + L.uBase,
    d + L.vBase,
    L.cStride,
    L.chromaShift,
    to === 'NV12' ? 1 : 0,
    c.yOffset,
    c.yR,
    c.yG,
    c.yB,
    c.uR,
    c.uG,
    c.uB,
    c.vR,
    c.vG,
    c.vB,
  );
  finishIo(io);
}

function rgbToPackedWasm(
  src: Uint8Array,
  from: RgbFormat,
  dst: Uint8Array,
  to: 'YUYV' | 'UYVY',
  width: number,
  height: number,
  matrix: ColorMatrix,
  range: ColorRange,
): void {
  const n = byteLengthUnchecked(from, width, height);
  const m = width * height * 2;
  const io = stageIo(src, n, dst, m);
  const { heap: h, src: s, dst: d } = io;
  const c = rgbToYuvQ15(matrix, range);
  h.kernels.rgbToPacked(
    s,
    d,
    m >> 2,
    from === 'RGBA' ? 4 : 3,
    from === 'BGR24' ? 1 : 0,
    to === 'UYVY' ? 1 : 0,
    c.yOffset,
    c.yR,
    c.yG,
    c.yB,
    c.uR,
    c.uG,
    c.uB,
    c.vR,
    c.vG,
    c.vB,
  );
  finishIo(io);
}

function rgbToRgbKernel(
  src: Uint8Array,
  from: RgbFormat,
  dst: Uint8Array,
  to: RgbFormat,
  width: number,
  height: number,
): void {
  const a = rgbOffsets(from);
  const b = rgbOffsets(to);
  const n = width * height * a.bpp;
  const m = width * height * b.bpp;
  const io = stageIo(src, n, dst, m);
  const { heap: h, src: s, dst: d } = io;
  h.kernels.rgbToRgb(s, d, width * height, a.bpp, a.r, a.g, a.b, b.bpp, b.r, b.g, b.b);
  finishIo(io);
}
