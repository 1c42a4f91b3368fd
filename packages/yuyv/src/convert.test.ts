import { describe, expect, it } from 'vitest';
import {
  clamp,
  errorCode,
  type Matrix,
  type Range,
  randomBytes,
  rgbLayout,
  rgbToYuvRef,
  rng,
  yuvAt,
  yuvOffsets,
  yuvToRgbRef,
} from './__fixtures__/reference.ts';
import { convertFrame, rgbToYuyv, yuyvToBgr, yuyvToRgb, yuyvToRgba } from './convert.ts';
import { isDeepsegError } from './errors.ts';
import { frameByteLength, type PixelFormat } from './pixel-format.ts';
import { fullToLimitedRange } from './range.ts';

const YUV: PixelFormat[] = ['YUYV', 'UYVY', 'NV12', 'I420', 'I422'];
const RGB: PixelFormat[] = ['RGB24', 'BGR24', 'RGBA'];
const MATRICES: Matrix[] = ['BT601', 'BT709'];
const RANGES: Range[] = ['limited', 'full'];

/** Tolerance of YUV → RGB against the unrounded double reference (clamped): documented in the README. */
const YUV_TO_RGB_TOLERANCE = 0.6;
/** Tolerance of RGB → YUV. */
const RGB_TO_YUV_TOLERANCE = 0.6;

function maxYuvToRgbError(
  src: Uint8Array,
  dst: Uint8Array,
  from: PixelFormat,
  to: PixelFormat,
  w: number,
  h: number,
  m: Matrix,
  r: Range,
) {
  const o = rgbLayout(to);
  let worst = 0;
  for (let row = 0; row < h; row++) {
    for (let x = 0; x < w; x++) {
      const [y, u, v] = yuvAt(src, from, w, h, x, row);
      const ref = yuvToRgbRef(y, u, v, m, r);
      const i = (row * w + x) * o.bpp;
      worst = Math.max(
        worst,
        Math.abs(dst[i + o.r]! - clamp(ref[0])),
        Math.abs(dst[i + o.g]! - clamp(ref[1])),
        Math.abs(dst[i + o.b]! - clamp(ref[2])),
      );
      if (o.bpp === 4 && dst[i + 3] !== 255) return Number.POSITIVE_INFINITY;
    }
  }
  return worst;
}

describe('convertFrame YUV → RGB', () => {
  // 38 pixels wide: 19 pairs, so the SIMD body (8 pairs) and the scalar tail both run.
  const w = 38;
  const h = 6;
  for (const from of YUV) {
    for (const to of RGB) {
      for (const m of MATRICES) {
        for (const r of RANGES) {
          it(`${from} → ${to} ${m} ${r} is within ${YUV_TO_RGB_TOLERANCE} of the double reference`, () => {
            const src = randomBytes(frameByteLength(from, w, h), 1 + from.length + to.length);
            const dst = new Uint8Array(frameByteLength(to, w, h));
            convertFrame(src, dst, { width: w, height: h, from, to, matrix: m, range: r });
            expect(maxYuvToRgbError(src, dst, from, to, w, h, m, r)).toBeLessThanOrEqual(
              YUV_TO_RGB_TOLERANCE,
            );
          });
        }
      }
    }
  }

  it('covers every (Y, U, V) triple of BT.601 limited within tolerance', () => {
    // 256 x 256 (U, V) pairs per row, Y stepping through all 256 values across rows.
    const w = 512;
    const h = 256;
    const src = new Uint8Array(w * h * 2);
    for (let row = 0; row < h; row++) {
      for (let p = 0; p < w / 2; p++) {
        const i = row * w * 2 + p * 4;
        src[i] = row;
        src[i + 1] = p;
        src[i + 2] = 255 - row;
        src[i + 3] = (p * 37 + row) & 255;
      }
    }
    const dst = new Uint8Array(w * h * 3);
    yuyvToRgb(src, dst, { width: w, height: h });
    expect(maxYuvToRgbError(src, dst, 'YUYV', 'RGB24', w, h, 'BT601', 'limited')).toBeLessThanOrEqual(
      YUV_TO_RGB_TOLERANCE,
    );
  });

  it('named paths equal convertFrame', () => {
    const src = randomBytes(16 * 4 * 2, 7);
    const a = new Uint8Array(16 * 4 * 4);
    const b = new Uint8Array(16 * 4 * 4);
    yuyvToRgb(src, a, { width: 16, height: 4 });
    convertFrame(src, b, { width: 16, height: 4, from: 'YUYV', to: 'RGB24' });
    expect(a).toEqual(b);
    yuyvToBgr(src, a, { width: 16, height: 4, matrix: 'BT709' });
    convertFrame(src, b, { width: 16, height: 4, from: 'YUYV', to: 'BGR24', matrix: 'BT709' });
    expect(a).toEqual(b);
    yuyvToRgba(src, a, { width: 16, height: 4, range: 'full' });
    convertFrame(src, b, { width: 16, height: 4, from: 'YUYV', to: 'RGBA', range: 'full' });
    expect(a).toEqual(b);
  });

  it('defaults to BT.601 limited: Y=16 is black, Y=235 is white, 128 chroma is grey', () => {
    const src = Uint8Array.from([16, 128, 235, 128]);
    const dst = new Uint8Array(6);
    yuyvToRgb(src, dst, { width: 2, height: 1 });
    expect([...dst]).toEqual([0, 0, 0, 255, 255, 255]);
  });
});

