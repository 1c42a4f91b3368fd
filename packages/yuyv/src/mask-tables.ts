import type { BilinearAxis } from './sampling.ts';
import { copyIn, type Heap } from './wasm.ts';

/** Copies the first `bytes` bytes of a mask (f32 0..1 or u8 0..255) into wasm memory at `at`. */
export function stageMask(h: Heap, mask: Float32Array | Uint8Array, at: number, bytes: number): void {
  if (mask instanceof Uint8Array) copyIn(h, mask, at, bytes);
  else h.f32.set(mask.length === bytes >> 2 ? mask : mask.subarray(0, bytes >> 2), at >> 2);
}

/**
 * Writes the bilinear mask-upscale tables the composite and resize kernels read: at `pax`, `padded`
 * column indices then `padded` weights (entries past the roi repeat the last index with weight 0, as
 * the SIMD loops read up to 3 past it); at `pay`, row indices, steps and weights of the roi's rows.
 */
export function stageBilinearAxes(
  h: Heap,
  ax: BilinearAxis,
  ay: BilinearAxis,
  pax: number,
  pay: number,
  padded: number,
  roiWidth: number,
  roiHeight: number,
): void {
  h.i32.set(ax.i0, pax >> 2);
  h.i32.fill(ax.i0[roiWidth - 1]!, (pax >> 2) + roiWidth, (pax >> 2) + padded);
  h.f32.set(ax.f, (pax >> 2) + padded);
  h.f32.fill(0, (pax >> 2) + padded + roiWidth, (pax >> 2) + 2 * padded);
  h.i32.set(ay.i0, pay >> 2);
  h.i32.set(ay.step, (pay >> 2) + roiHeight);
  h.f32.set(ay.f, (pay >> 2) + 2 * roiHeight);
}
