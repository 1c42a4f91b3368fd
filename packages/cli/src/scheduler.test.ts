import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { SampleRing } from './latency-ring.ts';
import { Pacer } from './pacer.ts';
import type { FrameCompositor, FrameSink, FrameSource, MaskEngine, SourceFrame } from './pipeline-types.ts';
import { mirrorYuyvInPlace, Scheduler } from './scheduler.ts';
import { StillDetector } from './still-detector.ts';

const W = 8;
const H = 4;

/** A source that yields `count` frames whose luma is the frame index (test double for the scheduler only). */
function memorySource(
  count: number,
  options: { live?: boolean; fps?: number; still?: boolean; intervalMs?: number; ages?: number[] } = {},
): FrameSource {
  const fps = options.fps ?? 30;
  return {
    width: W,
    height: H,
    pixelFormat: 'YUYV',
    fps,
    live: options.live ?? false,
    label: 'memory',
    async *frames(signal: AbortSignal): AsyncGenerator<SourceFrame> {
      const buf = new Uint8Array(W * H * 2);
      for (let i = 0; i < count && !signal.aborted; i++) {
        if (options.intervalMs) await new Promise((r) => setTimeout(r, options.intervalMs));
        buf.fill(options.still ? 100 : (i * 40) & 255);
        const age = options.ages?.[i];
        yield {
          data: buf,
          sequence: i,
          ...(age !== undefined ? { capturedAt: performance.now() - age } : {}),
        };
      }
    },
    close: async () => {},
  };
}

function recordingSink(): FrameSink & { frames: Uint8Array[] } {
  const frames: Uint8Array[] = [];
  return {
    width: W,
    height: H,
    live: false,
    label: 'memory',
    frames,
    write: (f) => void frames.push(f.slice()),
    close: async () => {},
    abort: async () => {},
  };
}

/** Engine whose inference takes `ms` and writes the frame's first luma / 255 into the mask. */
function delayedEngine(ms: number): MaskEngine & { calls: number } {
  const engine = {
    calls: 0,
    maskWidth: 2,
    maskHeight: 2,
    label: 'delayed',
    infer(yuyv: Uint8Array, _w: number, _h: number, mask: Float32Array) {
      engine.calls++;
      const v = yuyv[0]! / 255; // read synchronously, as the contract says
      return new Promise<void>((r) =>
        setTimeout(() => {
          mask.fill(v);
          r();
        }, ms),
      );
    },
    close: async () => {},
  };
  return engine;
}

/** Compositor that writes the mask value it was given (or 0 for null) into every output byte. */
function maskEcho(): FrameCompositor & { seen: (number | null)[] } {
  const seen: (number | null)[] = [];
  return {
    seen,
    process(_yuyv, mask, out) {
      seen.push(mask === null ? null : mask[0]!);
      out.fill(mask === null ? 0 : Math.round(mask[0]! * 255));
    },
    setBackground: async () => {},
    close: async () => {},
  };
}