describe('convertFrame RGB → YUV', () => {
  const w = 38;
  const h = 6;
  for (const from of RGB) {
    for (const to of YUV) {
      for (const m of MATRICES) {
        for (const r of RANGES) {
          it(`${from} → ${to} ${m} ${r} is within ${RGB_TO_YUV_TOLERANCE} of the double reference`, () => {
            const src = randomBytes(frameByteLength(from, w, h), 100 + from.length * 3 + to.length);
            const dst = new Uint8Array(frameByteLength(to, w, h));
            convertFrame(src, dst, { width: w, height: h, from, to, matrix: m, range: r });
            const o = rgbLayout(from);
            const px = (x: number, row: number) => {
              const i = (row * w + x) * o.bpp;
              return [src[i + o.r]!, src[i + o.g]!, src[i + o.b]!] as const;
            };
            const v420 = to === 'NV12' || to === 'I420';
            let worst = 0;
            for (let row = 0; row < h; row++) {
              for (let x = 0; x < w; x++) {
                const [yo, uo, vo] = yuvOffsets(to, w, h, x, row);
                const ref = rgbToYuvRef(...px(x, row), m, r);
                worst = Math.max(worst, Math.abs(dst[yo]! - clamp(ref[0])));
                // chroma: mean RGB of the pixel pair (and of the row pair for 4:2:0)
                const x0 = x & ~1;
                const r0 = v420 ? row & ~1 : row;
                const rows = v420 ? [r0, r0 + 1] : [r0];
                const sum = [0, 0, 0];
                for (const rr of rows) {
                  for (const xx of [x0, x0 + 1]) {
                    const p = px(xx, rr);
                    sum[0]! += p[0];
                    sum[1]! += p[1];
                    sum[2]! += p[2];
                  }
                }
                const n = rows.length * 2;
                const c = rgbToYuvRef(sum[0]! / n, sum[1]! / n, sum[2]! / n, m, r);
                worst = Math.max(worst, Math.abs(dst[uo]! - clamp(c[1])), Math.abs(dst[vo]! - clamp(c[2])));
              }
            }
            expect(worst).toBeLessThanOrEqual(RGB_TO_YUV_TOLERANCE);
          });
        }
      }
    }
  }
});

