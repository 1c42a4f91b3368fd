import { DeepsegError } from './errors.ts';
import { byteLengthUnchecked, type YuvFormat, yuvLayout } from './pixel-format.ts';
import type { Mask } from './resize-mask.ts';
import { axis, type BilinearAxis } from './sampling.ts';
import { assertBytes, assertDimensions, assertInt, assertLength, assertMask, assertOneOf, assertRect, type Rect } from './validate.ts';

const YUV_FORMATS: readonly YuvFormat[] = ['YUYV', 'UYVY', 'NV12', 'I420', 'I422'];

/** Options of {@link compositeFrame} and {@link compositeYuyv}. */
export interface CompositeOptions {
  /** Frame width in pixels (even). */
  width: number;
  /** Frame height in pixels (even for NV12/I420). */
  height: number;
  /** Width of `mask`; default `width` (a full-resolution mask). */
  maskWidth?: number;
  /** Height of `mask`; default `height`. */
  maskHeight?: number;
  /** Where the mask lies in the frame (the ROI the model input was cut from); default the whole frame. */
  roi?: Rect;
  /** The part of the mask that maps onto `roi` (e.g. {@link containRect} after a letterbox); default all. */
  maskRect?: Rect;
  /** Alpha (0..1) used outside `roi`; default 0 (background). */
  outside?: number;
}

/** Options of {@link compositeFrame}: {@link CompositeOptions} plus the frame format. */
export interface CompositeFrameOptions extends CompositeOptions {
  /** Format of `fg`, `bg` and `dst`: YUYV (default), UYVY, NV12, I420 or I422. */
  format?: YuvFormat;
}

function checkFrameAlias(a: Uint8Array, dst: Uint8Array, name: string): void {
  if (a.buffer !== dst.buffer || a.byteOffset === dst.byteOffset) return;
  if (a.byteOffset < dst.byteOffset + dst.byteLength && dst.byteOffset < a.byteOffset + a.byteLength) {
    throw new DeepsegError('ERR_INVALID_ARGUMENT', `${name} and dst must be the same buffer (in place) or not overlap`, {
      option: `${name} and dst`,
    });
  }
}

/**
 * Blends two frames of the same YUV format through a mask, in YUV: `out = bg + (fg − bg)·alpha`.
 * Luma uses each pixel's alpha; chroma uses the mean alpha of the pixels sharing it (the pixel pair
 * in 4:2:2, the 2×2 block in 4:2:0). The mask may be smaller than the frame (the model's output): it
 * is upscaled bilinearly (pixel-centre aligned, as in {@link resizeMask}) on the fly, row by row,
 * so no full-size mask is ever built; a mask of the frame's size is used as is. `dst` may be `fg` or
 * `bg` (in place). Float masks are clamped to 0..1.
 * Exact to ±1 code value of the double-precision formula (alpha is quantised to 1/256).
 *
 * @throws DeepsegError `ERR_INVALID_OPTION` (dimensions, format, roi, maskRect, outside),
 *   `ERR_INVALID_ARGUMENT` (buffer types, partial overlap), `ERR_BUFFER_TOO_SMALL`.
 * @example
 * ```ts
 * compositeFrame(camera, background, out, mask, { width: 1280, height: 720, maskWidth: 256, maskHeight: 144, format: 'NV12' });
 * ```
 */
export function compositeFrame(fg: Uint8Array, bg: Uint8Array, dst: Uint8Array, mask: Mask, options: CompositeFrameOptions): void {
  const { width, height, format = 'YUYV', outside = 0 } = options;
  assertOneOf(format, YUV_FORMATS, 'format');
  assertDimensions(width, height, format);
  const maskWidth = options.maskWidth ?? width;
  const maskHeight = options.maskHeight ?? height;
  assertInt(maskWidth, 'maskWidth', 1);
  assertInt(maskHeight, 'maskHeight', 1);
  assertBytes(fg, 'fg');
  assertBytes(bg, 'bg');
  assertBytes(dst, 'dst');
  assertMask(mask, 'mask');
  const n = byteLengthUnchecked(format, width, height);
  const what = `a ${width}x${height} ${format} frame`;
  assertLength(fg, n, 'fg', what);
  assertLength(bg, n, 'bg', what);
  assertLength(dst, n, 'dst', what);
  assertLength(mask, maskWidth * maskHeight, 'mask', `a ${maskWidth}x${maskHeight} mask`);
  checkFrameAlias(fg, dst, 'fg');
  checkFrameAlias(bg, dst, 'bg');
  if (mask.buffer === dst.buffer) {
    const overlap =
      mask.byteOffset < dst.byteOffset + dst.byteLength && dst.byteOffset < mask.byteOffset + mask.byteLength;
    if (overlap) throw new DeepsegError('ERR_INVALID_ARGUMENT', 'mask and dst must not overlap', { option: 'mask' });
  }
  const roi = options.roi ?? { x: 0, y: 0, width, height };
  assertRect(roi, 'roi', width, height);
  const maskRect = options.maskRect ?? { x: 0, y: 0, width: maskWidth, height: maskHeight };
  assertRect(maskRect, 'maskRect', maskWidth, maskHeight);
  if (typeof outside !== 'number' || !(outside >= 0 && outside <= 1)) {
    throw new DeepsegError('ERR_INVALID_OPTION', `Expected a number from 0 to 1 for options.outside but received ${String(outside)}`, {
      option: 'options.outside',
    });
  }
  compositeUnchecked(fg, bg, dst, mask, width, height, format, maskWidth, roi, maskRect, outside);
}

