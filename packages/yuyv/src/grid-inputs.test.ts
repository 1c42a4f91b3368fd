import { describe, expect, it } from 'vitest';
import { errorCode } from './__fixtures__/reference.ts';
import { gridLuma, maskToGrid, removeSmallRegions } from './grid-inputs.ts';
import type { Rect } from './validate.ts';
import { allocFloat32, allocFrame, freeFrame } from './wasm-frames.ts';

// The JavaScript these kernels replaced in @deepseg/compose, kept as the reference they must equal.

function refMaskToGrid(
  mask: Float32Array,
  maskWidth: number,
  rect: Rect,
  s: number,
  dst: Float32Array,
): void {
  const clamp = (v: number) => (v > 0 ? Math.min(v, 1) : 0);
  const cw = Math.ceil(rect.width / s);
  const ch = Math.ceil(rect.height / s);
  if (s === 1) {
    for (let y = 0; y < ch; y++)
      for (let x = 0; x < cw; x++) dst[y * cw + x] = clamp(mask[(rect.y + y) * maskWidth + rect.x + x]!);
    return;
  }
  if (s === 2 && rect.width % 2 === 0 && rect.height % 2 === 0) {
    for (let cy = 0; cy < ch; cy++) {
      const r0 = (rect.y + cy * 2) * maskWidth + rect.x;
      const r1 = r0 + maskWidth;
      for (let cx = 0; cx < cw; cx++) {
        const x = cx * 2;
        dst[cy * cw + cx] = clamp(
          (mask[r0 + x]! + mask[r0 + x + 1]! + mask[r1 + x]! + mask[r1 + x + 1]!) * 0.25,
        );
      }
    }
    return;
  }
  for (let cy = 0; cy < ch; cy++) {
    const y0 = cy * s;
    const y1 = Math.min(rect.height, y0 + s);
    for (let cx = 0; cx < cw; cx++) {
      const x0 = cx * s;
      const x1 = Math.min(rect.width, x0 + s);
      let sum = 0;
      for (let y = y0; y < y1; y++)
        for (let x = x0; x < x1; x++) sum += clamp(mask[(rect.y + y) * maskWidth + rect.x + x]!);
      dst[cy * cw + cx] = sum / ((y1 - y0) * (x1 - x0));
    }
  }
}

function refGridLuma(frame: Uint8Array, rows: Int32Array, cols: Int32Array, dst: Float32Array): void {
  const gw = cols.length / 2;
  const k = 1 / (4 * 255);
  for (let gy = 0; gy < rows.length / 2; gy++)
    for (let gx = 0; gx < gw; gx++) {
      const r0 = rows[gy * 2]!;
      const r1 = rows[gy * 2 + 1]!;
      const c0 = cols[gx * 2]!;
      const c1 = cols[gx * 2 + 1]!;
      dst[gy * gw + gx] = (frame[r0 + c0]! + frame[r0 + c1]! + frame[r1 + c0]! + frame[r1 + c1]!) * k;
    }
}

/** Breadth-first flood fill of each region, as compose had it. */
function refRemove(
  mask: Float32Array,
  w: number,
  h: number,
  minArea: number,
  fg: boolean,
  t: number,
): number {
  const n = w * h;
  const visited = new Uint8Array(n);
  const queue = new Int32Array(n);
  let removed = 0;
  for (let start = 0; start < n; start++) {
    if (visited[start] !== 0 || mask[start]! >= t !== fg) continue;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    visited[start] = 1;
    let border = false;
    while (head < tail) {
      const i = queue[head++]!;
      const x = i % w;
      const y = (i - x) / w;
      if (x === 0 || y === 0 || x === w - 1 || y === h - 1) border = true;
      for (const [ok, j] of [
        [x > 0, i - 1],
        [x < w - 1, i + 1],
        [y > 0, i - w],
        [y < h - 1, i + w],
      ] as const) {
        if (ok && visited[j] === 0 && mask[j]! >= t === fg) {
          visited[j] = 1;
          queue[tail++] = j;
        }
      }
    }
    if (tail < minArea && (fg || !border)) {
      for (let k = 0; k < tail; k++) mask[queue[k]!] = fg ? 0 : 1;
      removed++;
    }
  }
  return removed;
}

/** Deterministic values in −0.2..1.2 with NaN and −0 sprinkled in. */
function noisyMask(n: number, seed: number): Float32Array {
  const m = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    m[i] = (s / 2 ** 32) * 1.4 - 0.2;
  }
  m[3] = Number.NaN;
  m[5] = -0;
  return m;
}

