// The one behaviour suite of @deepseg/v4l2. Unit tests run it against the fake (conformance.test.ts);
// `pnpm test:kernel` runs the very same cases against vivid and v4l2loopback inside qemu
// (vm/jobs/v4l2.sh). A target names the devices to use and how to unplug one.
import { deepEqual, equal, fail, ok } from 'node:assert/strict';
import { isDeepsegError } from '@deepseg/yuyv';
import type { V4l2Binding } from './binding.ts';
import { openCapture } from './capture.ts';
import { describeDevice, listDevices } from './discovery.ts';
import { openOutput } from './output.ts';
import type { PixelFormat } from './pixel-format.ts';

/** The devices a conformance run uses. */
export interface ConformanceTarget {
  /** `fake` or `kernel`, for the report. */
  name: string;
  binding: V4l2Binding;
  /** A capture device offering `formats` at `width`x`height` and `fps` (vivid's video capture node). */
  camera: string;
  formats: readonly [PixelFormat, PixelFormat];
  width: number;
  height: number;
  fps: number;
  /** Two v4l2loopback devices (exclusive_caps=1) with no writer. */
  loopback: readonly [string, string];
  /** A path that does not exist. */
  missing: string;
  /** Makes `path` vanish while it streams (vivid's disconnect control; the fake's unplug). */
  disconnect(path: string): Promise<void>;
}

/** One case of the suite. */
export interface ConformanceCase {
  name: string;
  run(target: ConformanceTarget): Promise<void>;
}

/** Rejects with ERR_* `code`, or fails. */
async function rejectsWith(code: string, f: () => Promise<unknown>, mentions: string[] = []): Promise<Error> {
  try {
    await f();
  } catch (e) {
    ok(isDeepsegError(e, code), `expected ${code}, got ${String(e)}`);
    for (const m of mentions) ok(e.message.includes(m), `message should mention ${m}: ${e.message}`);
    return e;
  }
  return fail(`expected ${code}, but it resolved`);
}

/** Frame `k` of a loopback test: distinct, non-uniform, identified by its first byte. */
export function testPattern(k: number, size: number): Uint8Array {
  const frame = new Uint8Array(size);
  for (let i = 0; i < size; i++) frame[i] = (i * 7 + k * 31 + (i >> 10)) & 0xff;
  frame[0] = k;
  return frame;
}

/** Writes `patterns` cyclically, paced, until `signal` aborts. Resolves with the count written. */
async function writeLoop(
  target: ConformanceTarget,
  device: string,
  patterns: Uint8Array[],
  signal: AbortSignal,
): Promise<number> {
  const out = await openOutput(device, {
    width: target.width,
    height: target.height,
    fps: target.fps,
    binding: target.binding,
  });
  try {
    let k = 0;
    while (!signal.aborted) await out.writePaced(patterns[k++ % patterns.length]!);
    return out.written;
  } finally {
    out.close();
  }
}

/** Waits until `device` offers capture (the writer's STREAMON reached the driver). */
async function untilCapture(target: ConformanceTarget, device: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const info = (await listDevices({ binding: target.binding })).find((d) => d.path === device);
    if (info?.caps.capture) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  fail(`${device} never advertised capture`);
}

/** Reads `count` frames from a loopback device through openCapture, copying each. */
async function readBack(target: ConformanceTarget, device: string, count: number): Promise<Uint8Array[]> {
  const camera = await openCapture(device, {
    width: target.width,
    height: target.height,
    pixelFormat: 'YUYV',
    binding: target.binding,
    frameTimeoutMs: 5000,
  });
  const got: Uint8Array[] = [];
  let lastSequence = -1;
  try {
    for await (const frame of camera.frames()) {
      ok(frame.sequence > lastSequence, 'sequence increases');
      lastSequence = frame.sequence;
      got.push(frame.data.slice());
      if (got.length === count) break;
    }
  } finally {
    camera.close();
  }
  return got;
}

