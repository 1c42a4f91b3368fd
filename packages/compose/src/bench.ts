// `pnpm bench`: time per frame of the default refinement + composite chain at 640×480, 1280×720 and
// 1920×1080 on one thread, against the anchors' chains (timed in the same run) and yuyv's plain
// composite, on real frames with real model masks; then the quality report (flicker, lag, contact
// sheet). Prints tables and writes bench-results/compose.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@deepseg/fixtures/shared';
import { allocFrame, compositeYuyv, freeFrame } from '@deepseg/yuyv';
import sharp from 'sharp';
import { type AnchorChain, backscrub, lfbw, obs } from './bench/anchors.ts';
import { CLIP, clipFrames, clipMasks, MASK_GEOMETRY } from './bench/clip.ts';
import { type QualityReport, runQuality } from './bench/quality.ts';
import { createCompositor } from './compositor.ts';
import type { BackgroundSpec, RefineOptions } from './options.ts';

const SIZES = [
  [640, 480],
  [1280, 720],
  [1920, 1080],
] as const;
const BUDGET_MS = 1000 / 30;
const FRAMES = 30;
/** Untimed calls first: the JIT (and its background compiler, slow on a loaded machine) reaches steady state. */
const WARMUP = 60;

interface Timing {
  size: string;
  case: string;
  minMs: number;
  cpuMs: number;
  medianMs: number;
  p90Ms: number;
  budgetShare: number;
  runs: number;
}

interface Stats {
  min: number;
  median: number;
  p90: number;
  /** Process CPU time per frame over all timed runs (user + system): robust when the machine is shared. */
  cpu: number;
}

function stats(times: number[], cpu: number): Stats {
  const s = [...times].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, p90: s[Math.floor(s.length * 0.9)]!, cpu };
}

interface Case {
  name: string;
  fn: (i: number) => void;
  warmup: number;
  runs: number;
}

/** Rounds of interleaved timing: the shared machine's slow and fast phases fall on every case alike. */
const ROUNDS = 5;

/** Times every case: `warmup` untimed calls each, then `runs` timed calls spread over {@link ROUNDS} rounds. */
function timeInterleaved(cases: Case[]): Stats[] {
  for (const c of cases) for (let i = 0; i < c.warmup; i++) c.fn(i);
  const times = cases.map(() => [] as number[]);
  const cpu = cases.map(() => 0);
  for (let round = 0; round < ROUNDS; round++) {
    cases.forEach((c, k) => {
      const n = Math.ceil(c.runs / ROUNDS);
      const c0 = process.cpuUsage();
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        c.fn(c.warmup + round * n + i);
        times[k]!.push(performance.now() - t0);
      }
      const u = process.cpuUsage(c0);
      cpu[k]! += (u.user + u.system) / 1000;
    });
  }
  return cases.map((_, k) => stats(times[k]!, cpu[k]! / times[k]!.length));
}