/** Blobs: a smoothed random field, so regions of many sizes appear. */
function blobMask(w: number, h: number, seed: number): Float32Array {
  const raw = noisyMask(w * h, seed);
  const m = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let sum = 0;
      let c = 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const v = raw[Math.min(h - 1, Math.max(0, y + dy)) * w + Math.min(w - 1, Math.max(0, x + dx))]!;
          if (!Number.isNaN(v)) {
            sum += v;
            c++;
          }
        }
      m[y * w + x] = sum / c;
    }
  return m;
}

const sameBits = (a: Float32Array, b: Float32Array) =>
  expect(Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length))).toEqual(
    Array.from(new Uint32Array(b.buffer, b.byteOffset, b.length)),
  );

describe('maskToGrid', () => {
  const cases: [string, number, number, Rect | undefined, number][] = [
    ['subsample 1', 37, 23, { x: 3, y: 2, width: 30, height: 19 }, 1],
    ['subsample 2, even rect', 256, 144, undefined, 2],
    ['subsample 2, odd rect', 40, 30, { x: 1, y: 1, width: 37, height: 27 }, 2],
    ['subsample 3', 50, 41, { x: 0, y: 4, width: 50, height: 33 }, 3],
  ];
  for (const [name, mw, mh, rect, s] of cases) {
    it(`equals the JavaScript reference bit for bit: ${name}`, () => {
      const mask = noisyMask(mw * mh, mw * 7 + s);
      const r = rect ?? { x: 0, y: 0, width: mw, height: mh };
      const n = Math.ceil(r.width / s) * Math.ceil(r.height / s);
      const want = new Float32Array(n);
      refMaskToGrid(mask, mw, r, s, want);
      const got = new Float32Array(n);
      maskToGrid(mask, got, { maskWidth: mw, maskHeight: mh, rect, subsample: s });
      sameBits(got, want);
      // the same from shared memory and into wasm memory
      const shared = new Float32Array(new SharedArrayBuffer(mask.length * 4));
      shared.set(mask);
      const inWasm = allocFloat32(n);
      try {
        maskToGrid(shared, inWasm, { maskWidth: mw, maskHeight: mh, rect, subsample: s });
        sameBits(inWasm, want);
      } finally {
        freeFrame(inWasm);
      }
    });
  }

  it('refuses a rect outside the mask, a short destination and a zero subsample', () => {
    const m = new Float32Array(16);
    const o = { maskWidth: 4, maskHeight: 4, subsample: 2 };
    expect(
      errorCode(() =>
        maskToGrid(m, new Float32Array(4), { ...o, rect: { x: 2, y: 0, width: 4, height: 4 } }),
      ),
    ).toBe('ERR_INVALID_OPTION');
    expect(errorCode(() => maskToGrid(m, new Float32Array(3), o))).toBe('ERR_BUFFER_TOO_SMALL');
    expect(errorCode(() => maskToGrid(m, new Float32Array(4), { ...o, subsample: 0 }))).toBe(
      'ERR_INVALID_OPTION',
    );
    expect(errorCode(() => maskToGrid(new Float32Array(15), new Float32Array(4), o))).toBe(
      'ERR_BUFFER_TOO_SMALL',
    );
  });
});

describe('gridLuma', () => {
  it('equals the JavaScript reference bit for bit, from any memory', () => {
    const W = 64;
    const H = 36;
    const frame = new Uint8Array(W * H * 2);
    for (let i = 0; i < frame.length; i++) frame[i] = (i * 37 + (i >> 7)) & 255;
    const rows = Int32Array.from({ length: 18 }, (_, i) => Math.min(H - 1, i * 2 + (i & 1)) * W * 2);
    const cols = Int32Array.from({ length: 40 }, (_, i) => Math.min(W - 1, Math.floor(i * 1.6)) * 2);
    const n = 9 * 20;
    const want = new Float32Array(n);
    refGridLuma(frame, rows, cols, want);
    const got = new Float32Array(n);
    gridLuma(frame, got, { rowOffsets: rows, colOffsets: cols });
    sameBits(got, want);
    const staged = allocFrame(frame.length);
    try {
      staged.set(frame);
      got.fill(0);
      gridLuma(staged, got, { rowOffsets: rows, colOffsets: cols });
      sameBits(got, want);
    } finally {
      freeFrame(staged);
    }
  });

  it('refuses offsets that reach past the frame or odd tables', () => {
    const f = new Uint8Array(32);
    const dst = new Float32Array(4);
    expect(
      errorCode(() =>
        gridLuma(f, dst, { rowOffsets: Int32Array.of(0, 16), colOffsets: Int32Array.of(0, 16) }),
      ),
    ).toBe('ERR_INVALID_OPTION');
    expect(
      errorCode(() => gridLuma(f, dst, { rowOffsets: Int32Array.of(0), colOffsets: Int32Array.of(0, 2) })),
    ).toBe('ERR_INVALID_OPTION');
    expect(
      errorCode(() =>
        gridLuma(f, dst, { rowOffsets: Int32Array.of(-2, 0), colOffsets: Int32Array.of(0, 2) }),
      ),
    ).toBe('ERR_INVALID_OPTION');
    expect(
      errorCode(() =>
        gridLuma(f, dst, { rowOffsets: Int32Array.of(0, 16), colOffsets: Int32Array.of(0, 14) }),
      ),
    ).toBe('no error');
  });
});

