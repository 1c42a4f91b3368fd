import { DeepsegError } from './errors.ts';
import {
  assertBytes,
  assertDimensions,
  assertInt,
  assertLength,
  assertOptionsObject,
  assertRect,
  type Rect,
} from './validate.ts';
import { addressOf, copyIn, layout, residentTables, wasmHeap } from './wasm.ts';

/** Options of {@link weightedBlurPlanes}. */
export interface WeightedBlurOptions {
  /** Frame width in pixels (even). */
  width: number;
  /** Frame height in pixels. */
  height: number;
  /** Downscale factor: the planes are ceil(width / factor) × ceil(height / factor). */
  factor: number;
  /** Box radius in low-resolution samples (each pass is a (2·radius+1)² mean). */
  radius: number;
  /** Box passes (2 = a tent). Default 2. */
  passes?: number;
  /** Width of the person mask grid. */
  maskWidth: number;
  /** Height of the person mask grid. */
  maskHeight: number;
  /** The frame rectangle the mask covers; default the whole frame. Outside it everything is background. */
  roi?: Rect;
}

interface Tables {
  key: string;
  /** sx [2·lw] (luma byte offsets), sy [2·lh] (row byte offsets), gx [lw], gy [lh]. */
  words: Int32Array;
  /** The same words, resident in wasm memory. */
  at: number;
}
let cached: Tables | undefined;

function tablesFor(width: number, height: number, f: number, gw: number, gh: number, roi: Rect): Tables {
  const key = `${width},${height},${f},${gw},${gh},${roi.x},${roi.y},${roi.width},${roi.height}`;
  if (cached?.key === key) return cached;
  const lw = Math.ceil(width / f);
  const lh = Math.ceil(height / f);
  const words = new Int32Array(lw * 3 + lh * 3);
  // Two frame samples per low-resolution pixel and axis, at 1/4 and 3/4 of its footprint.
  const sample = (i: number, size: number) =>
    Math.min(size - 1, Math.floor((i >> 1) * f + f * (0.25 + 0.5 * (i & 1))));
  for (let i = 0; i < lw * 2; i++) words[i] = sample(i, width) * 2;
  for (let i = 0; i < lh * 2; i++) words[lw * 2 + i] = sample(i, height) * width * 2;
  // The mask cell under each low-resolution pixel's centre; −1 outside the roi.
  const cell = (l: number, start: number, len: number, n: number) => {
    const p = (l + 0.5) * f;
    return p < start || p >= start + len ? -1 : Math.min(n - 1, Math.floor(((p - start) * n) / len));
  };
  for (let i = 0; i < lw; i++) words[(lw + lh) * 2 + i] = cell(i, roi.x, roi.width, gw);
  for (let i = 0; i < lh; i++) words[(lw + lh) * 2 + lw + i] = cell(i, roi.y, roi.height, gh);
  const [at] = residentTables([words], cached?.at ?? -1);
  cached = { key, words, at: at! };
  return cached;
}

/**
 * The blurred background of a YUYV frame around a person, at 1/`factor` resolution, in WebAssembly:
 * a normalised convolution where every low-resolution sample (the mean of four frame samples) is
 * weighted by how surely its mask cell is background (1 − smoothstep(0.1, 0.5, mask) + 1e-4), box
 * filtered `passes` times, then divided by the filtered weight — so the person's colours do not bleed
 * into the blur around them. Writes Y, U, V planes (code values, ceil(width/factor) ×
 * ceil(height/factor) each, one after the other) into `planes`, which needs room for a fourth plane
 * (the weights). Feed the three planes to {@link guidedCompositeYuyv} as `{ planes, planeWidth,
 * planeHeight, factor }`.
 *
 * @throws DeepsegError `ERR_INVALID_OPTION` (sizes, factor, radius, passes, roi), `ERR_INVALID_ARGUMENT`
 *   (buffer types), `ERR_BUFFER_TOO_SMALL`.
 * @example
 * ```ts
 * const planes = new Float32Array(160 * 90 * 4);
 * weightedBlurPlanes(frame, mask, planes, { width: 1280, height: 720, factor: 8, radius: 2, maskWidth: 128, maskHeight: 72 });
 * ```
 */
export function weightedBlurPlanes(
  frame: Uint8Array,
  mask: Float32Array,
  planes: Float32Array,
  options: WeightedBlurOptions,
): void {
  assertOptionsObject(options, '{ width, height, factor, radius, maskWidth, maskHeight }');
  const { width, height, factor, radius, maskWidth: gw, maskHeight: gh } = options;
  const passes = options.passes ?? 2;
  assertDimensions(width, height, 'YUYV');
  assertInt(factor, 'factor', 1, Math.max(width, height));
  assertInt(radius, 'radius', 0, 1 << 16);
  assertInt(passes, 'passes', 0, 16);
  assertInt(gw, 'maskWidth', 1);
  assertInt(gh, 'maskHeight', 1);
  const roi = options.roi ?? { x: 0, y: 0, width, height };
  if (options.roi !== undefined) assertRect(roi, 'roi', width, height);
  assertBytes(frame, 'frame');
  assertLength(frame, width * height * 2, 'frame', width, height, 'YUYV');
  if (!(mask instanceof Float32Array)) {
    throw new DeepsegError('ERR_INVALID_ARGUMENT', 'Expected a Float32Array for mask', { option: 'mask' });
  }
  assertLength(mask, gw * gh, 'mask', gw, gh, 'mask');
  if (!(planes instanceof Float32Array)) {
    throw new DeepsegError('ERR_INVALID_ARGUMENT', 'Expected a Float32Array for planes', {
      option: 'planes',
    });
  }
  const lw = Math.ceil(width / factor);
  const lh = Math.ceil(height / factor);
  const n = lw * lh;
  if (planes.length < n * 4) {
    throw new DeepsegError(
      'ERR_BUFFER_TOO_SMALL',
      `Expected planes to hold four ${lw}×${lh} planes (${n * 4} floats) but received ${planes.length}`,
      { option: 'planes' },
    );
  }
  const t = tablesFor(width, height, factor, gw, gh, roi);
  const fAt = addressOf(frame);
  const mAt = addressOf(mask);
  const pAt = addressOf(planes);
  const bytes = width * height * 2;
  layout.reset();
  const of = fAt < 0 ? layout.take(bytes) : -1;
  const om = mAt < 0 ? layout.take(gw * gh * 4) : -1;
  const op = pAt < 0 ? layout.take(n * 16) : -1;
  const otmp = layout.take(n * 4);
  const osums = layout.take((lw + 1) * 8);
  const h = wasmHeap(layout.size);
  const base = h.scratch;
  const pf = fAt >= 0 ? fAt : base + of;
  const pm = mAt >= 0 ? mAt : base + om;
  const pp = pAt >= 0 ? pAt : base + op;
  if (fAt < 0) copyIn(h, frame, pf, bytes);
  if (mAt < 0) h.f32.set(mask.length === gw * gh ? mask : mask.subarray(0, gw * gh), pm >> 2);
  h.kernels.weightedBlurPlanes(
    pf,
    t.at,
    t.at + lw * 8,
    t.at + (lw + lh) * 8,
    t.at + (lw + lh) * 8 + lw * 4,
    pm,
    gw,
    lw,
    lh,
    pp,
    radius,
    passes,
    base + otmp,
    base + osums,
  );
  if (pAt < 0) planes.set(h.f32.subarray(pp >> 2, (pp >> 2) + n * 3));
}
