import { boxMeanPlanes } from '@deepseg/yuyv';
import type { Layout } from './layout.ts';

/**
 * Mask-weighted blur of the camera frame at reduced resolution (normalised convolution): every
 * low-resolution sample is weighted by how surely it is background, so the person's colours do not
 * bleed into the blurred background around them. Two box passes (a tent, close to a Gaussian) at
 * 1/`factor` resolution, upsampled horizontally here and vertically inside the composite kernel
 * (yuyv's `guidedCompositeYuyv`), so no full-resolution blurred frame is ever built. Buffers are allocated
 * once per frame size.
 */
export class MaskWeightedBlur {
  readonly radius: number;
  readonly factor: number;
  readonly lowWidth: number;
  readonly lowHeight: number;
  readonly #blurRadius: number;
  readonly #width: number;
  readonly #planeY: Float32Array;
  readonly #planeU: Float32Array;
  readonly #planeV: Float32Array;
  readonly #planeW: Float32Array;
  /** Y, U, V and weight planes one after the other (one box-mean call for the four). */
  readonly #all: Float32Array;
  readonly #sampleX: Int32Array;
  readonly #sampleY: Int32Array;
  /** The blurred Y, U, V planes as a background of yuyv's `guidedCompositeYuyv` (upsampled inside it). */
  readonly planes: { planes: Float32Array; planeWidth: number; planeHeight: number; factor: number };
  #gridX: Int32Array = new Int32Array(0);
  #gridY: Int32Array = new Int32Array(0);
  #gridLayout: Layout | undefined;

  constructor(width: number, height: number, radius: number) {
    this.radius = radius;
    this.#width = width;
    // About 2 low-resolution pixels of box radius: the two passes then cost the same at any strength.
    const factor = Math.max(1, Math.round(radius / 2));
    this.factor = factor;
    this.#blurRadius = Math.max(1, Math.round(radius / factor));
    const lw = Math.max(1, Math.ceil(width / factor));
    const lh = Math.max(1, Math.ceil(height / factor));
    this.lowWidth = lw;
    this.lowHeight = lh;
    const n = lw * lh;
    const all = new Float32Array(n * 4);
    this.#all = all;
    this.#planeY = all.subarray(0, n);
    this.#planeU = all.subarray(n, 2 * n);
    this.#planeV = all.subarray(2 * n, 3 * n);
    this.#planeW = all.subarray(3 * n);
    this.planes = { planes: all.subarray(0, 3 * n), planeWidth: lw, planeHeight: lh, factor };
    // Two frame samples per low-res pixel and axis (at 1/4 and 3/4 of its footprint).
    this.#sampleX = new Int32Array(lw * 2);
    for (let i = 0; i < lw * 2; i++) {
      this.#sampleX[i] = Math.min(width - 1, Math.floor((i >> 1) * factor + factor * (0.25 + 0.5 * (i & 1))));
    }
    this.#sampleY = new Int32Array(lh * 2);
    for (let i = 0; i < lh * 2; i++) {
      this.#sampleY[i] = Math.min(
        height - 1,
        Math.floor((i >> 1) * factor + factor * (0.25 + 0.5 * (i & 1))),
      );
    }
  }

  /** Nearest mask cell of every low-res pixel, cached per layout; -1 = outside the roi. */
  #mapGrid(layout: Layout): void {
    if (this.#gridLayout === layout) return;
    const { roi, gridWidth: gw, gridHeight: gh } = layout;
    const f = this.factor;
    this.#gridX = new Int32Array(this.lowWidth);
    for (let lx = 0; lx < this.lowWidth; lx++) {
      const x = (lx + 0.5) * f;
      this.#gridX[lx] =
        x < roi.x || x >= roi.x + roi.width
          ? -1
          : Math.min(gw - 1, Math.floor(((x - roi.x) * gw) / roi.width));
    }
    this.#gridY = new Int32Array(this.lowHeight);
    for (let ly = 0; ly < this.lowHeight; ly++) {
      const y = (ly + 0.5) * f;
      this.#gridY[ly] =
        y < roi.y || y >= roi.y + roi.height
          ? -1
          : Math.min(gh - 1, Math.floor(((y - roi.y) * gh) / roi.height));
    }
    this.#gridLayout = layout;
  }

  /**
   * Computes the blurred background of `frame` (YUYV) given the person mask `mask` on `layout`'s grid.
   */
  update(frame: Uint8Array, mask: Float32Array, layout: Layout): void {
    this.#mapGrid(layout);
    const lw = this.lowWidth;
    const lh = this.lowHeight;
    const stride = this.#width * 2;
    const sx = this.#sampleX;
    const sy = this.#sampleY;
    const gridX = this.#gridX;
    const gridY = this.#gridY;
    const gw = layout.gridWidth;
    const pY = this.#planeY;
    const pU = this.#planeU;
    const pV = this.#planeV;
    const pW = this.#planeW;
    for (let ly = 0; ly < lh; ly++) {
      const r0 = sy[ly * 2]! * stride;
      const r1 = sy[ly * 2 + 1]! * stride;
      const gy = gridY[ly]!;
      const o = ly * lw;
      for (let lx = 0; lx < lw; lx++) {
        const x0 = sx[lx * 2]! * 2;
        const x1 = sx[lx * 2 + 1]! * 2;
        const c0 = x0 & ~3;
        const c1 = x1 & ~3;
        const y = frame[r0 + x0]! + frame[r0 + x1]! + frame[r1 + x0]! + frame[r1 + x1]!;
        const u = frame[r0 + c0 + 1]! + frame[r0 + c1 + 1]! + frame[r1 + c0 + 1]! + frame[r1 + c1 + 1]!;
        const v = frame[r0 + c0 + 3]! + frame[r0 + c1 + 3]! + frame[r1 + c0 + 3]! + frame[r1 + c1 + 3]!;
        const gx = gridX[lx]!;
        // Background certainty: 1 below m = 0.1, 0 above m = 0.5 (smoothstep), plus a floor so that
        // areas with no background at all still get a defined (person) colour.
        let w = 1;
        if (gy >= 0 && gx >= 0) {
          let t = (mask[gy * gw + gx]! - 0.1) * 2.5;
          t = t < 0 ? 0 : Math.min(t, 1);
          w = 1 - t * t * (3 - 2 * t);
        }
        w += 1e-4;
        pY[o + lx] = y * w;
        pU[o + lx] = u * w;
        pV[o + lx] = v * w;
        pW[o + lx] = w * 4;
      }
    }
    // Two box passes over each of the four planes, in the WebAssembly SIMD kernels.
    boxMeanPlanes(this.#all, { width: lw, height: lh, radius: this.#blurRadius, passes: 2 });
    const n = lw * lh;
    for (let i = 0; i < n; i++) {
      const inv = 1 / pW[i]!;
      pY[i] = pY[i]! * inv;
      pU[i] = pU[i]! * inv;
      pV[i] = pV[i]! * inv;
    }
  }
}