function checkPatterns(frames: Uint8Array[], patterns: Uint8Array[]): Set<number> {
  const seen = new Set<number>();
  for (const f of frames) {
    const k = f[0]!;
    ok(k < patterns.length, `frame starts with ${k}: not one of the written frames`);
    ok(
      Buffer.from(f).equals(Buffer.from(patterns[k]!)),
      `frame ${k} read back differs from what was written`,
    );
    seen.add(k);
  }
  return seen;
}

/** The cases, in order (the disconnect case is last: it leaves the camera unusable). */
export const conformanceCases: ConformanceCase[] = [
  {
    name: 'lists the camera and the loopback devices',
    async run(t) {
      const devices = await listDevices({ binding: t.binding });
      const camera = devices.find((d) => d.path === t.camera);
      ok(camera, `${t.camera} listed`);
      equal(camera.isLoopback, false);
      equal(camera.caps.capture, true);
      equal(camera.caps.streaming, true);
      ok(camera.driver.length > 0 && camera.card.length > 0 && camera.bus.length > 0);
      for (const path of t.loopback) {
        const lb = devices.find((d) => d.path === path);
        ok(lb, `${path} listed`);
        equal(lb.isLoopback, true);
        equal(lb.caps.output, true, 'a loopback device without writer advertises output');
        equal(lb.caps.capture, false, 'and not capture (exclusive_caps=1)');
      }
    },
  },
  {
    name: 'describes formats, sizes and frame intervals',
    async run(t) {
      const d = await describeDevice(t.camera, { binding: t.binding });
      for (const pf of t.formats) {
        const f = d.capture.find((x) => x.pixelFormat === pf);
        ok(f, `${pf} offered (offered: ${d.capture.map((x) => x.pixelFormat).join(', ')})`);
        const size = f.sizes.find((s) =>
          s.type === 'discrete'
            ? s.width === t.width && s.height === t.height
            : t.width >= s.minWidth && t.width <= s.maxWidth,
        );
        ok(size, `${t.width}x${t.height} offered for ${pf}`);
        ok(size.intervals.length > 0, 'intervals enumerated');
      }
      deepEqual(d.output, []);
    },
  },
  {
    name: 'captures the first format with size, sequence and timestamps',
    async run(t) {
      const pf = t.formats[0];
      const camera = await openCapture(t.camera, {
        width: t.width,
        height: t.height,
        pixelFormat: pf,
        fps: t.fps,
        binding: t.binding,
      });
      try {
        equal(camera.format.width, t.width);
        equal(camera.format.height, t.height);
        equal(Math.round(camera.format.fps), t.fps);
        const frames: { sequence: number; timestamp: number; bytesused: number }[] = [];
        for await (const f of camera.frames()) {
          equal(f.data.byteLength, f.bytesused);
          frames.push({ sequence: f.sequence, timestamp: f.timestamp, bytesused: f.bytesused });
          if (frames.length === 12) break;
        }
        const expected = pf === 'YUYV' ? t.width * t.height * 2 : undefined;
        for (const f of frames) if (expected) equal(f.bytesused, expected);
        const rates: number[] = [];
        let gaps = 0;
        for (let i = 1; i < frames.length; i++) {
          const a = frames[i - 1]!;
          const b = frames[i]!;
          const seen = JSON.stringify(frames.map((f) => [f.sequence, f.timestamp]));
          // vivid under emulation may repeat a sequence number when its thread runs late at the
          // start of streaming (seen: 0, 0, 2, 3...); it never goes backwards.
          ok(b.sequence >= a.sequence, `sequence never decreases: [sequence, timestamp] ${seen}`);
          ok(b.timestamp > a.timestamp, `timestamps increase: ${seen}`);
          if (b.sequence > a.sequence) rates.push((b.timestamp - a.timestamp) / (b.sequence - a.sequence));
          gaps += Math.max(0, b.sequence - a.sequence - 1);
        }
        ok(frames.at(-1)!.sequence - frames[0]!.sequence >= frames.length - 2, 'sequence advances per frame');
        rates.sort((x, y) => x - y);
        const median = rates[rates.length >> 1]!;
        const period = 1e6 / t.fps;
        ok(
          Math.abs(median - period) < period * 0.25,
          `median frame period ${median} µs, expected ~${period}`,
        );
        equal(camera.stats.dropped, gaps, 'dropped frames counted from sequence gaps');
      } finally {
        camera.close();
      }
    },
  },
  {
    name: 'captures the second format',
    async run(t) {
      const pf = t.formats[1];
      const camera = await openCapture(t.camera, {
        width: t.width,
        height: t.height,
        pixelFormat: pf,
        fps: t.fps,
        binding: t.binding,
      });
      try {
        equal(camera.format.pixelFormat, pf);
        let n = 0;
        for await (const f of camera.frames()) {
          if (pf === 'NV12' || pf === 'YU12') equal(f.bytesused, (t.width * t.height * 3) / 2);
          ok(f.bytesused > 0);
          if (++n === 3) break;
        }
      } finally {
        camera.close();
      }
    },
  },
  {
    name: 'break and abort stop streaming, and frames() restarts',
    async run(t) {
      const camera = await openCapture(t.camera, {
        width: t.width,
        height: t.height,
        pixelFormat: t.formats[0],
        fps: t.fps,
        binding: t.binding,
      });
      try {
        for await (const _ of camera.frames()) break;
        const controller = new AbortController();
        let n = 0;
        for await (const _ of camera.frames({ signal: controller.signal })) if (++n === 2) controller.abort();
        equal(n, 2);
        equal(camera.stats.frames, 3);
      } finally {
        camera.close();
        camera.close();
      }
      await rejectsWith('ERR_INVALID_STATE', async () => {
        for await (const _ of camera.frames()) break;
      });
    },
  },
  {
    name: 'a missing device lists the devices that exist',
    async run(t) {
      await rejectsWith(
        'ERR_DEVICE_NOT_FOUND',
        () =>
          openCapture(t.missing, {
            width: t.width,
            height: t.height,
            pixelFormat: 'YUYV',
            binding: t.binding,
          }),
        [t.missing, t.camera],
      );
    },
  },
  {
    name: 'an unoffered size or frame rate lists what is offered',
    async run(t) {
      await rejectsWith(
        'ERR_FORMAT_UNSUPPORTED',
        () =>
          openCapture(t.camera, { width: 642, height: 482, pixelFormat: t.formats[0], binding: t.binding }),
        [`${t.width}x${t.height}`],
      );
      await rejectsWith(
        'ERR_FORMAT_UNSUPPORTED',
        () =>
          openCapture(t.camera, {
            width: t.width,
            height: t.height,
            pixelFormat: t.formats[0],
            fps: 999,
            binding: t.binding,
          }),
        [`${t.fps} fps`],
      );
    },
  },
  {
    name: 'a loopback device without a writer is not a capture device; a camera is not an output',
    async run(t) {
      await rejectsWith(
        'ERR_NOT_CAPTURE_DEVICE',
        () =>
          openCapture(t.loopback[0], {
            width: t.width,
            height: t.height,
            pixelFormat: 'YUYV',
            binding: t.binding,
          }),
        ['writer'],
      );
      await rejectsWith('ERR_NOT_OUTPUT_DEVICE', () =>
        openOutput(t.camera, { width: t.width, height: t.height, binding: t.binding }),
      );
    },
  },
  {
    name: 'frames written to a loopback device read back byte-exact',
    async run(t) {
      const size = t.width * t.height * 2;
      const patterns = Array.from({ length: 6 }, (_, k) => testPattern(k, size));
      const controller = new AbortController();
      const writer = writeLoop(t, t.loopback[0], patterns, controller.signal);
      writer.catch(() => {}); // surfaces below, through `await writer`
      try {
        await untilCapture(t, t.loopback[0]);
        const frames = await readBack(t, t.loopback[0], 10);
        const seen = checkPatterns(frames, patterns);
        ok(seen.size >= 3, `saw ${seen.size} distinct frames`);
      } finally {
        controller.abort();
        await writer;
      }
    },
  },
  {
    name: 'a second writer is refused while the first streams',
    async run(t) {
      const first = await openOutput(t.loopback[1], { width: t.width, height: t.height, binding: t.binding });
      try {
        await rejectsWith('ERR_NOT_OUTPUT_DEVICE', () =>
          openOutput(t.loopback[1], { width: t.width, height: t.height, binding: t.binding }),
        );
      } finally {
        first.close();
      }
    },
  },
  {
    name: 'a loopback device is usable again after its writer stops',
    async run(t) {
      const size = t.width * t.height * 2;
      for (const round of [0, 1]) {
        const info = (await listDevices({ binding: t.binding })).find((d) => d.path === t.loopback[0]);
        equal(info?.caps.output, true, `round ${round}: output advertised again after the writer closed`);
        const patterns = Array.from({ length: 4 }, (_, k) => testPattern(k + 10 * round, size)).map(
          (p, k) => {
            p[0] = k;
            return p;
          },
        );
        const controller = new AbortController();
        const writer = writeLoop(t, t.loopback[0], patterns, controller.signal);
        writer.catch(() => {}); // surfaces below, through `await writer`
        try {
          await untilCapture(t, t.loopback[0]);
          checkPatterns(await readBack(t, t.loopback[0], 4), patterns);
        } finally {
          controller.abort();
          await writer;
        }
      }
    },
  },
  {
    name: 'a camera another capture is streaming from is ERR_DEVICE_BUSY',
    async run(t) {
      const opts = {
        width: t.width,
        height: t.height,
        pixelFormat: t.formats[0],
        fps: t.fps,
        binding: t.binding,
      };
      const first = await openCapture(t.camera, opts);
      try {
        const frames = first.frames();
        await frames.next();
        await rejectsWith('ERR_DEVICE_BUSY', () => openCapture(t.camera, opts), ['another program']);
        await frames.return(undefined);
      } finally {
        first.close();
      }
      // and free again once the first one closed
      (await openCapture(t.camera, opts)).close();
    },
  },
  {
    name: 'a device unplugged while streaming gives ERR_DEVICE_GONE',
    async run(t) {
      const camera = await openCapture(t.camera, {
        width: t.width,
        height: t.height,
        pixelFormat: t.formats[0],
        fps: t.fps,
        binding: t.binding,
      });
      let gone: unknown;
      camera.on('gone', (e) => {
        gone = e;
      });
      let n = 0;
      let unplugged: Promise<void> | undefined;
      const started = Date.now();
      await rejectsWith('ERR_DEVICE_GONE', async () => {
        for await (const _ of camera.frames()) {
          if (++n === 3) unplugged = t.disconnect(t.camera);
          ok(Date.now() - started < 15_000, 'frames kept coming after the disconnect');
        }
      });
      await unplugged;
      ok(isDeepsegError(gone, 'ERR_DEVICE_GONE'), "'gone' event emitted");
      equal(camera.isOpen, false, 'closed itself');
      camera.close();
    },
  },
];

/** Result of one case. */
export interface ConformanceResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: unknown;
}

/**
 * Runs the cases in order against `target`, printing `ok`/`not ok` lines through `log`.
 * Returns every result; a failing case does not stop the run.
 */
export async function runConformance(
  target: ConformanceTarget,
  options: { log?: (line: string) => void; filter?: (name: string) => boolean } = {},
): Promise<ConformanceResult[]> {
  const log = options.log ?? (() => {});
  const results: ConformanceResult[] = [];
  for (const c of conformanceCases) {
    if (options.filter && !options.filter(c.name)) continue;
    const start = performance.now();
    try {
      await c.run(target);
      const ms = performance.now() - start;
      results.push({ name: c.name, ok: true, ms });
      log(`ok - ${c.name} (${ms.toFixed(0)} ms)`);
    } catch (error) {
      const ms = performance.now() - start;
      results.push({ name: c.name, ok: false, ms, error });
      log(`not ok - ${c.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
  return results;
}
