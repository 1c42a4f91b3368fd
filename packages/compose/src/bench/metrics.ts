// Quality metrics on real footage (no ground truth): temporal stability where the frame did not
// change, and how far the mask boundary lags behind motion.
import { boxMean } from '../box-filter.ts';

/** Luma of a YUYV frame, 5×5 box-averaged (codec noise suppressed), as floats. */
export function smoothLuma(frame: Uint8Array, width: number, height: number): Float32Array {
  const y = new Float32Array(width * height);
  for (let i = 0; i < y.length; i++) y[i] = frame[i * 2]!;
  boxMean(y, y, width, height, 2, new Float32Array(y.length));
  return y;
}

/** Threshold (luma codes) under which a pixel counts as unchanged between two frames. */
export const STILL_THRESHOLD = 1.5;

/**
 * Flicker accumulator: the mean absolute frame-to-frame change of the alpha over the pixels where
 * the frame did not change (5×5-averaged luma differs by less than {@link STILL_THRESHOLD} codes),
 * over all consecutive frame pairs; plus how many of those pixels per million jumped by more than
 * 0.5 ("pops"). Feed frames in order with {@link FlickerMeter.add}.
 */
export class FlickerMeter {
  #prevLuma: Float32Array | undefined;
  #prevAlpha: Float32Array | undefined;
  #sum = 0;
  #count = 0;
  #pops = 0;
  #total = 0;

  add(luma: Float32Array, alpha: Float32Array): void {
    const l0 = this.#prevLuma;
    const a0 = this.#prevAlpha;
    if (l0 !== undefined && a0 !== undefined) {
      this.#total += luma.length;
      for (let i = 0; i < luma.length; i++) {
        if (Math.abs(luma[i]! - l0[i]!) < STILL_THRESHOLD) {
          const d = Math.abs(alpha[i]! - a0[i]!);
          this.#sum += d;
          if (d > 0.5) this.#pops++;
          this.#count++;
        }
      }
    }
    this.#prevLuma = luma;
    this.#prevAlpha = alpha.slice();
  }

  result(): { meanAbsChange: number; popsPerMillion: number; stillShare: number } {
    return {
      meanAbsChange: this.#sum / this.#count,
      popsPerMillion: (this.#pops / this.#count) * 1e6,
      stillShare: this.#count / this.#total,
    };
  }
}

/** Horizontal centroid of an alpha map (frame pixels). */
export function centroidX(alpha: Float32Array, width: number): number {
  let s = 0;
  let sx = 0;
  for (let i = 0; i < alpha.length; i++) {
    const a = alpha[i]!;
    s += a;
    sx += a * (i % width);
  }
  return s > 0 ? sx / s : 0;
}

/**
 * Lag (frames) of a mask's motion behind the raw model mask's: the delay τ ∈ [0, 5] (step 0.05)
 * that minimises mean |c(t) − r(t − τ) − offset| over frames t ≥ 6 (offset: the mean difference), where c and r are the horizontal
 * centroids of the refined and raw masks and r(t − τ) interpolates linearly. With no lag τ = 0; an
 * EMA of rate α lags ≈ (1 − α)/α frames.
 */
export function lagFrames(raw: number[], refined: number[]): { lag: number; residualPx: number } {
  let best = 0;
  let bestErr = Number.POSITIVE_INFINITY;
  for (let tau = 0; tau <= 5.0001; tau += 0.05) {
    // A constant offset between the two series (one mask a bit wider) is not lag: remove it.
    const d: number[] = [];
    for (let t = 6; t < refined.length; t++) {
      const p = t - tau;
      const i = Math.floor(p);
      const f = p - i;
      d.push(refined[t]! - (raw[i]! + (raw[Math.min(i + 1, raw.length - 1)]! - raw[i]!) * f));
    }
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const err = d.reduce((a, b) => a + Math.abs(b - mean), 0) / d.length;
    if (err < bestErr - 1e-9) {
      bestErr = err;
      best = tau;
    }
  }
  return { lag: Math.round(best * 100) / 100, residualPx: bestErr };
}
