import { describe, expect, it } from 'vitest';
import { randomBytes, rgbLayout, yuvAt } from './__fixtures__/reference.ts';
import { isDeepsegError } from './errors.ts';
import { mirrorFrame, mirrorYuyv } from './mirror.ts';
import { frameByteLength, type PixelFormat } from './pixel-format.ts';

const FORMATS: PixelFormat[] = ['YUYV', 'UYVY', 'NV12', 'I420', 'I422', 'RGB24', 'BGR24', 'RGBA'];

function sample(f: Uint8Array, format: PixelFormat, w: number, h: number, x: number, y: number): number[] {
  if (format === 'RGB24' || format === 'BGR24' || format === 'RGBA') {
    const o = rgbLayout(format);
    return Array.from(f.subarray((y * w + x) * o.bpp, (y * w + x + 1) * o.bpp));
  }
  return yuvAt(f, format, w, h, x, y);
}

describe('mirrorFrame', () => {
  for (const format of FORMATS) {
    for (const w of [2, 6, 10, 16, 18, 34, 40, 66]) {
      it(`${format} ${w}x4: pixel x takes the value of pixel w-1-x (chroma of the mirrored pair)`, () => {
        const h = 4;
        const src = randomBytes(frameByteLength(format, w, h), w);
        const dst = new Uint8Array(src.length);
        mirrorFrame(src, dst, { width: w, height: h, format });
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            expect(sample(dst, format, w, h, x, y)).toEqual(sample(src, format, w, h, w - 1 - x, y));
          }
        }
        const inPlace = src.slice();
        mirrorFrame(inPlace, inPlace, { width: w, height: h, format });
        expect(inPlace).toEqual(dst);
        mirrorFrame(dst, dst, { width: w, height: h, format });
        expect(dst).toEqual(src);
      });
    }
  }

  it('mirrorYuyv swaps the two lumas of each pair and keeps its chroma', () => {
    const src = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const dst = new Uint8Array(8);
    mirrorYuyv(src, dst, { width: 4, height: 1 });
    expect([...dst]).toEqual([7, 6, 5, 8, 3, 2, 1, 4]);
  });

  it('rejects partial overlap and odd widths', () => {
    const buf = new Uint8Array(20);
    expect(() => mirrorYuyv(buf.subarray(0, 8), buf.subarray(2, 10), { width: 4, height: 1 })).toThrow(
      /overlap/,
    );
    let thrown: unknown;
    try {
      mirrorYuyv(buf, buf, { width: 3, height: 1 });
    } catch (e) {
      thrown = e;
    }
    expect(isDeepsegError(thrown, 'ERR_INVALID_OPTION')).toBe(true);
  });
});

describe('mirrorYuyv with frames in wasm memory', () => {
  it('leaves an allocFrame source alone when dst is an ordinary buffer', async () => {
    const { allocFrame, freeFrame } = await import('./wasm-frames.ts');
    const w = 40;
    const src = randomBytes(w * 2 * 3, 8);
    const frame = allocFrame(src.length);
    frame.set(src);
    const want = new Uint8Array(src.length);
    mirrorYuyv(src, want, { width: w, height: 3 });
    const out = new Uint8Array(src.length);
    mirrorYuyv(frame, out, { width: w, height: 3 });
    expect(out).toEqual(want);
    expect(Buffer.from(frame).equals(Buffer.from(src))).toBe(true);
    mirrorYuyv(frame, frame, { width: w, height: 3 });
    expect(Buffer.from(frame).equals(Buffer.from(want))).toBe(true);
    freeFrame(frame);
  });
});
