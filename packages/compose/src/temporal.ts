import { type TemporalMaskOptions, temporalMaskStep } from '@deepseg/yuyv';
import { max2, morph } from './box-filter.ts';

/** Resolved temporal options (see `TemporalOptions`). */
export interface TemporalParams {
  still: number;
  moving: number;
  motionLow: number;
  motionHigh: number;
  catchUp: number;
}

const blockOneOptions: TemporalMaskOptions = {
  width: 1,
  height: 1,
  still: 1,
  moving: 1,
  motionLow: 0,
  motionHigh: 1,
  catchUp: 0,
};

/**
 * One step of motion-adaptive temporal smoothing, in place on `state`:
 * `state += rate·(raw − state)`. The motion of a block of `block`×`block` cells is their mean luma change
 * (0..255 codes), then the largest over the 3×3 neighbouring blocks (so a moving
 * boundary opens its neighbours); `rate` goes from `still` to `moving` (smoothstep) as that motion
 * goes from `motionLow` to `motionHigh`, and is at least `catchUp·(raw − state)²` so that a
 * disagreement the luma cannot explain (a white sleeve moving over a white wall) does not linger.
 * `prevGuide` receives `guide` afterwards. `motion` and `tmp` are scratch of width·height floats.
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
  block: 1 | 2 = 2,
): void {
  if (block === 1) {
    // One motion cell per grid cell (the default on a halved grid): yuyv's WebAssembly kernel.
    const o = blockOneOptions;
    o.width = width;
    o.height = height;
    o.still = p.still;
    o.moving = p.moving;
    o.motionLow = p.motionLow;
    o.motionHigh = p.motionHigh;
    o.catchUp = p.catchUp;
    temporalMaskStep(raw, state, guide, prevGuide, o);
    return;
  }
  const sh = 1;
  const cw = (width + block - 1) >> sh;
  const ch = (height + block - 1) >> sh;
  const share = 1 / (block * block);
  motion.fill(0, 0, cw * ch);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const crow = (y >> sh) * cw;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      const g = guide[i]!;
      const d = g > prevGuide[i]! ? g - prevGuide[i]! : prevGuide[i]! - g;
      const c = crow + (x >> sh);
      motion[c] = motion[c]! + d * share;
      prevGuide[i] = g;
    }
  }
  morph(motion, motion, cw, ch, 1, tmp);
  const { still, moving, motionLow: lo, catchUp } = p;
  const span = moving - still;
  const inv = p.motionHigh > lo ? 1 / (p.motionHigh - lo) : 1e9;
  // Rate per block.
  for (let c = 0; c < cw * ch; c++) {
    let t = (motion[c]! * 255 - lo) * inv;
    t = t < 0 ? 0 : Math.min(t, 1);
    motion[c] = still + span * t * t * (3 - 2 * t);
  }
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const crow = (y >> sh) * cw;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      const s = state[i]!;
      const d = raw[i]! - s;
      const m = motion[crow + (x >> sh)]!;
      const c = catchUp * d * d;
      const rate = max2(m, c);
      state[i] = s + rate * d;
    }
  }
}
