// Per-axis resampling tables (which source pixels and weights each output pixel reads), built once
// per geometry and cached, so the per-frame path allocates nothing.

/** Bilinear taps of one axis: output i reads `i0[i]` and `i0[i] + step[i]` with weight `f[i]` on the latter. */
export interface BilinearAxis {
  kind: 'bilinear';
  i0: Int32Array;
  /** 0 or 1: the second tap's distance from the first (0 at the clamped edges). */
  step: Int32Array;
  f: Float32Array;
}

/** Box-filter (area) taps of one axis: output i reads `count[i]` pixels from `start[i]` with `w[off[i] + k]`. */
export interface AreaAxis {
  kind: 'area';
  start: Int32Array;
  count: Int32Array;
  off: Int32Array;
  w: Float32Array;
}

export type Axis = BilinearAxis | AreaAxis;

/**
 * Source coordinate of output pixel `i` when `n` output pixels cover the source span
 * `[start, start + length)`: pixel centres are aligned (`s = start + (i + 0.5)·length/n − 0.5`), as
 * in OpenCV INTER_LINEAR and TensorFlow `half_pixel_centers=True`.
 */
export function bilinearAxis(start: number, length: number, n: number): BilinearAxis {
  const i0 = new Int32Array(n);
  const step = new Int32Array(n);
  const f = new Float32Array(n);
  const scale = length / n;
  const last = start + length - 1;
  for (let i = 0; i < n; i++) {
    let s = start + (i + 0.5) * scale - 0.5;
    if (s < start) s = start;
    let a = Math.floor(s);
    let frac = s - a;
    if (a >= last) {
      a = last;
      frac = 0;
    }
    i0[i] = a;
    step[i] = a < last ? 1 : 0;
    f[i] = frac;
  }
  return { kind: 'bilinear', i0, step, f };
}

/**
 * Exact box coverage: output pixel `i` averages the source span
 * `[start + i·length/n, start + (i+1)·length/n)`, each source pixel weighted by the length it covers
 * (OpenCV INTER_AREA when shrinking; when enlarging, each output takes its 1–2 covering pixels).
 */
export function areaAxis(start: number, length: number, n: number): AreaAxis {
  const scale = length / n;
  const s = new Int32Array(n);
  const count = new Int32Array(n);
  const off = new Int32Array(n);
  const weights: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = i * scale;
    const b = Math.min((i + 1) * scale, length);
    const last = Math.min(Math.ceil(b) - 1, length - 1);
    off[i] = weights.length;
    let c = 0;
    s[i] = start + Math.min(Math.floor(a), length - 1);
    for (let p = Math.floor(a); p <= last; p++) {
      const w = (Math.min(b, p + 1) - Math.max(a, p)) / (b - a);
      if (w < 1e-9) {
        if (c === 0) s[i] = start + p + 1;
        continue;
      }
      weights.push(w);
      c++;
    }
    count[i] = c;
  }
  return { kind: 'area', start: s, count, off, w: Float32Array.from(weights) };
}

interface CacheEntry {
  kind: 'bilinear' | 'area';
  start: number;
  length: number;
  n: number;
  axis: Axis;
}

const cache: CacheEntry[] = [];
const CACHE_SIZE = 16;

/** Cached {@link bilinearAxis} / {@link areaAxis}. */
export function axis(kind: 'bilinear' | 'area', start: number, length: number, n: number): Axis {
  for (let i = 0; i < cache.length; i++) {
    const e = cache[i]!;
    if (e.kind === kind && e.start === start && e.length === length && e.n === n) return e.axis;
  }
  const a = kind === 'bilinear' ? bilinearAxis(start, length, n) : areaAxis(start, length, n);
  if (cache.length >= CACHE_SIZE) cache.shift();
  cache.push({ kind, start, length, n, axis: a });
  return a;
}
