// Benchmark of @deepseg/yuyv (`pnpm bench`): every kernel at 640x480, 1280x720 and 1920x1080, one
// thread, with ffmpeg's libswscale timed in the same run for the same conversions. Prints a table and
// writes the same figures to <repo>/bench-results/yuyv.json.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@deepseg/fixtures/shared';
import { compositeFrame, compositeYuyv } from './composite.ts';
import { convertFrame, rgbToYuyv, yuyvToRgb, yuyvToRgba } from './convert.ts';
import { mirrorYuyv } from './mirror.ts';
import { frameByteLength } from './pixel-format.ts';
import { resizeMask } from './resize-mask.ts';
import { frameToTensor } from './tensor.ts';
import { allocFloat32, allocFrame, freeFrame } from './wasm-frames.ts';

const SIZES: [number, number][] = [
  [640, 480],
  [1280, 720],
  [1920, 1080],
];
const BUDGET_MS = 1000 / 30;
const quick = process.argv.includes('--quick');

interface Row {
  kernel: string;
  size: string;
  /** Median wall-clock ms per frame. */
  ms: number;
  /** Median CPU (user) ms per frame of this process. */
  cpuMs: number;
  /** Lowest per-batch CPU ms per frame: the least disturbed by other processes sharing the cores. */
  cpuBestMs: number;
  /** Bytes read + written per frame / wall time. */
  gbps: number;
  /** Share of the 33.3 ms frame budget at 30 fps. */
  budget: number;
  /** ffmpeg (libswscale) CPU ms per frame for the same conversion, when timed. */
  ffmpegMs?: number;
  /** Our CPU time / ffmpeg's CPU time. */
  ratio?: number;
}

function fill(n: number, seed: number): Uint8Array {
  const a = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    a[i] = x >>> 24;
  }
  return a;
}

/** Median over batches of wall and CPU time per call, after a warm-up. */
function measure(fn: () => void): { ms: number; cpuMs: number; cpuBestMs: number } {
  for (let i = 0; i < 5; i++) fn();
  const t0 = performance.now();
  fn();
  const once = Math.max(performance.now() - t0, 0.01);
  const perBatch = Math.max(1, Math.round((quick ? 20 : 60) / once));
  const batches = quick ? 5 : 11;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let b = 0; b < batches; b++) {
    const c = process.cpuUsage();
    const t = performance.now();
    for (let i = 0; i < perBatch; i++) fn();
    wall.push((performance.now() - t) / perBatch);
    cpu.push(process.cpuUsage(c).user / 1000 / perBatch);
  }
  const median = (v: number[]) => v.sort((a, b) => a - b)[v.length >> 1]!;
  return { ms: median(wall), cpuMs: median(cpu), cpuBestMs: Math.min(...cpu) };
}

const hasFfmpeg = spawnSync('sh', ['-c', 'command -v ffmpeg'], { stdio: 'ignore' }).status === 0;
const work = mkdtempSync(join(tmpdir(), 'deepseg-yuyv-bench-'));

/** ffmpeg user-CPU ms per frame for rawvideo `from` → `to` (minus the same run without conversion). */
function ffmpegMs(from: string, to: string, w: number, h: number, frame: Uint8Array): number | undefined {
  if (!hasFfmpeg) return undefined;
  const frames = quick ? 20 : 60;
  const file = join(work, `${from}-${w}x${h}.raw`);
  const all = new Uint8Array(frame.length * frames);
  for (let i = 0; i < frames; i++) all.set(frame, i * frame.length);
  writeFileSync(file, all);
  const run = (pixFmt: string) => {
    const r = spawnSync(
      'ffmpeg',
      [
        '-hide_banner',
        '-nostdin',
        '-threads',
        '1',
        '-filter_threads',
        '1',
        '-benchmark',
        '-f',
        'rawvideo',
        '-pix_fmt',
        from,
      ].concat(['-s', `${w}x${h}`, '-i', file, '-pix_fmt', pixFmt, '-f', 'null', '-']),
      { encoding: 'utf8' },
    );
    const m = /utime=([\d.]+)s/.exec(`${r.stderr}`);
    if (r.status !== 0 || m === null) throw new Error(`ffmpeg failed: ${r.stderr}`);
    return Number(m[1]) * 1000;
  };
  const best = (pixFmt: string) => Math.min(run(pixFmt), run(pixFmt), run(pixFmt));
  const conv = best(to);
  const copy = best(from);
  rmSync(file);
  return Math.max(conv - copy, 0.001) / frames;
}

