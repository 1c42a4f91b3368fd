import { describe, expect, it } from 'vitest';
import {
  bilinearRef,
  clamp,
  randomBytes,
  rgbLayout,
  rng,
  yuvAt,
  yuvToRgbRef,
} from './__fixtures__/reference.ts';
import { convertFrame } from './convert.ts';
import { isDeepsegError } from './errors.ts';
import { frameByteLength, type PixelFormat } from './pixel-format.ts';
import { containRect, type FrameToTensorOptions, frameToTensor } from './tensor.ts';
import type { Rect } from './validate.ts';

const FORMATS: PixelFormat[] = ['YUYV', 'UYVY', 'NV12', 'I420', 'I422', 'RGB24', 'BGR24', 'RGBA'];
/** Documented tolerance, in 0..255 pixel units before normalisation. */
const TOLERANCE = 0.03;

function pixel(
  src: Uint8Array,
  format: PixelFormat,
  w: number,
  h: number,
  x: number,
  y: number,
): [number, number, number] {
  if (format === 'RGB24' || format === 'BGR24' || format === 'RGBA') {
    const o = rgbLayout(format);
    const i = (y * w + x) * o.bpp;
    return [src[i + o.r]!, src[i + o.g]!, src[i + o.b]!];
  }
  return yuvAt(src, format, w, h, x, y);
}

/** Coverage weights of output i over [start, start+len) split into n (exact box filter). */
function areaRef(i: number, start: number, len: number, n: number): [number, number][] {
  const a = (i * len) / n;
  const b = ((i + 1) * len) / n;
  const out: [number, number][] = [];
  for (let p = Math.floor(a); p < Math.ceil(b); p++) {
    const w = Math.min(b, p + 1) - Math.max(a, p);
    if (w > 0) out.push([start + p, w / (b - a)]);
  }
  return out;
}

/** The tensor frameToTensor must produce, computed in double precision from the documented rules. */
function reference(src: Uint8Array, o: FrameToTensorOptions): Float64Array {
  const { width: w, height: h, format } = o;
  const t = o.tensor;
  const roi = o.roi ?? { x: 0, y: 0, width: w, height: h };
  const content =
    o.fit === 'contain'
      ? containRect(roi.width, roi.height, t.width, t.height)
      : { x: 0, y: 0, width: t.width, height: t.height };
  const tri = (v: number | readonly number[] | undefined, d: number) =>
    v === undefined ? [d, d, d] : typeof v === 'number' ? [v, v, v] : [...v];
  const mean = tri(t.mean, 0);
  const std = tri(t.std, 1);
  const fill = tri(o.fill, 0);
  const scale = t.scale ?? 1 / 255;
  const out = new Float64Array(t.width * t.height * 3);
  const yuv = !['RGB24', 'BGR24', 'RGBA'].includes(format);
  for (let ty = 0; ty < t.height; ty++) {
    for (let tx = 0; tx < t.width; tx++) {
      let p: number[];
      const cx = tx - content.x;
      const cy = ty - content.y;
      if (cx < 0 || cy < 0 || cx >= content.width || cy >= content.height) {
        p = fill;
      } else {
        const xs: [number, number][] =
          o.filter === 'area'
            ? areaRef(cx, roi.x, roi.width, content.width)
            : ((([a, b, f]) => [
                [a, 1 - f],
                [b, f],
              ])(bilinearRef(cx, roi.x, roi.width, content.width)) as [number, number][]);
        const ys: [number, number][] =
          o.filter === 'area'
            ? areaRef(cy, roi.y, roi.height, content.height)
            : ((([a, b, f]) => [
                [a, 1 - f],
                [b, f],
              ])(bilinearRef(cy, roi.y, roi.height, content.height)) as [number, number][]);
        const acc = [0, 0, 0];
        for (const [yy, wy] of ys) {
          for (const [xx, wx] of xs) {
            const v = pixel(src, format, w, h, xx, yy);
            for (let c = 0; c < 3; c++) acc[c]! += v[c]! * wx * wy;
          }
        }
        p = yuv
          ? yuvToRgbRef(acc[0]!, acc[1]!, acc[2]!, o.matrix ?? 'BT601', o.range ?? 'limited').map((v) =>
              clamp(v),
            )
          : acc;
        if (t.channelOrder === 'BGR') p = [p[2]!, p[1]!, p[0]!];
      }
      for (let c = 0; c < 3; c++) {
        const idx =
          t.layout === 'NCHW' ? c * t.width * t.height + ty * t.width + tx : (ty * t.width + tx) * 3 + c;
        out[idx] = (p[c]! * scale - mean[c]!) / std[c]!;
      }
    }
  }
  return out;
}

/** Largest difference in pixel units (0..255) between frameToTensor and the reference. */
function worstError(
  src: Uint8Array,
  o: FrameToTensorOptions,
  dst = new Float32Array(o.tensor.width * o.tensor.height * 3),
): number {
  frameToTensor(src, dst, o);
  const ref = reference(src, o);
  const t = o.tensor;
  const std = t.std === undefined ? [1, 1, 1] : typeof t.std === 'number' ? [t.std, t.std, t.std] : t.std;
  const scale = t.scale ?? 1 / 255;
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = t.layout === 'NCHW' ? Math.floor(i / (t.width * t.height)) : i % 3;
    worst = Math.max(worst, Math.abs(dst[i]! - ref[i]!) / Math.abs(scale / std[c]!));
  }
  return worst;
}

