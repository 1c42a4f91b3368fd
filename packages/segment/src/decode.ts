import { clampUnit } from '@deepseg/yuyv';
import type { OutputGeometry } from './manifest.ts';

/**
 * Turns a model's raw output tensor (batch 1, layout and channels per `output`) into the person
 * probability, 0..1, one float per output pixel, written into `dst` (length width·height). Shared
 * by all backends so that every backend decodes identically.
 *
 * @example
 * decodePersonProbability(raw, mask, { width: 257, height: 257, layout: 'NHWC', channels: 21, person: 15, decode: 'softmax' });
 */
export function decodePersonProbability(raw: Float32Array, dst: Float32Array, output: OutputGeometry): void {
  const n = output.width * output.height;
  const c = output.channels;
  const p = output.person;
  // Element (pixel i, channel k) lives at i*cs + k*ks.
  const nhwc = output.layout === 'NHWC';
  const cs = nhwc ? c : 1;
  const ks = nhwc ? 1 : n;
  switch (output.decode) {
    case 'probability':
      if (cs === 1) {
        // One plane (a single channel, or the person plane of NCHW): clamped in WebAssembly, a tenth
        // of the loop's time on the inference thread.
        const from = p * ks;
        clampUnit(from === 0 && raw.length === n ? raw : raw.subarray(from, from + n), dst);
        return;
      }
      for (let i = 0; i < n; i++) {
        const v = raw[i * cs + p * ks]!;
        dst[i] = Math.max(0, Math.min(v, 1));
      }
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) dst[i] = 1 / (1 + Math.exp(-raw[i * cs + p * ks]!));
      return;
    case 'softmax':
      if (c === 2) {
        const q = 1 - p;
        for (let i = 0; i < n; i++)
          dst[i] = 1 / (1 + Math.exp(raw[i * cs + q * ks]! - raw[i * cs + p * ks]!));
        return;
      }
      for (let i = 0; i < n; i++) {
        const b = i * cs;
        let max = Number.NEGATIVE_INFINITY;
        for (let k = 0; k < c; k++) {
          const v = raw[b + k * ks]!;
          if (v > max) max = v;
        }
        let sum = 0;
        for (let k = 0; k < c; k++) sum += Math.exp(raw[b + k * ks]! - max);
        dst[i] = Math.exp(raw[b + p * ks]! - max) / sum;
      }
      return;
    case 'argmax':
      for (let i = 0; i < n; i++) {
        const b = i * cs;
        let best = 0;
        let max = raw[b]!;
        for (let k = 1; k < c; k++) {
          const v = raw[b + k * ks]!;
          if (v > max) {
            max = v;
            best = k;
          }
        }
        dst[i] = best === p ? 1 : 0;
      }
      return;
  }
}
