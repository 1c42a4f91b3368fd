import { type ColorMatrix, type ColorRange, DeepsegError, rgbToYuyv } from '@deepseg/yuyv';
import { describe } from './options.ts';

/** A YUV triple (codes 0..255). */
export interface Yuv {
  y: number;
  u: number;
  v: number;
}

/**
 * Parses `#rgb`, `#rrggbb` or `[r, g, b]` (0..255).
 *
 * @throws DeepsegError `ERR_INVALID_OPTION` for anything else.
 */
export function parseColor(value: unknown, option: string): [number, number, number] {
  if (Array.isArray(value)) {
    if (
      value.length === 3 &&
      value.every((c) => typeof c === 'number' && Number.isInteger(c) && c >= 0 && c <= 255)
    ) {
      return [value[0], value[1], value[2]];
    }
  } else if (typeof value === 'string') {
    const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value.trim());
    if (m) {
      let hex = m[1]!;
      if (hex.length === 3) hex = [...hex].map((c) => c + c).join('');
      return [
        Number.parseInt(hex.slice(0, 2), 16),
        Number.parseInt(hex.slice(2, 4), 16),
        Number.parseInt(hex.slice(4, 6), 16),
      ];
    }
  }
  throw new DeepsegError(
    'ERR_INVALID_OPTION',
    `Expected a colour "#rrggbb", "#rgb" or [r, g, b] with 0..255 components for ${option} but received ${describe(value)}`,
    { option },
  );
}

/** Converts one RGB colour (0..255) to YUV codes with the given matrix and range. */
export function rgbToYuv(
  rgb: readonly [number, number, number],
  matrix: ColorMatrix,
  range: ColorRange,
): Yuv {
  const [r, g, b] = rgb;
  const out = new Uint8Array(4);
  rgbToYuyv(new Uint8Array([r, g, b, r, g, b]), out, { width: 2, height: 1, matrix, range });
  return { y: out[0]!, u: out[1]!, v: out[3]! };
}

/** Fills `dst` (YUYV) with one colour. */
export function fillYuyv(dst: Uint8Array, c: Yuv): void {
  for (let i = 0; i + 3 < dst.length; i += 4) {
    dst[i] = c.y;
    dst[i + 1] = c.u;
    dst[i + 2] = c.y;
    dst[i + 3] = c.v;
  }
}
