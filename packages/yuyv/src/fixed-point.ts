// Integer coefficients of the colour equations of color.ts in the forms the SIMD kernels take, built
// once per (matrix, range) and cached.
import { type ColorMatrix, type ColorRange, rgbToYuvCoefficients, yuvToRgbCoefficients } from './color.ts';

/** RGB → YUV coefficients as integers (×32768, see {@link rgbToYuvQ15}). */
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
