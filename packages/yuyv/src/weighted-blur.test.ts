import { describe, expect, it } from 'vitest';
import { errorCode, randomBytes, rng } from './__fixtures__/reference.ts';
import type { Rect } from './validate.ts';
import { allocFloat32, allocFrame, freeFrame } from './wasm-frames.ts';
import { weightedBlurPlanes } from './weighted-blur.ts';

/** The documented algorithm, written plainly in JavaScript (float64, stored as float32). */
/** A test geometry: frame size, low-resolution factor, box radius and passes, mask grid and roi. */
interface Geometry {
  width: number;
  height: number;
  factor: number;
  radius: number;
  passes: number;
  gw: number;
  gh: number;
  roi?: Rect;
}

function reference(frame: Uint8Array, mask: Float32Array, o: Geometry & { roi: Rect }): Float32Array {
  const { width, height, factor: f, gw, gh, roi } = o;
  const lw = Math.ceil(width / f);
  const lh = Math.ceil(height / f);
  const n = lw * lh;
  const p = new Float32Array(n * 4);
  const at = (i: number, size: number) =>
    Math.min(size - 1, Math.floor((i >> 1) * f + f * (0.25 + 0.5 * (i & 1))));
  const cell = (l: number, start: number, len: number, cells: number) => {
    const c = (l + 0.5) * f;
    return c < start || c >= start + len ? -1 : Math.min(cells - 1, Math.floor(((c - start) * cells) / len));
  };
  for (let ly = 0; ly < lh; ly++) {
    for (let lx = 0; lx < lw; lx++) {
      let y = 0;
      let u = 0;
      let v = 0;
      for (const sy of [at(ly * 2, height), at(ly * 2 + 1, height)]) {
        for (const sx of [at(lx * 2, width), at(lx * 2 + 1, width)]) {
          const b = (sy * width + sx) * 2;
          y += frame[b]!;
          u += frame[(b & ~3) + 1]!;
          v += frame[(b & ~3) + 3]!;
        }
      }
      const cx = cell(lx, roi.x, roi.width, gw);
      const cy = cell(ly, roi.y, roi.height, gh);
      let w = 1;
      if (cx >= 0 && cy >= 0) {
        const t = Math.min(Math.max((mask[cy * gw + cx]! - 0.1) * 2.5, 0), 1);
        w = 1 - t * t * (3 - 2 * t);
      }
      w += 1e-4;
      const i = ly * lw + lx;
      p[i] = y * w;
      p[n + i] = u * w;
      p[2 * n + i] = v * w;
      p[3 * n + i] = w * 4;
    }
  }
  // Box passes, each output the mean of the window's samples inside the plane (rows, then columns).
  const r = o.radius;
  /** Mean of src[at(i + d)] for d in −r..r with 0 ≤ i + d < len. */
  const windowMean = (src: Float32Array, i: number, len: number, at: (j: number) => number) => {
    let s = 0;
    let k = 0;
    for (let j = Math.max(0, i - r); j <= Math.min(len - 1, i + r); j++, k++) s += src[at(j)]!;
    return s / k;
  };
  for (let c = 0; c < 4; c++) {
    const plane = p.subarray(c * n, (c + 1) * n);
    for (let pass = 0; pass < o.passes; pass++) {
      const rows = new Float32Array(n);
      for (let yy = 0; yy < lh; yy++) {
        for (let xx = 0; xx < lw; xx++) rows[yy * lw + xx] = windowMean(plane, xx, lw, (x) => yy * lw + x);
      }
      for (let yy = 0; yy < lh; yy++) {
        for (let xx = 0; xx < lw; xx++) plane[yy * lw + xx] = windowMean(rows, yy, lh, (y) => y * lw + xx);
      }
    }
  }
  for (let i = 0; i < n; i++) {
    const inv = 1 / p[3 * n + i]!;
    p[i] = p[i]! * inv;
    p[n + i] = p[n + i]! * inv;
    p[2 * n + i] = p[2 * n + i]! * inv;
  }
  return p.subarray(0, 3 * n);
}