describe('convertFrame YUV ↔ YUV and RGB ↔ RGB', () => {
  const w = 38; // two 16-pixel SIMD blocks and a 6-pixel tail
  const h = 4;
  for (const from of YUV) {
    for (const to of YUV) {
      it(`${from} → ${to} moves samples exactly`, () => {
        const src = randomBytes(frameByteLength(from, w, h), 5);
        const dst = new Uint8Array(frameByteLength(to, w, h));
        convertFrame(src, dst, { width: w, height: h, from, to });
        const toV420 = to === 'NV12' || to === 'I420';
        const fromV420 = from === 'NV12' || from === 'I420';
        for (let row = 0; row < h; row++) {
          for (let x = 0; x < w; x++) {
            const s = yuvAt(src, from, w, h, x, row);
            const d = yuvAt(dst, to, w, h, x, row);
            expect(d[0]).toBe(s[0]);
            if (toV420 && !fromV420) {
              const below = yuvAt(src, from, w, h, x, row ^ 1);
              expect(d[1]).toBe(Math.floor((s[1] + below[1] + 1) / 2));
              expect(d[2]).toBe(Math.floor((s[2] + below[2] + 1) / 2));
            } else {
              expect(d[1]).toBe(s[1]);
              expect(d[2]).toBe(s[2]);
            }
          }
        }
      });
    }
  }
  for (const from of RGB) {
    for (const to of RGB) {
      it(`${from} → ${to} reorders channels exactly`, () => {
        const src = randomBytes(frameByteLength(from, w, h), 9);
        const dst = new Uint8Array(frameByteLength(to, w, h));
        convertFrame(src, dst, { width: w, height: h, from, to });
        const a = rgbLayout(from);
        const b = rgbLayout(to);
        for (let i = 0; i < w * h; i++) {
          expect(dst[i * b.bpp + b.r]).toBe(src[i * a.bpp + a.r]);
          expect(dst[i * b.bpp + b.g]).toBe(src[i * a.bpp + a.g]);
          expect(dst[i * b.bpp + b.b]).toBe(src[i * a.bpp + a.b]);
          if (b.bpp === 4) expect(dst[i * 4 + 3]).toBe(a.bpp === 4 ? src[i * 4 + 3] : 255);
        }
      });
    }
  }
});

describe('convertFrame YUV → YUV with toRange', () => {
  const w = 38; // two 16-pixel SIMD blocks and a 6-pixel tail
  const h = 4;
  for (const from of YUV) {
    for (const to of YUV) {
      it(`${from} full → ${to} limited equals the repack then fullToLimitedRange`, () => {
        const src = randomBytes(frameByteLength(from, w, h), 17);
        const expected = new Uint8Array(frameByteLength(to, w, h));
        convertFrame(src, expected, { width: w, height: h, from, to, range: 'full' });
        fullToLimitedRange(expected, { width: w, height: h, format: to });
        const dst = new Uint8Array(expected.length);
        convertFrame(src, dst, { width: w, height: h, from, to, range: 'full', toRange: 'limited' });
        expect(dst).toEqual(expected);
      });
    }
  }
  it('maps the extremes: full 0/255 luma to 16/235, chroma 0/255 to 16/240', () => {
    const i422 = new Uint8Array([0, 255, 255, 0, 0, 255, 255, 0]);
    const dst = new Uint8Array(8);
    convertFrame(i422, dst, {
      width: 2,
      height: 2,
      from: 'I422',
      to: 'YUYV',
      range: 'full',
      toRange: 'limited',
    });
    expect([...dst]).toEqual([16, 16, 235, 240, 235, 240, 16, 16]);
  });
  it('refuses the other direction and RGB sides', () => {
    const yuyv = new Uint8Array(8);
    const rgb = new Uint8Array(12);
    const o = { width: 2, height: 2 } as const;
    expect(
      errorCode(() =>
        convertFrame(yuyv, new Uint8Array(8), { ...o, from: 'YUYV', to: 'UYVY', toRange: 'full' }),
      ),
    ).toBe('ERR_INVALID_OPTION');
    expect(
      errorCode(() =>
        convertFrame(yuyv, rgb, { ...o, from: 'YUYV', to: 'RGB24', range: 'full', toRange: 'limited' }),
      ),
    ).toBe('ERR_INVALID_OPTION');
    expect(
      errorCode(() =>
        convertFrame(yuyv, new Uint8Array(8), {
          ...o,
          from: 'YUYV',
          to: 'UYVY',
          toRange: 'studio' as 'full',
        }),
      ),
    ).toBe('ERR_INVALID_OPTION');
  });
});

