import { describe, expect, it } from 'vitest';
import { bilinearRef, randomBytes, rng, yuvOffsets } from './__fixtures__/reference.ts';
import { type CompositeFrameOptions, compositeFrame, compositeYuyv } from './composite.ts';
import { isDeepsegError } from './errors.ts';
import { frameByteLength, type YuvFormat } from './pixel-format.ts';
import type { Mask } from './resize-mask.ts';

const FORMATS: YuvFormat[] = ['YUYV', 'UYVY', 'NV12', 'I420', 'I422'];
/** Documented tolerance against the unrounded double-precision blend. */
const TOLERANCE = 0.6;

function randomMask(n: number, u8: boolean, seed: number): Mask {
  const r = rng(seed);
  if (u8) return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
  // include values outside 0..1 (they are clamped) and exact 0 / 1
  return Float32Array.from({ length: n }, () => {
    const v = r();
    return v < 0.1 ? 0 : v > 0.9 ? 1 : v * 1.4 - 0.2;
  });
}

function alphaRef(mask: Mask, o: CompositeFrameOptions, x: number, y: number): number {
  const mw = o.maskWidth ?? o.width;
  const mh = o.maskHeight ?? o.height;
  const roi = o.roi ?? { x: 0, y: 0, width: o.width, height: o.height };
  const mr = o.maskRect ?? { x: 0, y: 0, width: mw, height: mh };
  if (x < roi.x || y < roi.y || x >= roi.x + roi.width || y >= roi.y + roi.height) return o.outside ?? 0;
  const [x0, x1, fx] = bilinearRef(x - roi.x, mr.x, mr.width, roi.width);
  const [y0, y1, fy] = bilinearRef(y - roi.y, mr.y, mr.height, roi.height);
  const m = (xx: number, yy: number) => {
    const v = mask instanceof Uint8Array ? mask[yy * mw + xx]! / 255 : mask[yy * mw + xx]!;
    return Math.min(1, Math.max(0, v));
  };
  const top = m(x0, y0) * (1 - fx) + m(x1, y0) * fx;
  const bottom = m(x0, y1) * (1 - fx) + m(x1, y1) * fx;
  return top * (1 - fy) + bottom * fy;
}

/** Largest |out − (bg + (fg − bg)·alpha)| over every sample, alpha per the documented rules. */
function worstError(
  fg: Uint8Array,
  bg: Uint8Array,
  out: Uint8Array,
  mask: Mask,
  o: CompositeFrameOptions,
): number {
  const format = o.format ?? 'YUYV';
  const { width: w, height: h } = o;
  const v420 = format === 'NV12' || format === 'I420';
  let worst = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [yo, uo, vo] = yuvOffsets(format, w, h, x, y);
      const a = alphaRef(mask, o, x, y);
      worst = Math.max(worst, Math.abs(out[yo]! - (bg[yo]! + (fg[yo]! - bg[yo]!) * a)));
      if ((x & 1) === 0 && (!v420 || (y & 1) === 0)) {
        let ac = (a + alphaRef(mask, o, x + 1, y)) / 2;
        if (v420) ac = (ac + (alphaRef(mask, o, x, y + 1) + alphaRef(mask, o, x + 1, y + 1)) / 2) / 2;
        for (const i of [uo, vo])
          worst = Math.max(worst, Math.abs(out[i]! - (bg[i]! + (fg[i]! - bg[i]!) * ac)));
      }
    }
  }
  return worst;
}