describe('removeSmallRegions', () => {
  const W = 10;
  const H = 8;
  const grid = (rows: string[]) => Float32Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0));
  const show = (m: Float32Array) =>
    Array.from({ length: H }, (_, y) =>
      Array.from(m.subarray(y * W, (y + 1) * W), (v) => (v >= 0.5 ? '#' : '.')).join(''),
    );

  it('removes person blobs smaller than the minimum area and keeps the rest', () => {
    const m = grid([
      '#.........',
      '..........',
      '...####...',
      '...####...',
      '...####...',
      '..........',
      '........##',
      '........##',
    ]);
    expect(removeSmallRegions(m, { width: W, height: H, minArea: 5, foreground: true })).toBe(2);
    expect(show(m)).toEqual([
      '..........',
      '..........',
      '...####...',
      '...####...',
      '...####...',
      '..........',
      '..........',
      '..........',
    ]);
  });

  it('takes a soft rim into the blob with a lower threshold', () => {
    const m = new Float32Array(W * H);
    m[3 * W + 3] = 1;
    m[3 * W + 4] = 0.4; // rim
    m[6 * W + 6] = 0.4; // a lone faint cell
    removeSmallRegions(m, { width: W, height: H, minArea: 5, foreground: true, threshold: 0.25 });
    expect(Array.from(m).every((v) => v === 0)).toBe(true);
  });

  it('fills small holes inside the person but not background touching the border', () => {
    const m = grid([
      '..........',
      '.########.',
      '.#..#####.',
      '.#..#####.',
      '.########.',
      '.########.',
      '..........',
      '..........',
    ]);
    removeSmallRegions(m, { width: W, height: H, minArea: 5, foreground: false });
    expect(show(m)).toEqual([
      '..........',
      '.########.',
      '.########.',
      '.########.',
      '.########.',
      '.########.',
      '..........',
      '..........',
    ]);
  });

  it('equals the flood fill reference on random blobs, both ways, in any memory', () => {
    const w = 128;
    const h = 72;
    for (const [fg, t, area] of [
      [true, 0.6, 40],
      [false, 0.4, 40],
      [true, 0.5, 200],
    ] as const) {
      const m = blobMask(w, h, area + (fg ? 1 : 2));
      const want = m.slice();
      const removedWant = refRemove(want, w, h, area, fg, t);
      expect(removedWant).toBeGreaterThan(0);
      const got = m.slice();
      expect(
        removeSmallRegions(got, { width: w, height: h, minArea: area, foreground: fg, threshold: t }),
      ).toBe(removedWant);
      sameBits(got, want);
      const inWasm = allocFloat32(w * h);
      try {
        inWasm.set(m);
        removeSmallRegions(inWasm, { width: w, height: h, minArea: area, foreground: fg, threshold: t });
        sameBits(inWasm, want);
      } finally {
        freeFrame(inWasm);
      }
    }
  });

  it('refuses a short mask and a foreground that is not a boolean', () => {
    const m = new Float32Array(10);
    expect(
      errorCode(() => removeSmallRegions(m, { width: 4, height: 3, minArea: 2, foreground: true })),
    ).toBe('ERR_BUFFER_TOO_SMALL');
    expect(
      errorCode(() =>
        removeSmallRegions(m, { width: 2, height: 2, minArea: 2, foreground: 1 as unknown as boolean }),
      ),
    ).toBe('ERR_INVALID_OPTION');
  });
});
