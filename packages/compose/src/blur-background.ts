import { allocFloat32, freeFrame, type WeightedBlurOptions, weightedBlurPlanes } from '@deepseg/yuyv';
import type { Layout } from './layout.ts';

/**
 * Mask-weighted blur of the camera frame at reduced resolution (normalised convolution): every
 * low-resolution sample is weighted by how surely it is background, so the person's colours do not
 * bleed into the blurred background around them. Two box passes (a tent, close to a Gaussian) at
 * 1/`factor` resolution (yuyv's `weightedBlurPlanes`), upsampled inside the composite kernel (yuyv's
 * `guidedCompositeYuyv`), so no full-resolution blurred frame is ever built. Buffers are allocated once
 * per frame size.
 */
export class MaskWeightedBlur {
  readonly radius: number;
  readonly factor: number;
  readonly lowWidth: number;
  readonly lowHeight: number;
  /**
   * Y, U, V and weight planes one after the other, in WebAssembly memory: the blur kernel writes them
   * and the composite kernel reads them there, with no copy either way. Freed by {@link dispose}.
   */
  readonly #all: Float32Array;
  readonly #options: WeightedBlurOptions & { roi: Layout['roi'] };
  /** The blurred Y, U, V planes as a background of yuyv's `guidedCompositeYuyv` (upsampled inside it). */
  readonly planes: { planes: Float32Array; planeWidth: number; planeHeight: number; factor: number };

  constructor(width: number, height: number, radius: number) {
    this.radius = radius;
    // About 2 low-resolution pixels of box radius: the two passes then cost the same at any strength.
    const factor = Math.max(1, Math.round(radius / 2));
    this.factor = factor;
    const lw = Math.max(1, Math.ceil(width / factor));
    const lh = Math.max(1, Math.ceil(height / factor));
    this.lowWidth = lw;
    this.lowHeight = lh;
    const n = lw * lh;
    this.#all = allocFloat32(n * 4);
    this.planes = { planes: this.#all.subarray(0, 3 * n), planeWidth: lw, planeHeight: lh, factor };
    this.#options = {
      width,
      height,
      factor,
      radius: Math.max(1, Math.round(radius / factor)),
      passes: 2,
      maskWidth: 1,
      maskHeight: 1,
      roi: { x: 0, y: 0, width, height },
    };
  }

  /**
   * Computes the blurred background of `frame` (YUYV) given the person mask `mask` on `layout`'s grid
   * (yuyv's `weightedBlurPlanes`, in WebAssembly).
   */
  update(frame: Uint8Array, mask: Float32Array, layout: Layout): void {
    const o = this.#options;
    o.maskWidth = layout.gridWidth;
    o.maskHeight = layout.gridHeight;
    o.roi = layout.roi;
    weightedBlurPlanes(frame, mask, this.#all, o);
  }

  /** Frees the planes; the blur cannot be used afterwards. */
  dispose(): void {
    freeFrame(this.#all);
  }
}
