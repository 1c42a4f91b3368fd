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
  if (format === 'YUYV' || format === 'UYVY') {
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
    h.kernels.mirrorPacked(ps, pd, width, height, format === 'UYVY' ? 1 : 0);
    if (dstAt < 0) dst.set(heapView(h, pd, n));
    return;
  }
  if (isYuvFormat(format)) {
    const L = yuvLayout(format, width, height);
    mirrorUnits(src, dst, 0, width, height, width, 1, -1, -1);
    const ch = height >> L.chromaShift;
    if (format === 'NV12') {
      mirrorUnits(src, dst, L.uBase, L.cStride, ch, width >> 1, 2, -1, -1);
    } else {
      mirrorUnits(src, dst, L.uBase, L.cStride, ch, width >> 1, 1, -1, -1);
      mirrorUnits(src, dst, L.vBase, L.cStride, ch, width >> 1, 1, -1, -1);
    }
    return;
  }
  mirrorUnits(src, dst, 0, width * rgbOffsets(format).bpp, height, width, rgbOffsets(format).bpp, -1, -1);
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

const unitA = new Uint8Array(4);
const unitB = new Uint8Array(4);

// Reverses `units` units of `size` bytes in each of `rows` rows; when swapA >= 0 the bytes at swapA
// and swapB inside each unit are exchanged too (the two lumas of a packed 4:2:2 pair).
function mirrorUnits(
  src: Uint8Array,
  dst: Uint8Array,
  base: number,
  stride: number,
  rows: number,
  units: number,
  size: number,
  swapA: number,
  swapB: number,
): void {
  for (let row = 0; row < rows; row++) {
    const start = base + row * stride;
    let l = 0;
    let r = units - 1;
    while (l <= r) {
      const lo = start + l * size;
      const ro = start + r * size;
      for (let k = 0; k < size; k++) {
        unitA[k] = src[lo + k]!;
        unitB[k] = src[ro + k]!;
      }
      for (let k = 0; k < size; k++) {
        const kk = k === swapA ? swapB : k === swapB ? swapA : k;
        dst[ro + kk] = unitA[k]!;
        dst[lo + kk] = unitB[k]!;
      }
      l++;
      r--;
    }
  }
}
