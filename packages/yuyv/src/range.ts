import { DeepsegError } from './errors.ts';
import { byteLengthUnchecked, isYuvFormat, PIXEL_FORMATS, type PixelFormat } from './pixel-format.ts';
import { assertBytes, assertDimensions, assertLength, assertOneOf, assertOptionsObject } from './validate.ts';
import { addressOf, copyIn, heapView, layout, wasmHeap } from './wasm.ts';

/** Options of {@link fullToLimitedRange}. */
export interface RangeOptions {
  /** Frame width in pixels. */
  width: number;
  /** Frame height in pixels. */
  height: number;
  /** A YUV format (YUYV, UYVY, NV12, I420, I422). */
  format: PixelFormat;
}

/**
 * Compresses a full-range YUV frame (JPEG/JFIF, `yuvj` in ffmpeg: 0..255) to limited range (luma
 * 16..235, chroma 16..240) in place, in WebAssembly SIMD: what an MJPEG frame decoded straight to
 * YUV needs before it joins a BT.601 limited-range pipeline. Within 0.65 of a code of the exact mapping.
 *
 * @throws DeepsegError `ERR_INVALID_OPTION` (format not YUV, dimensions), `ERR_INVALID_ARGUMENT`,
 *   `ERR_BUFFER_TOO_SMALL`.
 * @example
 * ```ts
 * fullToLimitedRange(yuyv, { width: 1920, height: 1080, format: 'YUYV' });
 * ```
 */
export function fullToLimitedRange(frame: Uint8Array, options: RangeOptions): void {
  assertOptionsObject(options, '{ width, height, format }');
  const { width, height, format } = options;
  assertOneOf(format, PIXEL_FORMATS, 'format');
  if (!isYuvFormat(format)) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected a YUV format for options.format but received "${format}"`,
      {
        option: 'format',
      },
    );
  }
  assertDimensions(width, height, format);
  assertBytes(frame, 'frame');
  const n = byteLengthUnchecked(format, width, height);
  assertLength(frame, n, 'frame', width, height, format);
  const at = addressOf(frame);
  layout.reset();
  const o = at < 0 ? layout.take(n) : 0;
  const h = wasmHeap(layout.size);
  const p = at < 0 ? h.scratch + o : at;
  if (at < 0) copyIn(h, frame, p, n);
  if (format === 'YUYV' || format === 'UYVY') h.kernels.rangeToLimited(p, n, format === 'YUYV' ? 2 : 3);
  else {
    const luma = width * height;
    h.kernels.rangeToLimited(p, luma, 0);
    h.kernels.rangeToLimited(p + luma, n - luma, 1);
  }
  if (at < 0) frame.set(heapView(h, p, n));
}
