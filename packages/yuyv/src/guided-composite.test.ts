import { describe, expect, it } from 'vitest';
import { randomBytes, rng } from './__fixtures__/reference.ts';
import { isDeepsegError } from './errors.ts';
import {
  type GuidedBackground,
  type GuidedCompositeOptions,
  guidedCompositeYuyv,
} from './guided-composite.ts';
import { allocFloat32, allocFrame, freeFrame } from './wasm-frames.ts';

/** The documented formula in double precision (unrounded). */
function reference(
  frame: Uint8Array,
  bg: GuidedBackground,
  a: Float32Array,
  b: Float32Array,
  o: GuidedCompositeOptions,
): Float64Array {
  const { width: W, height: H, gridWidth: gw, gridHeight: gh } = o;
  const roi = o.roi ?? { x: 0, y: 0, width: W, height: H };
  const [lo, hi] = o.coverage ?? [0, 1];
  const wrap = o.lightWrap ?? 0;
  const out = new Float64Array(W * H * 2);
  const pos = (v: number, n: number, start: number, len: number) => {
    let g = ((v + 0.5 - start) * n) / len - 0.5;
    g = Math.min(Math.max(g, 0), n - 1);
    const k = Math.floor(g);
    return [k, Math.min(k + 1, n - 1), g - k] as const;
  };
  const bgByte = (y: number, i: number): number => {
    if (bg instanceof Uint8Array) return bg[y * W * 2 + i]!;
    if ('color' in bg) return (i & 1) === 0 ? bg.color[0] : (i & 3) === 1 ? bg.color[1] : bg.color[2];
    if (!('rows' in bg)) throw new Error('the reference takes rows (planes are checked against rows)');
    const rows = Math.ceil(H / bg.factor);
    const p = Math.min(Math.max((y + 0.5) / bg.factor - 0.5, 0), rows - 1);
    const y0 = Math.floor(p);
    const y1 = Math.min(y0 + 1, rows - 1);
    const w = Math.round((p - y0) * 256);
    return (bg.rows[y0 * W * 2 + i]! * (256 - w) + bg.rows[y1 * W * 2 + i]! * w + 128) >> 8;
  };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x += 2) {
      const al = [0, 0];
      for (let k = 0; k < 2; k++) {
        const xx = x + k;
        const inside = xx >= roi.x && xx < roi.x + roi.width && y >= roi.y && y < roi.y + roi.height;
        if (!inside) continue;
        const [x0, x1, fx] = pos(xx, gw, roi.x, roi.width);
        const [y0, y1, fy] = pos(y, gh, roi.y, roi.height);
        const bil = (g: Float32Array) =>
          (g[y0 * gw + x0]! * (1 - fx) + g[y0 * gw + x1]! * fx) * (1 - fy) +
          (g[y1 * gw + x0]! * (1 - fx) + g[y1 * gw + x1]! * fx) * fy;
        const Y = frame[(y * W + xx) * 2]!;
        let t = ((bil(a) / 255) * Y + bil(b) - lo) / (hi - lo);
        t = Math.min(Math.max(t, 0), 1);
        al[k] = t * t * (3 - 2 * t);
      }
      const d = (y * W + x) * 2;
      for (let k = 0; k < 2; k++) {
        const f = frame[d + 2 * k]!;
        const g = bgByte(y, x * 2 + 2 * k);
        const fw = f + ((1 - al[k]!) * wrap * g * (255 - f)) / 255;
        out[d + 2 * k] = g + (fw - g) * al[k]!;
      }
      const ac = (al[0]! + al[1]!) / 2;
      for (const c of [1, 3]) {
        const g = bgByte(y, x * 2 + c);
        out[d + c] = g + (frame[d + c]! - g) * ac;
      }
    }
  }
  return out;
}

function grids(gw: number, gh: number, seed: number): [Float32Array, Float32Array] {
  const r = rng(seed);
  const a = Float32Array.from({ length: gw * gh }, () => (r() - 0.5) * 4);
  const b = Float32Array.from({ length: gw * gh }, () => r() * 1.6 - 0.3);
  return [a, b];
}

/**
 * Checks `out` against the double-precision reference: within 1 code everywhere, exact wherever the
 * reference is a whole code (alpha 0 or 1: copied pixels), and that more than `share` of it is.
 */