async function imageBytes(): Promise<Buffer> {
  return sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 70, g: 130, b: 180 } } })
    .png()
    .toBuffer();
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--timing-only');
  const loadAverageAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
  const base = clipFrames(960, 540, FRAMES);
  if (base === undefined) {
    console.log('bench skipped: shared clip or ffmpeg missing');
    return;
  }
  // Masks of the registry's default model (selfie-landscape, 256×144), as the pipeline uses; the
  // general model's 256×256 masks (4/3 as many cells per frame) for comparison.
  const masks = await clipMasks('clip', base.slice(0, FRAMES), 960, 540, 'landscape');
  const geometry = MASK_GEOMETRY.landscape;
  const generalMasks = await clipMasks('clip', base.slice(0, FRAMES), 960, 540, 'general');
  const generalGeometry = MASK_GEOMETRY.general;
  const timings: Timing[] = [];
  const img = await imageBytes();
  for (const [w, h] of SIZES) {
    const frames = clipFrames(w, h, FRAMES)!;
    const out = new Uint8Array(w * h * 2);
    const size = `${w}×${h}`;
    const runs = w >= 1920 ? 60 : 100;
    const cases: Case[] = [];
    const closers: (() => Promise<void>)[] = [];
    const backgrounds: [string, BackgroundSpec][] = [
      ['deepseg default refine + blur 16', { type: 'blur', radius: 16 }],
      ['deepseg default refine + image', { type: 'image', source: img }],
      ['deepseg default refine + colour', { type: 'color', color: '#00ff00' }],
    ];
    /** Times a compositor chain on the given frames, masks and output. */
    const chain = async (
      name: string,
      options: { background: BackgroundSpec; refine?: RefineOptions },
      input: Uint8Array[],
      maskSet: Float32Array[],
      maskGeometry: { width: number; height: number },
      output: Uint8Array,
    ) => {
      const c = await createCompositor({ width: w, height: h, ...options });
      cases.push({
        name,
        fn: (i) => c.process(input[i % FRAMES]!, maskSet[i % FRAMES]!, maskGeometry, output),
        warmup: WARMUP,
        runs,
      });
      closers.push(() => c.close());
    };
    for (const [name, background] of backgrounds)
      await chain(name, { background }, frames, masks, geometry, out);
    for (const [name, background] of backgrounds) {
      if (name.includes('image')) continue;
      await chain(
        `${name}, general model masks (256×256)`,
        { background },
        frames,
        generalMasks,
        generalGeometry,
        out,
      );
    }
    // The same chains with the camera frame and the output in WebAssembly memory (yuyv's allocFrame,
    // as a capture loop can arrange): the pass then works in place, without copying frames in and out.
    const wasmFrames = frames.map((f) => {
      const a = allocFrame(f.length);
      a.set(f);
      return a;
    });
    const wasmOut = allocFrame(out.length);
    for (const [name, background] of backgrounds) {
      if (name.includes('image')) continue;
      await chain(`${name}, frames in wasm memory`, { background }, wasmFrames, masks, geometry, wasmOut);
    }
    closers.push(async () => {
      for (const f of wasmFrames) freeFrame(f);
      freeFrame(wasmOut);
    });
    // Stage costs (by difference): the default chain with one stage off, and with all of them off.
    const variants: [string, RefineOptions][] = [
      ['deepseg, temporal off + colour', { temporal: false }],
      ['deepseg, guided off + colour', { guided: false }],
      [
        'deepseg, all refinement off + colour',
        { temporal: false, guided: false, minBlobArea: 0, lightWrap: 0 },
      ],
    ];
    for (const [name, refine] of variants) {
      if (w !== 1280 && !name.includes('all refinement off')) continue;
      await chain(
        name,
        { refine, background: { type: 'color', color: '#00ff00' } },
        frames,
        masks,
        geometry,
        out,
      );
    }
    // yuyv's fused bilinear composite (no refinement) over a still background: the floor.
    const bgFrame = new Uint8Array(w * h * 2).fill(128);
    cases.push({
      name: 'yuyv compositeYuyv only (bilinear, no refinement)',
      fn: (i) =>
        compositeYuyv(frames[i % FRAMES]!, bgFrame, out, masks[i % FRAMES]!, {
          width: w,
          height: h,
          maskWidth: geometry.width,
          maskHeight: geometry.height,
        }),
      warmup: WARMUP,
      runs,
    });
    // The anchors' refinement chains + yuyv's full-resolution composite.
    const alpha = new Float32Array(w * h);
    const g = { gw: geometry.width, gh: geometry.height, width: w, height: h };
    const anchors: AnchorChain[] = [backscrub(g), lfbw(g), obs(g)];
    for (const a of anchors) {
      const n = a.name === 'LFBW' ? 12 : runs;
      cases.push({
        name: `${a.name} chain (re-implemented) + composite`,
        fn: (i) => {
          a.step(masks[i % FRAMES]!, alpha);
          compositeYuyv(frames[i % FRAMES]!, bgFrame, out, alpha, { width: w, height: h });
        },
        warmup: a.name === 'LFBW' ? 3 : WARMUP,
        runs: n,
      });
    }
    timeInterleaved(cases).forEach((r, k) => {
      timings.push({
        size,
        case: cases[k]!.name,
        minMs: r.min,
        cpuMs: r.cpu,
        medianMs: r.median,
        p90Ms: r.p90,
        budgetShare: r.median / BUDGET_MS,
        runs: cases[k]!.runs,
      });
    });
    for (const close of closers) await close();
  }
  const cpu = cpus()[0]?.model ?? 'unknown';
  const environment = {
    cpu,
    cores: cpus().length,
    node: process.version,
    sharp: JSON.parse(
      readFileSync(join(repoRoot, 'node_modules/.pnpm/node_modules/sharp/package.json'), 'utf8'),
    ).version as string,
    threads: 1,
    loadAverageAtStart,
    loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
    note: 'one JS thread; the 2 cores were shared with other work while measuring (see load average)',
  };
  console.log(
    `\n@deepseg/compose bench — ${cpu}, ${environment.cores} cores, Node ${process.version}, load average ${loadAverageAtStart.join(' ')} at start, ${environment.loadAverageAtEnd.join(' ')} at end`,
  );
  console.log(
    `clip ${CLIP} scaled to each size, masks from the real MediaPipe selfie models (default: landscape 256×144)\n`,
  );
  console.log(
    '| size | case | CPU ms/frame | min ms | median ms | p90 ms | median / 33.3 ms | vs deepseg blur (CPU) |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const t of timings) {
    const ours = timings.find(
      (x) => x.size === t.size && x.case.startsWith('deepseg default refine + blur'),
    )!;
    console.log(
      `| ${t.size} | ${t.case} | ${t.cpuMs.toFixed(2)} | ${t.minMs.toFixed(2)} | ${t.medianMs.toFixed(2)} | ${t.p90Ms.toFixed(2)} | ${(t.budgetShare * 100).toFixed(1)} % | ${(t.cpuMs / ours.cpuMs).toFixed(2)}× |`,
    );
  }
  const at720 = (c: string) => timings.find((t) => t.size === '1280×720' && t.case === c);
  const goal = at720('deepseg default refine + blur 16');
  const goalWasm = at720('deepseg default refine + blur 16, frames in wasm memory');
  const target = {
    '720p default refine + blur <= 3 ms CPU/frame': goal ? goal.cpuMs <= 3 : undefined,
    '720p default refine + blur, frames in wasm memory <= 3 ms CPU/frame': goalWasm
      ? goalWasm.cpuMs <= 3
      : undefined,
  };
  console.log(`\ntarget (one thread, default model masks): ${JSON.stringify(target)}`);
  let quality: QualityReport | undefined;
  if (!quick) {
    console.log('\nquality report (takes a few minutes)…');
    quality = await runQuality();
    if (quality) {
      console.log(`\n| method | flicker ×1000 | vs raw | pops /Mpx | lag fast pan | lag slow pan |`);
      console.log('|---|---:|---:|---:|---:|---:|');
      for (const m of quality.methods) {
        console.log(
          `| ${m.method} | ${(m.flicker * 1000).toFixed(2)} | ${(m.flickerVsRaw * 100).toFixed(0)} % | ${m.popsPerMillion.toFixed(0)} | ${m.lagFrames.toFixed(2)} | ${m.slowLagFrames.toFixed(2)} |`,
        );
      }
      console.log(`\ncontact sheet: ${quality.contactSheet}`);
    }
  }
  const file = join(repoRoot, 'bench-results', 'compose.json');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(repoRoot, 'bench-results'), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ package: '@deepseg/compose', date: new Date().toISOString(), environment, budgetMs: BUDGET_MS, target, timings, quality }, null, 2)}\n`,
  );
  console.log(`\nresults: ${file}`);
}

await main();
