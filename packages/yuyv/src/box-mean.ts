import { DeepsegError } from './errors.ts';
import { assertInt } from './validate.ts';
import { addressOf, layout, wasmHeap } from './wasm.ts';

/** Options of {@link boxMeanPlanes}. */
export interface BoxMeanOptions {
  /** Plane width in samples. */
  width: number;
  /** Plane height in samples. */
  height: number;
  /**
   * Window radius: the window is (2·radius+1)², clipped at the borders. 0, or planes one sample wide
   * or high, leave the planes as they are.
   */
  radius: number;
  /** How many times each plane is filtered (2 = a tent). Default 1. */
  passes?: number;
}

/**
 * Separable box mean of `planes` (one or more f32 planes of width·height samples, one after the
 * other), in place, in the WebAssembly SIMD kernels: every output is the mean of the samples of its
 * (2·radius+1)² window that lie inside the plane. Row sums and column sums in float64, so the result
 * does not depend on the plane's size and equals a plain running-sum implementation.
 *
 * @throws DeepsegError `ERR_INVALID_OPTION` (sizes, radius, passes), `ERR_BUFFER_TOO_SMALL` (`planes`
 *   not a whole number of planes).
 * @example
 * ```ts
 * const planes = new Float32Array(160 * 90 * 4); // Y, U, V, weight
 * boxMeanPlanes(planes, { width: 160, height: 90, radius: 2, passes: 2 });
 * ```
 */
export function boxMeanPlanes(planes: Float32Array, options: BoxMeanOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      'Expected options { width, height, radius } for boxMeanPlanes',
      {
        option: 'options',
      },
    );
  }
  const { width, height, radius } = options;
  const passes = options.passes ?? 1;
  assertInt(width, 'width', 1);
  assertInt(height, 'height', 1);
  assertInt(radius, 'radius', 0, 1 << 20);
  assertInt(passes, 'passes', 0, 16);
  if (!(planes instanceof Float32Array)) {
    throw new DeepsegError('ERR_INVALID_OPTION', 'Expected planes to be a Float32Array', {
      option: 'planes',
    });
  }
  const n = width * height;
  if (planes.length === 0 || planes.length % n !== 0) {
    throw new DeepsegError(
      'ERR_BUFFER_TOO_SMALL',
      `Expected planes to hold a whole number of ${width}×${height} planes (${n} floats each) but received ${planes.length} floats`,
      { option: 'planes' },
    );
  }
  if (radius === 0 || passes === 0) return;
  const count = planes.length / n;
  const at = addressOf(planes);
  layout.reset();
  const od = at < 0 ? layout.take(planes.length * 4) : -1;
  const ot = layout.take(n * 4);
  const os = layout.take((width + 1) * 8);
  const h = wasmHeap(layout.size);
  const base = h.scratch;
  const pd = at >= 0 ? at : base + od;
  if (at < 0) h.f32.set(planes, pd >> 2);
  h.kernels.boxMeanPlanes(pd, count, width, height, radius, passes, base + ot, base + os);
  if (at < 0) planes.set(h.f32.subarray(pd >> 2, (pd >> 2) + planes.length));
}
