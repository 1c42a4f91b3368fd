import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeVideoFrames } from '@deepseg/fixtures/shared';
import { openOutput } from '@deepseg/v4l2';
import { FakeV4l2 } from '@deepseg/v4l2/fake';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { runMain, startMain } from './__fixtures__/test-io.ts';
import { createDeviceLayer } from './device-layer.ts';
import { ExitCode } from './exit-codes.ts';
import { type ReaderWatch, setDeviceLayer } from './run-command.ts';

const dir = mkdtempSync(join(tmpdir(), 'deepseg-dev-'));
const W = 640;
const H = 480;
const clip = decodeVideoFrames('media/doctor_desk_5s_960x540.mp4', {
  width: W,
  height: H,
  pixFmt: 'yuyv422',
  count: 8,
});
const clipRgb = decodeVideoFrames('media/doctor_desk_5s_960x540.mp4', {
  width: W,
  height: H,
  pixFmt: 'rgb24',
  count: 8,
});

function waitFor(cond: () => boolean, timeoutMs = 90_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (cond()) resolve();
      else if (performance.now() > until) reject(new Error('timed out waiting'));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

/** Share of pixels of a YUYV frame that are #00FF00 green. */
function greenShare(f: Uint8Array): number {
  let g = 0;
  for (let o = 0; o < f.length; o += 4)
    if (Math.abs(f[o]! - 145) < 6 && Math.abs(f[o + 1]! - 54) < 6 && Math.abs(f[o + 3]! - 34) < 6) g++;
  return g / (f.length / 4);
}

afterEach(() => setDeviceLayer(async () => createDeviceLayer()));

// generous timeouts: these run the real model and compositor, on a shared, busy 2-core machine
describe.skipIf(!clip || !clipRgb)(
  'camera -> virtual camera on the fake V4L2 devices',
  { timeout: 180_000 },
  () => {
    it('streams YUYV, switches the background on SIGHUP, stops cleanly on SIGTERM', async () => {
      const fake = new FakeV4l2();
      fake.addDevice({
        kind: 'camera',
        path: '/dev/video0',
        card: 'Fake Cam',
        frames: (req) => clip!.frames[req.sequence % clip!.frames.length]!,
      });
      const lb = fake.addDevice({ kind: 'loopback', path: '/dev/video1', card: 'deepseg' });
      setDeviceLayer(async () => createDeviceLayer({ binding: fake }));
      const config = join(dir, 'hup.json');
      writeFileSync(config, JSON.stringify({ background: 'blur' }));
      const run = startMain(['--config', config, '--size', `${W}x${H}`, '--fps', '30']);
      await waitFor(() => lb.written.length >= 10);
      expect(lb.written[5]!.length).toBe(W * H * 2);
      expect(greenShare(lb.written.at(-1)!)).toBeLessThan(0.01);
      writeFileSync(config, JSON.stringify({ background: 'color=#00FF00' }));
      run.signals.emit('SIGHUP');
      const mark = lb.written.length;
      await waitFor(() => lb.written.length >= mark + 10);
      // no gap in the stream across the reload, and the background is now green
      expect(greenShare(lb.written.at(-1)!)).toBeGreaterThan(0.2);
      run.signals.emit('SIGTERM');
      const result = await run.done;
      expect(result.code).toBe(ExitCode.Ok);
      expect(result.stderr).toContain('/dev/video0 (Fake Cam, YUYV 640x480 @ 30)');
      expect(result.stderr).toContain('reloaded (background color=#00FF00)');
      // every descriptor closed and every buffer unmapped; the loopback device is free for the next writer
      expect(fake.openDescriptors).toBe(0);
      expect(fake.liveMappings).toBe(0);
      const next = await openOutput('/dev/video1', { width: W, height: H, binding: fake });
      next.close();
    });

    it('decodes an MJPEG camera and writes YUYV at --output-size', async () => {
      const jpegs = await Promise.all(
        clipRgb!.frames.map((f) =>
          sharp(f, { raw: { width: W, height: H, channels: 3 } })
            .jpeg({ quality: 85 })
            .toBuffer(),
        ),
      );
      const fake = new FakeV4l2();
      fake.addDevice({
        kind: 'camera',
        path: '/dev/video0',
        formats: [{ pixelFormat: 'MJPG', sizes: [{ type: 'discrete', width: W, height: H }] }],
        frames: (req) => new Uint8Array(jpegs[req.sequence % jpegs.length]!),
      });
      const lb = fake.addDevice({ kind: 'loopback', path: '/dev/video1' });
      setDeviceLayer(async () => createDeviceLayer({ binding: fake }));
      const run = startMain(['--output-size', '320x240', '--background', 'color=#00FF00', '--stats']);
      await waitFor(() => lb.written.length >= 12);
      run.signals.emit('SIGINT');
      const result = await run.done;
      expect(result.code).toBe(ExitCode.Ok);
      expect(result.stderr).toContain('MJPG 640x480');
      expect(lb.written.every((f) => f.length === 320 * 240 * 2)).toBe(true);
      expect(greenShare(lb.written.at(-1)!)).toBeGreaterThan(0.2);
    });

    it('explains a missing loopback device and a loopback given as camera', async () => {
      const fake = new FakeV4l2();
      fake.addDevice({ kind: 'camera', path: '/dev/video0' });
      fake.addDevice({ kind: 'loopback', path: '/dev/video3' });
      setDeviceLayer(async () => createDeviceLayer({ binding: fake }));
      const r = await runMain(['--camera', '/dev/video3']);
      expect(r.code).toBe(ExitCode.Device);
      expect(r.stderr.trim()).toBe(
        'deepseg: /dev/video3 is a v4l2loopback device nobody is writing to; choose a camera with --camera (cameras: /dev/video0 (Fake Camera))',
      );
      const fake2 = new FakeV4l2();
      fake2.addDevice({ kind: 'camera', path: '/dev/video0' });
      setDeviceLayer(async () => createDeviceLayer({ binding: fake2 }));
      const r2 = await runMain([]);
      expect(r2.code).toBe(ExitCode.Missing);
      expect(r2.stderr.trim().split('\n')).toHaveLength(1);
      expect(r2.stderr).toContain(
        'No free v4l2loopback device found; load one: sudo modprobe v4l2loopback devices=1 exclusive_caps=1',
      );
    });
  },
);

/** A reader count the test sets by hand (inotify cannot see the fake's opens); the real one is reader-watch.ts. */
function scriptedReaders(): ReaderWatch & { set(n: number): void } {
  let readers = 0;
  const listeners = new Set<() => void>();
  return {
    get readers() {
      return readers;
    },
    set(n: number) {
      readers = n;
      for (const l of [...listeners]) l();
    },
    waitForReader(signal) {
      return new Promise<void>((resolve) => {
        const check = () => {
          if (readers > 0 || signal.aborted) {
            listeners.delete(check);
            resolve();
          }
        };
        listeners.add(check);
        signal.addEventListener('abort', check, { once: true });
        check();
      });
    },
    waitForIdle(linger, signal) {
      return new Promise<void>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const check = () => {
          if (signal.aborted) {
            listeners.delete(check);
            resolve();
          } else if (readers === 0 && !timer) {
            timer = setTimeout(() => {
              listeners.delete(check);
              resolve();
            }, linger);
          }
        };
        listeners.add(check);
        signal.addEventListener('abort', check, { once: true });
        check();
      });
    },
    close() {},
  };
}

