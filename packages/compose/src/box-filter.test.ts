import { boxMeanPlanes } from '@deepseg/yuyv';
import { describe, expect, it } from 'vitest';
import { boxMean, morph } from './box-filter.ts';

function random(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return (s >>> 8) / (1 << 24);
  });
}

describe('box filters', () => {
  it.each([
    [128, 128, 2],
    [160, 90, 2],
    [33, 17, 3],
    [5, 4, 9],
  ])('yuyv boxMeanPlanes equals the JS boxMean within float32 rounding (%i×%i, radius %i)', (w, h, r) => {
    // (small radii sum in float32 in yuyv, large ones in float64 like the JS running sums)
    const src = random(w * h, w + h * 7);
    const js = new Float32Array(w * h);
    boxMean(src, js, w, h, r, new Float32Array(w * h));
    const wasm = src.slice();
    boxMeanPlanes(wasm, { width: w, height: h, radius: r });
    let worst = 0;
    for (let i = 0; i < js.length; i++) worst = Math.max(worst, Math.abs(wasm[i]! - js[i]!));
    expect(worst).toBeLessThan(1e-6);
    if (r > 4) expect(wasm).toEqual(js);
  });

  it('dilates with a 3×3 max and erodes with a 3×3 min', () => {
    const w = 6;
    const h = 5;
    const src = random(w * h, 11);
    const tmp = new Float32Array(w * h);
    const grown = new Float32Array(w * h);
    const shrunk = new Float32Array(w * h);
    morph(src, grown, w, h, 1, tmp);
    morph(src, shrunk, w, h, -1, tmp);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let hi = -Infinity;
        let lo = Infinity;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
            hi = Math.max(hi, src[yy * w + xx]!);
            lo = Math.min(lo, src[yy * w + xx]!);
          }
        }
        expect(grown[y * w + x]).toBe(hi);
        expect(shrunk[y * w + x]).toBe(lo);
      }
    }
  });
});