describe('weightedBlurPlanes', () => {
  const cases: [string, Geometry][] = [
    ['whole frame', { width: 64, height: 36, factor: 4, radius: 2, passes: 2, gw: 16, gh: 9 }],
    [
      'roi, odd sizes',
      {
        width: 46,
        height: 31,
        factor: 3,
        radius: 1,
        passes: 1,
        gw: 7,
        gh: 5,
        roi: { x: 5, y: 3, width: 33, height: 20 },
      },
    ],
    ['factor 1', { width: 8, height: 6, factor: 1, radius: 2, passes: 2, gw: 4, gh: 3 }],
  ];
  for (const [name, c] of cases) {
    it(`matches the plain algorithm within float rounding (${name})`, () => {
      const frame = randomBytes(c.width * c.height * 2, 1);
      const r = rng(2);
      const mask = Float32Array.from({ length: c.gw * c.gh }, () => r());
      const lw = Math.ceil(c.width / c.factor);
      const lh = Math.ceil(c.height / c.factor);
      const planes = new Float32Array(lw * lh * 4);
      const roi = c.roi ?? { x: 0, y: 0, width: c.width, height: c.height };
      weightedBlurPlanes(frame, mask, planes, {
        width: c.width,
        height: c.height,
        factor: c.factor,
        radius: c.radius,
        passes: c.passes,
        maskWidth: c.gw,
        maskHeight: c.gh,
        ...(c.roi ? { roi: c.roi } : {}),
      });
      const ref = reference(frame, mask, { ...c, roi });
      let worst = 0;
      for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(planes[i]! - ref[i]!));
      expect(worst).toBeLessThan(1e-3);
      // Values stay codes: a weighted mean of samples.
      for (let i = 0; i < ref.length; i++) expect(planes[i]).toBeGreaterThanOrEqual(0);
    });
  }

  it('keeps the person out of the blur around it', () => {
    // Left half person (luma 235), right half background (luma 16): the blurred background next to the
    // boundary stays dark because the person's samples carry (almost) no weight.
    const width = 64;
    const height = 8;
    const frame = new Uint8Array(width * height * 2).fill(128);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) frame[(y * width + x) * 2] = x < 32 ? 235 : 16;
    const mask = Float32Array.from({ length: 16 }, (_, i) => (i % 8 < 4 ? 1 : 0));
    const planes = new Float32Array(16 * 2 * 4);
    const options = { width, height, factor: 4, radius: 2, maskWidth: 8, maskHeight: 2 };
    weightedBlurPlanes(frame, mask, planes, options);
    // Low-resolution column 8 is the first background column right of the boundary.
    expect(planes[8]!).toBeLessThan(20);
    // Without the mask the person's light bleeds in.
    weightedBlurPlanes(frame, new Float32Array(16), planes, options);
    expect(planes[8]!).toBeGreaterThan(60);
  });

  it('works in place on wasm-allocated buffers with the same result', () => {
    const o = { width: 64, height: 36, factor: 4, radius: 2, maskWidth: 16, maskHeight: 9 };
    const frame = randomBytes(64 * 36 * 2, 3);
    const r = rng(4);
    const mask = Float32Array.from({ length: 144 }, () => r());
    const expected = new Float32Array(16 * 9 * 4);
    weightedBlurPlanes(frame, mask, expected, o);
    const wf = allocFrame(frame.length);
    const wm = allocFloat32(mask.length);
    const wp = allocFloat32(expected.length);
    wf.set(frame);
    wm.set(mask);
    weightedBlurPlanes(wf, wm, wp, o);
    expect(Array.from(wp.subarray(0, 16 * 9 * 3))).toEqual(Array.from(expected.subarray(0, 16 * 9 * 3)));
    for (const v of [wf, wm, wp]) freeFrame(v);
  });

  it('validates its arguments', () => {
    const frame = new Uint8Array(16 * 8 * 2);
    const mask = new Float32Array(4);
    const planes = new Float32Array(4 * 2 * 4);
    const o = { width: 16, height: 8, factor: 4, radius: 1, maskWidth: 2, maskHeight: 2 };
    expect(errorCode(() => weightedBlurPlanes(frame, mask, planes, o))).toBe('no error');
    expect(errorCode(() => weightedBlurPlanes(frame, mask, planes, { ...o, factor: 0 }))).toBe(
      'ERR_INVALID_OPTION',
    );
    expect(errorCode(() => weightedBlurPlanes(frame, mask, new Float32Array(3), o))).toBe(
      'ERR_BUFFER_TOO_SMALL',
    );
    expect(errorCode(() => weightedBlurPlanes(frame.subarray(2), mask, planes, o))).toBe(
      'ERR_BUFFER_TOO_SMALL',
    );
    expect(errorCode(() => weightedBlurPlanes(frame, new Float32Array(3), planes, o))).toBe(
      'ERR_BUFFER_TOO_SMALL',
    );
    expect(
      errorCode(() =>
        weightedBlurPlanes(frame, mask, planes, { ...o, roi: { x: 0, y: 0, width: 99, height: 8 } }),
      ),
    ).toBe('ERR_INVALID_OPTION');
  });
});
