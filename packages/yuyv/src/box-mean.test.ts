import { describe, expect, it } from 'vitest';
import { boxMeanPlanes } from './box-mean.ts';
import { isDeepsegError } from './errors.ts';
import { allocFloat32, freeFrame } from './wasm-frames.ts';

/** Direct definition: the mean of the window's samples inside the plane, summed in float64. */
function reference(src: Float32Array, width: number, height: number, radius: number): Float32Array {
  const rx = Math.min(radius, width - 1);
  const ry = Math.min(radius, height - 1);
  const rows = new Float32Array(src.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      const lo = Math.max(0, x - rx);
      const hi = Math.min(width - 1, x + rx);
      for (let k = lo; k <= hi; k++) s += src[y * width + k]!;
      rows[y * width + x] = s / (hi - lo + 1);
    }
  }
  const out = new Float32Array(src.length);
  for (let y = 0; y < height; y++) {
    const lo = Math.max(0, y - ry);
    const hi = Math.min(height - 1, y + ry);
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = lo; k <= hi; k++) s += rows[k * width + x]!;
      out[y * width + x] = s / (hi - lo + 1);
    }
  }
  return out;
}

function random(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return (s >>> 8) / (1 << 24);
  });
}

describe('boxMeanPlanes', () => {
  it.each([
    [128, 128, 2, 1],
    [160, 90, 2, 2],
    [7, 5, 1, 1],
    [33, 17, 3, 2],
    [5, 4, 40, 1],
  ])('matches the direct definition on %i×%i, radius %i, %i passes (3 planes)', (w, h, r, passes) => {
    const n = w * h;
    const planes = random(n * 3, w * 31 + h);
    const want = new Float32Array(n * 3);
    for (let c = 0; c < 3; c++) {
      let p: Float32Array = planes.slice(c * n, (c + 1) * n);
      for (let k = 0; k < passes; k++) p = reference(p, w, h, r);
      want.set(p, c * n);
    }
    boxMeanPlanes(planes, { width: w, height: h, radius: r, passes });
    for (let i = 0; i < want.length; i++) expect(planes[i]).toBeCloseTo(want[i]!, 5);
  });

  it('works in place on planes in wasm memory', () => {
    const planes = allocFloat32(20 * 10);
    planes.set(random(200, 7));
    const want = reference(planes.slice(), 20, 10, 2);
    boxMeanPlanes(planes, { width: 20, height: 10, radius: 2 });
    for (let i = 0; i < 200; i++) expect(planes[i]).toBeCloseTo(want[i]!, 5);
    freeFrame(planes);
  });

  it.each([
    [4, 3, 0],
    [1, 9, 2],
    [9, 1, 2],
  ])('leaves %i×%i planes alone for radius %i (as for a single row or column)', (w, h, r) => {
    const planes = random(w * h, 3);
    const copy = planes.slice();
    boxMeanPlanes(planes, { width: w, height: h, radius: r });
    expect(planes).toEqual(copy);
  });

  it('rejects a partial plane and bad options', () => {
    const bad = (f: () => void, code: string) => {
      try {
        f();
        expect.unreachable();
      } catch (e) {
        expect(isDeepsegError(e, code)).toBe(true);
      }
    };
    bad(
      () => boxMeanPlanes(new Float32Array(13), { width: 4, height: 3, radius: 1 }),
      'ERR_BUFFER_TOO_SMALL',
    );
    bad(() => boxMeanPlanes(new Float32Array(12), { width: 4, height: 3, radius: -1 }), 'ERR_INVALID_OPTION');
    bad(() => boxMeanPlanes(new Float32Array(12), { width: 0, height: 3, radius: 1 }), 'ERR_INVALID_OPTION');
  });
});
