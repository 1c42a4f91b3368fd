// Benchmark: conversion time per model, and inference time of each converted model in
// onnxruntime-node (1 and 2 intra-op threads) beside the TFLite WASM runtime on the same model, in
// the same run, in alternating blocks so machine load hits both alike (see BLOCK).
// Run: pnpm bench (in packages/tflite2onnx). Writes <repo>/bench-results/tflite2onnx.json.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { repoRoot, sharedFile } from '@deepseg/fixtures/shared';
import {
  loadTfliteReference,
  mediapipeSelfieModelPath,
  type TfliteReference,
} from '@deepseg/fixtures/tflite-reference';
import * as ort from 'onnxruntime-node';
import { randomFloats } from './__fixtures__/tflite-builder.ts';
import { convert, VERSION } from './convert.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100);
const WARMUP = 10;
/** Runs of one runtime before switching to the other. Run-by-run alternation made every run start
 * with caches the other runtime had just filled (ORT 15-40% slower, the WASM runtime unchanged);
 * a segmenter runs one model back to back, so the steady runs of each block are the figure, and the
 * first run of each block (right after the other runtime) is kept apart as the cold-cache figure. */
const BLOCK = 10;

interface Row {
  model: string;
  input: number[];
  convertMs: number;
  onnxBytes: number;
  onnxNodes: number;
  ort1Ms: number;
  ort1MinMs: number;
  ort2Ms: number;
  ort2MinMs: number;
  wasmMs: number | null;
  wasmMinMs: number | null;
  /** CPU ms of each block's first run, right after the other runtime (medians), and their ratio. */
  ort1ColdCpuMs: number | null;
  wasmColdCpuMs: number | null;
  ratio1ColdCpu: number | null;
  /** CPU ms per inference (median): ORT 1 thread, ORT 2 threads, TFLite WASM. */
  ort1CpuMs: number;
  ort2CpuMs: number;
  wasmCpuMs: number | null;
  /** ORT 1 thread ÷ TFLite WASM on CPU time (medians): the steadiest comparison on a loaded machine. */
  ratio1Cpu: number | null;
  /** ORT 1 thread ÷ TFLite WASM (medians). */
  ratio1: number | null;
  /** ORT 1 thread ÷ TFLite WASM (best runs). */
  ratio1Min: number | null;
  ratio2: number | null;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};
const min = (xs: number[]): number => Math.min(...xs);

const models: { name: string; path: string | undefined; wasm: boolean }[] = [
  { name: 'selfie_segmentation (general 256x256)', path: mediapipeSelfieModelPath('general'), wasm: true },
  {
    name: 'selfie_segmentation_landscape (144x256)',
    path: mediapipeSelfieModelPath('landscape'),
    wasm: true,
  },
  { name: 'segm_full_v679 (Meet 144x256)', path: sharedFile('models/segm_full_v679.tflite'), wasm: true },
  { name: 'segm_lite_v681 (Meet 96x160)', path: sharedFile('models/segm_lite_v681.tflite'), wasm: true },
  { name: 'deeplabv3_257_mv_gpu', path: sharedFile('models/deeplabv3_257_mv_gpu.tflite'), wasm: false },
  { name: 'body-pix-float-050-8', path: sharedFile('models/body-pix-float-050-8.tflite'), wasm: false },
  {
    name: 'ppseg_lite_portrait_398x224',
    path: sharedFile('models/ppseg_lite_portrait_398x224_float32.tflite'),
    wasm: false,
  },
];

