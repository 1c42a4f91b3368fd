import { DeepsegError } from './errors.ts';
import { stageBilinearAxes, stageMask } from './mask-tables.ts';
import { byteLengthUnchecked, type YuvFormat } from './pixel-format.ts';
import type { Mask } from './resize-mask.ts';
import { axis, type BilinearAxis } from './sampling.ts';
import {
  assertBytes,
  assertDimensions,
  assertInt,
  assertLength,
  assertMask,
  assertOneOf,
  assertRect,
  type Rect,
  rectOrWhole,
} from './validate.ts';
import { addressOf, copyIn, heapView, layout, wasmHeap } from './wasm.ts';

const WHOLE_A: Rect = { x: 0, y: 0, width: 0, height: 0 };
const WHOLE_B: Rect = { x: 0, y: 0, width: 0, height: 0 };

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
    throw new DeepsegError(
      'ERR_INVALID_ARGUMENT',
      `${name} and dst must be the same buffer (in place) or not overlap`,
      {
        option: `${name} and dst`,
      },
    );
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
export function compositeFrame(
  fg: Uint8Array,
  bg: Uint8Array,
  dst: Uint8Array,
  mask: Mask,
  options: CompositeFrameOptions,
): void {
  compositeChecked(fg, bg, dst, mask, options, options.format ?? 'YUYV');
}

function compositeChecked(
  fg: Uint8Array,
  bg: Uint8Array,
  dst: Uint8Array,
  mask: Mask,
  options: CompositeOptions,
  format: YuvFormat,
): void {
  const { width, height, outside = 0 } = options;
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
  assertLength(fg, n, 'fg', width, height, format);
  assertLength(bg, n, 'bg', width, height, format);
  assertLength(dst, n, 'dst', width, height, format);
  assertLength(mask, maskWidth * maskHeight, 'mask', maskWidth, maskHeight, 'mask');
  checkFrameAlias(fg, dst, 'fg');
  checkFrameAlias(bg, dst, 'bg');
  if (mask.buffer === dst.buffer) {
    const overlap =
      mask.byteOffset < dst.byteOffset + dst.byteLength && dst.byteOffset < mask.byteOffset + mask.byteLength;
    if (overlap)
      throw new DeepsegError('ERR_INVALID_ARGUMENT', 'mask and dst must not overlap', { option: 'mask' });
  }
  const roi = rectOrWhole(options.roi, WHOLE_A, width, height);
  assertRect(roi, 'roi', width, height);
  const maskRect = rectOrWhole(options.maskRect, WHOLE_B, maskWidth, maskHeight);
  assertRect(maskRect, 'maskRect', maskWidth, maskHeight);
  if (typeof outside !== 'number' || !(outside >= 0 && outside <= 1)) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected a number from 0 to 1 for options.outside but received ${String(outside)}`,
      {
        option: 'options.outside',
      },
    );
  }
  compositeUnchecked(fg, bg, dst, mask, width, height, format, maskWidth, maskHeight, roi, maskRect, outside);
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
export function compositeYuyv(
  fg: Uint8Array,
  bg: Uint8Array,
  dst: Uint8Array,
  mask: Mask,
  options: CompositeOptions,
): void {
  compositeChecked(fg, bg, dst, mask, options, 'YUYV');
}

const LAYOUTS: Record<YuvFormat, number> = { YUYV: 0, UYVY: 1, I422: 2, I420: 3, NV12: 4 };

function compositeUnchecked(
  fg: Uint8Array,
  bg: Uint8Array,
  dst: Uint8Array,
  mask: Mask,
  width: number,
  height: number,
  format: YuvFormat,
  maskWidth: number,
  maskHeight: number,
  roi: Rect,
  maskRect: Rect,
  outside: number,
): void {
  const ax = axis('bilinear', maskRect.x, maskRect.width, roi.width) as BilinearAxis;
  const ay = axis('bilinear', maskRect.y, maskRect.height, roi.height) as BilinearAxis;
  const n = byteLengthUnchecked(format, width, height);
  const maskBytes = maskWidth * maskHeight * (mask instanceof Float32Array ? 4 : 1);
  const rowBytes = ((width + 32) & ~15) * 2;
  const padded = roi.width + 8; // the kernel's vector loops read up to 7 entries past the ROI
  const fgAt = addressOf(fg);
  const bgAt = addressOf(bg);
  const dstAt = addressOf(dst);
  const maskAt = addressOf(mask);
  layout.reset();
  const of = fgAt < 0 ? layout.take(n) : -1;
  const ob = bgAt < 0 ? layout.take(n) : -1;
  // without a dst in wasm memory, write into a copied input (never into the caller's own fg/bg)
  const od = dstAt >= 0 ? -1 : of >= 0 ? of : ob >= 0 ? ob : layout.take(n);
  const om = maskAt < 0 ? layout.take(maskBytes) : -1;
  const oax = layout.take(padded * 8);
  const oay = layout.take(roi.height * 12);
  const owork = layout.take(7 * rowBytes + ((maskWidth + 16) & ~7) * 4);
  const h = wasmHeap(layout.size);
  const base = h.scratch;
  const pf = fgAt >= 0 ? fgAt : base + of;
  const pb = bgAt >= 0 ? bgAt : base + ob;
  const pd = dstAt >= 0 ? dstAt : base + od;
  const pm = maskAt >= 0 ? maskAt : base + om;
  const pax = base + oax;
  const pay = base + oay;
  const work = base + owork;
  if (fgAt < 0) copyIn(h, fg, pf, n);
  if (bgAt < 0) copyIn(h, bg, pb, n);
  if (maskAt < 0) stageMask(h, mask, pm, maskBytes);
  stageBilinearAxes(h, ax, ay, pax, pay, padded, roi.width, roi.height);
  h.kernels.composite(
    pf,
    pb,
    pd,
    width,
    height,
    LAYOUTS[format],
    pm,
    maskWidth,
    mask instanceof Uint8Array ? 1 : 0,
    maskRect.x,
    maskRect.width === roi.width ? 1 : 0,
    roi.x,
    roi.y,
    roi.width,
    roi.height,
    pax,
    pax + 4 * padded,
    pay,
    pay + 4 * roi.height,
    pay + 8 * roi.height,
    Math.round(outside * 32767),
    work,
  );
  if (dstAt < 0) dst.set(heapView(h, pd, n));
}
