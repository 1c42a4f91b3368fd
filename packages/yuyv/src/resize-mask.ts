import { DeepsegError } from './errors.ts';
import { stageBilinearAxes, stageMask } from './mask-tables.ts';
import { axis, type BilinearAxis } from './sampling.ts';
import {
  assertInt,
  assertLength,
  assertMask,
  assertNoOverlap,
  assertRect,
  type Rect,
  rectOrWhole,
} from './validate.ts';
import { addressOf, heapF32View, heapView, layout, wasmHeap } from './wasm.ts';

const WHOLE_A: Rect = { x: 0, y: 0, width: 0, height: 0 };
const WHOLE_B: Rect = { x: 0, y: 0, width: 0, height: 0 };

/** A single-channel mask: Float32Array with 0..1, or Uint8Array with 0..255 (255 = person/foreground). */
export type Mask = Float32Array | Uint8Array;

/** Options of {@link resizeMask}. */
export interface ResizeMaskOptions {
  /** Width of the source mask (the model output). */
  srcWidth: number;
  /** Height of the source mask. */
  srcHeight: number;
  /** Width of the destination mask (usually the frame). */
  dstWidth: number;
  /** Height of the destination mask. */
  dstHeight: number;
  /** Where in the destination the mask goes (the ROI the model input was cut from); default all of it. */
  roi?: Rect;
  /** The part of the source mask that maps onto `roi` (e.g. {@link containRect} after a letterbox); default all. */
  srcRect?: Rect;
  /** Value written outside `roi`, in the destination's units (0..1 or 0..255), or `'keep'`; default 0. */
  fill?: number | 'keep';
}

/**
 * Resizes a mask with bilinear filtering (pixel-centre aligned, the same convention as
 * {@link frameToTensor}) and places it into the ROI it came from. Source and destination may be
 * Float32Array (0..1) or Uint8Array (0..255) in any combination; uint8 results are rounded to nearest.
 * Exact to 1e-6 (float) / ±1 code value (uint8) of a double-precision bilinear reference.
 *
 * @throws DeepsegError `ERR_INVALID_OPTION` (dimensions, roi, srcRect, fill),
 *   `ERR_INVALID_ARGUMENT` (not a Float32Array/Uint8Array, overlapping buffers),
 *   `ERR_BUFFER_TOO_SMALL` (src or dst shorter than width·height).
 * @example
 * ```ts
 * const full = new Float32Array(1280 * 720);
 * resizeMask(modelMask, full, { srcWidth: 256, srcHeight: 144, dstWidth: 1280, dstHeight: 720 });
 * ```
 */
export function resizeMask(src: Mask, dst: Mask, options: ResizeMaskOptions): void {
  const { srcWidth, srcHeight, dstWidth, dstHeight, fill = 0 } = options;
  assertMask(src, 'src');
  assertMask(dst, 'dst');
  assertInt(srcWidth, 'srcWidth', 1);
  assertInt(srcHeight, 'srcHeight', 1);
  assertInt(dstWidth, 'dstWidth', 1);
  assertInt(dstHeight, 'dstHeight', 1);
  assertLength(src, srcWidth * srcHeight, 'src', srcWidth, srcHeight, 'mask');
  assertLength(dst, dstWidth * dstHeight, 'dst', dstWidth, dstHeight, 'mask');
  assertNoOverlap(src, dst, 'src and dst');
  const roi = rectOrWhole(options.roi, WHOLE_A, dstWidth, dstHeight);
  assertRect(roi, 'roi', dstWidth, dstHeight);
  const srcRect = rectOrWhole(options.srcRect, WHOLE_B, srcWidth, srcHeight);
  assertRect(srcRect, 'srcRect', srcWidth, srcHeight);
  if (fill !== 'keep' && (typeof fill !== 'number' || !Number.isFinite(fill))) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected a number or "keep" for options.fill but received ${String(fill)}`,
      {
        option: 'options.fill',
      },
    );
  }
  const ax = axis('bilinear', srcRect.x, srcRect.width, roi.width) as BilinearAxis;
  const ay = axis('bilinear', srcRect.y, srcRect.height, roi.height) as BilinearAxis;
  const srcU8 = src instanceof Uint8Array;
  const dstU8 = dst instanceof Uint8Array;
  const srcBytes = srcWidth * srcHeight * (srcU8 ? 1 : 4);
  const dstBytes = dstWidth * dstHeight * (dstU8 ? 1 : 4);
  const padded = roi.width + 8; // the kernel reads up to 3 table entries past the ROI
  const srcAt = addressOf(src);
  const dstAt = addressOf(dst);
  layout.reset();
  const os = srcAt < 0 ? layout.take(srcBytes) : 0;
  const od = dstAt < 0 ? layout.take(dstBytes) : 0;
  const oax = layout.take(padded * 8);
  const oay = layout.take(roi.height * 12);
  const owork = layout.take(2 * (roi.width + 8) * 4 + (srcWidth + 8) * 4);
  const h = wasmHeap(layout.size);
  const base = h.scratch;
  const ps = srcAt < 0 ? base + os : srcAt;
  const pd = dstAt < 0 ? base + od : dstAt;
  const pax = base + oax;
  const pay = base + oay;
  if (srcAt < 0) stageMask(h, src, ps, srcBytes);
  if (dstAt < 0 && fill === 'keep') stageMask(h, dst, pd, dstBytes);
  stageBilinearAxes(h, ax, ay, pax, pay, padded, roi.width, roi.height);
  h.kernels.resizeMask(
    ps,
    srcWidth,
    srcU8 ? 1 : 0,
    pd,
    dstWidth,
    dstHeight,
    dstU8 ? 1 : 0,
    roi.x,
    roi.y,
    roi.width,
    roi.height,
    pax,
    pax + 4 * padded,
    pay,
    pay + 4 * roi.height,
    pay + 8 * roi.height,
    fill === 'keep' ? 0 : fill,
    fill === 'keep' ? 1 : 0,
    base + owork,
  );
  if (dstAt < 0) {
    if (dstU8) dst.set(heapView(h, pd, dstBytes));
    else dst.set(heapF32View(h, pd, dstBytes >> 2));
  }
}
