import { describe, expect, it } from 'vitest';
import { boxMean } from './box-filter.ts';
import { createGuidedScratch, guidedFilterCoefficients } from './guided-filter.ts';

const W = 20;
const H = 6;

function filter(guide: Float32Array, mask: Float32Array, radius = 2, eps = 1e-4): Float32Array {
  const s = createGuidedScratch(W * H);
  guidedFilterCoefficients(guide, mask, W, H, radius, eps, s);
  const q = new Float32Array(W * H);
  for (let i = 0; i < q.length; i++) q[i] = s.meanA[i]! * guide[i]! + s.meanB[i]!;
  return q;
}

function step(at: number, lo: number, hi: number): Float32Array {
  const a = new Float32Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) a[y * W + x] = x >= at ? hi : lo;
  return a;
}

describe('guided filter', () => {
  it('preserves a step edge that the guide also has', () => {
    const q = filter(step(10, 0.2, 0.8), step(10, 0, 1));
    const row = Array.from(q.subarray(2 * W, 3 * W));
    for (let x = 0; x < 10; x++) expect(row[x]).toBeCloseTo(0, 2);
    for (let x = 10; x < W; x++) expect(row[x]).toBeCloseTo(1, 2);
    // a box filter of the same radius would smear it over 5 pixels
    const box = new Float32Array(W * H);
    boxMean(step(10, 0, 1), box, W, H, 2, new Float32Array(W * H));
    expect(box[2 * W + 9]).toBeCloseTo(0.4, 5);
  });

  it('moves the mask edge onto the guide edge', () => {
    // the coarse mask steps at x = 9, the image at x = 11
    const q = filter(step(11, 0.2, 0.8), step(9, 0, 1));
    const row = Array.from(q.subarray(2 * W, 3 * W));
    let best = 0;
    let where = -1;
    for (let x = 1; x < W; x++) {
      const jump = row[x]! - row[x - 1]!;
      if (jump > best) {
        best = jump;
        where = x;
      }
    }
    // the sharpest change sits on the guide's edge, not on the coarse mask's
    expect(where).toBe(11);
    // the mask's own edge (x = 9, 10) is pulled towards the guide's dark side; right of it, all person
    expect(row[9]).toBeLessThan(0.75);
    expect(row[10]).toBeLessThan(0.75);
    for (let x = 11; x < W; x++) expect(row[x]).toBeCloseTo(1, 3);
  });

  it('is a plain mean where the guide is flat', () => {
    const guide = new Float32Array(W * H).fill(0.5);
    const mask = step(10, 0, 1);
    const q = filter(guide, mask, 1, 1e-3);
    // a = 0 everywhere, b = box mean of box mean: at x = 9, mean of (1/3·0 + …) = (0 + 1/3 + 2/3)/3
    expect(q[2 * W + 9]).toBeCloseTo(1 / 3, 5);
  });
});
