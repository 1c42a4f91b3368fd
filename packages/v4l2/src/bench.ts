// pnpm bench: per-frame cost of dequeue/requeue and of write() through the binding, and event-loop
// lag while waiting for frames under three waiting strategies. On the host it measures the fake;
// inside the kernel harness (`--kernel`, run by vm/jobs/v4l2.sh) the koffi binding on vivid and
// v4l2loopback. Writes bench-results/v4l2.json (the kernel figures land in v4l2-kernel.json and are
// merged into the host report when present).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Poller, V4l2Binding } from './binding.ts';
import { openCapture } from './capture.ts';
import { getDefaultBinding } from './default-binding.ts';
import { listDevices } from './discovery.ts';
import { FakeV4l2 } from './fake-binding.ts';
import { ioctlName } from './ioctl.ts';
import { openOutput } from './output.ts';
import type { PixelFormat } from './pixel-format.ts';

const args = process.argv.slice(2);
const kernel = args.includes('--kernel');
const outArg = args.indexOf('--out');
const repo = join(import.meta.dirname, '..', '..', '..');
const outPath =
  outArg >= 0 ? args[outArg + 1]! : join(repo, 'bench-results', kernel ? 'v4l2-kernel.json' : 'v4l2.json');
const BUDGET_MS = 1000 / 30;
const SIZES: [number, number][] = [
  [640, 480],
  [1280, 720],
  [1920, 1080],
];