/**
 * {@link compositeFrame} for YUYV frames — the camera path. With a full-resolution mask, leave
 * `maskWidth`/`maskHeight` out.
 *
 * @example
 * ```ts
 * compositeYuyv(camera, background, out, mask, { width: 1920, height: 1080, maskWidth: 256, maskHeight: 144 });
 * ```
 */
export function compositeYuyv(fg: Uint8Array, bg: Uint8Array, dst: Uint8Array, mask: Mask, options: CompositeOptions): void {
  compositeFrame(fg, bg, dst, mask, { ...options, format: 'YUYV' });
}

let rowA = new Float32Array(0);
let rowB = new Float32Array(0);

function alphaRow(
  out: Float32Array,
  y: number,
  mask: Mask,
  width: number,
  maskWidth: number,
  roi: Rect,
  ax: BilinearAxis,
  ay: BilinearAxis,
  outside: number,
): void {
  if (y < roi.y || y >= roi.y + roi.height) {
    out.fill(outside, 0, width);
    return;
  }
  out.fill(outside, 0, roi.x);
  out.fill(outside, roi.x + roi.width, width);
  const j = y - roi.y;
  const r0 = ay.i0[j]! * maskWidth;
  const r1 = r0 + ay.step[j]! * maskWidth;
  const fy = ay.f[j]!;
  const scale = mask instanceof Uint8Array ? 1 / 255 : 1;
  for (let i = 0; i < roi.width; i++) {
    const x0 = ax.i0[i]!;
    const x1 = x0 + ax.step[i]!;
    const fx = ax.f[i]!;
    const top = mask[r0 + x0]! + (mask[r0 + x1]! - mask[r0 + x0]!) * fx;
    const bottom = mask[r1 + x0]! + (mask[r1 + x1]! - mask[r1 + x0]!) * fx;
    let a = (top + (bottom - top) * fy) * scale;
    a = a < 0 ? 0 : a > 1 ? 1 : a;
    out[roi.x + i] = a;
  }
}

function compositeUnchecked(
  fg: Uint8Array,
  bg: Uint8Array,
  dst: Uint8Array,
  mask: Mask,
  width: number,
  height: number,
  format: YuvFormat,
  maskWidth: number,
  roi: Rect,
  maskRect: Rect,
  outside: number,
): void {
  if (rowA.length < width) {
    rowA = new Float32Array(width);
    rowB = new Float32Array(width);
  }
  const ax = axis('bilinear', maskRect.x, maskRect.width, roi.width) as BilinearAxis;
  const ay = axis('bilinear', maskRect.y, maskRect.height, roi.height) as BilinearAxis;
  const L = yuvLayout(format, width, height);
  const pairs = width >> 1;
  for (let row = 0; row < height; row++) {
    alphaRow(rowA, row, mask, width, maskWidth, roi, ax, ay, outside);
    let i = L.yBase + row * L.yStride;
    for (let x = 0; x < width; x++) {
      const a = Math.round(rowA[x]! * 256);
      const b = bg[i]!;
      dst[i] = b + (((fg[i]! - b) * a + 128) >> 8);
      i += L.yStep;
    }
    if (L.chromaShift === 1) {
      if ((row & 1) === 0) {
        const t = rowB;
        rowB = rowA;
        rowA = t;
        continue;
      }
    }
    const cRow = (row >> L.chromaShift) * L.cStride;
    let u = L.uBase + cRow;
    let v = L.vBase + cRow;
    for (let p = 0; p < pairs; p++) {
      let s = rowA[2 * p]! + rowA[2 * p + 1]!;
      if (L.chromaShift === 1) s = (s + rowB[2 * p]! + rowB[2 * p + 1]!) * 0.5;
      const a = Math.round(s * 128);
      const bu = bg[u]!;
      const bv = bg[v]!;
      dst[u] = bu + (((fg[u]! - bu) * a + 128) >> 8);
      dst[v] = bv + (((fg[v]! - bv) * a + 128) >> 8);
      u += L.cStep;
      v += L.cStep;
    }
  }
}
