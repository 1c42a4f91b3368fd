/** A probability mask and its size. */
export interface MaskView {
  data: Float32Array;
  width: number;
  height: number;
}

/**
 * Intersection over union of two masks thresholded at `threshold` (default 0.5). Masks of
 * different sizes are compared on the larger grid, each sampled at the same relative position
 * (nearest pixel), so masks of one frame from models of different resolutions can be compared.
 * Two empty masks agree fully (1).
 *
 * @example
 * maskIoU({ data: ours, width: 256, height: 256 }, { data: reference, width: 256, height: 256 }); // 0.995
 */
export function maskIoU(a: MaskView, b: MaskView, threshold = 0.5): number {
  const w = Math.max(a.width, b.width);
  const h = Math.max(a.height, b.height);
  let inter = 0;
  let union = 0;
  for (let y = 0; y < h; y++) {
    const ya = Math.min(a.height - 1, Math.floor(((y + 0.5) * a.height) / h)) * a.width;
    const yb = Math.min(b.height - 1, Math.floor(((y + 0.5) * b.height) / h)) * b.width;
    for (let x = 0; x < w; x++) {
      const pa = a.data[ya + Math.min(a.width - 1, Math.floor(((x + 0.5) * a.width) / w))]! > threshold;
      const pb = b.data[yb + Math.min(b.width - 1, Math.floor(((x + 0.5) * b.width) / w))]! > threshold;
      if (pa && pb) inter++;
      if (pa || pb) union++;
    }
  }
  return union === 0 ? 1 : inter / union;
}

/** Share of mask pixels above `threshold` (default 0.5). */
export function foregroundShare(mask: Float32Array, threshold = 0.5): number {
  let on = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]! > threshold) on++;
  return on / mask.length;
}
