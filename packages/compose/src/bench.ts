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
import { CLIP, clipFrames, clipMasks, MODEL_SIZE } from './bench/clip.ts';
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

/** Median of `runs` timed calls after `warmup` untimed ones. */
function time(fn: (i: number) => void, warmup: number, runs: number): Stats {
  for (let i = 0; i < warmup; i++) fn(i);
  const t: number[] = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn(warmup + i);
    t.push(performance.now() - t0);
  }
  const c = process.cpuUsage(c0);
  return stats(t, (c.user + c.system) / 1000 / runs);
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
  const masks = await clipMasks('clip', base.slice(0, FRAMES), 960, 540);
  const geometry = { width: MODEL_SIZE, height: MODEL_SIZE };
  const timings: Timing[] = [];
  const img = await imageBytes();
  for (const [w, h] of SIZES) {
    const frames = clipFrames(w, h, FRAMES)!;
    const out = new Uint8Array(w * h * 2);
    const size = `${w}×${h}`;
    const runs = w >= 1920 ? 60 : 100;
    const add = (name: string, r: Stats, n = runs) =>
      timings.push({
        size,
        case: name,
        minMs: r.min,
        cpuMs: r.cpu,
        medianMs: r.median,
        p90Ms: r.p90,
        budgetShare: r.median / BUDGET_MS,
        runs: n,
      });
    const backgrounds: [string, BackgroundSpec][] = [
      ['deepseg default refine + blur 16', { type: 'blur', radius: 16 }],
      ['deepseg default refine + image', { type: 'image', source: img }],
      ['deepseg default refine + colour', { type: 'color', color: '#00ff00' }],
    ];
    for (const [name, background] of backgrounds) {
      const c = await createCompositor({ width: w, height: h, background });
      add(
        name,
        time((i) => c.process(frames[i % FRAMES]!, masks[i % FRAMES]!, geometry, out), WARMUP, runs),
      );
      await c.close();
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
      const c = await createCompositor({ width: w, height: h, background });
      add(
        `${name}, frames in wasm memory`,
        time((i) => c.process(wasmFrames[i % FRAMES]!, masks[i % FRAMES]!, geometry, wasmOut), WARMUP, runs),
      );
      await c.close();
    }
    for (const f of wasmFrames) freeFrame(f);
    freeFrame(wasmOut);
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
      const c = await createCompositor({
        width: w,
        height: h,
        refine,
        background: { type: 'color', color: '#00ff00' },
      });
      add(
        name,
        time((i) => c.process(frames[i % FRAMES]!, masks[i % FRAMES]!, geometry, out), WARMUP, runs),
      );
    }
    // yuyv's fused bilinear composite (no refinement) over a still background: the floor.
    const bgFrame = new Uint8Array(w * h * 2).fill(128);
    add(
      'yuyv compositeYuyv only (bilinear, no refinement)',
      time(
        (i) =>
          compositeYuyv(frames[i % FRAMES]!, bgFrame, out, masks[i % FRAMES]!, {
            width: w,
            height: h,
            maskWidth: MODEL_SIZE,
            maskHeight: MODEL_SIZE,
          }),
        WARMUP,
        runs,
      ),
    );
    // The anchors' refinement chains + yuyv's full-resolution composite.
    const alpha = new Float32Array(w * h);
    const g = { gw: MODEL_SIZE, gh: MODEL_SIZE, width: w, height: h };
    const anchors: AnchorChain[] = [backscrub(g), lfbw(g), obs(g)];
    for (const a of anchors) {
      const n = a.name === 'LFBW' ? 12 : runs;
      add(
        `${a.name} chain (re-implemented) + composite`,
        time(
          (i) => {
            a.step(masks[i % FRAMES]!, alpha);
            compositeYuyv(frames[i % FRAMES]!, bgFrame, out, alpha, { width: w, height: h });
          },
          a.name === 'LFBW' ? 3 : WARMUP,
          n,
        ),
        n,
      );
    }
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
  console.log(`clip ${CLIP} scaled to each size, masks from the real MediaPipe selfie model (256×256)\n`);
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
    `${JSON.stringify({ package: '@deepseg/compose', date: new Date().toISOString(), environment, budgetMs: BUDGET_MS, timings, quality }, null, 2)}\n`,
  );
  console.log(`\nresults: ${file}`);
}

await main();
