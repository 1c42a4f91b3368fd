import { describe, expect, it } from 'vitest';
import { randomBytes } from './__fixtures__/reference.ts';
import { compositeFrame, compositeYuyv } from './composite.ts';
import { yuyvToRgb } from './convert.ts';
import { isDeepsegError } from './errors.ts';
import { frameToTensor } from './tensor.ts';
import { allocFloat32, allocFrame, freeFrame, isWasmFrame } from './wasm-frames.ts';

describe('frames allocated in wasm memory', () => {
  const w = 70;
  const h = 9;
  const n = w * h * 2;

  it('give the same results as ordinary buffers, without touching the inputs', () => {
    const src = randomBytes(n, 1);
    const frame = allocFrame(n);
    frame.set(src);
    const expected = new Uint8Array(w * h * 3);
    yuyvToRgb(src, expected, { width: w, height: h });
    const rgbShared = allocFrame(w * h * 3);
    yuyvToRgb(frame, rgbShared, { width: w, height: h });
    expect(Buffer.from(rgbShared).equals(Buffer.from(expected))).toBe(true);
    const rgbPlain = new Uint8Array(w * h * 3);
    yuyvToRgb(frame, rgbPlain, { width: w, height: h });
    expect(rgbPlain).toEqual(expected);

    const bgPlain = randomBytes(n, 2);
    const bg = allocFrame(n);
    bg.set(bgPlain);
    const mask = Float32Array.from({ length: 6 }, (_, i) => i / 5);
    const maskShared = allocFloat32(6);
    maskShared.set(mask);
    const want = new Uint8Array(n);
    compositeYuyv(src, bgPlain, want, mask, { width: w, height: h, maskWidth: 3, maskHeight: 2 });
    const out = new Uint8Array(n);
    compositeYuyv(frame, bg, out, maskShared, { width: w, height: h, maskWidth: 3, maskHeight: 2 });
    expect(out).toEqual(want);
    expect(Buffer.from(frame).equals(Buffer.from(src))).toBe(true); // fg untouched
    expect(Buffer.from(bg).equals(Buffer.from(bgPlain))).toBe(true); // bg untouched
    compositeFrame(frame, bg, frame, mask, { width: w, height: h, maskWidth: 3, maskHeight: 2 }); // in place
    expect(Buffer.from(frame).equals(Buffer.from(want))).toBe(true);
    for (const b of [frame, rgbShared, bg]) freeFrame(b);
    freeFrame(maskShared);
  });

  it('tensors written in place stop exactly at the tensor end (NHWC and NCHW)', () => {
    const src = randomBytes(n, 3);
    const frame = allocFrame(n);
    frame.set(src);
    for (const layout of ['NHWC', 'NCHW'] as const) {
      const tensor = { width: 5, height: 4, layout };
      const want = new Float32Array(60);
      frameToTensor(src, want, { width: w, height: h, format: 'YUYV', tensor });
      const region = allocFloat32(64);
      region.fill(-9);
      const dst = region.subarray(0, 60);
      frameToTensor(frame, dst, { width: w, height: h, format: 'YUYV', tensor });
      expect(Array.from(dst)).toEqual(Array.from(want));
      expect(Array.from(region.subarray(60))).toEqual([-9, -9, -9, -9]);
      freeFrame(region);
    }
    freeFrame(frame);
  });

  it('stay valid while the memory grows', () => {
    const a = allocFrame(1000);
    a.fill(42);
    const big = allocFrame(64 * 1024 * 1024); // forces growth
    expect(a.length).toBe(1000);
    expect(a.every((v) => v === 42)).toBe(true);
    big[big.length - 1] = 7;
    expect(big[big.length - 1]).toBe(7);
    freeFrame(big);
    freeFrame(a);
  });

  it('rejects bad sizes and foreign or freed buffers', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      let thrown: unknown;
      try {
        allocFrame(bad);
      } catch (e) {
        thrown = e;
      }
      expect(isDeepsegError(thrown, 'ERR_INVALID_OPTION')).toBe(true);
    }
    const f = allocFrame(16);
    freeFrame(f);
    expect(() => freeFrame(f)).toThrow(/allocFrame/);
    expect(() => freeFrame(new Uint8Array(16))).toThrow(/allocFrame/);
  });
});

describe('isWasmFrame', () => {
  it('tells buffers in the kernels memory from ordinary ones', () => {
    const f = allocFrame(64);
    expect(isWasmFrame(f)).toBe(true);
    expect(isWasmFrame(new Uint8Array(64))).toBe(false);
    expect(isWasmFrame(new Float32Array(new SharedArrayBuffer(64)))).toBe(false);
    freeFrame(f);
  });
});
