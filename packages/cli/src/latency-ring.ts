/**
 * A fixed-size ring of samples (e.g. per-frame latency in ms) with allocation-free percentiles:
 * push() and percentile() never allocate after construction.
 */
export class SampleRing {
  readonly #samples: Float64Array;
  readonly #scratch: Float64Array;
  #count = 0;
  #next = 0;
  #total = 0;
  #sorted = false;

  /** @param capacity how many of the newest samples are kept (default 2048). */
  constructor(capacity = 2048) {
    this.#samples = new Float64Array(capacity);
    this.#scratch = new Float64Array(capacity);
  }

  /** Number of samples pushed since construction (or the last clear). */
  get total(): number {
    return this.#total;
  }

  /** Number of samples held (at most the capacity). */
  get size(): number {
    return this.#count;
  }

  push(value: number): void {
    this.#samples[this.#next] = value;
    this.#next = (this.#next + 1) % this.#samples.length;
    if (this.#count < this.#samples.length) this.#count++;
    this.#total++;
    this.#sorted = false;
  }

  clear(): void {
    this.#count = 0;
    this.#next = 0;
    this.#total = 0;
    this.#sorted = false;
  }

  /** The p-th percentile (0..100, nearest rank) of the held samples, or NaN when empty. */
  percentile(p: number): number {
    if (this.#count === 0) return Number.NaN;
    const view = this.#scratch.subarray(0, this.#count);
    if (!this.#sorted) {
      view.set(this.#samples.subarray(0, this.#count));
      view.sort();
      this.#sorted = true;
    }
    const rank = Math.min(this.#count - 1, Math.max(0, Math.ceil((p / 100) * this.#count) - 1));
    return view[rank]!;
  }

  /** Mean of the held samples, or NaN when empty. */
  mean(): number {
    if (this.#count === 0) return Number.NaN;
    let s = 0;
    for (let i = 0; i < this.#count; i++) s += this.#samples[i]!;
    return s / this.#count;
  }
}