describe('frameToTensor matches a double-precision reference', () => {
  const w = 46;
  const h = 30;
  for (const format of FORMATS) {
    const src = randomBytes(frameByteLength(format, w, h), format.length * 13);
    it(`${format}: whole frame, bilinear downscale, NHWC RGB, default normalisation`, () => {
      expect(
        worstError(src, { width: w, height: h, format, tensor: { width: 17, height: 11 } }),
      ).toBeLessThanOrEqual(TOLERANCE);
    });
    it(`${format}: ROI, upscale, NCHW BGR, mean/std per channel`, () => {
      const o: FrameToTensorOptions = {
        width: w,
        height: h,
        format,
        roi: { x: 3, y: 5, width: 13, height: 9 },
        tensor: {
          width: 40,
          height: 21,
          layout: 'NCHW',
          channelOrder: 'BGR',
          scale: 1,
          mean: [102.9, 111.25, 126.9],
          std: [62.9, 62.8, 66.4],
        },
        matrix: 'BT709',
        range: 'full',
      };
      expect(worstError(src, o)).toBeLessThanOrEqual(TOLERANCE);
    });
    it(`${format}: contain (letterbox) with fill, scale 1/127.5 mean 1`, () => {
      const o: FrameToTensorOptions = {
        width: w,
        height: h,
        format,
        roi: { x: 1, y: 0, width: 41, height: 30 },
        tensor: { width: 24, height: 24, scale: 1 / 127.5, mean: 1 },
        fit: 'contain',
        fill: [10, 20, 30],
      };
      expect(worstError(src, o)).toBeLessThanOrEqual(TOLERANCE);
    });
    it(`${format}: area filter`, () => {
      const o: FrameToTensorOptions = {
        width: w,
        height: h,
        format,
        tensor: { width: 13, height: 7, layout: 'NCHW' },
        filter: 'area',
      };
      expect(worstError(src, o)).toBeLessThanOrEqual(TOLERANCE);
    });
  }

  it('reads a real frame (1280x720 YUYV → 256x144) like the reference', () => {
    const w2 = 1280;
    const h2 = 720;
    const src = randomBytes(w2 * h2 * 2, 99);
    expect(
      worstError(src, { width: w2, height: h2, format: 'YUYV', tensor: { width: 256, height: 144 } }),
    ).toBeLessThanOrEqual(TOLERANCE);
  });

  it('edge sizes: 1x1 tensor, 1x1 ROI, 2x1 frame', () => {
    const src = randomBytes(w * h * 2, 5);
    expect(
      worstError(src, { width: w, height: h, format: 'YUYV', tensor: { width: 1, height: 1 } }),
    ).toBeLessThanOrEqual(TOLERANCE);
    expect(
      worstError(src, {
        width: w,
        height: h,
        format: 'YUYV',
        roi: { x: 45, y: 29, width: 1, height: 1 },
        tensor: { width: 3, height: 2 },
      }),
    ).toBeLessThanOrEqual(TOLERANCE);
    const tiny = randomBytes(4, 6);
    expect(
      worstError(tiny, { width: 2, height: 1, format: 'YUYV', tensor: { width: 5, height: 4 } }),
    ).toBeLessThanOrEqual(TOLERANCE);
  });

  it('for in-gamut YUYV equals "convertFrame to RGB24, then resize" within rounding (0.5)', () => {
    const w2 = 64;
    const h2 = 48;
    const yuyv = new Uint8Array(w2 * h2 * 2);
    for (let i = 0; i < yuyv.length; i += 2) {
      yuyv[i] = 60 + ((i * 7) % 120);
      yuyv[i + 1] = 110 + ((i * 3) % 40);
    }
    const rgb = new Uint8Array(w2 * h2 * 3);
    convertFrame(yuyv, rgb, { width: w2, height: h2, from: 'YUYV', to: 'RGB24' });
    const tensor = { width: 20, height: 15, scale: 1 };
    const a = new Float32Array(900);
    const b = new Float32Array(900);
    frameToTensor(yuyv, a, { width: w2, height: h2, format: 'YUYV', tensor });
    frameToTensor(rgb, b, { width: w2, height: h2, format: 'RGB24', tensor });
    let worst = 0;
    for (let i = 0; i < 900; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    expect(worst).toBeLessThanOrEqual(0.5 + TOLERANCE);
  });

  it('writes nothing past the tensor', () => {
    const src = randomBytes(w * h * 2, 8);
    const dst = new Float32Array(8 * 8 * 3 + 10).fill(-7);
    frameToTensor(src, dst, { width: w, height: h, format: 'YUYV', tensor: { width: 8, height: 8 } });
    expect(dst.subarray(192).every((v) => v === -7)).toBe(true);
  });
});

describe('containRect', () => {
  it('centres and keeps the aspect ratio', () => {
    expect(containRect(1280, 720, 256, 256)).toEqual({ x: 0, y: 56, width: 256, height: 144 });
    expect(containRect(720, 1280, 256, 256)).toEqual({ x: 56, y: 0, width: 144, height: 256 });
    expect(containRect(100, 100, 30, 20)).toEqual({ x: 5, y: 0, width: 20, height: 20 });
  });
});

describe('frameToTensor bad input', () => {
  const src = new Uint8Array(8 * 4 * 2);
  const dst = new Float32Array(4 * 4 * 3);
  const ok: FrameToTensorOptions = { width: 8, height: 4, format: 'YUYV', tensor: { width: 4, height: 4 } };
  const cases: [string, () => void, string, string][] = [
    [
      'ROI outside the frame',
      () => frameToTensor(src, dst, { ...ok, roi: { x: 6, y: 0, width: 4, height: 4 } as Rect }),
      'ERR_INVALID_OPTION',
      'options.roi.width',
    ],
    [
      'fractional ROI',
      () => frameToTensor(src, dst, { ...ok, roi: { x: 0.5, y: 0, width: 4, height: 4 } }),
      'ERR_INVALID_OPTION',
      'options.roi.x',
    ],
    [
      'tensor too big for dst',
      () => frameToTensor(src, dst, { ...ok, tensor: { width: 5, height: 4 } }),
      'ERR_BUFFER_TOO_SMALL',
      'dst',
    ],
    [
      'dst not Float32Array',
      () => frameToTensor(src, new Uint8Array(48) as unknown as Float32Array, ok),
      'ERR_INVALID_ARGUMENT',
      'dst',
    ],
    [
      'bad layout',
      () => frameToTensor(src, dst, { ...ok, tensor: { width: 4, height: 4, layout: 'HWC' as 'NHWC' } }),
      'ERR_INVALID_OPTION',
      'options.tensor.layout',
    ],
    [
      'zero std',
      () => frameToTensor(src, dst, { ...ok, tensor: { width: 4, height: 4, std: [1, 0, 1] } }),
      'ERR_INVALID_OPTION',
      'options.tensor.std',
    ],
    [
      'mean of 2 values',
      () =>
        frameToTensor(src, dst, {
          ...ok,
          tensor: { width: 4, height: 4, mean: [1, 2] as unknown as number },
        }),
      'ERR_INVALID_OPTION',
      'options.tensor.mean',
    ],
    [
      'bad filter',
      () => frameToTensor(src, dst, { ...ok, filter: 'nearest' as 'area' }),
      'ERR_INVALID_OPTION',
      'options.filter',
    ],
    ['odd width', () => frameToTensor(src, dst, { ...ok, width: 7 }), 'ERR_INVALID_OPTION', 'options.width'],
    ['src too small', () => frameToTensor(src.subarray(2), dst, ok), 'ERR_BUFFER_TOO_SMALL', 'src'],
  ];
  for (const [name, call, code, option] of cases) {
    it(`rejects ${name} (${code}, ${option}) and writes nothing`, () => {
      dst.fill(3);
      let thrown: unknown;
      try {
        call();
      } catch (e) {
        thrown = e;
      }
      expect(isDeepsegError(thrown, code), String(thrown)).toBe(true);
      expect((thrown as { option?: string }).option).toBe(option);
      expect(dst.every((v) => v === 3)).toBe(true);
    });
  }
});

describe('frameToTensor on random geometries', () => {
  it('matches the reference for 60 random frames, ROIs, tensor sizes, layouts and filters', () => {
    const r = rng(2024);
    const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
    for (let n = 0; n < 60; n++) {
      const format = pick(FORMATS);
      const w = 2 * (1 + Math.floor(r() * 40));
      const h = (format === 'NV12' || format === 'I420' ? 2 : 1) * (1 + Math.floor(r() * 12));
      const rx = Math.floor(r() * w);
      const ry = Math.floor(r() * h);
      const roi = {
        x: rx,
        y: ry,
        width: 1 + Math.floor(r() * (w - rx)),
        height: 1 + Math.floor(r() * (h - ry)),
      };
      const o: FrameToTensorOptions = {
        width: w,
        height: h,
        format,
        roi,
        tensor: {
          width: 1 + Math.floor(r() * 40),
          height: 1 + Math.floor(r() * 20),
          layout: pick(['NHWC', 'NCHW'] as const),
          channelOrder: pick(['RGB', 'BGR'] as const),
          scale: 1 / 255,
          mean: [0.485, 0.456, 0.406],
          std: [0.229, 0.224, 0.225],
        },
        filter: pick(['bilinear', 'bilinear', 'area'] as const),
        fit: pick(['stretch', 'contain'] as const),
        fill: 114,
        matrix: pick(['BT601', 'BT709'] as const),
        range: pick(['limited', 'full'] as const),
      };
      const src = randomBytes(frameByteLength(format, w, h), n);
      expect(worstError(src, o), JSON.stringify(o)).toBeLessThanOrEqual(TOLERANCE);
    }
  });
});