function expectBlendAndExactCopies(out: Uint8Array, ref: Float64Array, share: number): void {
  expect(worst(out, ref)).toBeLessThanOrEqual(1);
  let exact = 0;
  for (let i = 0; i < ref.length; i++) {
    if (Number.isInteger(ref[i]!)) {
      expect(out[i]).toBe(ref[i]);
      exact++;
    }
  }
  expect(exact / ref.length).toBeGreaterThan(share);
}

function worst(out: Uint8Array, ref: Float64Array): number {
  let m = 0;
  for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(out[i]! - ref[i]!));
  return m;
}

describe('guidedCompositeYuyv', () => {
  const cases: [string, GuidedCompositeOptions][] = [
    [
      'whole frame',
      { width: 64, height: 36, gridWidth: 9, gridHeight: 7, coverage: [0.25, 0.75], lightWrap: 0.3 },
    ],
    [
      'roi, odd tail',
      { width: 46, height: 30, gridWidth: 5, gridHeight: 4, roi: { x: 3, y: 5, width: 37, height: 20 } },
    ],
    ['grid larger than frame', { width: 16, height: 8, gridWidth: 33, gridHeight: 17, coverage: [0.1, 0.9] }],
  ];
  for (const [name, o] of cases) {
    const n = o.width * o.height * 2;
    const frame = randomBytes(n, 1);
    const [a, b] = grids(o.gridWidth, o.gridHeight, 2);
    const factor = 4;
    const backgrounds: [string, GuidedBackground][] = [
      ['frame', randomBytes(n, 3)],
      ['colour', { color: [81, 90, 240] }],
      ['low-res rows', { rows: randomBytes(Math.ceil(o.height / factor) * o.width * 2, 4), factor }],
    ];
    for (const [bgName, bg] of backgrounds) {
      it(`matches the double-precision formula within 1 code (${name}, ${bgName})`, () => {
        const out = new Uint8Array(n);
        guidedCompositeYuyv(frame, bg, out, a, b, o);
        const ref = reference(frame, bg, a, b, o);
        expect(worst(out, ref)).toBeLessThanOrEqual(1);
        // Pixels that are surely background or person are exact (rounded the same way).
        let mixed = 0;
        for (let i = 0; i < n; i++) if (Math.abs(out[i]! - ref[i]!) > 0.5 + 1e-6) mixed++;
        expect(mixed / n).toBeLessThan(0.05);
      });
    }
  }

  it('copies cells that are surely background or person and blends the rest (runs of mixed cells)', () => {
    // Cells of three kinds side by side, with odd interval widths and an odd roi, so that pure runs
    // meet each other and edge runs at odd columns.
    for (const [seed, o] of [
      [21, { width: 46, height: 30, gridWidth: 7, gridHeight: 5, coverage: [0.25, 0.75], lightWrap: 0.3 }],
      [
        22,
        { width: 64, height: 20, gridWidth: 13, gridHeight: 3, roi: { x: 5, y: 2, width: 51, height: 15 } },
      ],
      [23, { width: 96, height: 40, gridWidth: 9, gridHeight: 5, coverage: [0.4, 0.6] }],
      [24, { width: 30, height: 12, gridWidth: 29, gridHeight: 11, coverage: [0.4, 0.6] }],
    ] as [number, GuidedCompositeOptions][]) {
      const r = rng(seed);
      const cells = o.gridWidth * o.gridHeight;
      const a = new Float32Array(cells);
      const b = new Float32Array(cells);
      for (let i = 0; i < cells; i++) {
        const kind = Math.floor(r() * 3);
        a[i] = kind === 2 ? (r() - 0.5) * 2 : 0;
        b[i] = kind === 0 ? -0.4 : kind === 1 ? 1.4 : 0.2 + r();
      }
      const n = o.width * o.height * 2;
      const frame = randomBytes(n, seed + 100);
      for (const bg of [randomBytes(n, seed + 200), { color: [16, 128, 128] as const }]) {
        const out = new Uint8Array(n);
        guidedCompositeYuyv(frame, bg, out, a, b, o);
        expectBlendAndExactCopies(out, reference(frame, bg, a, b, o), 0.3);
      }
    }
  });

  it('evaluates cells with a NaN coefficient instead of copying them as sure background', () => {
    // 13 grid columns: cells 0–11 are classified four at a time, the last one on its own.
    const o: GuidedCompositeOptions = { width: 104, height: 40, gridWidth: 13, gridHeight: 5 };
    const a = new Float32Array(65);
    const b = new Float32Array(65).fill(-0.4);
    const corners = [
      [1, 2],
      [3, 12],
    ] as const;
    for (const [k, g] of corners) b[k * 13 + g] = Number.NaN;
    const frame = randomBytes(104 * 40 * 2, 41);
    const out = new Uint8Array(frame.length);
    guidedCompositeYuyv(frame, { color: [16, 128, 128] }, out, a, b, o);
    const luma = (x: number, y: number) => out[(y * 104 + x) * 2];
    // In the four cells around each NaN sample, pixels are evaluated (NaN makes them 0), not copied
    // as background (16).
    for (const [k, g] of corners) {
      for (const [dx, dy] of [
        [-4, -4],
        [4, -4],
        [-4, 4],
        [4, 4],
      ] as const) {
        expect(luma(8 * g + dx, 8 * k + dy)).toBe(0);
      }
    }
    // Cells with no NaN corner stay plain copies.
    expect(luma(70, 4)).toBe(16);
    expect(luma(4, 36)).toBe(16);
  });

  it('blends exactly where flat luma makes a steep cell surely background or person', () => {
    // Steep coefficients (|a| up to 3) over a frame of flat luma patches: the [0, 255] bound calls
    // every cell an edge, the luma range each cell really has settles most of them.
    const o: GuidedCompositeOptions = { width: 96, height: 40, gridWidth: 12, gridHeight: 5, lightWrap: 0.2 };
    const r = rng(31);
    const cells = o.gridWidth * o.gridHeight;
    const a = Float32Array.from({ length: cells }, () => (r() - 0.5) * 6);
    const b = Float32Array.from({ length: cells }, () => r() * 3 - 1.5);
    const n = o.width * o.height * 2;
    const frame = randomBytes(n, 32);
    for (let y = 0; y < o.height; y++) {
      for (let x = 0; x < o.width; x++) {
        // luma constant over 16×8 patches (plus a ±1 ripple), chroma random
        const patch = (Math.floor(x / 16) * 7 + Math.floor(y / 8) * 3) % 5;
        frame[(y * o.width + x) * 2] = 20 + patch * 50 + ((x + y) & 1);
      }
    }
    for (const bg of [randomBytes(n, 33), { color: [16, 128, 128] as const }]) {
      const out = new Uint8Array(n);
      guidedCompositeYuyv(frame, bg, out, a, b, o);
      expectBlendAndExactCopies(out, reference(frame, bg, a, b, o), 0.2);
    }
  });

  it('upsamples low-resolution planes exactly as the equivalent rows', () => {
    const o: GuidedCompositeOptions = { width: 46, height: 30, gridWidth: 5, gridHeight: 4, lightWrap: 0.4 };
    const factor = 4;
    const pw = Math.ceil(o.width / factor);
    const ph = Math.ceil(o.height / factor);
    const r = rng(11);
    const planes = Float32Array.from({ length: pw * ph * 3 }, () => r() * 255);
    // Horizontal upsampling as documented: bilinear, luma at x + 0.5, chroma at the pair's centre, rounded.
    const rows = new Uint8Array(ph * o.width * 2);
    const sample = (plane: number, ly: number, pos: number) => {
      const p = Math.min(Math.max(pos / factor - 0.5, 0), pw - 1);
      const k = Math.floor(p);
      const f = Math.fround(p - k);
      const a = planes[plane * pw * ph + ly * pw + k]!;
      const b = planes[plane * pw * ph + ly * pw + Math.min(k + 1, pw - 1)]!;
      return Math.floor(Math.fround(a + Math.fround(Math.fround(b - a) * f)) + 0.5);
    };
    for (let ly = 0; ly < ph; ly++) {
      for (let i = 0; i < o.width / 2; i++) {
        const d = (ly * o.width + 2 * i) * 2;
        rows[d] = sample(0, ly, 2 * i + 0.5);
        rows[d + 2] = sample(0, ly, 2 * i + 1.5);
        rows[d + 1] = sample(1, ly, 2 * i + 1);
        rows[d + 3] = sample(2, ly, 2 * i + 1);
      }
    }
    const n = o.width * o.height * 2;
    const frame = randomBytes(n, 12);
    const [a, b] = grids(5, 4, 13);
    const viaRows = new Uint8Array(n);
    const viaPlanes = new Uint8Array(n);
    guidedCompositeYuyv(frame, { rows, factor }, viaRows, a, b, o);
    guidedCompositeYuyv(frame, { planes, planeWidth: pw, planeHeight: ph, factor }, viaPlanes, a, b, o);
    let differ = 0;
    for (let i = 0; i < n; i++) if (Math.abs(viaRows[i]! - viaPlanes[i]!) > 1) differ++;
    expect(differ).toBe(0);
    expect(Buffer.from(viaPlanes).equals(Buffer.from(viaRows))).toBe(true);
  });

  it('works in place on wasm-allocated buffers (no copies) with the same result', () => {
    const o: GuidedCompositeOptions = { width: 64, height: 36, gridWidth: 9, gridHeight: 7, lightWrap: 0.2 };
    const n = o.width * o.height * 2;
    const frame = randomBytes(n, 5);
    const bg = randomBytes(n, 6);
    const [a, b] = grids(9, 7, 7);
    const expected = new Uint8Array(n);
    guidedCompositeYuyv(frame, bg, expected, a, b, o);
    const wf = allocFrame(n);
    const wb = allocFrame(n);
    const wo = allocFrame(n);
    const wa = allocFloat32(a.length);
    const wc = allocFloat32(b.length);
    wf.set(frame);
    wb.set(bg);
    wa.set(a);
    wc.set(b);
    guidedCompositeYuyv(wf, wb, wo, wa, wc, o);
    expect(Array.from(wo)).toEqual(Array.from(expected));
    for (const v of [wf, wb, wo, wa, wc]) freeFrame(v);
  });

  it('outside the roi the output is the background, exactly', () => {
    const o: GuidedCompositeOptions = {
      width: 32,
      height: 16,
      gridWidth: 4,
      gridHeight: 4,
      roi: { x: 8, y: 4, width: 16, height: 8 },
    };
    const n = o.width * o.height * 2;
    const bg = randomBytes(n, 8);
    const out = new Uint8Array(n);
    const ones = new Float32Array(16).fill(1);
    guidedCompositeYuyv(randomBytes(n, 9), bg, out, new Float32Array(16), ones, o);
    for (let y = 0; y < 16; y++) {
      for (let x = 0; x < 32; x++) {
        if (x >= 8 && x < 24 && y >= 4 && y < 12) continue;
        const i = (y * 32 + x) * 2;
        expect(out[i]).toBe(bg[i]);
      }
    }
  });

  it('validates its arguments', () => {
    const o: GuidedCompositeOptions = { width: 8, height: 2, gridWidth: 2, gridHeight: 2 };
    const f = new Uint8Array(32);
    const g = new Float32Array(4);
    const code = (fn: () => void): string | undefined => {
      try {
        fn();
      } catch (e) {
        for (const c of ['ERR_INVALID_OPTION', 'ERR_INVALID_ARGUMENT', 'ERR_BUFFER_TOO_SMALL']) {
          if (isDeepsegError(e, c)) return c;
        }
        throw e;
      }
      return undefined;
    };
    expect(code(() => guidedCompositeYuyv(f, f.slice(), new Uint8Array(32), g, g, o))).toBeUndefined();
    expect(code(() => guidedCompositeYuyv(f, f.slice(), new Uint8Array(31), g, g, o))).toBe(
      'ERR_BUFFER_TOO_SMALL',
    );
    expect(code(() => guidedCompositeYuyv(f, f.slice(), f, g, g, o))).toBe('ERR_INVALID_ARGUMENT');
    expect(code(() => guidedCompositeYuyv(f, f.slice(), new Uint8Array(32), g, g, { ...o, width: 7 }))).toBe(
      'ERR_INVALID_OPTION',
    );
    expect(
      code(() => guidedCompositeYuyv(f, f.slice(), new Uint8Array(32), g, g, { ...o, coverage: [0.8, 0.2] })),
    ).toBe('ERR_INVALID_OPTION');
    expect(
      code(() => guidedCompositeYuyv(f, f.slice(), new Uint8Array(32), g, g, { ...o, lightWrap: 2 })),
    ).toBe('ERR_INVALID_OPTION');
    expect(code(() => guidedCompositeYuyv(f, { color: [0, 0, 300] }, new Uint8Array(32), g, g, o))).toBe(
      'ERR_INVALID_OPTION',
    );
    expect(
      code(() => guidedCompositeYuyv(f, { rows: new Uint8Array(8), factor: 2 }, new Uint8Array(32), g, g, o)),
    ).toBe('ERR_BUFFER_TOO_SMALL');
    expect(code(() => guidedCompositeYuyv(f, f.slice(), new Uint8Array(32), g, new Float32Array(3), o))).toBe(
      'ERR_BUFFER_TOO_SMALL',
    );
  });
});
