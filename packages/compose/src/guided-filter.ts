import { allocFloat32, freeFrame, type GuidedFilterOptions, guidedFilterGrid } from '@deepseg/yuyv';

/** Result buffers of {@link guidedFilterCoefficients}, allocated once per mask geometry. */
export interface GuidedScratch {
  /** Result: the box-averaged slope `a` of q = a·I + b (I = luma in 0..1). */
  meanA: Float32Array;
  /** Result: the box-averaged offset `b`. */
  meanB: Float32Array;
  /** The kernel's options, reused frame to frame. */
  options: GuidedFilterOptions;
  /** meanA then meanB, in WebAssembly memory: the filter writes them and the composite reads them there. */
  both: Float32Array;
}

/**
 * Allocates the buffers {@link guidedFilterCoefficients} needs for a `size`-pixel grid (in
 * WebAssembly memory; free them with {@link freeGuidedScratch}).
 */
export function createGuidedScratch(size: number): GuidedScratch {
  const both = allocFloat32(size * 2);
  return {
    meanA: both.subarray(0, size),
    meanB: both.subarray(size),
    options: { width: 1, height: 1, radius: 0, eps: 1 },
    both,
  };
}

/** Frees what {@link createGuidedScratch} allocated. */
export function freeGuidedScratch(s: GuidedScratch): void {
  freeFrame(s.both);
}

/**
 * The guided filter of He, Sun and Tang (and its "fast" form): fits q = a·I + b in every
 * (2r+1)² window of the guide `I` (luma, 0..1) to the input `p` (mask, 0..1) and averages the
 * coefficients (yuyv's `guidedFilterGrid`, WebAssembly SIMD). Evaluating `meanA·I + meanB` with a
 * *full-resolution* guide gives the edge-aware upsampled mask; evaluating it at grid resolution gives
 * the filtered mask. Results land in `s.meanA`, `s.meanB`.
 */
export function guidedFilterCoefficients(
  guide: Float32Array,
  p: Float32Array,
  width: number,
  height: number,
  radius: number,
  eps: number,
  s: GuidedScratch,
): void {
  const o = s.options;
  o.width = width;
  o.height = height;
  o.radius = radius;
  o.eps = eps;
  guidedFilterGrid(guide, p, s.meanA, s.meanB, o);
}
