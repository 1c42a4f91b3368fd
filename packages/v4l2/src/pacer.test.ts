import { describe, expect, it } from 'vitest';
import { createPacer } from './pacer.ts';

describe('createPacer', () => {
  it('schedules slots on a fixed grid and skips slots after a stall', async () => {
    let now = 0;
    const pacer = createPacer(10, () => now);
    await pacer.wait(); // slot 0 at t=0
    now = 30;
    const t0 = performance.now();
    await pacer.wait(); // slot 1 due at 100: waits ~70 ms
    expect(performance.now() - t0).toBeGreaterThanOrEqual(60);
    now = 450; // slot 2 was due at 200: 2.5 slots late
    await pacer.wait();
    expect(pacer.late).toBe(2);
  });
  it('rejects a non-positive rate', () => {
    expect(() => createPacer(0)).toThrow(/fps/);
  });
});