const rows: Row[] = [];
function add(
  kernel: string,
  w: number,
  h: number,
  bytes: number,
  fn: () => void,
  ff?: () => number | undefined,
): void {
  const { ms, cpuMs, cpuBestMs } = measure(fn);
  const row: Row = {
    kernel,
    size: `${w}x${h}`,
    ms,
    cpuMs,
    cpuBestMs,
    gbps: bytes / ms / 1e6,
    budget: ms / BUDGET_MS,
  };
  const f = ff?.();
  if (f !== undefined) {
    row.ffmpegMs = f;
    row.ratio = cpuMs / f;
  }
  rows.push(row);
  const extra = row.ratio === undefined ? '' : `  ffmpeg ${f!.toFixed(3)} ms  ratio ${row.ratio.toFixed(2)}`;
  console.error(`  ${kernel.padEnd(44)} ${row.size.padEnd(10)} ${ms.toFixed(3)} ms${extra}`);
}

console.error(
  `@deepseg/yuyv bench${quick ? ' (quick)' : ''}: ${cpus()[0]?.model ?? 'unknown CPU'}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
try {
  for (const [w, h] of SIZES) {
    const yuyv = fill(w * h * 2, 1);
    const yuyv2 = fill(w * h * 2, 2);
    const rgb = new Uint8Array(w * h * 3);
    const rgba = new Uint8Array(w * h * 4);
    const out = new Uint8Array(w * h * 2);
    const nv12 = fill(frameByteLength('NV12', w, h), 3);
    const nv12b = fill(frameByteLength('NV12', w, h), 4);
    const nv12out0 = new Uint8Array(nv12.length);
    add(
      'YUYV→RGB24 (yuyvToRgb)',
      w,
      h,
      w * h * 5,
      () => yuyvToRgb(yuyv, rgb, { width: w, height: h }),
      () => ffmpegMs('yuyv422', 'rgb24', w, h, yuyv),
    );
    add('YUYV→RGBA (yuyvToRgba)', w, h, w * h * 6, () => yuyvToRgba(yuyv, rgba, { width: w, height: h }));
    const rgbIn = fill(w * h * 3, 5);
    add(
      'RGB24→YUYV (rgbToYuyv)',
      w,
      h,
      w * h * 5,
      () => rgbToYuyv(rgbIn, out, { width: w, height: h }),
      () => ffmpegMs('rgb24', 'yuyv422', w, h, rgbIn),
    );
    add('NV12→RGB24 (convertFrame)', w, h, w * h * 4.5, () =>
      convertFrame(nv12, rgb, { width: w, height: h, from: 'NV12', to: 'RGB24' }),
    );
    const t256 = new Float32Array(256 * 256 * 3);
    add('frameToTensor YUYV full frame→256x256', w, h, w * h * 2 + t256.byteLength, () =>
      frameToTensor(yuyv, t256, {
        width: w,
        height: h,
        format: 'YUYV',
        tensor: { width: 256, height: 256, scale: 1 / 127.5, mean: 1 },
      }),
    );
    const side = h;
    const roi = { x: ((w - side) >> 1) & ~1, y: 0, width: side, height: side };
    add('frameToTensor YUYV centre h×h crop→256x256 NCHW', w, h, side * side * 2 + t256.byteLength, () =>
      frameToTensor(yuyv, t256, {
        width: w,
        height: h,
        format: 'YUYV',
        roi,
        tensor: { width: 256, height: 256, layout: 'NCHW' },
      }),
    );
    add('frameToTensor YUYV full frame→256x256, area filter', w, h, w * h * 2 + t256.byteLength, () =>
      frameToTensor(yuyv, t256, {
        width: w,
        height: h,
        format: 'YUYV',
        filter: 'area',
        tensor: { width: 256, height: 256 },
      }),
    );
    add('YUYV→I420 (convertFrame)', w, h, w * h * 3.5, () =>
      convertFrame(yuyv, nv12out0, { width: w, height: h, from: 'YUYV', to: 'I420' }),
    );
    const mask = new Float32Array(256 * 144).map((_, i) => (i % 97) / 96);
    const fullMask = new Float32Array(w * h);
    // a sigmoid-edged ellipse (head and shoulders): 0 outside, 1 inside, a soft band between
    const personMask = new Float32Array(256 * 144).map((_, i) => {
      const dx = ((i % 256) - 128) / 70;
      const dy = (Math.floor(i / 256) - 100) / 80;
      return 1 / (1 + Math.exp((Math.hypot(dx, dy) - 1) * 25));
    });
    add('resizeMask 256x144→frame (float)', w, h, mask.byteLength + fullMask.byteLength, () =>
      resizeMask(mask, fullMask, { srcWidth: 256, srcHeight: 144, dstWidth: w, dstHeight: h }),
    );
    add('compositeYuyv, 256x144 mask fused', w, h, w * h * 6 + mask.byteLength, () =>
      compositeYuyv(yuyv, yuyv2, out, mask, { width: w, height: h, maskWidth: 256, maskHeight: 144 }),
    );
    add('compositeYuyv, 256x144 person-like mask fused', w, h, w * h * 6 + mask.byteLength, () =>
      compositeYuyv(yuyv, yuyv2, out, personMask, { width: w, height: h, maskWidth: 256, maskHeight: 144 }),
    );
    add('compositeYuyv, full-resolution float mask', w, h, w * h * 10, () =>
      compositeYuyv(yuyv, yuyv2, out, fullMask, { width: w, height: h }),
    );
    const nv12out = new Uint8Array(nv12.length);
    add('compositeFrame NV12, 256x144 mask fused', w, h, nv12.length * 3 + mask.byteLength, () =>
      compositeFrame(nv12, nv12b, nv12out, mask, {
        width: w,
        height: h,
        format: 'NV12',
        maskWidth: 256,
        maskHeight: 144,
      }),
    );
    add('mirrorYuyv in place', w, h, w * h * 4, () => mirrorYuyv(out, out, { width: w, height: h }));
    // The same kernels with every buffer allocated in wasm memory (allocFrame): no copies in or out.
    const wf = allocFrame(w * h * 2);
    wf.set(yuyv);
    const wb = allocFrame(w * h * 2);
    wb.set(yuyv2);
    const wo = allocFrame(w * h * 2);
    const wrgb = allocFrame(w * h * 3);
    const wt = allocFloat32(256 * 256 * 3);
    const wm = allocFloat32(256 * 144);
    wm.set(mask);
    add('[wasm mem] YUYV→RGB24', w, h, w * h * 5, () => yuyvToRgb(wf, wrgb, { width: w, height: h }));
    add(
      '[wasm mem] frameToTensor YUYV centre h×h crop→256x256 NCHW',
      w,
      h,
      side * side * 2 + t256.byteLength,
      () =>
        frameToTensor(wf, wt, {
          width: w,
          height: h,
          format: 'YUYV',
          roi,
          tensor: { width: 256, height: 256, layout: 'NCHW' },
        }),
    );
    add('[wasm mem] compositeYuyv, 256x144 mask fused', w, h, w * h * 6 + mask.byteLength, () =>
      compositeYuyv(wf, wb, wo, wm, { width: w, height: h, maskWidth: 256, maskHeight: 144 }),
    );
    for (const b of [wf, wb, wo, wrgb]) freeFrame(b);
    freeFrame(wt);
    freeFrame(wm);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const cpuModel = (() => {
  try {
    return /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
  } catch {
    return cpus()[0]?.model;
  }
})();
const ffmpegVersion = hasFfmpeg
  ? execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0]
  : 'not installed';
const environment = {
  date: new Date().toISOString(),
  cpu: cpuModel,
  cores: cpus().length,
  node: process.version,
  v8: process.versions.v8,
  ffmpeg: ffmpegVersion,
  loadavg: loadavg(),
  threads: 1,
  note: 'ms = median wall clock per frame; cpuMs = median user CPU per frame; cpuBestMs = lowest per-batch user CPU per frame; ratio = our cpuMs / ffmpeg (libswscale, -threads 1) user CPU per frame for the same conversion, minus its no-conversion run',
};

const header = [
  'kernel',
  'size',
  'ms/frame',
  'cpu ms',
  'best cpu ms',
  'GB/s',
  '% of 33.3 ms',
  'ffmpeg ms',
  'ratio',
];
const table = rows.map((r) => [
  r.kernel,
  r.size,
  r.ms.toFixed(3),
  r.cpuMs.toFixed(3),
  r.cpuBestMs.toFixed(3),
  r.gbps.toFixed(2),
  (r.budget * 100).toFixed(1),
  r.ffmpegMs?.toFixed(3) ?? '',
  r.ratio?.toFixed(2) ?? '',
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(
  `\n@deepseg/yuyv — ${environment.cpu}, ${environment.cores} cores, Node ${environment.node}, load ${environment.loadavg.map((l) => l.toFixed(2)).join(' ')}`,
);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of table) console.log(line(r));

const dir = join(repoRoot, 'bench-results');
mkdirSync(dir, { recursive: true });
const path = join(dir, 'yuyv.json');
writeFileSync(path, `${JSON.stringify({ package: '@deepseg/yuyv', environment, results: rows }, null, 2)}\n`);
console.log(`\nwrote ${path}`);
