import { DeepsegError } from './errors.ts';
import {
  assertBytes,
  assertFinite,
  assertFloats,
  assertInt,
  assertLength,
  assertOptionsObject,
  assertRect,
  type Rect,
  rectOrWhole,
} from './validate.ts';
import { addressOf, layout, stageF32, unstageF32, wasmHeap } from './wasm.ts';

// The grid-resolution inputs of a mask refinement (what @deepseg/compose runs before its temporal and
// guided steps), in WebAssembly: the model's mask onto the grid, the frame's luma at the grid's sample
// points, and the removal of small blobs and holes. Each gives the same values, bit for bit, as the
// JavaScript it replaced (f64 arithmetic in the same order).

/** Options of {@link maskToGrid}. */
export interface MaskToGridOptions {
  /** Width of the model's mask. */
  maskWidth: number;
  /** Height of the model's mask. */
  maskHeight: number;
  /** The part of the mask that holds the picture (e.g. without letterbox bars); default all of it. */
  rect?: Rect;
  /** Cells are `subsample`×`subsample` blocks of the rect (integer ≥ 1): the grid is ⌈w/s⌉×⌈h/s⌉. */
  subsample: number;
}

/** Options of {@link gridLuma}. */
export interface GridLumaOptions {
  /** Two byte offsets of frame rows per grid row (2·gridHeight values). */
  rowOffsets: Int32Array;
  /** Two byte offsets within a row per grid column (2·gridWidth values; even: YUYV luma). */
  colOffsets: Int32Array;
}

/** Options of {@link removeSmallRegions}. */
export interface SmallRegionOptions {
  /** Mask width in cells. */
  width: number;
  /** Mask height in cells. */
  height: number;
  /** Regions of fewer cells than this go. */
  minArea: number;
  /** `true`: person blobs (v ≥ threshold) become 0; `false`: holes (v < threshold) away from the border become 1. */
  foreground: boolean;
  /** Default 0.5. */
  threshold?: number;
}

const WHOLE: Rect = { x: 0, y: 0, width: 0, height: 0 };

/**
 * Puts the model's person probability onto a coarser grid: each cell is the mean of its
 * `subsample`×`subsample` block of `rect` (edge blocks clipped) of the values clamped to 0..1 (with
 * `subsample` 2 and an even rect, the clamped mean: the same for values already in 0..1). Writes
 * ⌈rect.width/subsample⌉·⌈rect.height/subsample⌉ floats to `dst`.
 *
 * @throws DeepsegError `ERR_INVALID_OPTION` (sizes, rect, subsample), `ERR_INVALID_ARGUMENT`,
 *   `ERR_BUFFER_TOO_SMALL`.
 * @example
 * ```ts
 * const grid = new Float32Array(128 * 72);
 * maskToGrid(mask, grid, { maskWidth: 256, maskHeight: 144, subsample: 2 });
 * ```
 */
export function maskToGrid(mask: Float32Array, dst: Float32Array, options: MaskToGridOptions): void {
  assertOptionsObject(options, '{ maskWidth, maskHeight, subsample, rect? }');
  const { maskWidth, maskHeight, subsample: s } = options;
  assertInt(maskWidth, 'maskWidth', 1);
  assertInt(maskHeight, 'maskHeight', 1);
  assertInt(s, 'subsample', 1);
  assertFloats(mask, 'mask');
  assertFloats(dst, 'dst');
  const rect = rectOrWhole(options.rect, WHOLE, maskWidth, maskHeight);
  assertRect(rect, 'rect', maskWidth, maskHeight);
  const n = maskWidth * maskHeight;
  assertLength(mask, n, 'mask', maskWidth, maskHeight, 'mask');
  const cw = Math.ceil(rect.width / s);
  const ch = Math.ceil(rect.height / s);
  assertLength(dst, cw * ch, 'dst', cw, ch, 'mask');
  layout.reset();
  const om = layout.take(n * 4);
  const od = layout.take(cw * ch * 4);
  const h = wasmHeap(layout.size);
  const pm = stageF32(h, mask, n, om);
  const pd = stageF32(h, dst, cw * ch, od, false);
  h.kernels.maskToGrid(pm, maskWidth, rect.x, rect.y, rect.width, rect.height, s, pd, cw, ch);
  unstageF32(h, dst, cw * ch, pd);
}

/** The largest value of `v`, or −1 when one is negative. */
function maxOf(v: Int32Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!(x >= 0)) return -1;
    if (x > m) m = x;
  }
  return m;
}

