import { boxMean } from './box-filter.ts';

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
  tmp: Float32Array;
}

/** Allocates the buffers {@link guidedFilterCoefficients} needs for a `size`-pixel grid. */
export function createGuidedScratch(size: number): GuidedScratch {
  const f = () => new Float32Array(size);
  return { meanA: f(), meanB: f(), t0: f(), t1: f(), t2: f(), t3: f(), tmp: f() };
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
  const { t0, t1, t2, t3, tmp, meanA, meanB } = s;
  // t2 = I·I, t3 = I·p, then box means in place: t0 = mean I, t1 = mean p, t2 = corr II, t3 = corr Ip.
  for (let i = 0; i < n; i++) {
    const g = guide[i]!;
    t2[i] = g * g;
    t3[i] = g * p[i]!;
  }
  boxMean(guide, t0, width, height, radius, tmp);
  boxMean(p, t1, width, height, radius, tmp);
  boxMean(t2, t2, width, height, radius, tmp);
  boxMean(t3, t3, width, height, radius, tmp);
  for (let i = 0; i < n; i++) {
    const mi = t0[i]!;
    const mp = t1[i]!;
    const varI = t2[i]! - mi * mi;
    const cov = t3[i]! - mi * mp;
    const a = cov / (varI + eps);
    meanA[i] = a;
    meanB[i] = mp - a * mi;
  }
  boxMean(meanA, meanA, width, height, radius, tmp);
  boxMean(meanB, meanB, width, height, radius, tmp);
}
