// The refinement chains of the projects deepseg is measured against, re-implemented here (in the
// same language as ours, for a like-for-like comparison) from the descriptions in issue 6:
// - backscrub: bit-shift moving average of the mask, 5×5 box blur, fixed threshold;
// - Linux-Fake-Background-Webcam (LFBW): threshold 0.75, dilate 5×5, blur 10×10, EMA ratio 0.5,
//   at frame resolution (MediaPipe hands it a frame-sized mask);
// - obs-backgroundremoval: threshold 0.5, temporal smoothing 0.85, removal of contours smaller than
//   5 % of the area, smooth-contour (blur k = 3 + 11·0.5, re-threshold), feather 0.1 (dilate of the
//   background by k/3, box blur k = 40·0.1), at model resolution.
// Each returns the alpha at frame resolution (upsampled bilinearly, as they resize their masks).
import { removeSmallRegions, resizeMask } from '@deepseg/yuyv';
import { boxMean, morph } from '../box-filter.ts';

/** One anchor chain: feed the model mask, get the alpha at frame resolution. */
export interface AnchorChain {
  readonly name: string;
  step(mask: Float32Array, alpha: Float32Array): void;
}

interface Geometry {
  gw: number;
  gh: number;
  width: number;
  height: number;
}

function upsample(src: Float32Array, dst: Float32Array, g: Geometry): void {
  resizeMask(src, dst, { srcWidth: g.gw, srcHeight: g.gh, dstWidth: g.width, dstHeight: g.height });
}

/** Box blur with an even or odd kernel size k (OpenCV `blur`, anchor at the centre). */
function blurK(
  src: Float32Array,
  dst: Float32Array,
  w: number,
  h: number,
  k: number,
  tmp: Float32Array,
): void {
  // An even kernel is approximated by the next odd one; the difference is below a pixel.
  boxMean(src, dst, w, h, Math.max(1, Math.floor(k / 2)), tmp);
}

export function backscrub(g: Geometry): AnchorChain {
  const n = g.gw * g.gh;
  const avg = new Uint8Array(n);
  const f = new Float32Array(n);
  const tmp = new Float32Array(n);
  let first = true;
  return {
    name: 'backscrub',
    step(mask, alpha) {
      for (let i = 0; i < n; i++) {
        const m = Math.round(Math.min(1, Math.max(0, mask[i]!)) * 255);
        avg[i] = first ? m : (avg[i]! >> 1) + (m >> 1);
        f[i] = avg[i]!;
      }
      first = false;
      boxMean(f, f, g.gw, g.gh, 2, tmp);
      for (let i = 0; i < n; i++) f[i] = f[i]! >= 128 ? 1 : 0;
      upsample(f, alpha, g);
    },
  };
}

export function lfbw(g: Geometry): AnchorChain {
  const N = g.width * g.height;
  const full = new Float32Array(N);
  const old = new Float32Array(N);
  const tmp = new Float32Array(N);
  let first = true;
  return {
    name: 'LFBW',
    step(mask, alpha) {
      upsample(mask, full, g);
      for (let i = 0; i < N; i++) full[i] = full[i]! > 0.75 ? 1 : 0;
      morph(full, full, g.width, g.height, 2, tmp);
      blurK(full, full, g.width, g.height, 10, tmp);
      for (let i = 0; i < N; i++) {
        const m = first ? full[i]! : full[i]! * 0.5 + old[i]! * 0.5;
        old[i] = m;
        alpha[i] = m;
      }
      first = false;
    },
  };
}

export function obs(g: Geometry): AnchorChain {
  const n = g.gw * g.gh;
  const bg = new Float32Array(n);
  const last = new Float32Array(n);
  const tmp = new Float32Array(n);
  let first = true;
  return {
    name: 'obs-backgroundremoval',
    step(mask, alpha) {
      // Person mask p = 1 − background mask.
      for (let i = 0; i < n; i++) {
        const b = mask[i]! < 0.5 ? 1 : 0;
        const s = first ? b : 0.85 * b + 0.15 * last[i]!;
        last[i] = s;
        bg[i] = 1 - s;
      }
      first = false;
      removeSmallRegions(bg, { width: g.gw, height: g.gh, minArea: Math.round(0.05 * n), foreground: true });
      // smoothContour 0.5: stack blur k = 3 + 11·0.5 = 8, then > 0.5
      blurK(bg, bg, g.gw, g.gh, 8, tmp);
      for (let i = 0; i < n; i++) bg[i] = bg[i]! > 0.5 ? 1 : 0;
      // feather 0.1: k = 4; dilate the background k/3 = 1 time (erode the person), box blur k.
      morph(bg, bg, g.gw, g.gh, -1, tmp);
      blurK(bg, bg, g.gw, g.gh, 4, tmp);
      upsample(bg, alpha, g);
    },
  };
}

/** The raw model mask, upsampled bilinearly: what every chain starts from. */
export function raw(g: Geometry): AnchorChain {
  return { name: 'raw model mask', step: (mask, alpha) => upsample(mask, alpha, g) };
}
