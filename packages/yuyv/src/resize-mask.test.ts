import { describe, expect, it } from 'vitest';
import { bilinearRef, rng } from './__fixtures__/reference.ts';
import { isDeepsegError } from './errors.ts';
import { type Mask, type ResizeMaskOptions, resizeMask } from './resize-mask.ts';

function ref(src: Mask, o: ResizeMaskOptions, x: number, y: number, fill: number): number {
  const roi = o.roi ?? { x: 0, y: 0, width: o.dstWidth, height: o.dstHeight };
  const sr = o.srcRect ?? { x: 0, y: 0, width: o.srcWidth, height: o.srcHeight };
  if (x < roi.x || y < roi.y || x >= roi.x + roi.width || y >= roi.y + roi.height) return fill;
  const [x0, x1, fx] = bilinearRef(x - roi.x, sr.x, sr.width, roi.width);
  const [y0, y1, fy] = bilinearRef(y - roi.y, sr.y, sr.height, roi.height);
  const s = (xx: number, yy: number) =>
    src instanceof Uint8Array ? src[yy * o.srcWidth + xx]! / 255 : src[yy * o.srcWidth + xx]!;
  const top = s(x0, y0) * (1 - fx) + s(x1, y0) * fx;
  const bottom = s(x0, y1) * (1 - fx) + s(x1, y1) * fx;
  return top * (1 - fy) + bottom * fy;
}

const random = (n: number, seed: number) => {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r());
};

describe('resizeMask', () => {
  const cases: [string, ResizeMaskOptions][] = [
    ['upscale 7x5 → 40x23', { srcWidth: 7, srcHeight: 5, dstWidth: 40, dstHeight: 23 }],
    ['downscale 40x30 → 9x4', { srcWidth: 40, srcHeight: 30, dstWidth: 9, dstHeight: 4 }],
    [
      'into a ROI',
      { srcWidth: 8, srcHeight: 8, dstWidth: 30, dstHeight: 20, roi: { x: 4, y: 2, width: 17, height: 13 } },
    ],
    [
      'letterboxed part into a ROI',
      {
        srcWidth: 16,
        srcHeight: 16,
        dstWidth: 30,
        dstHeight: 20,
        roi: { x: 1, y: 1, width: 28, height: 16 },
        srcRect: { x: 0, y: 4, width: 16, height: 9 },
      },
    ],
    ['1x1 → 3x2', { srcWidth: 1, srcHeight: 1, dstWidth: 3, dstHeight: 2 }],
  ];
  for (const [name, o] of cases) {
    for (const [si, so] of [
      ['f32', 'f32'],
      ['u8', 'f32'],
      ['f32', 'u8'],
      ['u8', 'u8'],
    ] as const) {
      it(`${name}, ${si} → ${so}, matches the double reference`, () => {
        const f = random(o.srcWidth * o.srcHeight, 3);
        const src: Mask = si === 'u8' ? Uint8Array.from(f, (v) => Math.round(v * 255)) : f;
        const n = o.dstWidth * o.dstHeight;
        const dst: Mask = so === 'u8' ? new Uint8Array(n + 8).fill(77) : new Float32Array(n + 8).fill(77);
        resizeMask(src, dst, o);
        let worst = 0;
        for (let y = 0; y < o.dstHeight; y++) {
          for (let x = 0; x < o.dstWidth; x++) {
            const r = ref(src, o, x, y, 0);
            const got = so === 'u8' ? dst[y * o.dstWidth + x]! / 255 : dst[y * o.dstWidth + x]!;
            worst = Math.max(worst, Math.abs(got - r));
          }
        }
        // float: 1e-6; uint8: rounding to nearest (0.5/255)
        expect(worst).toBeLessThanOrEqual(so === 'u8' ? 0.5 / 255 + 1e-6 : 1e-6);
        expect(Array.from(dst.subarray(n)).every((v) => v === 77)).toBe(true);
      });
    }
  }

  it('fill: "keep" leaves pixels outside the ROI alone; a number sets them', () => {
    const dst = new Float32Array(16).fill(0.5);
    resizeMask(Float32Array.of(1), dst, {
      srcWidth: 1,
      srcHeight: 1,
      dstWidth: 4,
      dstHeight: 4,
      roi: { x: 1, y: 1, width: 2, height: 2 },
      fill: 'keep',
    });
    expect(Array.from(dst)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 1, 1, 0.5, 0.5, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5]);
    resizeMask(Float32Array.of(1), dst, {
      srcWidth: 1,
      srcHeight: 1,
      dstWidth: 4,
      dstHeight: 4,
      roi: { x: 1, y: 1, width: 2, height: 2 },
      fill: 0.25,
    });
    expect(dst[0]).toBe(0.25);
    expect(dst[5]).toBe(1);
  });

  it('rejects bad input with stable codes and writes nothing', () => {
    const dst = new Float32Array(16).fill(2);
    const bad: [() => void, string, string][] = [
      [
        () => resizeMask(new Float32Array(3), dst, { srcWidth: 2, srcHeight: 2, dstWidth: 4, dstHeight: 4 }),
        'ERR_BUFFER_TOO_SMALL',
        'src',
      ],
      [
        () => resizeMask(new Float32Array(4), dst, { srcWidth: 2, srcHeight: 2, dstWidth: 5, dstHeight: 4 }),
        'ERR_BUFFER_TOO_SMALL',
        'dst',
      ],
      [
        () =>
          resizeMask(new Float32Array(4), dst, { srcWidth: 2.5, srcHeight: 2, dstWidth: 4, dstHeight: 4 }),
        'ERR_INVALID_OPTION',
        'options.srcWidth',
      ],
      [
        () =>
          resizeMask(new Float32Array(4), dst, {
            srcWidth: 2,
            srcHeight: 2,
            dstWidth: 4,
            dstHeight: 4,
            roi: { x: 0, y: 0, width: 5, height: 1 },
          }),
        'ERR_INVALID_OPTION',
        'options.roi.width',
      ],
      [
        () =>
          resizeMask(new Int16Array(4) as unknown as Float32Array, dst, {
            srcWidth: 2,
            srcHeight: 2,
            dstWidth: 4,
            dstHeight: 4,
          }),
        'ERR_INVALID_ARGUMENT',
        'src',
      ],
      [
        () => resizeMask(dst.subarray(0, 4), dst, { srcWidth: 2, srcHeight: 2, dstWidth: 4, dstHeight: 4 }),
        'ERR_INVALID_ARGUMENT',
        'src and dst',
      ],
    ];
    for (const [call, code, option] of bad) {
      let thrown: unknown;
      try {
        call();
      } catch (e) {
        thrown = e;
      }
      expect(isDeepsegError(thrown, code), String(thrown)).toBe(true);
      expect((thrown as { option?: string }).option).toBe(option);
    }
    expect(dst.every((v) => v === 2)).toBe(true);
  });
});