describe('round trip', () => {
  it('YUYV → RGB24 → YUYV keeps luma within ±1 for in-gamut frames', () => {
    const w = 64;
    const h = 16;
    for (const m of MATRICES) {
      for (const r of RANGES) {
        // in-gamut YUYV: random pairs whose two pixels both map inside the RGB cube
        const next = rng(42);
        const yuyv = new Uint8Array(w * h * 2);
        for (let i = 0; i < yuyv.length; i += 4) {
          for (;;) {
            const [y0, u, y1, v] = [0, 0, 0, 0].map(() => Math.floor(next() * 256)) as [
              number,
              number,
              number,
              number,
            ];
            const inside = [y0, y1].every((y) =>
              yuvToRgbRef(y, u, v, m, r).every((c) => c >= 0.5 && c <= 254.5),
            );
            if (!inside) continue;
            yuyv.set([y0, u, y1, v], i);
            break;
          }
        }
        const rgb = new Uint8Array(w * h * 3);
        yuyvToRgb(yuyv, rgb, { width: w, height: h, matrix: m, range: r });
        const back = new Uint8Array(w * h * 2);
        rgbToYuyv(rgb, back, { width: w, height: h, matrix: m, range: r });
        let worst = 0;
        let worstChroma = 0;
        for (let i = 0; i < w * h * 2; i += 2) {
          worst = Math.max(worst, Math.abs(back[i]! - yuyv[i]!));
          worstChroma = Math.max(worstChroma, Math.abs(back[i + 1]! - yuyv[i + 1]!));
        }
        expect(worst, `${m} ${r}`).toBeLessThanOrEqual(1);
        expect(worstChroma, `${m} ${r} chroma`).toBeLessThanOrEqual(2);
      }
    }
  });
});

describe('edge sizes', () => {
  it('converts 2x1', () => {
    const src = Uint8Array.from([81, 90, 145, 240]);
    const dst = new Uint8Array(6);
    yuyvToRgb(src, dst, { width: 2, height: 1 });
    expect(maxYuvToRgbError(src, dst, 'YUYV', 'RGB24', 2, 1, 'BT601', 'limited')).toBeLessThanOrEqual(
      YUV_TO_RGB_TOLERANCE,
    );
  });

  it('converts a 4K frame (checked on a grid of pixels)', () => {
    const w = 3840;
    const h = 2160;
    const src = randomBytes(w * h * 2, 4096);
    const dst = new Uint8Array(w * h * 3);
    yuyvToRgb(src, dst, { width: w, height: h });
    let worst = 0;
    for (let row = 0; row < h; row += 37) {
      for (let x = 0; x < w; x += 13) {
        const [y, u, v] = yuvAt(src, 'YUYV', w, h, x, row);
        const ref = yuvToRgbRef(y, u, v, 'BT601', 'limited');
        const i = (row * w + x) * 3;
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(dst[i + c]! - clamp(ref[c]!)));
      }
    }
    // the last pixel too
    const [y, u, v] = yuvAt(src, 'YUYV', w, h, w - 1, h - 1);
    const ref = yuvToRgbRef(y, u, v, 'BT601', 'limited');
    worst = Math.max(worst, Math.abs(dst[w * h * 3 - 1]! - clamp(ref[2])));
    expect(worst).toBeLessThanOrEqual(YUV_TO_RGB_TOLERANCE);
  });

  it('writes nothing past the frame in dst, and accepts larger buffers', () => {
    for (const to of [...RGB, ...YUV]) {
      for (const from of ['YUYV', 'RGB24', 'NV12'] as PixelFormat[]) {
        const w = 18;
        const h = 2;
        const src = randomBytes(frameByteLength(from, w, h) + 40, 3);
        const n = frameByteLength(to, w, h);
        const dst = new Uint8Array(n + 64).fill(0xa5);
        convertFrame(src, dst, { width: w, height: h, from, to });
        expect(
          dst.subarray(n).every((b) => b === 0xa5),
          `${from} → ${to}`,
        ).toBe(true);
      }
    }
  });

  it('works on views with odd byte offsets (Buffer slices)', () => {
    const backing = randomBytes(1 + 16 * 2 * 2 + 1 + 16 * 2 * 3, 77);
    const src = backing.subarray(1, 1 + 64);
    const dst = new Uint8Array(backing.buffer, 1 + 64 + 1, 96);
    const expected = new Uint8Array(96);
    yuyvToRgb(src.slice(), expected, { width: 16, height: 2 });
    yuyvToRgb(src, dst, { width: 16, height: 2 });
    expect(dst).toEqual(expected);
  });
});

