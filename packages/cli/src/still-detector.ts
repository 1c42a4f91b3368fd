/**
 * Tells whether a YUYV frame differs from the last frame that was sent to the model, from a sparse
 * grid of luma samples (every 8th pixel of every 8th row: ~14k samples at 720p, well under 0.1 ms).
 */
export class StillDetector {
  readonly #step = 8;
  readonly #reference: Uint8Array;
  readonly #width: number;
  readonly #height: number;
  #hasReference = false;

  constructor(width: number, height: number) {
    this.#width = width;
    this.#height = height;
    this.#reference = new Uint8Array(Math.ceil(width / this.#step) * Math.ceil(height / this.#step));
  }

  /** Mean absolute luma difference (0..255) between `yuyv` and the reference; Infinity without one. */
  difference(yuyv: Uint8Array): number {
    if (!this.#hasReference) return Number.POSITIVE_INFINITY;
    const step = this.#step;
    const stride = this.#width * 2;
    let sum = 0;
    let n = 0;
    for (let y = 0; y < this.#height; y += step) {
      const row = y * stride;
      for (let x = 0; x < this.#width; x += step) {
        const d = yuyv[row + x * 2]! - this.#reference[n]!;
        sum += d < 0 ? -d : d;
        n++;
      }
    }
    return sum / n;
  }

  /** Makes `yuyv` the reference (call when it goes to the model). */
  remember(yuyv: Uint8Array): void {
    const step = this.#step;
    const stride = this.#width * 2;
    let n = 0;
    for (let y = 0; y < this.#height; y += step) {
      const row = y * stride;
      for (let x = 0; x < this.#width; x += step) this.#reference[n++] = yuyv[row + x * 2]!;
    }
    this.#hasReference = true;
  }

  /** Forgets the reference, so the next frame counts as changed. */
  reset(): void {
    this.#hasReference = false;
  }
}
