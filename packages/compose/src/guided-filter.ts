import { boxMeanPlanes } from '@deepseg/yuyv';

/** Scratch and result buffers of {@link guidedFilterCoefficients}, allocated once per mask geometry. */
export interface GuidedScratch {
  /** Result: the box-averaged slope `a` of q = a·I + b (I = luma in 0..1). */
  meanA: Float32Array;
  /** Result: the box-averaged offset `b`. */
  meanB: Float32Array;
  t0: Float32Array;
  t1: Float32Array;
  t2: Float32Array;
  t3: Float32Array;
  /** t0..t3 one after the other (one box-mean call for the four). */
  stats: Float32Array;
  /** meanA then meanB (one box-mean call for the two). */
  coefficients: Float32Array;
}

/** Allocates the buffers {@link guidedFilterCoefficients} needs for a `size`-pixel grid. */
export function createGuidedScratch(size: number): GuidedScratch {
  const stats = new Float32Array(size * 4);
  const coefficients = new Float32Array(size * 2);
  const plane = (buf: Float32Array, i: number) => buf.subarray(i * size, (i + 1) * size);
  return {
    meanA: plane(coefficients, 0),
    meanB: plane(coefficients, 1),
    t0: plane(stats, 0),
    t1: plane(stats, 1),
    t2: plane(stats, 2),
    t3: plane(stats, 3),
    stats,
    coefficients,
  };
}

/**
 * The guided filter of He, Sun and Tang (and its "fast" form): fits q = a·I + b in every
 * (2r+1)² window of the guide `I` (luma, 0..1) to the input `p` (mask, 0..1) and averages the
 * coefficients. Evaluating `meanA·I + meanB` with a *full-resolution* guide gives the edge-aware
 * upsampled mask; evaluating it at grid resolution gives the filtered mask. Results land in
 * `s.meanA`, `s.meanB`.
 */
export function guidedFilterCoefficients(
  guide: Float32Array,
  p: Float32Array,
  width: number,
  height: number,
  radius: number,
  eps: number,
  s: GuidedScratch,
): void {
  const n = width * height;
  const { t0, t1, t2, t3, meanA, meanB } = s;
  // t0 = I, t1 = p, t2 = I·I, t3 = I·p, then box means in place (one wasm call for the four):
  // t0 = mean I, t1 = mean p, t2 = corr II, t3 = corr Ip.
  for (let i = 0; i < n; i++) {
    const g = guide[i]!;
    const q = p[i]!;
    t0[i] = g;
    t1[i] = q;
    t2[i] = g * g;
    t3[i] = g * q;
  }
  const box = { width, height, radius };
  boxMeanPlanes(s.stats.subarray(0, 4 * n), box);
  for (let i = 0; i < n; i++) {
    const mi = t0[i]!;
    const mp = t1[i]!;
    const varI = t2[i]! - mi * mi;
    const cov = t3[i]! - mi * mp;
    const a = cov / (varI + eps);
    meanA[i] = a;
    meanB[i] = mp - a * mi;
  }
  boxMeanPlanes(s.coefficients.subarray(0, 2 * n), box);
}