describe('bad input', () => {
  const ok = { width: 4, height: 2, from: 'YUYV', to: 'RGB24' } as const;
  const src = new Uint8Array(16);
  const dst = new Uint8Array(24);
  const cases: [string, () => void, string, string][] = [
    [
      'odd width for YUYV',
      () => convertFrame(src, dst, { ...ok, width: 3 }),
      'ERR_INVALID_OPTION',
      'options.width',
    ],
    [
      'odd height for NV12',
      () => convertFrame(new Uint8Array(99), dst, { ...ok, from: 'NV12', height: 3 }),
      'ERR_INVALID_OPTION',
      'options.height',
    ],
    [
      'non-integer height',
      () => convertFrame(src, dst, { ...ok, height: 1.5 }),
      'ERR_INVALID_OPTION',
      'options.height',
    ],
    ['zero width', () => convertFrame(src, dst, { ...ok, width: 0 }), 'ERR_INVALID_OPTION', 'options.width'],
    [
      'NaN width',
      () => convertFrame(src, dst, { ...ok, width: Number.NaN }),
      'ERR_INVALID_OPTION',
      'options.width',
    ],
    [
      'unknown format',
      () => convertFrame(src, dst, { ...ok, to: 'RGB565' as PixelFormat }),
      'ERR_INVALID_OPTION',
      'options.to',
    ],
    [
      'unknown matrix',
      () => convertFrame(src, dst, { ...ok, matrix: 'BT2020' as 'BT601' }),
      'ERR_INVALID_OPTION',
      'options.matrix',
    ],
    [
      'unknown range',
      () => convertFrame(src, dst, { ...ok, range: 'tv' as 'full' }),
      'ERR_INVALID_OPTION',
      'options.range',
    ],
    ['src too small', () => convertFrame(src.subarray(1), dst, ok), 'ERR_BUFFER_TOO_SMALL', 'src'],
    ['dst too small', () => convertFrame(src, dst.subarray(1), ok), 'ERR_BUFFER_TOO_SMALL', 'dst'],
    [
      'size mismatch: a 4x2 frame read as 8x2',
      () => convertFrame(src, dst, { ...ok, width: 8 }),
      'ERR_BUFFER_TOO_SMALL',
      'src',
    ],
    [
      'src not bytes',
      () => convertFrame(new Float32Array(16) as unknown as Uint8Array, dst, ok),
      'ERR_INVALID_ARGUMENT',
      'src',
    ],
    [
      'overlapping buffers',
      () => convertFrame(dst.subarray(0, 16), dst, ok),
      'ERR_INVALID_ARGUMENT',
      'src and dst',
    ],
  ];
  for (const [name, call, code, option] of cases) {
    it(`rejects ${name} with ${code} naming ${option}, writing nothing`, () => {
      dst.fill(7);
      let thrown: unknown;
      try {
        call();
      } catch (e) {
        thrown = e;
      }
      expect(isDeepsegError(thrown, code), String(thrown)).toBe(true);
      expect((thrown as { option?: string }).option).toBe(option);
      expect((thrown as Error).message).toContain(option);
      expect((thrown as Error).message).not.toContain('\n');
      expect(dst.every((b) => b === 7)).toBe(true);
    });
  }

  it('names the allowed values and what was received', () => {
    expect(() => convertFrame(src, dst, { ...ok, from: 'MJPG' as PixelFormat })).toThrow(
      'Expected one of YUYV, UYVY, NV12, I420, I422, RGB24, BGR24, RGBA for options.from but received "MJPG"',
    );
  });
});

