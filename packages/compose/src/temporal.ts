import { morph } from './box-filter.ts';

/** Resolved temporal options (see `TemporalOptions`). */
export interface TemporalParams {
  still: number;
  moving: number;
  motionLow: number;
  motionHigh: number;
  catchUp: number;
}

/**
 * One step of motion-adaptive temporal smoothing, in place on `state`:
 * `state += rate·(raw − state)` where `rate` goes from `still` to `moving` (smoothstep) as the
 * luma change of the cell (max over its 3×3 neighbourhood, in 0..255 codes) goes from `motionLow`
 * to `motionHigh`, and at least `catchUp·(raw − state)²` so that a disagreement the luma cannot
 * explain (a white sleeve moving over a white wall) does not linger. `prevGuide` receives `guide` afterwards. `motion` and `tmp` are scratch.
 */
export function temporalStep(
  raw: Float32Array,
  state: Float32Array,
  guide: Float32Array,
  prevGuide: Float32Array,
  width: number,
  height: number,
  p: TemporalParams,
  motion: Float32Array,
  tmp: Float32Array,
): void {
  const n = width * height;
  for (let i = 0; i < n; i++) {
    const d = guide[i]! - prevGuide[i]!;
    motion[i] = (d < 0 ? -d : d) * 255;
    prevGuide[i] = guide[i]!;
  }
  morph(motion, motion, width, height, 1, tmp);
  const { still, moving, motionLow: lo, catchUp } = p;
  const span = moving - still;
  const inv = p.motionHigh > lo ? 1 / (p.motionHigh - lo) : 1e9;
  for (let i = 0; i < n; i++) {
    let t = (motion[i]! - lo) * inv;
    t = t < 0 ? 0 : Math.min(t, 1);
    const s = state[i]!;
    const d = raw[i]! - s;
    // A persistent disagreement (motion the luma does not show, e.g. white on white) catches up.
    const rate = Math.max(still + span * t * t * (3 - 2 * t), catchUp * d * d);
    state[i] = s + rate * d;
  }
}