describe('resizeMask on random geometries', () => {
  it('matches the reference for 60 random sizes, ROIs, source parts and types', () => {
    const r = rng(99);
    for (let n = 0; n < 60; n++) {
      const sw = 1 + Math.floor(r() * 30);
      const sh = 1 + Math.floor(r() * 20);
      const dw = 1 + Math.floor(r() * 70);
      const dh = 1 + Math.floor(r() * 30);
      const rx = Math.floor(r() * dw);
      const ry = Math.floor(r() * dh);
      const sx = Math.floor(r() * sw);
      const sy = Math.floor(r() * sh);
      const o: ResizeMaskOptions = {
        srcWidth: sw,
        srcHeight: sh,
        dstWidth: dw,
        dstHeight: dh,
        roi: {
          x: rx,
          y: ry,
          width: 1 + Math.floor(r() * (dw - rx)),
          height: 1 + Math.floor(r() * (dh - ry)),
        },
        srcRect: {
          x: sx,
          y: sy,
          width: 1 + Math.floor(r() * (sw - sx)),
          height: 1 + Math.floor(r() * (sh - sy)),
        },
        fill: 0.125,
      };
      const f = random(sw * sh, n);
      const src: Mask = r() < 0.5 ? Uint8Array.from(f, (v) => Math.round(v * 255)) : f;
      const u8 = r() < 0.5;
      const count = dw * dh;
      const dst: Mask = u8 ? new Uint8Array(count + 8).fill(77) : new Float32Array(count + 8).fill(77);
      resizeMask(src, dst, u8 ? { ...o, fill: 32 } : o);
      let worst = 0;
      for (let y = 0; y < dh; y++) {
        for (let x = 0; x < dw; x++) {
          const want = ref(src, o, x, y, u8 ? 32 / 255 : 0.125);
          const got = u8 ? dst[y * dw + x]! / 255 : dst[y * dw + x]!;
          worst = Math.max(worst, Math.abs(got - want));
        }
      }
      expect(worst, JSON.stringify(o)).toBeLessThanOrEqual(u8 ? 0.5 / 255 + 1e-6 : 1e-6);
      expect(Array.from(dst.subarray(count)).every((v) => v === 77)).toBe(true);
    }
  });
});
