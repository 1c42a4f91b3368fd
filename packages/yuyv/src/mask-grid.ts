import { DeepsegError } from './errors.ts';
import { assertFinite, assertInt, assertOptionsObject } from './validate.ts';
import { addressOf, layout, stageF32, unstageF32, wasmHeap } from './wasm.ts';

/** Options of {@link temporalMaskStep}. */
export interface TemporalMaskOptions {
  /** Grid width in cells. */
  width: number;
  /** Grid height in cells. */
  height: number;
  /** Rate where nothing moves (0..1; small = strong smoothing). */
  still: number;
  /** Rate where the picture moves (still..1). */
  moving: number;
  /** Luma change (0..255 codes) below which a cell counts as still. */
  motionLow: number;
  /** Luma change at which a cell counts as fully moving (≥ motionLow). */
  motionHigh: number;
  /** The rate is at least catchUp·(raw − state)², so a disagreement the luma cannot explain does not linger. */
  catchUp: number;
}

/** Options of {@link guidedFilterGrid}. */
export interface GuidedFilterOptions {
  /** Grid width in cells. */
  width: number;
  /** Grid height in cells. */
  height: number;
  /** Window radius in cells (the window is (2·radius+1)², clipped at the borders). */
  radius: number;
  /** Regularisation: larger = smoother, less edge-following. */
  eps: number;
}

function checkPlane(v: unknown, name: string, n: number): asserts v is Float32Array {
  if (!(v instanceof Float32Array)) {
    throw new DeepsegError('ERR_INVALID_ARGUMENT', `Expected a Float32Array for ${name}`, { option: name });
  }
  if (v.length < n) {
    throw new DeepsegError(
      'ERR_BUFFER_TOO_SMALL',
      `Expected ${name} to hold ${n} floats but received ${v.length}`,
      { option: name },
    );
  }
}

/** The options as a record, with `width` and `height` checked (integers ≥ 1). */
function gridOptions(
  o: unknown,
  what: string,
): { o: Record<string, unknown>; width: number; height: number } {
  assertOptionsObject(o, what);
  const r = o as Record<string, unknown>;
  assertInt(r.width, 'width', 1);
  assertInt(r.height, 'height', 1);
  return { o: r, width: r.width as number, height: r.height as number };
}

/**
 * One step of motion-adaptive temporal smoothing of a low-resolution person mask, in place on
 * `state`, in WebAssembly SIMD: the motion of a cell is the largest luma change (0..255 codes) between
 * `prevGuide` and `guide` (luma 0..1 at grid resolution) over its 3×3 neighbourhood; the cell's rate
 * goes from `still` to `moving` (smoothstep) as that motion goes from `motionLow` to `motionHigh`, and
 * is at least `catchUp`·(raw − state)²; then state += rate·(raw − state). `prevGuide` receives `guide`.
 * Strong smoothing where the scene is still, none where it moves: no ghosting.
 *
 * @throws DeepsegError `ERR_INVALID_OPTION`, `ERR_INVALID_ARGUMENT`, `ERR_BUFFER_TOO_SMALL`.
 * @example
 * ```ts
 * temporalMaskStep(raw, state, luma, previousLuma, { width: 128, height: 72, still: 0.05, moving: 1, motionLow: 3, motionHigh: 12, catchUp: 0.3 });
 * ```
 */
