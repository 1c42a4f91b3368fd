import { describe, expect, it } from 'vitest';
import { errorCode } from './__fixtures__/reference.ts';
import { fullToLimitedRange } from './range.ts';

const exactLuma = (y: number) => 16 + (y * 219) / 255;
const exactChroma = (c: number) => 128 + ((c - 128) * 224) / 255;

describe('fullToLimitedRange', () => {
  it('maps every code of a YUYV frame within 0.65 of the exact formula (luma and chroma lanes)', () => {
    const width = 256;
    const height = 3; // odd byte count per row tail exercises the scalar tail too
    const f = new Uint8Array(width * height * 2);
    for (let i = 0; i < f.length; i++) f[i] = (i >> 1) & 255;
    const last = f.length - 4;
    f[last] = 255;
    f[last + 1] = 255;
    const src = f.slice();
    fullToLimitedRange(f, { width, height, format: 'YUYV' });
    for (let i = 0; i < f.length; i++) {
      const exact = i % 2 === 0 ? exactLuma(src[i]!) : exactChroma(src[i]!);
      expect(Math.abs(f[i]! - exact)).toBeLessThanOrEqual(0.65);
    }
    expect([f[0], f[1]]).toEqual([16, 16]);
    expect([f[last], f[last + 1]]).toEqual([235, 240]);
  });

  it('treats UYVY and planar layouts by their own sample order', () => {
    const width = 4;
    const height = 2;
    const uyvy = new Uint8Array(width * height * 2).fill(255);
    fullToLimitedRange(uyvy, { width, height, format: 'UYVY' });
    expect(Array.from(uyvy.subarray(0, 4))).toEqual([240, 235, 240, 235]);
    const i420 = new Uint8Array(width * height * 1.5).fill(255);
    fullToLimitedRange(i420, { width, height, format: 'I420' });
    expect(Array.from(i420.subarray(0, 8))).toEqual(new Array(8).fill(235));
    expect(Array.from(i420.subarray(8))).toEqual(new Array(4).fill(240));
  });

  it('refuses RGB and short buffers with typed errors', () => {
    expect(
      errorCode(() => fullToLimitedRange(new Uint8Array(12), { width: 2, height: 2, format: 'RGB24' })),
    ).toBe('ERR_INVALID_OPTION');
    expect(
      errorCode(() => fullToLimitedRange(new Uint8Array(7), { width: 2, height: 2, format: 'YUYV' })),
    ).toBe('ERR_BUFFER_TOO_SMALL');
  });
});
