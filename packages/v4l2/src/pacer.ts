import { checkPositive } from './validate.ts';

/** Paces a loop at a frame rate: `await pacer.wait()` before each frame. */
export interface Pacer {
  /** Resolves at the next frame slot. After a stall of more than one frame it restarts the schedule. */
  wait(): Promise<void>;
  /** Frame slots skipped because the caller was late. */
  readonly late: number;
}

/**
 * A frame-rate pacer on a fixed schedule (slot n at start + n/fps), so timer jitter does not
 * accumulate. v4l2loopback readers see torn frames from an unpaced writer; pacing at the
 * negotiated rate avoids it.
 *
 * @example
 * ```ts
 * const pacer = createPacer(30);
 * for (;;) { await pacer.wait(); output.write(nextFrame()); }
 * ```
 * @throws ERR_INVALID_OPTION when fps is not a positive number up to 1000.
 */
export function createPacer(fps: number, now: () => number = () => performance.now()): Pacer {
  const interval = 1000 / checkPositive('fps', fps, 1000);
  let start = -1;
  let slot = 0;
  let late = 0;
  return {
    get late() {
      return late;
    },
    wait() {
      const t = now();
      if (start < 0) {
        start = t;
        slot = 0;
        return Promise.resolve();
      }
      slot++;
      let due = start + slot * interval;
      if (t - due > interval) {
        // More than a frame behind: drop the missed slots instead of bursting to catch up.
        const missed = Math.floor((t - due) / interval);
        late += missed;
        slot += missed;
        due = start + slot * interval;
      }
      const delay = due - t;
      return delay <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, delay));
    },
  };
}