export function temporalMaskStep(
  raw: Float32Array,
  state: Float32Array,
  guide: Float32Array,
  prevGuide: Float32Array,
  opts: TemporalMaskOptions,
): void {
  const { o, width, height } = gridOptions(
    opts,
    '{ width, height, still, moving, motionLow, motionHigh, catchUp }',
  );
  for (const k of ['still', 'moving', 'motionLow', 'motionHigh', 'catchUp']) assertFinite(o[k], k);
  const n = width * height;
  checkPlane(raw, 'raw', n);
  checkPlane(state, 'state', n);
  checkPlane(guide, 'guide', n);
  checkPlane(prevGuide, 'prevGuide', n);
  const { still, moving, motionLow, motionHigh, catchUp } = opts;
  const inv = motionHigh > motionLow ? 1 / (motionHigh - motionLow) : 1e9;
  layout.reset();
  const bytes = n * 4;
  const oRaw = layout.take(bytes);
  const oState = layout.take(bytes);
  const oGuide = layout.take(bytes);
  const oPrev = layout.take(bytes);
  const oMotion = layout.take(bytes);
  const oTmp = layout.take(bytes);
  const h = wasmHeap(layout.size);
  const pRaw = stageF32(h, raw, n, oRaw);
  const pState = stageF32(h, state, n, oState);
  const pGuide = stageF32(h, guide, n, oGuide);
  const pPrev = stageF32(h, prevGuide, n, oPrev);
  h.kernels.temporalStep(
    pRaw,
    pState,
    pGuide,
    pPrev,
    width,
    height,
    still,
    moving,
    motionLow,
    inv,
    catchUp,
    h.scratch + oMotion,
    h.scratch + oTmp,
  );
  unstageF32(h, state, n, pState);
  unstageF32(h, prevGuide, n, pPrev);
}

/**
 * The guided filter (He, Sun and Tang; the "fast" form when the grid is a subsampled image) on a
 * grid, in WebAssembly SIMD: fits q = a·I + b to `p` in every (2·radius+1)² window of the guide `I`
 * (luma 0..1) and box-averages the coefficients into `meanA`, `meanB`. Evaluating meanA·Y + meanB with
 * the full-resolution luma (e.g. {@link guidedCompositeYuyv}) gives the edge-aware upsampled mask.
 *
 * @throws DeepsegError `ERR_INVALID_OPTION`, `ERR_INVALID_ARGUMENT`, `ERR_BUFFER_TOO_SMALL`.
 * @example
 * ```ts
 * guidedFilterGrid(luma, mask, meanA, meanB, { width: 128, height: 72, radius: 2, eps: 0.002 });
 * ```
 */
export function guidedFilterGrid(
  guide: Float32Array,
  p: Float32Array,
  meanA: Float32Array,
  meanB: Float32Array,
  opts: GuidedFilterOptions,
): void {
  const { o, width, height } = gridOptions(opts, '{ width, height, radius, eps }');
  assertInt(o.radius, 'radius', 0, 1 << 16);
  assertFinite(o.eps, 'eps');
  if ((o.eps as number) <= 0) {
    throw new DeepsegError('ERR_INVALID_OPTION', `Expected eps > 0 but received ${String(o.eps)}`, {
      option: 'eps',
    });
  }
  const n = width * height;
  checkPlane(guide, 'guide', n);
  checkPlane(p, 'p', n);
  checkPlane(meanA, 'meanA', n);
  checkPlane(meanB, 'meanB', n);
  layout.reset();
  const bytes = n * 4;
  const oGuide = layout.take(bytes);
  const oP = layout.take(bytes);
  const oStats = layout.take(bytes * 4);
  // meanA and meanB consecutive in wasm memory (compose allocates them so) are written in place.
  const aAt = addressOf(meanA);
  const inPlace = aAt >= 0 && addressOf(meanB) === aAt + bytes;
  const oCoef = inPlace ? -1 : layout.take(bytes * 2);
  const oTmp = layout.take(bytes);
  const oSums = layout.take((width + 1) * 8);
  const h = wasmHeap(layout.size);
  const pGuide = stageF32(h, guide, n, oGuide);
  const pP = stageF32(h, p, n, oP);
  const coef = inPlace ? aAt : h.scratch + oCoef;
  h.kernels.guidedCoefficients(
    pGuide,
    pP,
    width,
    height,
    opts.radius,
    opts.eps,
    h.scratch + oStats,
    coef,
    h.scratch + oTmp,
    h.scratch + oSums,
  );
  if (!inPlace) {
    meanA.set(h.f32.subarray(coef >> 2, (coef >> 2) + n));
    meanB.set(h.f32.subarray((coef >> 2) + n, (coef >> 2) + 2 * n));
  }
}