describe('Scheduler', () => {
  it('file mode: every frame waits for its own mask', async () => {
    const sink = recordingSink();
    const comp = maskEcho();
    const s = new Scheduler(
      { source: memorySource(5), sink, engine: delayedEngine(5), compositor: comp },
      { inferEvery: 1, stillThreshold: 0, mirror: false, realtime: false },
    );
    const summary = await s.run(new AbortController().signal);
    expect(summary.framesOut).toBe(5);
    expect(summary.inferences).toBe(5);
    expect(comp.seen).toEqual([0, 40, 80, 120, 160].map((v) => Math.fround(v / 255)));
    expect(sink.frames.map((f) => f[0])).toEqual([0, 40, 80, 120, 160]);
  });

  it('real time: video never waits for a busy model; the newest mask is reused', async () => {
    const comp = maskEcho();
    let release: (() => void) | undefined;
    let calls = 0;
    const engine: MaskEngine = {
      maskWidth: 2,
      maskHeight: 2,
      label: 'gated',
      infer(yuyv, _w, _h, mask) {
        calls++;
        const v = yuyv[0]! / 255;
        return new Promise<void>((r) => {
          release = () => {
            mask.fill(v);
            r();
          };
        });
      },
      close: async () => {},
    };
    const s = new Scheduler(
      { source: memorySource(12, { intervalMs: 1 }), sink: recordingSink(), engine, compositor: comp },
      {
        inferEvery: 1,
        stillThreshold: 0,
        mirror: false,
        realtime: true,
        // the model answers only after the 6th frame was written (and the 12th, so the run can end)
        onFrame: (st) => (st.framesOut === 6 || st.framesOut === 12) && release?.(),
      },
    );
    const summary = await s.run(new AbortController().signal);
    expect(summary.framesOut).toBe(12);
    // frames 0-5 went out while the first inference was pending: no mask yet, background only
    expect(comp.seen.slice(0, 6)).toEqual([null, null, null, null, null, null]);
    // then the mask of frame 0 (luma 0) is used while the second inference (frame 6) is pending
    expect(comp.seen.slice(6)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(calls).toBe(2);
    expect(summary.maskReused).toBe(10);
    expect(s.stats.latency.size).toBe(12);
  });

  it('infers every Nth frame only', async () => {
    const engine = delayedEngine(0);
    const s = new Scheduler(
      { source: memorySource(9), sink: recordingSink(), engine, compositor: maskEcho() },
      { inferEvery: 3, stillThreshold: 0, mirror: false, realtime: false },
    );
    await s.run(new AbortController().signal);
    expect(engine.calls).toBe(3);
  });

  it('skips inference on still frames, but not for longer than maxStillSkip', async () => {
    const engine = delayedEngine(0);
    const s = new Scheduler(
      { source: memorySource(10, { still: true }), sink: recordingSink(), engine, compositor: maskEcho() },
      { inferEvery: 1, stillThreshold: 1, mirror: false, realtime: false, maxStillSkip: 4 },
    );
    const summary = await s.run(new AbortController().signal);
    expect(engine.calls).toBe(2); // frame 0, then forced after 4 skips... frames 0 and 5
    expect(summary.stillSkipped).toBe(8);
  });

  it('drops stale frames of a live source so the newest wins', async () => {
    const sink = recordingSink();
    const s = new Scheduler(
      {
        source: memorySource(6, { live: true, ages: [1, 100, 90, 2, 200, 1] }),
        sink,
        engine: delayedEngine(0),
        compositor: maskEcho(),
      },
      { inferEvery: 1, stillThreshold: 0, mirror: false, realtime: true },
    );
    const summary = await s.run(new AbortController().signal);
    expect(summary.dropped).toBe(3);
    expect(summary.framesOut).toBe(3);
  });

  it('judges staleness by the rate frames really arrive at, not only the announced one', async () => {
    // announced 30 fps, but frames come every 60 ms and are 60 ms old when dequeued: none is stale
    const source = memorySource(8, {
      live: true,
      fps: 30,
      intervalMs: 60,
      ages: [60, 60, 60, 60, 60, 60, 60, 60],
    });
    const s = new Scheduler(
      { source, sink: recordingSink(), engine: delayedEngine(0), compositor: maskEcho() },
      { inferEvery: 1, stillThreshold: 0, mirror: false, realtime: true },
    );
    const summary = await s.run(new AbortController().signal);
    // only the first frames can be dropped, before the arrival rate is known
    expect(summary.dropped).toBeLessThanOrEqual(2);
    expect(summary.framesOut).toBeGreaterThanOrEqual(6);
  });

  it('stops at maxFrames and on abort', async () => {
    const s = new Scheduler(
      { source: memorySource(100), sink: recordingSink(), engine: delayedEngine(0), compositor: maskEcho() },
      { inferEvery: 1, stillThreshold: 0, mirror: false, realtime: false, maxFrames: 4 },
    );
    expect((await s.run(new AbortController().signal)).framesOut).toBe(4);
    const ac = new AbortController();
    const s2 = new Scheduler(
      {
        source: memorySource(1000, { intervalMs: 1 }),
        sink: recordingSink(),
        engine: delayedEngine(0),
        compositor: maskEcho(),
      },
      {
        inferEvery: 1,
        stillThreshold: 0,
        mirror: false,
        realtime: true,
        onFrame: (st) => st.framesOut === 3 && ac.abort(),
      },
    );
    expect((await s2.run(ac.signal)).framesOut).toBe(3);
  });

  it('real time with a polling engine: the mask is looked for at each frame, nothing waits for it', async () => {
    const comp = maskEcho();
    let pending: { v: number; mask: Float32Array } | undefined;
    let ready = false;
    const starts: number[] = [];
    const engine: MaskEngine = {
      maskWidth: 2,
      maskHeight: 2,
      label: 'polled',
      infer: () => Promise.reject(new Error('real time must not call infer()')),
      start(yuyv, _w, _h, mask) {
        starts.push(yuyv[0]!);
        pending = { v: yuyv[0]! / 255, mask };
        ready = false;
      },
      poll() {
        if (!ready || pending === undefined) return undefined;
        pending.mask.fill(pending.v);
        pending = undefined;
        return 7;
      },
      close: async () => {},
    };
    const s = new Scheduler(
      { source: memorySource(6, { intervalMs: 1 }), sink: recordingSink(), engine, compositor: comp },
      {
        inferEvery: 1,
        stillThreshold: 0,
        mirror: false,
        realtime: true,
        // the model has its answer after the 3rd frame was written, and again after the 6th
        onFrame: (st) => {
          if (st.framesOut === 3 || st.framesOut === 6) ready = true;
        },
      },
    );
    const summary = await s.run(new AbortController().signal);
    expect(comp.seen).toEqual([null, null, null, 0, 0, 0]);
    // started on frame 0, and again on frame 3 once its mask was taken; the last run was waited for
    expect(starts).toEqual([0, 120]);
    expect(summary.inferences).toBe(2);
    expect(summary.maskReused).toBe(4);
    expect(s.stats.inference.percentile(50)).toBe(7);
  });

  it('leaves a polling engine idle when the source fails mid-run (the next run can start it)', async () => {
    let running = false;
    let polls = 0;
    const engine: MaskEngine = {
      maskWidth: 1,
      maskHeight: 1,
      label: 'polled',
      infer: () => Promise.reject(new Error('real time must not call infer()')),
      start: () => {
        running = true;
      },
      poll: () => {
        polls++;
        if (polls < 5) return undefined; // still running for a few polls
        running = false;
        return 1;
      },
      close: async () => {},
    };
    const failing: FrameSource = {
      ...memorySource(0),
      async *frames() {
        yield { data: new Uint8Array(W * H * 2), sequence: 0 };
        throw new Error('camera unplugged');
      },
    };
    const s = new Scheduler(
      { source: failing, sink: recordingSink(), engine, compositor: maskEcho() },
      { inferEvery: 1, stillThreshold: 0, mirror: false, realtime: true },
    );
    await expect(s.run(new AbortController().signal)).rejects.toThrow('camera unplugged');
    expect(running).toBe(false);
  });

  it('ends a real-time run with the error a polled inference reports', async () => {
    const engine: MaskEngine = {
      maskWidth: 1,
      maskHeight: 1,
      label: 'polled, failing',
      infer: () => Promise.reject(new Error('real time must not call infer()')),
      start: () => {},
      poll: () => {
        throw new Error('worker died');
      },
      close: async () => {},
    };
    const s = new Scheduler(
      { source: memorySource(5, { intervalMs: 1 }), sink: recordingSink(), engine, compositor: maskEcho() },
      { inferEvery: 1, stillThreshold: 0, mirror: false, realtime: true },
    );
    await expect(s.run(new AbortController().signal)).rejects.toThrow('worker died');
  });

  it('ends the run with the engine error', async () => {
    const engine: MaskEngine = {
      maskWidth: 1,
      maskHeight: 1,
      label: 'failing',
      infer: () => Promise.reject(new Error('model exploded')),
      close: async () => {},
    };
    const s = new Scheduler(
      { source: memorySource(5), sink: recordingSink(), engine, compositor: maskEcho() },
      { inferEvery: 1, stillThreshold: 0, mirror: false, realtime: false },
    );
    await expect(s.run(new AbortController().signal)).rejects.toThrow('model exploded');
  });

  it('applies settings changed mid-run (SIGHUP)', async () => {
    const engine = delayedEngine(0);
    const s = new Scheduler(
      { source: memorySource(10), sink: recordingSink(), engine, compositor: maskEcho() },
      {
        inferEvery: 1,
        stillThreshold: 0,
        mirror: false,
        realtime: false,
        onFrame: (st) => st.framesOut === 4 && s.update({ inferEvery: 100 }),
      },
    );
    await s.run(new AbortController().signal);
    expect(engine.calls).toBe(4);
  });
});

describe('mirrorYuyvInPlace', () => {
  it('reverses pixel order and keeps chroma pairs', () => {
    const f = Uint8Array.from([1, 10, 2, 20, 3, 30, 4, 40]);
    mirrorYuyvInPlace(f, 4, 1);
    expect([...f]).toEqual([4, 30, 3, 40, 2, 10, 1, 20]);
    mirrorYuyvInPlace(f, 4, 1);
    expect([...f]).toEqual([1, 10, 2, 20, 3, 30, 4, 40]);
  });
});

describe('SampleRing', () => {
  it('keeps the newest samples and gives nearest-rank percentiles', () => {
    const r = new SampleRing(4);
    expect(Number.isNaN(r.percentile(50))).toBe(true);
    for (const v of [100, 1, 2, 3, 4]) r.push(v);
    expect(r.size).toBe(4);
    expect(r.total).toBe(5);
    expect(r.percentile(50)).toBe(2);
    expect(r.percentile(99)).toBe(4);
    expect(r.mean()).toBe(2.5);
  });
});

describe('Pacer', () => {
  it('releases frames on a fixed schedule and re-anchors after a stall', () => {
    let now = 0;
    const p = new Pacer(10, () => now);
    expect(p.claim()).toBe(0);
    now = 30;
    expect(p.claim()).toBe(70);
    now = 100;
    expect(p.claim()).toBe(100);
    now = 1000; // a long stall: no burst of catch-up frames
    expect(p.claim()).toBe(0);
    expect(p.claim()).toBe(100);
  });

  it('waits for the slot, wakes at once when the signal aborts, and close() removes its one listener', async () => {
    const p = new Pacer(20); // 50 ms slots
    const ac = new AbortController();
    await p.wait(ac.signal); // the first slot is now
    const t = performance.now();
    await p.wait(ac.signal);
    await p.wait(ac.signal);
    expect(performance.now() - t).toBeGreaterThanOrEqual(85);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    p.close();
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);

    const slow = new Pacer(0.5); // 2 s slots
    const stop = new AbortController();
    await slow.wait(stop.signal);
    const t2 = performance.now();
    setTimeout(() => stop.abort(), 20);
    await slow.wait(stop.signal);
    expect(performance.now() - t2).toBeLessThan(1000);
    await slow.wait(stop.signal); // aborted: no wait at all
    expect(performance.now() - t2).toBeLessThan(1000);
  });
});

describe('StillDetector', () => {
  it('measures the mean luma change against the remembered frame', () => {
    const d = new StillDetector(16, 16);
    const a = new Uint8Array(16 * 16 * 2).fill(50);
    expect(d.difference(a)).toBe(Number.POSITIVE_INFINITY);
    d.remember(a);
    expect(d.difference(a)).toBe(0);
    const b = a.slice();
    for (let i = 0; i < b.length; i += 2) b[i] = 60;
    expect(d.difference(b)).toBe(10);
  });
});
