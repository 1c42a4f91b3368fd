import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Paces writes to a frame rate for sources that do not pace themselves (files feeding a device):
 * frame n is released at start + n/fps. A writer that falls more than one interval behind
 * re-anchors instead of bursting, because bursts make v4l2loopback readers see torn frames.
 */
export class Pacer {
  readonly #interval: number;
  readonly #now: () => number;
  #next: number | undefined;

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

  /** Waits for the next slot. */
  async wait(signal?: AbortSignal): Promise<void> {
    const ms = this.claim();
    if (ms >= 1) await sleep(ms, undefined, signal ? { signal } : undefined).catch(() => {});
  }
}
