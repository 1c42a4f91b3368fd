import { assertDimensions, assertOneOf } from './validate.ts';

/**
 * Pixel formats understood by this package (8 bits per sample).
 *
 * - `YUYV` (V4L2 `YUYV`, ffmpeg `yuyv422`): packed 4:2:2, bytes `Y0 U Y1 V` per pixel pair.
 * - `UYVY` (ffmpeg `uyvy422`): packed 4:2:2, bytes `U Y0 V Y1` per pixel pair.
 * - `NV12`: 4:2:0, a Y plane then one interleaved `U V` plane at half width and half height.
 * - `I420` (ffmpeg `yuv420p`): 4:2:0, planes Y, U, V; chroma planes are half width, half height.
 * - `I422` (ffmpeg `yuv422p`): 4:2:2, planes Y, U, V; chroma planes are half width, full height.
 * - `RGB24`, `BGR24`: packed, 3 bytes per pixel. `RGBA`: packed, 4 bytes per pixel (alpha written as 255).
 *
 * All YUV formats need an even width; the 4:2:0 formats (NV12, I420) also need an even height.
 */
export const PixelFormat = {
  YUYV: 'YUYV',
  UYVY: 'UYVY',
  NV12: 'NV12',
  I420: 'I420',
  I422: 'I422',
  RGB24: 'RGB24',
  BGR24: 'BGR24',
  RGBA: 'RGBA',
} as const;
/** One of the {@link PixelFormat} values. */
export type PixelFormat = (typeof PixelFormat)[keyof typeof PixelFormat];

/** All pixel formats, in the order used by error messages. */
export const PIXEL_FORMATS: readonly PixelFormat[] = Object.values(PixelFormat);

/** The YUV formats of {@link PixelFormat}. */
export type YuvFormat = 'YUYV' | 'UYVY' | 'NV12' | 'I420' | 'I422';
/** The RGB formats of {@link PixelFormat}. */
export type RgbFormat = 'RGB24' | 'BGR24' | 'RGBA';

/** True for YUYV, UYVY, NV12, I420 and I422. */
export function isYuvFormat(format: PixelFormat): format is YuvFormat {
  return format !== 'RGB24' && format !== 'BGR24' && format !== 'RGBA';
}

/** True for RGB24, BGR24 and RGBA. */
export function isRgbFormat(format: PixelFormat): format is RgbFormat {
  return format === 'RGB24' || format === 'BGR24' || format === 'RGBA';
}

/**
 * Bytes one frame of `format` takes at `width`×`height` (tightly packed rows, planes back to back).
 *
 * @throws DeepsegError `ERR_INVALID_OPTION` for an unknown format, non-integer or non-positive
 *   dimensions, an odd width for a YUV format, or an odd height for NV12/I420.
 * @example
 * ```ts
 * frameByteLength('YUYV', 1280, 720); // 1843200
 * ```
 */
export function frameByteLength(format: PixelFormat, width: number, height: number): number {
  assertOneOf(format, PIXEL_FORMATS, 'format');
  assertDimensions(width, height, format);
  return byteLengthUnchecked(format, width, height);
}

/** @internal {@link frameByteLength} for already validated arguments. */
export function byteLengthUnchecked(format: PixelFormat, width: number, height: number): number {
  switch (format) {
    case 'YUYV':
    case 'UYVY':
    case 'I422':
      return width * height * 2;
    case 'NV12':
    case 'I420':
      return (width * height * 3) / 2;
    case 'RGB24':
    case 'BGR24':
      return width * height * 3;
    case 'RGBA':
      return width * height * 4;
  }
}

/**
 * @internal Where the samples of a YUV frame live, as byte offsets:
 * `Y(x, row) = yBase + row*yStride + x*yStep`, `U(pair, row) = uBase + (row >> chromaShift)*cStride + pair*cStep`
 * (same for V with vBase), where `pair = x >> 1`.
 */
export interface YuvLayout {
  yBase: number;
  yStride: number;
  yStep: number;
  uBase: number;
  vBase: number;
  cStride: number;
  cStep: number;
  chromaShift: number;
}

/** @internal Layout of a validated YUV frame. */
export function yuvLayout(format: YuvFormat, width: number, height: number): YuvLayout {
  const ySize = width * height;
  switch (format) {
    case 'YUYV':
      return {
        yBase: 0,
        yStride: width * 2,
        yStep: 2,
        uBase: 1,
        vBase: 3,
        cStride: width * 2,
        cStep: 4,
        chromaShift: 0,
      };
    case 'UYVY':
      return {
        yBase: 1,
        yStride: width * 2,
        yStep: 2,
        uBase: 0,
        vBase: 2,
        cStride: width * 2,
        cStep: 4,
        chromaShift: 0,
      };
    case 'I422':
      return {
        yBase: 0,
        yStride: width,
        yStep: 1,
        uBase: ySize,
        vBase: ySize + (ySize >> 1),
        cStride: width >> 1,
        cStep: 1,
        chromaShift: 0,
      };
    case 'I420':
      return {
        yBase: 0,
        yStride: width,
        yStep: 1,
        uBase: ySize,
        vBase: ySize + (ySize >> 2),
        cStride: width >> 1,
        cStep: 1,
        chromaShift: 1,
      };
    case 'NV12':
      return {
        yBase: 0,
        yStride: width,
        yStep: 1,
        uBase: ySize,
        vBase: ySize + 1,
        cStride: width,
        cStep: 2,
        chromaShift: 1,
      };
  }
}

/** @internal Byte offsets of R, G, B in a pixel of an RGB format, and bytes per pixel. */
export function rgbOffsets(format: RgbFormat): { r: number; g: number; b: number; bpp: number } {
  if (format === 'BGR24') return { r: 2, g: 1, b: 0, bpp: 3 };
  return { r: 0, g: 1, b: 2, bpp: format === 'RGBA' ? 4 : 3 };
}
