import { describe, expect, it } from 'vitest';
import { temporalStep } from './temporal.ts';

const W = 10;
const H = 10;
const N = W * H;
const params = { still: 0.1, moving: 1, motionLow: 3, motionHigh: 12, catchUp: 0 };

function run(guideDelta: (i: number) => number, p = params) {
  const raw = new Float32Array(N).fill(1);
  const state = new Float32Array(N).fill(0);
  const prev = new Float32Array(N).fill(0.5);
  const guide = new Float32Array(N);
  for (let i = 0; i < N; i++) guide[i] = 0.5 + guideDelta(i) / 255;
  temporalStep(raw, state, guide, prev, W, H, p, new Float32Array(N), new Float32Array(N));
  return { state, prev, guide };
}

describe('temporalStep (motion-adaptive EMA)', () => {
  it('moves by the still rate where the frame did not change', () => {
    const { state } = run(() => 0);
    for (const v of state) expect(v).toBeCloseTo(0.1, 6);
  });

  it('takes the new mask at once where the frame moved', () => {
    const { state } = run(() => 20);
    for (const v of state) expect(v).toBeCloseTo(1, 6);
  });

  it('follows the smoothstep of the luma change in between', () => {
    // change 7.5 codes = halfway between 3 and 12 → smoothstep 0.5 → rate 0.55
    const { state } = run(() => 7.5);
    for (const v of state) expect(v).toBeCloseTo(0.55, 5);
  });

  it('spreads motion to the neighbouring 2×2 blocks only', () => {
    // a change in cell (2, 2) marks block (1, 1) and its 3×3 neighbour blocks: cells 0..5 × 0..5
    const { state } = run((i) => (i === 2 * W + 2 ? 80 : 0)); // block mean 20 ≥ motionHigh
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const near = x <= 5 && y <= 5;
        expect(state[y * W + x]).toBeCloseTo(near ? 1 : 0.1, 6);
      }
    }
  });

  it('catches up with a disagreement the luma does not show', () => {
    const { state } = run(() => 0, { ...params, catchUp: 0.3 });
    // rate = max(0.1, 0.3·1²) = 0.3
    for (const v of state) expect(v).toBeCloseTo(0.3, 6);
  });

  it('remembers the guide for the next frame', () => {
    const { prev, guide } = run(() => 5);
    expect(Array.from(prev)).toEqual(Array.from(guide));
  });
});
