import { describe, expect, it } from 'vitest';
import { rng } from './__fixtures__/reference.ts';
import { isDeepsegError } from './errors.ts';
import { guidedFilterGrid, temporalMaskStep } from './mask-grid.ts';
import { allocFloat32, freeFrame } from './wasm-frames.ts';

const random = (n: number, seed: number) => {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r());
};

/** Mean over the (2r+1)² window inside the plane, in float64. */
function boxMean(src: ArrayLike<number>, w: number, h: number, r: number): Float64Array {
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      let n = 0;
      for (let j = Math.max(0, y - r); j <= Math.min(h - 1, y + r); j++) {
        for (let i = Math.max(0, x - r); i <= Math.min(w - 1, x + r); i++) {
          s += src[j * w + i]!;
          n++;
        }
      }
      out[y * w + x] = s / n;
    }
  }
  return out;
}

describe('temporalMaskStep', () => {
  const o = { width: 13, height: 7, still: 0.05, moving: 1, motionLow: 3, motionHigh: 12, catchUp: 0.3 };
  const n = o.width * o.height;

  it('matches the documented step in float64 (3×3 motion maximum, smoothstep rate, catch-up)', () => {
    const raw = random(n, 1);
    const state = random(n, 2);
    const prev = random(n, 3);
    const guide = prev.map((v, i) => (i % 5 === 0 ? v + 0.03 * ((i % 3) - 1) : v));
    const expected = new Float64Array(n);
    for (let y = 0; y < o.height; y++) {
      for (let x = 0; x < o.width; x++) {
        let m = 0;
        for (let j = Math.max(0, y - 1); j <= Math.min(o.height - 1, y + 1); j++) {
          for (let i = Math.max(0, x - 1); i <= Math.min(o.width - 1, x + 1); i++) {
            m = Math.max(m, Math.abs(guide[j * o.width + i]! - prev[j * o.width + i]!) * 255);
          }
        }
        const t = Math.min(Math.max((m - o.motionLow) / (o.motionHigh - o.motionLow), 0), 1);
        const k = y * o.width + x;
        const d = raw[k]! - state[k]!;
        const rate = Math.max(o.still + (o.moving - o.still) * t * t * (3 - 2 * t), o.catchUp * d * d);
        expected[k] = state[k]! + rate * d;
      }
    }
    const s = state.slice();
    const p = prev.slice();
    temporalMaskStep(raw, s, guide, p, o);
    for (let k = 0; k < n; k++) expect(s[k]).toBeCloseTo(expected[k]!, 5);
    expect(Array.from(p)).toEqual(Array.from(guide));
  });

  it('holds a still scene steady and follows a moving one at once', () => {
    const raw = new Float32Array(n).fill(1);
    const still = new Float32Array(n);
    const guide = new Float32Array(n).fill(0.5);
    temporalMaskStep(raw, still, guide, guide.slice(), { ...o, catchUp: 0 });
    expect(still[0]).toBeCloseTo(0.05, 6);
    const moving = new Float32Array(n);
    temporalMaskStep(raw, moving, guide, new Float32Array(n).fill(0.3), { ...o, catchUp: 0 });
    expect(moving[0]).toBeCloseTo(1, 6);
  });

  it('works in place on wasm-allocated planes', () => {
    const raw = random(n, 4);
    const state = random(n, 5);
    const guide = random(n, 6);
    const prev = random(n, 7);
    const s1 = state.slice();
    const p1 = prev.slice();
    temporalMaskStep(raw, s1, guide, p1, o);
    const w = [raw, state, guide, prev].map((v) => {
      const a = allocFloat32(n);
      a.set(v);
      return a;
    });
    temporalMaskStep(w[0]!, w[1]!, w[2]!, w[3]!, o);
    expect(Array.from(w[1]!)).toEqual(Array.from(s1));
    expect(Array.from(w[3]!)).toEqual(Array.from(p1));
    for (const v of w) freeFrame(v);
  });

  it('validates its arguments', () => {
    const a = new Float32Array(n);
    expect(() => temporalMaskStep(a, a.slice(), a, a.slice(), { ...o, still: Number.NaN })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
    );
    let err: unknown;
    try {
      temporalMaskStep(a.subarray(1), a.slice(), a, a.slice(), o);
    } catch (e) {
      err = e;
    }
    expect(isDeepsegError(err, 'ERR_BUFFER_TOO_SMALL')).toBe(true);
  });
});

describe('guidedFilterGrid', () => {
  it('matches the guided filter formulas in float64', () => {
    const w = 17;
    const h = 9;
    const n = w * h;
    const guide = random(n, 8);
    const p = random(n, 9);
    const r = 2;
    const eps = 0.002;
    const mI = boxMean(guide, w, h, r);
    const mP = boxMean(p, w, h, r);
    const II = boxMean(
      guide.map((g) => g * g),
      w,
      h,
      r,
    );
    const IP = boxMean(
      guide.map((g, i) => g * p[i]!),
      w,
      h,
      r,
    );
    const a = new Float64Array(n);
    const b = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      a[i] = (IP[i]! - mI[i]! * mP[i]!) / (II[i]! - mI[i]! * mI[i]! + eps);
      b[i] = mP[i]! - a[i]! * mI[i]!;
    }
    const eA = boxMean(a, w, h, r);
    const eB = boxMean(b, w, h, r);
    const meanA = new Float32Array(n);
    const meanB = new Float32Array(n);
    guidedFilterGrid(guide, p, meanA, meanB, { width: w, height: h, radius: r, eps });
    for (let i = 0; i < n; i++) {
      expect(Math.abs(meanA[i]! - eA[i]!)).toBeLessThan(1e-3 * Math.max(1, Math.abs(eA[i]!)));
      expect(Math.abs(meanB[i]! - eB[i]!)).toBeLessThan(1e-4);
    }
  });

  it('writes meanA and meanB in place when they are consecutive in wasm memory, with the same result', () => {
    const n = 17 * 9;
    const o = { width: 17, height: 9, radius: 2, eps: 0.002 };
    const guide = random(n, 10);
    const p = random(n, 11);
    const a = new Float32Array(n);
    const b = new Float32Array(n);
    guidedFilterGrid(guide, p, a, b, o);
    const both = allocFloat32(2 * n);
    guidedFilterGrid(guide, p, both.subarray(0, n), both.subarray(n), o);
    expect(Array.from(both.subarray(0, n))).toEqual(Array.from(a));
    expect(Array.from(both.subarray(n))).toEqual(Array.from(b));
    freeFrame(both);
  });

  it('validates its arguments', () => {
    const a = new Float32Array(4);
    const o = { width: 2, height: 2, radius: 1, eps: 0.01 };
    expect(() => guidedFilterGrid(a, a, a.slice(), a.slice(), { ...o, eps: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
    );
    expect(() => guidedFilterGrid(a, a, new Float32Array(3), a.slice(), o)).toThrow(
      expect.objectContaining({ code: 'ERR_BUFFER_TOO_SMALL' }),
    );
  });
});
