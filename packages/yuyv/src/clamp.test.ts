import { describe, expect, it } from 'vitest';
import { errorCode } from './__fixtures__/reference.ts';
import { clampUnit } from './clamp.ts';
import { allocFloat32, freeFrame } from './wasm-frames.ts';

const reference = (v: number) => Math.max(0, Math.min(v, 1));

/** Values around and outside 0..1, the specials, and a length that leaves a scalar tail. */
function samples(n: number): Float32Array {
  const special = [Number.NaN, -0, 0, 1, -1e-30, 1 + 2 ** -23, Infinity, -Infinity, 0.5];
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = i < special.length ? special[i]! : Math.sin(i * 12.9898) * 1.5;
  return v;
}

function expectClamped(src: Float32Array, dst: Float32Array): void {
  for (let i = 0; i < src.length; i++)
    expect(Object.is(dst[i], reference(src[i]!)), `value ${i}: ${src[i]}`).toBe(true);
}

describe('clampUnit', () => {
  it('equals Math.max(0, Math.min(v, 1)) value for value, NaN and −0 included, with buffers anywhere', () => {
    const n = 1003;
    const src = samples(n);
    const plain = new Float32Array(n + 5).fill(7);
    clampUnit(src, plain);
    expectClamped(src, plain);
    expect(plain[n]).toBe(7); // nothing written past src.length

    const shared = new Float32Array(new SharedArrayBuffer(n * 4));
    clampUnit(src, shared);
    expectClamped(src, shared);

    const inWasm = allocFloat32(n);
    const outWasm = allocFloat32(n);
    try {
      inWasm.set(src);
      clampUnit(inWasm, plain);
      expectClamped(src, plain);
      expect(Array.from(inWasm.subarray(5, 8))).toEqual([src[5], Infinity, -Infinity]); // src unchanged
      clampUnit(inWasm, outWasm);
      expectClamped(src, outWasm);
    } finally {
      freeFrame(inWasm);
      freeFrame(outWasm);
    }
  });

  it('clamps in place', () => {
    const src = samples(37);
    const v = src.slice();
    clampUnit(v, v);
    expectClamped(src, v);
  });

  it('refuses other arrays, short destinations and partly overlapping buffers with typed errors', () => {
    const f = new Float32Array(8);
    expect(errorCode(() => clampUnit(new Float64Array(8) as unknown as Float32Array, f))).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    expect(errorCode(() => clampUnit(f, new Float32Array(7)))).toBe('ERR_BUFFER_TOO_SMALL');
    expect(errorCode(() => clampUnit(f.subarray(0, 4), f.subarray(2, 6)))).toBe('ERR_INVALID_ARGUMENT');
    expect(errorCode(() => clampUnit(new Float32Array(0), new Float32Array(0)))).toBe('no error');
  });
});
