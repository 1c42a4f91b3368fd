// Double-precision reference implementations, written independently of the kernels, for tests.
import { isDeepsegError } from '../errors.ts';
import type { PixelFormat } from '../pixel-format.ts';

export type Matrix = 'BT601' | 'BT709';
export type Range = 'limited' | 'full';

/** Seeded PRNG (mulberry32), so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * 256);
  return out;
}

function k(matrix: Matrix) {
  return matrix === 'BT709' ? { kr: 0.2126, kb: 0.0722 } : { kr: 0.299, kb: 0.114 };
}

/** Y'CbCr → R'G'B' (0..255, unclamped) straight from the BT.601/BT.709 definitions. */
export function yuvToRgbRef(
  y: number,
  u: number,
  v: number,
  matrix: Matrix,
  range: Range,
): [number, number, number] {
  const { kr, kb } = k(matrix);
  const kg = 1 - kr - kb;
  const ey = range === 'limited' ? (y - 16) / 219 : y / 255;
  const pb = range === 'limited' ? (u - 128) / 224 : (u - 128) / 255;
  const pr = range === 'limited' ? (v - 128) / 224 : (v - 128) / 255;
  const r = ey + 2 * (1 - kr) * pr;
  const b = ey + 2 * (1 - kb) * pb;
  const g = (ey - kr * r - kb * b) / kg;
  return [r * 255, g * 255, b * 255];
}

/** R'G'B' (0..255) → Y'CbCr code values (unrounded). */
export function rgbToYuvRef(
  r: number,
  g: number,
  b: number,
  matrix: Matrix,
  range: Range,
): [number, number, number] {
  const { kr, kb } = k(matrix);
  const kg = 1 - kr - kb;
  const ey = (kr * r + kg * g + kb * b) / 255;
  const pb = (b / 255 - ey) / (2 * (1 - kb));
  const pr = (r / 255 - ey) / (2 * (1 - kr));
  if (range === 'limited') return [16 + 219 * ey, 128 + 224 * pb, 128 + 224 * pr];
  return [255 * ey, 128 + 255 * pb, 128 + 255 * pr];
}

export const clamp = (v: number, lo = 0, hi = 255): number => Math.min(hi, Math.max(lo, v));

/** Reads (Y, U, V) of pixel (x, row) of a YUV frame; chroma of the pair / 2x2 block it belongs to. */
export function yuvAt(
  f: Uint8Array,
  format: PixelFormat,
  w: number,
  h: number,
  x: number,
  row: number,
): [number, number, number] {
  const p = x >> 1;
  switch (format) {
    case 'YUYV':
      return [f[row * w * 2 + 2 * x]!, f[row * w * 2 + 4 * p + 1]!, f[row * w * 2 + 4 * p + 3]!];
    case 'UYVY':
      return [f[row * w * 2 + 2 * x + 1]!, f[row * w * 2 + 4 * p]!, f[row * w * 2 + 4 * p + 2]!];
    case 'I422':
      return [f[row * w + x]!, f[w * h + row * (w / 2) + p]!, f[w * h + (w * h) / 2 + row * (w / 2) + p]!];
    case 'I420': {
      const c = (row >> 1) * (w / 2) + p;
      return [f[row * w + x]!, f[w * h + c]!, f[w * h + (w * h) / 4 + c]!];
    }
    case 'NV12': {
      const c = w * h + (row >> 1) * w + 2 * p;
      return [f[row * w + x]!, f[c]!, f[c + 1]!];
    }
    default:
      throw new Error(`not YUV: ${format}`);
  }
}

/** Byte offsets of (Y, U, V) of pixel (x, row) — the positions yuvAt reads. */
export function yuvOffsets(
  format: PixelFormat,
  w: number,
  h: number,
  x: number,
  row: number,
): [number, number, number] {
  const p = x >> 1;
  switch (format) {
    case 'YUYV':
      return [row * w * 2 + 2 * x, row * w * 2 + 4 * p + 1, row * w * 2 + 4 * p + 3];
    case 'UYVY':
      return [row * w * 2 + 2 * x + 1, row * w * 2 + 4 * p, row * w * 2 + 4 * p + 2];
    case 'I422':
      return [row * w + x, w * h + row * (w / 2) + p, w * h + (w * h) / 2 + row * (w / 2) + p];
    case 'I420': {
      const c = (row >> 1) * (w / 2) + p;
      return [row * w + x, w * h + c, w * h + (w * h) / 4 + c];
    }
    case 'NV12': {
      const c = w * h + (row >> 1) * w + 2 * p;
      return [row * w + x, c, c + 1];
    }
    default:
      throw new Error(`not YUV: ${format}`);
  }
}

/** (R, G, B) byte offsets and bytes per pixel of an RGB format. */
export function rgbLayout(format: PixelFormat): { r: number; g: number; b: number; bpp: number } {
  if (format === 'BGR24') return { r: 2, g: 1, b: 0, bpp: 3 };
  if (format === 'RGBA') return { r: 0, g: 1, b: 2, bpp: 4 };
  return { r: 0, g: 1, b: 2, bpp: 3 };
}

/** Pixel-centre bilinear position: [i0, i1, weight of i1] inside [start, start + len). */
export function bilinearRef(d: number, start: number, len: number, n: number): [number, number, number] {
  let s = start + ((d + 0.5) * len) / n - 0.5;
  s = Math.max(s, start);
  s = Math.min(s, start + len - 1);
  const i0 = Math.floor(s);
  const i1 = Math.min(i0 + 1, start + len - 1);
  return [i0, i1, s - i0];
}

/** The `code` of the DeepsegError `fn` throws, 'no error', or 'not a DeepsegError'. */
export function errorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return isDeepsegError(e) ? e.code : 'not a DeepsegError';
  }
  return 'no error';
}
