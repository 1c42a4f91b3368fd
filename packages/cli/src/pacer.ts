/**
 * Paces writes to a frame rate for sources that do not pace themselves (files feeding a device):
 * frame n is released at start + n/fps. A writer that falls more than one interval behind
 * re-anchors instead of bursting, because bursts make v4l2loopback readers see torn frames.
 */
export class Pacer {
  readonly #interval: number;
  readonly #now: () => number;
  #next: number | undefined;
  #signal: AbortSignal | undefined;
  #wake: (() => void) | undefined;
  readonly #onAbort = (): void => this.#wake?.();

  constructor(fps: number, now: () => number = () => performance.now()) {
    this.#interval = 1000 / fps;
    this.#now = now;
  }

  /** Milliseconds to wait before the next write (0 when it is due or late); advances the schedule. */
  claim(): number {
    const now = this.#now();
    if (this.#next === undefined || now - this.#next > this.#interval) this.#next = now;
    const wait = Math.max(0, this.#next - now);
    this.#next += this.#interval;
    return wait;
  }

  /**
   * Waits for the next slot, or until `signal` aborts. One abort listener per signal for the pacer's
   * life (removed by {@link close}): timers/promises' sleep adds and removes one per wait, which cost
   * about 0.05 ms of CPU per frame here.
   */
  async wait(signal?: AbortSignal): Promise<void> {
    const ms = this.claim();
    if (ms < 1 || signal?.aborted) return;
    if (signal !== this.#signal) {
      this.close();
      this.#signal = signal;
      signal?.addEventListener('abort', this.#onAbort, { once: true });
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = undefined;
  }

  /** Removes the abort listener {@link wait} left on its signal. */
  close(): void {
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#signal = undefined;
  }
}