async function session(onnx: Uint8Array, threads: number): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(onnx, {
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    executionMode: 'sequential',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
}

/** Wall-clock and CPU milliseconds of one call. CPU time (this process, all threads) is what the
 * call itself costs; on a loaded machine it is far steadier than wall time, which includes waiting
 * for a core. Both runtimes here are single-threaded (ORT 1T, WASM), so their CPU times compare. */
async function timeIt(f: () => Promise<unknown> | unknown, cpu?: number[]): Promise<number> {
  const c = process.cpuUsage();
  const t = performance.now();
  await f();
  const wall = performance.now() - t;
  const d = process.cpuUsage(c);
  cpu?.push((d.user + d.system) / 1000);
  return wall;
}

const rows: Row[] = [];
for (const m of models) {
  if (m.path === undefined) continue;
  const bytes = readFileSync(m.path);
  const convertTimes: number[] = [];
  let result = convert(bytes, { modelName: m.name });
  for (let i = 0; i < 5; i++)
    convertTimes.push(await timeIt(() => (result = convert(bytes, { modelName: m.name }))));
  const { onnx, report } = result;
  const inputInfo = report.inputs[0] as { name: string; shape: number[] };
  const n = inputInfo.shape.reduce((a, b) => a * b, 1);
  const input = randomFloats(n, 3, 0, 1);
  const feeds = { [inputInfo.name]: new ort.Tensor('float32', input, inputInfo.shape) };
  // Preallocated outputs, as @deepseg/segment runs the model (and as the WASM runtime works in place):
  // onnxruntime writes into them instead of allocating and copying new tensors every run.
  const fetches = Object.fromEntries(
    report.outputs.map((o) => [
      o.name,
      new ort.Tensor('float32', new Float32Array(o.shape.reduce((a, b) => a * b, 1)), o.shape),
    ]),
  );
  // Phase 1: ORT on 1 thread and the WASM runtime in alternating blocks (both single-threaded: no
  // thread pool spins in the background, so the CPU times are clean).
  const s1 = await session(onnx, 1);
  let ref: TfliteReference | undefined;
  if (m.wasm) ref = await loadTfliteReference(bytes);
  for (let i = 0; i < WARMUP; i++) {
    await s1.run(feeds, fetches);
    ref?.runInPlace(input);
  }
  const t1: number[] = [];
  const tw: number[] = [];
  const c1: number[] = [];
  const cw: number[] = [];
  const cold1: number[] = [];
  const coldW: number[] = [];
  // Each block's first run follows the other runtime: kept apart as the cold-cache figure.
  const timeRun = async (f: () => unknown, first: boolean, wall: number[], cpu: number[], cold: number[]) => {
    const c: number[] = [];
    const w = await timeIt(f, c);
    if (first) cold.push(c[0] as number);
    else {
      wall.push(w);
      cpu.push(c[0] as number);
    }
  };
  for (let i = 0; i < ROUNDS; i += BLOCK) {
    for (let b = 0; b < BLOCK; b++)
      await timeRun(() => s1.run(feeds, fetches), b === 0 && ref !== undefined, t1, c1, cold1);
    if (ref !== undefined) {
      const r = ref;
      for (let b = 0; b < BLOCK; b++) await timeRun(() => r.runInPlace(input), b === 0, tw, cw, coldW);
    }
  }
  await s1.release();
  ref?.dispose();
  // Phase 2: ORT on 2 threads, alone (its pool's spinning threads would bill CPU to other runs).
  const s2 = await session(onnx, 2);
  for (let i = 0; i < WARMUP; i++) await s2.run(feeds, fetches);
  const t2: number[] = [];
  const c2: number[] = [];
  for (let i = 0; i < ROUNDS; i++) t2.push(await timeIt(() => s2.run(feeds, fetches), c2));
  await s2.release();
  const wasmMs = tw.length > 0 ? median(tw) : null;
  const wasmMinMs = tw.length > 0 ? min(tw) : null;
  const row: Row = {
    model: m.name,
    input: inputInfo.shape,
    convertMs: median(convertTimes),
    onnxBytes: onnx.length,
    onnxNodes: report.onnxNodes,
    ort1Ms: median(t1),
    ort1MinMs: min(t1),
    ort2Ms: median(t2),
    ort2MinMs: min(t2),
    wasmMs,
    wasmMinMs,
    ratio1: wasmMs === null ? null : median(t1) / wasmMs,
    ratio1Min: wasmMinMs === null ? null : min(t1) / wasmMinMs,
    ratio2: wasmMs === null ? null : median(t2) / wasmMs,
    ort1CpuMs: median(c1),
    ort2CpuMs: median(c2),
    wasmCpuMs: cw.length > 0 ? median(cw) : null,
    ratio1Cpu: cw.length > 0 ? median(c1) / median(cw) : null,
    ort1ColdCpuMs: cold1.length > 0 ? median(cold1) : null,
    wasmColdCpuMs: coldW.length > 0 ? median(coldW) : null,
    ratio1ColdCpu: cold1.length > 0 && coldW.length > 0 ? median(cold1) / median(coldW) : null,
  };
  rows.push(row);
  process.stderr.write(`  ${m.name}: done\n`);
}

const f = (x: number | null, d = 2): string => (x === null ? '—' : x.toFixed(d));
const header = [
  'model',
  'convert ms',
  'ORT 1T ms (min)',
  'ORT 2T ms (min)',
  'WASM ms (min)',
  'ORT1/WASM (min)',
  'ORT2/WASM',
  'cold ORT1/WASM [CPU]',
];
const lines = rows.map((r) => [
  r.model,
  f(r.convertMs, 1),
  `${f(r.ort1Ms)} (${f(r.ort1MinMs)}) [${f(r.ort1CpuMs)}]`,
  `${f(r.ort2Ms)} (${f(r.ort2MinMs)}) [${f(r.ort2CpuMs)}]`,
  r.wasmMs === null ? '— (does not run)' : `${f(r.wasmMs)} (${f(r.wasmMinMs)}) [${f(r.wasmCpuMs)}]`,
  r.ratio1 === null ? '—' : `${f(r.ratio1)}× (${f(r.ratio1Min)}×) [${f(r.ratio1Cpu)}×]`,
  r.ratio2 === null ? '—' : `${f(r.ratio2)}×`,
  r.ratio1ColdCpu === null ? '—' : `${f(r.ort1ColdCpuMs)} / ${f(r.wasmColdCpuMs)} = ${f(r.ratio1ColdCpu)}×`,
]);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
const fmt = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ');
const environment = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: availableParallelism(),
  node: process.version,
  onnxruntime: (ort.env as { versions?: Record<string, string> }).versions?.node ?? 'unknown',
  converter: VERSION,
  loadAverage: loadavg(),
  rounds: ROUNDS,
  block: BLOCK,
  note: 'wall ms median (min) of the steady runs in alternating blocks, [CPU ms median]; cold = first run of a block, right after the other runtime; the budget at 30 fps is 33.3 ms per frame',
};
console.log(
  `\n@deepseg/tflite2onnx ${VERSION} — ${environment.cpu}, ${environment.cores} cores, Node ${environment.node}, onnxruntime-node ${environment.onnxruntime}, load ${environment.loadAverage.map((l) => l.toFixed(1)).join(' ')}`,
);
console.log(fmt(header));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const l of lines) console.log(fmt(l));
const TARGET = 0.35;
const targets = rows
  .filter((r) => r.model.startsWith('selfie_') && r.ratio1 !== null)
  .map((r) => ({ model: r.model, ratio1: r.ratio1 as number, met: (r.ratio1 as number) <= TARGET }));
console.log(
  `Target: ORT 1 thread ≤ ${TARGET}× the TFLite WASM runtime on the selfie models (steady wall medians): ${targets
    .map((t) => `${t.model.split(' ')[0]} ${f(t.ratio1)}× ${t.met ? 'met' : 'NOT met'}`)
    .join(', ')}. Budget per frame at 30 fps: 33.3 ms.`,
);
const out = join(repoRoot, 'bench-results', 'tflite2onnx.json');
mkdirSync(join(repoRoot, 'bench-results'), { recursive: true });
writeFileSync(out, `${JSON.stringify({ environment, results: rows, targets }, null, 2)}\n`);
console.log(`wrote ${out}`);