function maxRgbToYuvError(
  src: Uint8Array,
  dst: Uint8Array,
  from: PixelFormat,
  to: PixelFormat,
  w: number,
  h: number,
  m: Matrix,
  r: Range,
) {
  const o = rgbLayout(from);
  const px = (x: number, row: number) => {
    const i = (row * w + x) * o.bpp;
    return [src[i + o.r]!, src[i + o.g]!, src[i + o.b]!] as const;
  };
  const v420 = to === 'NV12' || to === 'I420';
  let worst = 0;
  for (let row = 0; row < h; row++) {
    for (let x = 0; x < w; x++) {
      const [yo, uo, vo] = yuvOffsets(to, w, h, x, row);
      worst = Math.max(worst, Math.abs(dst[yo]! - clamp(rgbToYuvRef(...px(x, row), m, r)[0])));
      const sum = [0, 0, 0];
      const rows = v420 ? [row & ~1, (row & ~1) + 1] : [row];
      for (const rr of rows) {
        for (const xx of [x & ~1, (x & ~1) + 1]) {
          const p = px(xx, rr);
          for (let c = 0; c < 3; c++) sum[c]! += p[c]!;
        }
      }
      const k = rows.length * 2;
      const c = rgbToYuvRef(sum[0]! / k, sum[1]! / k, sum[2]! / k, m, r);
      worst = Math.max(worst, Math.abs(dst[uo]! - clamp(c[1])), Math.abs(dst[vo]! - clamp(c[2])));
    }
  }
  return worst;
}

describe('convertFrame on random geometries', () => {
  it('YUV ↔ RGB for 80 random sizes, formats, matrices and ranges, writing nothing past dst', () => {
    const next = rng(5150);
    const pick = <T>(a: readonly T[]) => a[Math.floor(next() * a.length)]!;
    for (let n = 0; n < 80; n++) {
      const yuv = pick(YUV);
      const rgb = pick(RGB);
      const toRgb = next() < 0.5;
      const w = 2 * (1 + Math.floor(next() * 60));
      const h = (yuv === 'NV12' || yuv === 'I420' ? 2 : 1) * (1 + Math.floor(next() * 5));
      const m = pick(MATRICES);
      const r = pick(RANGES);
      const from = toRgb ? yuv : rgb;
      const to = toRgb ? rgb : yuv;
      const src = randomBytes(frameByteLength(from, w, h), n);
      const size = frameByteLength(to, w, h);
      const dst = new Uint8Array(size + 16).fill(0x5a);
      convertFrame(src, dst, { width: w, height: h, from, to, matrix: m, range: r });
      const worst = toRgb
        ? maxYuvToRgbError(src, dst, from, to, w, h, m, r)
        : maxRgbToYuvError(src, dst, from, to, w, h, m, r);
      expect(worst, `${from} → ${to} ${w}x${h} ${m} ${r}`).toBeLessThanOrEqual(
        toRgb ? YUV_TO_RGB_TOLERANCE : RGB_TO_YUV_TOLERANCE,
      );
      expect(dst.subarray(size).every((b) => b === 0x5a)).toBe(true);
    }
  });
});
