import { DeepsegError } from './errors.ts';
import { assertFloats, assertNoOverlap } from './validate.ts';
import { addressOf, layout, stageF32, unstageF32, wasmHeap } from './wasm.ts';

/**
 * Clamps every value of `src` to 0..1 into the first `src.length` values of `dst`, in WebAssembly
 * SIMD: `Math.max(0, Math.min(v, 1))` exactly (NaN stays NaN, −0 becomes +0). `dst` may be `src`
 * itself. A model's person probability (sigmoid output) arrives this way about ten times faster
 * than through the same loop in JavaScript.
 *
 * @throws DeepsegError `ERR_INVALID_ARGUMENT` (not Float32Arrays, buffers that partly overlap),
 *   `ERR_BUFFER_TOO_SMALL` (dst shorter than src).
 * @example
 * ```ts
 * clampUnit(modelOutput, mask);
 * ```
 */
export function clampUnit(src: Float32Array, dst: Float32Array): void {
  assertFloats(src, 'src');
  assertFloats(dst, 'dst');
  const n = src.length;
  if (dst.length < n) {
    throw new DeepsegError(
      'ERR_BUFFER_TOO_SMALL',
      `Expected dst to hold ${n} floats but received ${dst.length}`,
      { option: 'dst' },
    );
  }
  if (n === 0) return;
  if (src.buffer !== dst.buffer || src.byteOffset !== dst.byteOffset)
    assertNoOverlap(src, dst, 'src and dst');
  const bytes = n * 4;
  const srcAt = addressOf(src);
  const dstAt = addressOf(dst);
  layout.reset();
  const so = srcAt < 0 ? layout.take(bytes) : 0;
  // A destination outside wasm memory receives the clamped copy of src: in place in src's scratch
  // copy, or in scratch of its own when src is in wasm memory (and must stay as it is).
  const doff = dstAt < 0 && srcAt >= 0 ? layout.take(bytes) : 0;
  const h = wasmHeap(layout.size);
  const ps = stageF32(h, src, n, so);
  const pd = dstAt >= 0 ? dstAt : srcAt >= 0 ? h.scratch + doff : ps;
  h.kernels.clampUnit(ps, pd, n);
  unstageF32(h, dst, n, pd);
}
