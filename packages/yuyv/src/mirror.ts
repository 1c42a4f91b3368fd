import { DeepsegError } from './errors.ts';
import {
  byteLengthUnchecked,
  isYuvFormat,
  PIXEL_FORMATS,
  type PixelFormat,
  rgbOffsets,
  yuvLayout,
} from './pixel-format.ts';
import { assertBytes, assertDimensions, assertLength, assertOneOf } from './validate.ts';
import { addressOf, copyIn, heapView, layout, wasmHeap } from './wasm.ts';

/** Options of {@link mirrorFrame}. */
export interface MirrorOptions {
  /** Frame width in pixels. */
  width: number;
  /** Frame height in pixels. */
  height: number;
  /** Frame format; default `YUYV`. */
  format?: PixelFormat;
}

function checkAlias(src: Uint8Array, dst: Uint8Array): void {
  if (src.buffer !== dst.buffer) return;
  if (src.byteOffset === dst.byteOffset) return; // in place
  const overlap =
    src.byteOffset < dst.byteOffset + dst.byteLength && dst.byteOffset < src.byteOffset + src.byteLength;
  if (overlap) {
    throw new DeepsegError(
      'ERR_INVALID_ARGUMENT',
      'src and dst must be the same buffer (in place) or not overlap',
      {
        option: 'src and dst',
      },
    );
  }
}

/**
 * Mirrors a frame horizontally (left ↔ right), e.g. for a selfie view. `dst` may be `src` itself
 * (in place). In YUYV/UYVY each pixel pair keeps its chroma and swaps its two lumas. Exact.
 *
 * @throws DeepsegError `ERR_INVALID_OPTION`, `ERR_INVALID_ARGUMENT` (partial overlap),
 *   `ERR_BUFFER_TOO_SMALL`.
 * @example
 * ```ts
 * mirrorFrame(frame, frame, { width: 1280, height: 720, format: 'YUYV' });
 * ```
 */
export function mirrorFrame(src: Uint8Array, dst: Uint8Array, options: MirrorOptions): void {
  const { width, height, format = 'YUYV' } = options;
  assertOneOf(format, PIXEL_FORMATS, 'format');
  assertDimensions(width, height, format);
  assertBytes(src, 'src');
  assertBytes(dst, 'dst');
  const n = byteLengthUnchecked(format, width, height);
  assertLength(src, n, 'src', width, height, format);
  assertLength(dst, n, 'dst', width, height, format);
  checkAlias(src, dst);
  const srcAt = addressOf(src);
  const dstAt = addressOf(dst);
  layout.reset();
  const os = srcAt < 0 ? layout.take(n) : 0;
  // without dst in wasm memory: mirror in place in the copy of src, or into scratch (never into the caller's src)
  const od = dstAt < 0 && srcAt >= 0 ? layout.take(n) : os;
  const h = wasmHeap(layout.size);
  const ps = srcAt < 0 ? h.scratch + os : srcAt;
  if (srcAt < 0) copyIn(h, src, ps, n);
  const pd = dstAt >= 0 ? dstAt : h.scratch + od;
  const k = h.kernels;
  if (format === 'YUYV' || format === 'UYVY') {
    k.mirrorPacked(ps, pd, width, height, format === 'UYVY' ? 1 : 0);
  } else if (isYuvFormat(format)) {
    const L = yuvLayout(format, width, height);
    const rows = height >> L.chromaShift;
    k.mirrorUnits(ps, pd, width, height, width, 1);
    if (format === 'NV12') {
      k.mirrorUnits(ps + L.uBase, pd + L.uBase, L.cStride, rows, width >> 1, 2);
    } else {
      k.mirrorUnits(ps + L.uBase, pd + L.uBase, L.cStride, rows, width >> 1, 1);
      k.mirrorUnits(ps + L.vBase, pd + L.vBase, L.cStride, rows, width >> 1, 1);
    }
  } else {
    const bpp = rgbOffsets(format).bpp;
    k.mirrorUnits(ps, pd, width * bpp, height, width, bpp);
  }
  if (dstAt < 0) dst.set(heapView(h, pd, n));
}

/**
 * Mirrors a YUYV frame horizontally; `dst` may be `src` (in place). See {@link mirrorFrame}.
 *
 * @example
 * ```ts
 * mirrorYuyv(frame, frame, { width: 640, height: 480 });
 * ```
 */
export function mirrorYuyv(
  src: Uint8Array,
  dst: Uint8Array,
  options: { width: number; height: number },
): void {
  mirrorFrame(src, dst, { width: options.width, height: options.height, format: 'YUYV' });
}
