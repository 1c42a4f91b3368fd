import { stat } from 'node:fs/promises';
import { type ColorMatrix, type ColorRange, DeepsegError, rgbToYuyv } from '@deepseg/yuyv';
import type { BackgroundFit } from './options.ts';

const SHARP_FIT = { cover: 'cover', contain: 'contain', stretch: 'fill' } as const;

/** Throws `ERR_FILE_NOT_FOUND` / `ERR_EMPTY_FILE` for a missing, unreadable or empty file path. */
export async function checkFile(path: string, option: string): Promise<void> {
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) {
      throw new DeepsegError(
        'ERR_FILE_NOT_FOUND',
        `${path} is not a regular file; pass the path of an image or video`,
        {
          option,
          path,
        },
      );
    }
    size = s.size;
  } catch (cause) {
    if (cause instanceof DeepsegError) throw cause;
    throw new DeepsegError('ERR_FILE_NOT_FOUND', `Cannot open ${path}: no such file; check the path`, {
      option,
      path,
      cause,
    });
  }
  if (size === 0) {
    throw new DeepsegError('ERR_EMPTY_FILE', `${path} is empty (0 bytes); pass a real image or video file`, {
      option,
      path,
    });
  }
}

/**
 * Decodes an image (any format sharp reads: JPEG, PNG, WebP, AVIF, GIF, TIFF, SVG, …), honours its
 * EXIF orientation, fits it to `width`×`height` and converts it to YUYV once. Transparent areas
 * become black.
 *
 * @throws DeepsegError `ERR_FILE_NOT_FOUND`, `ERR_EMPTY_FILE`, `ERR_UNREADABLE_IMAGE`.
 */
export async function loadImageYuyv(
  source: string | Uint8Array,
  width: number,
  height: number,
  fit: BackgroundFit,
  matrix: ColorMatrix,
  range: ColorRange,
): Promise<Uint8Array> {
  const option = 'background.source';
  const path = typeof source === 'string' ? source : undefined;
  if (path !== undefined) await checkFile(path, option);
  else if (typeof source !== 'string' && source.byteLength === 0) {
    throw new DeepsegError('ERR_EMPTY_FILE', 'The image bytes are empty (0 bytes); pass an encoded image', {
      option,
    });
  }
  const { default: sharp } = await import('sharp');
  let rgb: Buffer;
  try {
    const input =
      typeof source === 'string' ? source : Buffer.from(source.buffer, source.byteOffset, source.byteLength);
    const result = await sharp(input, { failOn: 'error' })
      .rotate()
      .resize(width, height, { fit: SHARP_FIT[fit], background: { r: 0, g: 0, b: 0 } })
      .flatten({ background: { r: 0, g: 0, b: 0 } })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (result.info.width !== width || result.info.height !== height || result.info.channels !== 3) {
      throw new Error(`sharp returned ${result.info.width}x${result.info.height}x${result.info.channels}`);
    }
    rgb = result.data;
  } catch (cause) {
    const what = path ?? 'The image bytes';
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new DeepsegError(
      'ERR_UNREADABLE_IMAGE',
      `${what} could not be decoded as an image (${reason}); use JPEG, PNG, WebP, AVIF, GIF, TIFF or SVG`,
      { option, path, cause },
    );
  }
  const yuyv = new Uint8Array(width * height * 2);
  rgbToYuyv(rgb, yuyv, { width, height, matrix, range });
  return yuyv;
}