/**
 * The frame's luma at grid resolution, scaled to 0..1: cell (gx, gy) is the mean of the four bytes
 * at `rowOffsets[2gy + a] + colOffsets[2gx + b]` (a, b ∈ {0, 1}). Writes
 * (colOffsets.length / 2)·(rowOffsets.length / 2) floats to `dst`.
 *
 * @throws DeepsegError `ERR_INVALID_OPTION` (tables of odd length, offsets outside the frame),
 *   `ERR_INVALID_ARGUMENT`, `ERR_BUFFER_TOO_SMALL`.
 * @example
 * ```ts
 * gridLuma(yuyv, luma, { rowOffsets, colOffsets });
 * ```
 */
export function gridLuma(frame: Uint8Array, dst: Float32Array, options: GridLumaOptions): void {
  assertOptionsObject(options, '{ rowOffsets, colOffsets }');
  const { rowOffsets: rows, colOffsets: cols } = options;
  for (const [t, name] of [
    [rows, 'rowOffsets'],
    [cols, 'colOffsets'],
  ] as const) {
    if (!(t instanceof Int32Array) || t.length === 0 || t.length % 2 !== 0) {
      throw new DeepsegError(
        'ERR_INVALID_OPTION',
        `Expected an Int32Array of two offsets per grid line for options.${name}`,
        { option: name },
      );
    }
  }
  assertBytes(frame, 'frame');
  assertFloats(dst, 'dst');
  const gw = cols.length / 2;
  const gh = rows.length / 2;
  const mr = maxOf(rows);
  const mc = maxOf(cols);
  if (mr < 0 || mc < 0 || mr + mc >= frame.length) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected rowOffsets + colOffsets inside the ${frame.length}-byte frame`,
      { option: 'rowOffsets' },
    );
  }
  assertLength(dst, gw * gh, 'dst', gw, gh, 'mask');
  const fAt = addressOf(frame);
  layout.reset();
  const of = fAt < 0 ? layout.take(frame.length) : 0;
  const or = layout.take(rows.length * 4);
  const oc = layout.take(cols.length * 4);
  const od = layout.take(gw * gh * 4);
  const h = wasmHeap(layout.size);
  const pf = fAt < 0 ? h.scratch + of : fAt;
  if (fAt < 0) h.u8.set(frame, pf);
  h.i32.set(rows, (h.scratch + or) >> 2);
  h.i32.set(cols, (h.scratch + oc) >> 2);
  const pd = stageF32(h, dst, gw * gh, od, false);
  h.kernels.gridLuma(pf, h.scratch + or, h.scratch + oc, gw, gh, 1 / (4 * 255), pd);
  unstageF32(h, dst, gw * gh, pd);
}

/**
 * Removes 4-connected regions smaller than `minArea` cells from `mask` in place: person blobs
 * (v ≥ threshold) are set to 0 when `foreground`, else background holes (v < threshold) that do not
 * touch the border are set to 1. Returns how many regions were removed.
 *
 * @throws DeepsegError `ERR_INVALID_OPTION`, `ERR_INVALID_ARGUMENT`, `ERR_BUFFER_TOO_SMALL`.
 * @example
 * ```ts
 * removeSmallRegions(grid, { width: 128, height: 72, minArea: 40, foreground: true });
 * ```
 */
export function removeSmallRegions(mask: Float32Array, options: SmallRegionOptions): number {
  assertOptionsObject(options, '{ width, height, minArea, foreground, threshold? }');
  const { width, height, minArea, foreground, threshold = 0.5 } = options;
  assertInt(width, 'width', 1);
  assertInt(height, 'height', 1);
  assertFinite(minArea, 'minArea');
  assertFinite(threshold, 'threshold');
  if (typeof foreground !== 'boolean') {
    throw new DeepsegError('ERR_INVALID_OPTION', 'Expected true or false for options.foreground', {
      option: 'foreground',
    });
  }
  assertFloats(mask, 'mask');
  const n = width * height;
  assertLength(mask, n, 'mask', width, height, 'mask');
  layout.reset();
  const om = layout.take(n * 4);
  const ov = layout.take(n);
  const oq = layout.take(n * 4);
  const h = wasmHeap(layout.size);
  const pm = stageF32(h, mask, n, om);
  const removed = h.kernels.removeRegions(
    pm,
    width,
    height,
    Math.min(Math.ceil(minArea), n + 1),
    foreground ? 1 : 0,
    threshold,
    h.scratch + ov,
    h.scratch + oq,
  );
  unstageF32(h, mask, n, pm);
  return removed;
}