/** Wraps a binding to time every ioctl and write, by call name. */
function timed(binding: V4l2Binding) {
  const totals = new Map<string, { ms: number; calls: number }>();
  const add = (name: string, ms: number) => {
    const t = totals.get(name) ?? { ms: 0, calls: 0 };
    t.ms += ms;
    t.calls++;
    totals.set(name, t);
  };
  const wrapped: V4l2Binding = {
    name: binding.name,
    listNodes: () => binding.listNodes(),
    open: (p, f) => binding.open(p, f),
    close: (fd) => binding.close(fd),
    mmap: (fd, l, o) => binding.mmap(fd, l, o),
    munmap: (m) => binding.munmap(m),
    poller: (fd) => binding.poller(fd),
    ioctl(fd, request, arg) {
      const t = performance.now();
      const r = binding.ioctl(fd, request, arg);
      add(ioctlName(request) + (r < 0 ? ' (fail)' : ''), performance.now() - t);
      return r;
    },
    write(fd, data) {
      const t = performance.now();
      const r = binding.write(fd, data);
      add('write', performance.now() - t);
      return r;
    },
  };
  return { binding: wrapped, totals, reset: () => totals.clear() };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;
const round = (x: number, d = 4) => Number(x.toFixed(d));

interface Devices {
  binding: V4l2Binding;
  camera: string;
  loopback: string;
  fake?: FakeV4l2;
}

async function devices(): Promise<Devices> {
  if (!kernel) {
    const fake = new FakeV4l2();
    const sizes = SIZES.map(([width, height]) => ({ type: 'discrete' as const, width, height }));
    const camera = fake.addDevice({ kind: 'camera', formats: [{ pixelFormat: 'YUYV', sizes }] }).path;
    const loopback = fake.addDevice({ kind: 'loopback' }).path;
    return { binding: fake, camera, loopback, fake };
  }
  const binding = await getDefaultBinding();
  const list = await listDevices({ binding });
  const camera = list.find((d) => d.driver === 'vivid' && d.caps.capture && !d.caps.output)?.path;
  const loopback = list.find((d) => d.isLoopback && d.caps.output)?.path;
  if (!camera || !loopback) throw new Error('bench --kernel needs vivid and a free v4l2loopback device');
  return { binding, camera, loopback };
}

/** Binding time per captured frame (DQBUF that succeeded + QBUF), median over sizes' runs. */
async function captureCost(d: Devices) {
  const rows = [];
  for (const [width, height] of SIZES) {
    const t = timed(d.binding);
    if (d.fake) d.fake.device(d.camera).spec.pace = 'instant';
    const camera = await openCapture(d.camera, { width, height, pixelFormat: 'YUYV', binding: t.binding });
    const frames = kernel ? 12 : 300;
    let n = 0;
    const started = performance.now();
    try {
      t.reset();
      for await (const _ of camera.frames()) if (++n === frames) break;
    } finally {
      camera.close();
    }
    const wall = performance.now() - started;
    const dq = t.totals.get('VIDIOC_DQBUF') ?? { ms: 0, calls: 0 };
    const q = t.totals.get('VIDIOC_QBUF') ?? { ms: 0, calls: 0 };
    const perFrame = (dq.ms + q.ms) / n;
    rows.push({
      size: `${width}x${height}`,
      frames: n,
      dqbufQbufMsPerFrame: round(perFrame),
      budgetShare: round(perFrame / BUDGET_MS, 5),
      emptyDqbufPolls: t.totals.get('VIDIOC_DQBUF (fail)')?.calls ?? 0,
      wallMsPerFrame: round(wall / n, 3),
    });
  }
  return rows;
}

/** write() cost per frame, unpaced, median of 5 batches. */
async function writeCost(d: Devices) {
  const rows = [];
  for (const [width, height] of SIZES) {
    const t = timed(d.binding);
    const out = await openOutput(d.loopback, { width, height, fps: 30, binding: t.binding });
    const frame = new Uint8Array(out.format.frameSize).fill(128);
    const batches: number[] = [];
    try {
      for (let i = 0; i < 3; i++) out.write(frame); // warm-up
      for (let b = 0; b < 5; b++) {
        const n = kernel ? 5 : 40;
        const start = performance.now();
        for (let i = 0; i < n; i++) out.write(frame);
        batches.push((performance.now() - start) / n);
      }
    } finally {
      out.close();
    }
    if (d.fake) d.fake.device(d.loopback).written.length = 0;
    const ms = median(batches);
    rows.push({
      size: `${width}x${height}`,
      writeMsPerFrame: round(ms),
      budgetShare: round(ms / BUDGET_MS, 5),
    });
  }
  return rows;
}

/** Alternative waiting strategies, for the decision record: spin on setImmediate, or poll on a timer. */
function withPoller(binding: V4l2Binding, make: (fd: number) => Poller): V4l2Binding {
  return { ...bindingMethods(binding), poller: make };
}
function bindingMethods(b: V4l2Binding): V4l2Binding {
  return {
    name: b.name,
    listNodes: () => b.listNodes(),
    open: (p, f) => b.open(p, f),
    close: (fd) => b.close(fd),
    ioctl: (fd, r, a) => b.ioctl(fd, r, a),
    mmap: (fd, l, o) => b.mmap(fd, l, o),
    munmap: (m) => b.munmap(m),
    write: (fd, data) => b.write(fd, data),
    poller: (fd) => b.poller(fd),
  };
}
const immediatePoller = (): Poller => ({ wait: () => new Promise((r) => setImmediate(r)), close() {} });
const timerPoller = (ms: number) => (): Poller => ({
  wait: () => new Promise((r) => setTimeout(r, ms)),
  close() {},
});

/** Event-loop delay, CPU per frame and delivery latency while streaming at 30 fps. */
async function waitingStrategies(d: Devices) {
  const [width, height] = kernel ? [640, 360] : [640, 480];
  if (d.fake) {
    const cam = d.fake.device(d.camera);
    cam.spec.pace = 'realtime';
    cam.spec.formats = [{ pixelFormat: 'YUYV', sizes: [{ type: 'discrete', width, height }] }];
  }
  const strategies: [string, V4l2Binding][] = [
    [`${d.binding.name === 'koffi' ? 'uv_poll (koffi.node.poll)' : 'fake readiness'} [chosen]`, d.binding],
    ['setImmediate retry', withPoller(d.binding, immediatePoller)],
    ['5 ms timer retry', withPoller(d.binding, timerPoller(5))],
  ];
  const rows = [];
  const clock = kernel ? () => Number(process.hrtime.bigint() / 1000n) : () => performance.now() * 1000;
  for (const [name, binding] of strategies) {
    const camera = await openCapture(d.camera, {
      width,
      height,
      pixelFormat: 'YUYV' as PixelFormat,
      fps: 30,
      binding,
    });
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    const latencies: number[] = [];
    const frames = kernel ? 45 : 60;
    let n = 0;
    const cpu0 = process.cpuUsage();
    histogram.enable();
    try {
      for await (const f of camera.frames()) {
        latencies.push((clock() - f.timestamp) / 1000);
        if (++n === frames) break;
      }
    } finally {
      histogram.disable();
      camera.close();
    }
    const cpu = process.cpuUsage(cpu0);
    rows.push({
      strategy: name,
      frames: n,
      loopDelayP50Ms: round(histogram.percentile(50) / 1e6, 2),
      loopDelayP99Ms: round(histogram.percentile(99) / 1e6, 2),
      loopDelayMaxMs: round(histogram.max / 1e6, 2),
      cpuMsPerFrame: round((cpu.user + cpu.system) / 1000 / n, 3),
      // vivid offsets its timestamps on purpose (to exercise wrap-around): no latency there.
      deliveryLatencyMedianMs: kernel ? null : round(median(latencies), 2),
    });
  }
  return rows;
}

function environment() {
  const koffiVersion = (() => {
    try {
      return JSON.parse(
        readFileSync(join(import.meta.dirname, '..', 'node_modules', 'koffi', 'package.json'), 'utf8'),
      ).version as string;
    } catch {
      return 'unknown';
    }
  })();
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    koffi: koffiVersion,
    where: kernel
      ? 'qemu TCG guest (Debian 6.1 kernel, vivid, v4l2loopback), emulated: slower than hardware'
      : 'host',
    binding: kernel ? 'koffi' : 'fake',
    loadavg: (() => {
      try {
        return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
      } catch {
        return 'unknown';
      }
    })(),
  };
}

const d = await devices();
const result: Record<string, unknown> = {
  environment: environment(),
  budgetMs: round(BUDGET_MS, 2),
  capture: await captureCost(d),
  write: await writeCost(d),
  waiting: await waitingStrategies(d),
};
console.log(
  `# @deepseg/v4l2 bench — ${kernel ? 'kernel (koffi on vivid/v4l2loopback under qemu)' : 'fake binding'}`,
);
console.log(JSON.stringify(result.environment));
console.log('\nDQBUF+QBUF through the binding, per frame (YUYV):');
console.table(result.capture);
console.log('write() through the binding, per frame (YUYV, unpaced, median of 5 batches):');
console.table(result.write);
console.log('Waiting for frames at 30 fps: event-loop delay, CPU and delivery latency per strategy:');
console.table(result.waiting);
if (!kernel) {
  const kernelPath = join(dirname(outPath), 'v4l2-kernel.json');
  if (existsSync(kernelPath)) result.kernel = JSON.parse(readFileSync(kernelPath, 'utf8'));
  else
    result.kernel = 'run `pnpm test:kernel` to add the koffi/kernel figures (bench-results/v4l2-kernel.json)';
}
mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, `${JSON.stringify(result, null, 2)}\n`);
console.log(`wrote ${outPath}`);
