import { DeepsegError } from '@deepseg/yuyv';

/**
 * Pixel formats the package negotiates by name; any other FourCC still shows up in discovery.
 * `YUYV` packed 4:2:2, `MJPG` motion JPEG, `NV12` 4:2:0 semi-planar, `YU12` 4:2:0 planar (I420),
 * `RGB3` packed RGB24, `BGR3` packed BGR24, `UYVY` packed 4:2:2, `GREY` 8-bit luma.
 */
export const PixelFormat = {
  YUYV: 'YUYV',
  MJPG: 'MJPG',
  NV12: 'NV12',
  YU12: 'YU12',
  UYVY: 'UYVY',
  RGB3: 'RGB3',
  BGR3: 'BGR3',
  GREY: 'GREY',
} as const;

/** One of the {@link PixelFormat} names. */
export type PixelFormat = (typeof PixelFormat)[keyof typeof PixelFormat];

/** The little-endian FourCC code of a four-character format name (`v4l2_fourcc`). */
export function fourcc(name: string): number {
  if (name.length !== 4) {
    throw new DeepsegError('ERR_INVALID_OPTION', `A FourCC has four characters but received "${name}"`, {
      option: 'pixelFormat',
    });
  }
  return (
    (name.charCodeAt(0) |
      (name.charCodeAt(1) << 8) |
      (name.charCodeAt(2) << 16) |
      (name.charCodeAt(3) << 24)) >>>
    0
  );
}

/**
 * The four-character name of a FourCC code (trailing spaces kept, as in `'Y10 '`); big-endian
 * variants (bit 31 set) get a `-BE` suffix, as v4l2-ctl prints them (`'Y16 -BE'`).
 */
export function fourccName(code: number): string {
  const name = String.fromCharCode(
    code & 0xff,
    (code >>> 8) & 0xff,
    (code >>> 16) & 0xff,
    (code >>> 24) & 0x7f,
  );
  return (code & 0x80000000) !== 0 ? `${name}-BE` : name;
}

/** Bytes per line and bytes per frame of a format, or `undefined` for compressed formats. */
export function frameGeometry(
  pixelFormat: string,
  width: number,
  height: number,
): { bytesperline: number; sizeimage: number } | undefined {
  switch (pixelFormat) {
    case 'YUYV':
    case 'UYVY':
      return { bytesperline: width * 2, sizeimage: width * 2 * height };
    case 'RGB3':
    case 'BGR3':
      return { bytesperline: width * 3, sizeimage: width * 3 * height };
    case 'GREY':
      return { bytesperline: width, sizeimage: width * height };
    case 'NV12':
    case 'YU12':
      return {
        bytesperline: width,
        sizeimage: width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2),
      };
    default:
      return undefined;
  }
}
