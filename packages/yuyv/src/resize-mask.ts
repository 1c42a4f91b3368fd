import { DeepsegError } from './errors.ts';
import { axis, type BilinearAxis } from './sampling.ts';
import { assertInt, assertLength, assertMask, assertNoOverlap, assertRect, type Rect } from './validate.ts';

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
  assertLength(src, srcWidth * srcHeight, 'src', `a ${srcWidth}x${srcHeight} mask`);
  assertLength(dst, dstWidth * dstHeight, 'dst', `a ${dstWidth}x${dstHeight} mask`);
  assertNoOverlap(src, dst, 'src and dst');
  const roi = options.roi ?? { x: 0, y: 0, width: dstWidth, height: dstHeight };
  assertRect(roi, 'roi', dstWidth, dstHeight);
  const srcRect = options.srcRect ?? { x: 0, y: 0, width: srcWidth, height: srcHeight };
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
  const inScale = src instanceof Uint8Array ? 1 / 255 : 1;
  const outU8 = dst instanceof Uint8Array;
  if (fill !== 'keep') {
    for (let y = 0; y < dstHeight; y++) {
      const inside = y >= roi.y && y < roi.y + roi.height;
      const row = y * dstWidth;
      if (!inside) {
        dst.fill(fill, row, row + dstWidth);
      } else {
        dst.fill(fill, row, row + roi.x);
        dst.fill(fill, row + roi.x + roi.width, row + dstWidth);
      }
    }
  }
  for (let j = 0; j < roi.height; j++) {
    const r0 = ay.i0[j]! * srcWidth;
    const r1 = r0 + ay.step[j]! * srcWidth;
    const fy = ay.f[j]!;
    let o = (roi.y + j) * dstWidth + roi.x;
    for (let i = 0; i < roi.width; i++) {
      const x0 = ax.i0[i]!;
      const x1 = x0 + ax.step[i]!;
      const fx = ax.f[i]!;
      const top = src[r0 + x0]! + (src[r0 + x1]! - src[r0 + x0]!) * fx;
      const bottom = src[r1 + x0]! + (src[r1 + x1]! - src[r1 + x0]!) * fx;
      const v = (top + (bottom - top) * fy) * inScale;
      dst[o++] = outU8 ? v * 255 + 0.5 : v;
    }
  }
}