describe('compositeFrame matches out = bg + (fg − bg)·alpha', () => {
  for (const format of FORMATS) {
    for (const u8 of [false, true]) {
      const kind = u8 ? 'uint8' : 'float32';
      it(`${format}, ${kind} mask upscaled on the fly (38x10 frame, 7x3 mask)`, () => {
        const w = 38;
        const h = 10;
        const n = frameByteLength(format, w, h);
        const fg = randomBytes(n, 1);
        const bg = randomBytes(n, 2);
        const out = new Uint8Array(n);
        const mask = randomMask(21, u8, 3);
        const o: CompositeFrameOptions = { width: w, height: h, format, maskWidth: 7, maskHeight: 3 };
        compositeFrame(fg, bg, out, mask, o);
        expect(worstError(fg, bg, out, mask, o)).toBeLessThanOrEqual(TOLERANCE);
      });
      it(`${format}, ${kind} full-resolution mask`, () => {
        const w = 20;
        const h = 6;
        const n = frameByteLength(format, w, h);
        const fg = randomBytes(n, 4);
        const bg = randomBytes(n, 5);
        const out = new Uint8Array(n);
        const mask = randomMask(w * h, u8, 6);
        const o: CompositeFrameOptions = { width: w, height: h, format };
        compositeFrame(fg, bg, out, mask, o);
        expect(worstError(fg, bg, out, mask, o)).toBeLessThanOrEqual(TOLERANCE);
      });
      it(`${format}, ${kind} mask placed in a ROI from a letterboxed mask part, alpha outside`, () => {
        const w = 50;
        const h = 14;
        const n = frameByteLength(format, w, h);
        const fg = randomBytes(n, 7);
        const bg = randomBytes(n, 8);
        const out = new Uint8Array(n);
        const mask = randomMask(16 * 16, u8, 9);
        const o: CompositeFrameOptions = {
          width: w,
          height: h,
          format,
          maskWidth: 16,
          maskHeight: 16,
          roi: { x: 5, y: 3, width: 31, height: 9 },
          maskRect: { x: 0, y: 4, width: 16, height: 8 },
          outside: 0.25,
        };
        compositeFrame(fg, bg, out, mask, o);
        expect(worstError(fg, bg, out, mask, o)).toBeLessThanOrEqual(TOLERANCE);
      });
    }
  }

  it('person-like masks (large flat regions, soft edges) for YUYV and UYVY, in place too', () => {
    const w = 96;
    const h = 24;
    const mask = Float32Array.from({ length: 32 * 8 }, (_, i) => {
      const d = Math.hypot(((i % 32) - 16) / 8, (Math.floor(i / 32) - 4) / 3);
      return 1 / (1 + Math.exp((d - 1) * 12));
    });
    for (const format of ['YUYV', 'UYVY'] as const) {
      const fg = randomBytes(w * h * 2, 21);
      const bg = randomBytes(w * h * 2, 22);
      const o: CompositeFrameOptions = { width: w, height: h, format, maskWidth: 32, maskHeight: 8 };
      const out = new Uint8Array(w * h * 2);
      compositeFrame(fg, bg, out, mask, o);
      expect(worstError(fg, bg, out, mask, o)).toBeLessThanOrEqual(TOLERANCE);
      const inPlace = bg.slice();
      compositeFrame(fg, inPlace, inPlace, mask, o);
      expect(inPlace).toEqual(out);
    }
  });

  it('alpha 1 gives fg exactly and alpha 0 gives bg exactly', () => {
    const fg = randomBytes(64 * 4 * 2, 11);
    const bg = randomBytes(64 * 4 * 2, 12);
    const out = new Uint8Array(fg.length);
    compositeYuyv(fg, bg, out, new Float32Array(4).fill(1), {
      width: 64,
      height: 4,
      maskWidth: 2,
      maskHeight: 2,
    });
    expect(out).toEqual(fg);
    compositeYuyv(fg, bg, out, new Uint8Array(4), { width: 64, height: 4, maskWidth: 2, maskHeight: 2 });
    expect(out).toEqual(bg);
  });

  it('works in place (dst = fg, dst = bg) with the same result', () => {
    const w = 24;
    const h = 4;
    const fg = randomBytes(w * h * 2, 13);
    const bg = randomBytes(w * h * 2, 14);
    const mask = randomMask(12, false, 15);
    const opts = { width: w, height: h, maskWidth: 4, maskHeight: 3 };
    const expected = new Uint8Array(w * h * 2);
    compositeYuyv(fg, bg, expected, mask, opts);
    const a = fg.slice();
    compositeYuyv(a, bg, a, mask, opts);
    expect(a).toEqual(expected);
    const b = bg.slice();
    compositeYuyv(fg, b, b, mask, opts);
    expect(b).toEqual(expected);
  });

  it('edge sizes: 2x1 frame, 1x1 mask, 4K frame with a model-sized mask', () => {
    const fg = Uint8Array.from([200, 100, 50, 150]);
    const bg = Uint8Array.from([0, 0, 0, 0]);
    const out = new Uint8Array(4);
    compositeYuyv(fg, bg, out, Float32Array.of(0.5), { width: 2, height: 1, maskWidth: 1, maskHeight: 1 });
    expect([...out]).toEqual([100, 50, 25, 75]);
    const w = 3840;
    const h = 2160;
    const big = randomBytes(w * h * 2, 16);
    const bgBig = randomBytes(w * h * 2, 17);
    const outBig = new Uint8Array(w * h * 2 + 16).fill(9);
    const mask = randomMask(256 * 144, false, 18);
    const o: CompositeFrameOptions = { width: w, height: h, maskWidth: 256, maskHeight: 144 };
    compositeYuyv(big, bgBig, outBig, mask, o);
    expect(outBig.subarray(w * h * 2).every((b) => b === 9)).toBe(true);
    let worst = 0;
    for (let y = 0; y < h; y += 97) {
      for (let x = 0; x < w; x += 31) {
        const i = (y * w + x) * 2;
        const a = alphaRef(mask, o, x, y);
        worst = Math.max(worst, Math.abs(outBig[i]! - (bgBig[i]! + (big[i]! - bgBig[i]!) * a)));
      }
    }
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('compositeFrame bad input', () => {
  const fg = new Uint8Array(8 * 2 * 2);
  const bg = new Uint8Array(8 * 2 * 2);
  const mask = new Float32Array(4);
  const ok = { width: 8, height: 2, maskWidth: 2, maskHeight: 2 };
  const cases: [string, (dst: Uint8Array) => void, string, string][] = [
    [
      'odd width',
      (d) => compositeYuyv(fg, bg, d, mask, { ...ok, width: 7 }),
      'ERR_INVALID_OPTION',
      'options.width',
    ],
    [
      'mask too small',
      (d) => compositeYuyv(fg, bg, d, mask, { ...ok, maskWidth: 3 }),
      'ERR_BUFFER_TOO_SMALL',
      'mask',
    ],
    ['bg too small', (d) => compositeYuyv(fg, bg.subarray(4), d, mask, ok), 'ERR_BUFFER_TOO_SMALL', 'bg'],
    [
      'fractional maskHeight',
      (d) => compositeYuyv(fg, bg, d, mask, { ...ok, maskHeight: 1.5 }),
      'ERR_INVALID_OPTION',
      'options.maskHeight',
    ],
    [
      'ROI outside the frame',
      (d) => compositeYuyv(fg, bg, d, mask, { ...ok, roi: { x: 4, y: 0, width: 6, height: 2 } }),
      'ERR_INVALID_OPTION',
      'options.roi.width',
    ],
    [
      'outside > 1',
      (d) => compositeYuyv(fg, bg, d, mask, { ...ok, outside: 2 }),
      'ERR_INVALID_OPTION',
      'options.outside',
    ],
    [
      'mask of the wrong type',
      (d) => compositeYuyv(fg, bg, d, new Float64Array(4) as unknown as Float32Array, ok),
      'ERR_INVALID_ARGUMENT',
      'mask',
    ],
    [
      'unknown format',
      (d) => compositeFrame(fg, bg, d, mask, { ...ok, format: 'RGB24' as YuvFormat }),
      'ERR_INVALID_OPTION',
      'options.format',
    ],
  ];
  for (const [name, call, code, option] of cases) {
    it(`rejects ${name} (${code}, ${option}) and writes nothing`, () => {
      const dst = new Uint8Array(32).fill(5);
      let thrown: unknown;
      try {
        call(dst);
      } catch (e) {
        thrown = e;
      }
      expect(isDeepsegError(thrown, code), String(thrown)).toBe(true);
      expect((thrown as { option?: string }).option).toBe(option);
      expect(dst.every((b) => b === 5)).toBe(true);
    });
  }

  it('rejects a dst that partly overlaps fg', () => {
    const buf = new Uint8Array(64);
    expect(() => compositeYuyv(buf.subarray(0, 32), bg, buf.subarray(2, 34), mask, ok)).toThrow(/overlap/);
  });
});

describe('compositeFrame on random geometries', () => {
  it('matches the reference for 60 random frames, masks, ROIs and mask parts, writing nothing past dst', () => {
    const r = rng(77);
    const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
    for (let n = 0; n < 60; n++) {
      const format = pick(FORMATS);
      const w = 2 * (1 + Math.floor(r() * 45));
      const h = (format === 'NV12' || format === 'I420' ? 2 : 1) * (1 + Math.floor(r() * 10));
      const mw = 1 + Math.floor(r() * 20);
      const mh = 1 + Math.floor(r() * 12);
      const rx = Math.floor(r() * w);
      const ry = Math.floor(r() * h);
      const mx = Math.floor(r() * mw);
      const my = Math.floor(r() * mh);
      const o: CompositeFrameOptions = {
        width: w,
        height: h,
        format,
        maskWidth: mw,
        maskHeight: mh,
        roi: { x: rx, y: ry, width: 1 + Math.floor(r() * (w - rx)), height: 1 + Math.floor(r() * (h - ry)) },
        maskRect: {
          x: mx,
          y: my,
          width: 1 + Math.floor(r() * (mw - mx)),
          height: 1 + Math.floor(r() * (mh - my)),
        },
        outside: pick([0, 1, 0.3]),
      };
      const size = frameByteLength(format, w, h);
      const fg = randomBytes(size, n);
      const bg = randomBytes(size, n + 1000);
      const mask = randomMask(mw * mh, r() < 0.5, n + 2000);
      const out = new Uint8Array(size + 32).fill(0xee);
      compositeFrame(fg, bg, out, mask, o);
      expect(worstError(fg, bg, out, mask, o), JSON.stringify(o)).toBeLessThanOrEqual(TOLERANCE);
      expect(out.subarray(size).every((b) => b === 0xee)).toBe(true);
    }
  });
});
