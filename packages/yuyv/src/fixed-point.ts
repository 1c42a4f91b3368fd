// Integer tables for the colour equations of color.ts, built once per (matrix, range) and cached.
import { type ColorMatrix, type ColorRange, rgbToYuvCoefficients, yuvToRgbCoefficients } from './color.ts';

/** Fraction bits of the fixed-point coefficients. */
export const SHIFT = 16;
const ONE = 1 << SHIFT;

/** RGB → YUV coefficients ×65536, rounded. */
export interface RgbToYuvFixed {
  yOffset: number;
  yR: number;
  yG: number;
  yB: number;
  uR: number;
  uG: number;
  uB: number;
  vR: number;
  vG: number;
  vB: number;
}

const rgbToYuvCache: (RgbToYuvFixed | undefined)[] = [];

/** Cached fixed-point RGB → YUV coefficients. */
export function rgbToYuvFixed(matrix: ColorMatrix, range: ColorRange): RgbToYuvFixed {
  const key = slot(matrix, range);
  let t = rgbToYuvCache[key];
  if (t !== undefined) return t;
  const c = rgbToYuvCoefficients(matrix, range);
  t = {
    yOffset: c.yOffset,
    yR: Math.round(c.yR * ONE),
    yG: Math.round(c.yG * ONE),
    yB: Math.round(c.yB * ONE),
    uR: Math.round(c.uR * ONE),
    uG: Math.round(c.uG * ONE),
    uB: Math.round(c.uB * ONE),
    vR: Math.round(c.vR * ONE),
    vG: Math.round(c.vG * ONE),
    vB: Math.round(c.vB * ONE),
  };
  rgbToYuvCache[key] = t;
  return t;
}

/** YUV → RGB coefficients ×8192 (Q13), the form the SIMD kernel takes (see assembly/kernels.ts). */
export interface Q13Coefficients {
  yOffset: number;
  cY: number;
  cRV: number;
  cGU: number;
  cGV: number;
  cBU: number;
}

const q13Cache: (Q13Coefficients | undefined)[] = [];

/** Cached {@link Q13Coefficients}. */
export function yuvToRgbQ13(matrix: ColorMatrix, range: ColorRange): Q13Coefficients {
  const key = slot(matrix, range);
  let q = q13Cache[key];
  if (q === undefined) {
    const c = yuvToRgbCoefficients(matrix, range);
    q = {
      yOffset: c.yOffset,
      cY: Math.round(c.yGain * 8192),
      cRV: Math.round(c.rV * 8192),
      cGU: Math.round(c.gU * 8192),
      cGV: Math.round(c.gV * 8192),
      cBU: Math.round(c.bU * 8192),
    };
    q13Cache[key] = q;
  }
  return q;
}

const q15Cache: (RgbToYuvFixed | undefined)[] = [];

/** RGB → YUV coefficients ×32768 (Q15), the form the SIMD kernel takes (every |coefficient| < 1). */
export function rgbToYuvQ15(matrix: ColorMatrix, range: ColorRange): RgbToYuvFixed {
  const key = slot(matrix, range);
  let q = q15Cache[key];
  if (q === undefined) {
    const c = rgbToYuvCoefficients(matrix, range);
    const k = (v: number) => Math.round(v * 32768);
    q = {
      yOffset: c.yOffset,
      yR: k(c.yR),
      yG: k(c.yG),
      yB: k(c.yB),
      uR: k(c.uR),
      uG: k(c.uG),
      uB: k(c.uB),
      vR: k(c.vR),
      vG: k(c.vG),
      vB: k(c.vB),
    };
    q15Cache[key] = q;
  }
  return q;
}

/** Index of a (matrix, range) pair in the caches above: no key string per call. */
export function slot(matrix: ColorMatrix, range: ColorRange): number {
  return (matrix === 'BT709' ? 2 : 0) + (range === 'full' ? 1 : 0);
}
