import { assertOneOf } from './validate.ts';

/**
 * YUV ↔ RGB matrices. `BT601` (SD, and what webcams and browsers assume for YUYV) is the default;
 * `BT709` is the HD matrix.
 */
export const ColorMatrix = { BT601: 'BT601', BT709: 'BT709' } as const;
/** One of the {@link ColorMatrix} values. */
export type ColorMatrix = (typeof ColorMatrix)[keyof typeof ColorMatrix];

/**
 * YUV code ranges. `limited` (Y 16–235, U/V 16–240; "TV"/"MPEG" range) is the default for webcams;
 * `full` uses 0–255 for all three ("PC"/"JPEG" range).
 */
export const ColorRange = { Limited: 'limited', Full: 'full' } as const;
/** One of the {@link ColorRange} values. */
export type ColorRange = (typeof ColorRange)[keyof typeof ColorRange];

const MATRICES: readonly ColorMatrix[] = Object.values(ColorMatrix);
const RANGES: readonly ColorRange[] = Object.values(ColorRange);

/**
 * The exact (double precision) YUV → RGB equations for a matrix and range, with RGB in 0..255:
 * `R = yGain·(Y − yOffset) + rV·(V − 128)`, `G = yGain·(Y − yOffset) + gU·(U − 128) + gV·(V − 128)`,
 * `B = yGain·(Y − yOffset) + bU·(U − 128)`. Every kernel here rounds to these within its stated tolerance.
 */
export interface YuvToRgbCoefficients {
  yOffset: number;
  yGain: number;
  rV: number;
  gU: number;
  gV: number;
  bU: number;
}

/**
 * The exact RGB (0..255) → YUV equations: `Y = yOffset + yR·R + yG·G + yB·B`,
 * `U = 128 + uR·R + uG·G + uB·B`, `V = 128 + vR·R + vG·G + vB·B`.
 */
export interface RgbToYuvCoefficients {
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

function constants(matrix: ColorMatrix, range: ColorRange) {
  assertOneOf(matrix, MATRICES, 'matrix');
  assertOneOf(range, RANGES, 'range');
  const kr = matrix === 'BT709' ? 0.2126 : 0.299;
  const kb = matrix === 'BT709' ? 0.0722 : 0.114;
  const limited = range === 'limited';
  return {
    kr,
    kb,
    kg: 1 - kr - kb,
    yOffset: limited ? 16 : 0,
    yScale: limited ? 219 / 255 : 1,
    cScale: limited ? 224 / 255 : 1,
  };
}

/**
 * YUV → RGB coefficients for `matrix` (default BT601) and `range` (default limited).
 *
 * @throws DeepsegError `ERR_INVALID_OPTION` for an unknown matrix or range.
 * @example
 * ```ts
 * const c = yuvToRgbCoefficients('BT601', 'limited'); // c.yGain ≈ 1.164, c.rV ≈ 1.596
 * ```
 */
export function yuvToRgbCoefficients(
  matrix: ColorMatrix = 'BT601',
  range: ColorRange = 'limited',
): YuvToRgbCoefficients {
  const { kr, kb, kg, yOffset, yScale, cScale } = constants(matrix, range);
  return Object.freeze({
    yOffset,
    yGain: 1 / yScale,
    rV: (2 * (1 - kr)) / cScale,
    gU: (-2 * kb * (1 - kb)) / kg / cScale,
    gV: (-2 * kr * (1 - kr)) / kg / cScale,
    bU: (2 * (1 - kb)) / cScale,
  });
}

const yuvToRgbCache: (YuvToRgbCoefficients | undefined)[] = [];

/** @internal Cached {@link yuvToRgbCoefficients} for validated arguments (no allocation per call). */
export function cachedYuvToRgb(matrix: ColorMatrix, range: ColorRange): YuvToRgbCoefficients {
  const i = (matrix === 'BT709' ? 2 : 0) + (range === 'full' ? 1 : 0);
  let c = yuvToRgbCache[i];
  if (c === undefined) {
    c = yuvToRgbCoefficients(matrix, range);
    yuvToRgbCache[i] = c;
  }
  return c;
}

/**
 * RGB → YUV coefficients for `matrix` (default BT601) and `range` (default limited).
 *
 * @throws DeepsegError `ERR_INVALID_OPTION` for an unknown matrix or range.
 * @example
 * ```ts
 * const c = rgbToYuvCoefficients(); // c.yR ≈ 0.2568 (BT.601 limited)
 * ```
 */
export function rgbToYuvCoefficients(
  matrix: ColorMatrix = 'BT601',
  range: ColorRange = 'limited',
): RgbToYuvCoefficients {
  const { kr, kb, kg, yOffset, yScale, cScale } = constants(matrix, range);
  const u = cScale / (2 * (1 - kb));
  const v = cScale / (2 * (1 - kr));
  return {
    yOffset,
    yR: yScale * kr,
    yG: yScale * kg,
    yB: yScale * kb,
    uR: -kr * u,
    uG: -kg * u,
    uB: (1 - kb) * u,
    vR: (1 - kr) * v,
    vG: -kg * v,
    vB: -kb * v,
  };
}