describe.skipIf(!clip)('on-demand mode on the fake devices', { timeout: 180_000 }, () => {
  it('releases the camera while nobody reads the virtual camera and restarts when a reader comes', async () => {
    const fake = new FakeV4l2();
    fake.addDevice({
      kind: 'camera',
      path: '/dev/video0',
      frames: (req) => clip!.frames[req.sequence % clip!.frames.length]!,
    });
    const lb = fake.addDevice({ kind: 'loopback', path: '/dev/video1' });
    const watch = scriptedReaders();
    setDeviceLayer(async () => createDeviceLayer({ binding: fake, watchReaders: () => watch }));
    const run = startMain(['--size', `${W}x${H}`, '--on-demand', '--on-demand-linger', '100']);
    // model load, camera probe (opened once to learn its format), then idle
    await waitFor(() => run.stderr().includes('camera released (on-demand)'));
    expect(lb.written.length).toBe(0);
    expect(fake.openDescriptors).toBe(1); // only the loopback writer
    watch.set(1);
    await waitFor(() => lb.written.length >= 5);
    expect(fake.openDescriptors).toBe(2);
    watch.set(0);
    await waitFor(() => fake.openDescriptors === 1);
    const stopped = lb.written.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(lb.written.length).toBe(stopped);
    watch.set(2);
    await waitFor(() => lb.written.length >= stopped + 5);
    run.signals.emit('SIGTERM');
    const result = await run.done;
    expect(result.code).toBe(ExitCode.Ok);
    expect(result.stderr).toContain('camera released (on-demand)');
    expect(result.stderr).toContain('a program opened the virtual camera; starting the camera');
    expect(fake.openDescriptors).toBe(0);
    expect(fake.liveMappings).toBe(0);
  });
});

describe.skipIf(!clip)('camera unplugged while streaming', { timeout: 180_000 }, () => {
  it('waits for the camera to come back and goes on', async () => {
    const fake = new FakeV4l2();
    const spec = {
      kind: 'camera' as const,
      path: '/dev/video0',
      frames: (req: { sequence: number }) => clip!.frames[req.sequence % clip!.frames.length]!,
    };
    const cam = fake.addDevice(spec);
    const lb = fake.addDevice({ kind: 'loopback', path: '/dev/video1' });
    setDeviceLayer(async () => createDeviceLayer({ binding: fake }));
    const run = startMain(['--size', `${W}x${H}`]);
    await waitFor(() => lb.written.length >= 5);
    cam.unplug();
    await waitFor(() => run.stderr().includes('waiting for the camera to come back'));
    const during = lb.written.length;
    fake.addDevice(spec); // plugged in again
    await waitFor(() => run.stderr().includes('camera back') && lb.written.length >= during + 5);
    run.signals.emit('SIGTERM');
    const result = await run.done;
    expect(result.code).toBe(ExitCode.Ok);
    expect(fake.openDescriptors).toBe(0);
    expect(fake.liveMappings).toBe(0);
  });
});
