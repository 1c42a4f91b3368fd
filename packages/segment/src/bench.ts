// `pnpm bench` in packages/segment: per model, pre-processing ms (frame → tensor at 640×480, 1280×720,
// 1920×1080), inference ms at 1 and 2 threads, the reference TFLite runtime timed in the same run, and
// the agreement (IoU at 0.5) of our masks with the reference runtime's masks on real frames — once fed
// the same tensor, once end to end (our YUYV frame path vs an independent ffmpeg RGB path). Writes
// bench-results/segment.json.
import {
  mkdirSync,
  mkdtempSync,
  readFileSync as readFile,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeVideoFrames, repoRoot, sharedFile } from '@deepseg/fixtures/shared';
import {
  hasArmnnReference,
  loadTfliteReference,
  runArmnnReference,
} from '@deepseg/fixtures/tflite-reference';
import { frameToTensor } from '@deepseg/yuyv';
import { resolveModelFile } from './convert.ts';
import { decodePersonProbability } from './decode.ts';
import { type ModelManifest, parseManifestText } from './manifest.ts';
import { foregroundShare, maskIoU } from './mask-agreement.ts';
import { onnxruntimeVersion } from './onnxruntime.ts';
import { getModel, verifiedModelFile } from './registry.ts';
import { createSegmenter, type Segmenter } from './segmenter.ts';

const BUDGET_MS = 1000 / 30;
const VIDEO = 'media/doctor_desk_5s_960x540.mp4';
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const IOU_FRAMES = Number(process.env.BENCH_IOU_FRAMES ?? 8);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[s.length >> 1]!;
};
const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

async function timeIt(fn: () => unknown | Promise<unknown>, runs = RUNS, warmup = 3): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

// ---- models: built-ins from the registry, the rest from ../shared through manifests ----------------
const modelsDir = mkdtempSync(join(tmpdir(), 'deepseg-bench-models-'));
const cacheDir = join(repoRoot, 'fixtures', 'generated', 'segment-bench-cache');
mkdirSync(cacheDir, { recursive: true });
const link = (file: string): boolean => {
  const p = sharedFile(`models/${file}`);
  if (p) symlinkSync(p, join(modelsDir, file));
  return p !== undefined;
};
const fixtureManifest = (name: string): ModelManifest =>
  parseManifestText(readFile(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'), name, modelsDir);

interface Candidate {
  manifest: ModelManifest;
  reference: 'tflite-wasm' | 'armnn' | 'none';
  tflite?: string;
}
const candidates: Candidate[] = [
  { manifest: getModel('selfie-general'), reference: 'tflite-wasm' },
  { manifest: getModel('selfie-landscape'), reference: 'tflite-wasm' },
];
if (link('deeplabv3_257_mv_gpu.tflite'))
  candidates.push({ manifest: getModel('deeplab-v3', { modelsDir }), reference: 'armnn' });
if (link('body-pix-float-050-8.tflite'))
  candidates.push({ manifest: getModel('bodypix-mobilenet-050-8', { modelsDir }), reference: 'armnn' });
if (link('SINet_Softmax_simple.onnx'))
  candidates.push({ manifest: fixtureManifest('sinet.json'), reference: 'none' });
if (link('ppseg_portrait_398x224_dynamic.onnx'))
  candidates.push({ manifest: fixtureManifest('ppseg.json'), reference: 'none' });
for (const c of candidates) {
  if (c.reference !== 'none') c.tflite = verifiedModelFile(c.manifest, { modelsDir });
}

// ---- frames --------------------------------------------------------------------------------------
const iouFrames = decodeVideoFrames(VIDEO, {
  pixFmt: 'yuyv422',
  count: IOU_FRAMES,
  step: Math.floor(150 / IOU_FRAMES),
});
if (!iouFrames) throw new Error('bench needs ../shared/media (set DEEPSEG_SHARED)');
const sizes = [
  [640, 480],
  [1280, 720],
  [1920, 1080],
] as const;
const sizedFrames = sizes.map(
  ([w, h]) => decodeVideoFrames(VIDEO, { width: w, height: h, pixFmt: 'yuyv422', count: 5 })!,
);

function tensorOf(frame: Uint8Array, w: number, h: number, m: ModelManifest): Float32Array {
  const t = new Float32Array(m.input.width * m.input.height * 3);
  frameToTensor(frame, t, { width: w, height: h, format: 'YUYV', tensor: m.input });
  return t;
}

/** The reference input path: ffmpeg scales the H.264 frames straight to the model size (bicubic), normalised here. */
function independentTensors(m: ModelManifest): Float32Array[] {
  const d = decodeVideoFrames(VIDEO, {
    width: m.input.width,
    height: m.input.height,
    pixFmt: 'rgb24',
    count: IOU_FRAMES,
    step: Math.floor(150 / IOU_FRAMES),
  })!;
  return d.frames.map((rgb) => {
    const { width, height, layout, channelOrder, scale, mean, std } = m.input;
    const t = new Float32Array(width * height * 3);
    for (let i = 0; i < width * height; i++) {
      for (let c = 0; c < 3; c++) {
        const src = channelOrder === 'RGB' ? c : 2 - c;
        const v = (rgb[i * 3 + src]! * scale - mean[c]!) / std[c]!;
        t[layout === 'NHWC' ? i * 3 + c : c * width * height + i] = v;
      }
    }
    return t;
  });
}

/** Reference masks (decoded exactly like ours) for NHWC TFLite inputs. */
async function referenceMasks(
  c: Candidate,
  inputs: Float32Array[],
): Promise<{ masks: Float32Array[]; ms?: number }> {
  const m = c.manifest;
  const n = m.output.width * m.output.height;
  if (c.reference === 'tflite-wasm') {
    const ref = await loadTfliteReference(readFile(c.tflite!));
    const masks = inputs.map((t) => {
      const mask = new Float32Array(n);
      decodePersonProbability(ref.runInPlace(t), mask, m.output);
      return mask;
    });
    const ms = await timeIt(() => ref.runInPlace(inputs[0]!));
    ref.dispose();
    return { masks, ms };
  }
  const outs = runArmnnReference(c.tflite!, inputs);
  return {
    masks: outs.map((o) => {
      const mask = new Float32Array(n);
      decodePersonProbability(o[0]!.data, mask, m.output);
      return mask;
    }),
  };
}

async function masksOf(seg: Segmenter, inputs: Float32Array[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const tensor of inputs) {
    const mask = new Float32Array(seg.output.width * seg.output.height);
    await seg.segment({ tensor }, mask);
    out.push(mask);
  }
  return out;
}

const stats = (xs: number[]) => ({
  mean: round(xs.reduce((a, b) => a + b, 0) / xs.length, 4),
  min: round(Math.min(...xs), 4),
});

// ---- run -----------------------------------------------------------------------------------------
const env = {
  cpu: /model name\s*:\s*(.*)/.exec(readFile('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model,
  cores: cpus().length,
  node: process.version,
  onnxruntime: onnxruntimeVersion(),
  loadAverageAtStart: loadavg().map((x) => round(x)),
  runsPerFigure: RUNS,
  iouFrames: IOU_FRAMES,
  note: 'machine shared with other jobs: timings are noisy; medians of RUNS after 3 warm-up runs',
};
console.log(
  `segment bench — ${env.cpu}, ${env.cores} cores, Node ${env.node}, onnxruntime-node ${env.onnxruntime}, load ${env.loadAverageAtStart.join(' ')}`,
);

const rows: Record<string, unknown>[] = [];
const masksByModel = new Map<string, { masks: Float32Array[]; w: number; h: number }>();
const armnn = hasArmnnReference();
for (const c of candidates) {
  const m = c.manifest;
  const row: Record<string, unknown> = {
    model: m.id,
    input: `${m.input.width}x${m.input.height} ${m.input.layout}`,
  };
  rows.push(row);
  try {
    await resolveModelFile(m, { modelsDir, cacheDir });
    const segs = [await createSegmenter({ model: m, modelsDir, cacheDir, threads: 1 })];
    segs.push(await createSegmenter({ model: m, modelsDir, cacheDir, threads: 2 }));
    const [s1, s2] = segs as [Segmenter, Segmenter];
    const mask = s1.createMask();
    // pre-processing: YUYV frame → model tensor
    const pre: Record<string, number> = {};
    sizes.forEach(([w, h], k) => {
      const f = sizedFrames[k]!.frames;
      const t = new Float32Array(m.input.width * m.input.height * 3);
      let i = 0;
      const xs: number[] = [];
      for (let r = 0; r < RUNS + 3; r++) {
        const t0 = performance.now();
        frameToTensor(f[i++ % f.length]!, t, { width: w, height: h, format: 'YUYV', tensor: m.input });
        if (r >= 3) xs.push(performance.now() - t0);
      }
      pre[`${w}x${h}`] = round(median(xs), 3);
    });
    row.preprocessMs = pre;
    const tensor = tensorOf(iouFrames.frames[0]!, iouFrames.width, iouFrames.height, m);
    row.inferenceMs1 = round(await timeIt(() => s1.segment({ tensor }, mask)));
    row.inferenceMs2 = round(await timeIt(() => s2.segment({ tensor }, mask)));
    const f720 = sizedFrames[1]!;
    let j = 0;
    row.endToEnd720Ms2 = round(
      await timeIt(() =>
        s2.segment(
          { data: f720.frames[j++ % f720.frames.length]!, width: 1280, height: 720, format: 'YUYV' },
          mask,
        ),
      ),
    );
    // agreement
    const sameTensors = iouFrames.frames.map((f) => tensorOf(f, iouFrames.width, iouFrames.height, m));
    const ours = await masksOf(s1, sameTensors);
    const framePath: Float32Array[] = [];
    for (const f of iouFrames.frames) {
      const mk = new Float32Array(s1.output.width * s1.output.height);
      await s1.segment({ data: f, width: iouFrames.width, height: iouFrames.height, format: 'YUYV' }, mk);
      framePath.push(mk);
    }
    masksByModel.set(m.id, { masks: framePath, w: m.output.width, h: m.output.height });
    row.foreground = round(stats(framePath.map((x) => foregroundShare(x))).mean, 3);
    const view = (data: Float32Array) => ({ data, width: m.output.width, height: m.output.height });
    if (c.reference !== 'none' && (c.reference === 'tflite-wasm' || armnn)) {
      row.reference = c.reference === 'tflite-wasm' ? 'TFLite WASM (hms, XNNPACK)' : 'ArmNN CpuRef';
      const ref = await referenceMasks(c, sameTensors);
      row.iouSameTensor = stats(ours.map((x, i) => maskIoU(view(x), view(ref.masks[i]!))));
      const indep = await referenceMasks(c, independentTensors(m));
      row.iouEndToEnd = stats(framePath.map((x, i) => maskIoU(view(x), view(indep.masks[i]!))));
      if (ref.ms !== undefined) {
        row.referenceMs = round(ref.ms);
        row.ratioVsReference1 = round((row.inferenceMs1 as number) / ref.ms, 3);
      }
    } else {
      row.reference = c.reference === 'none' ? 'none (ONNX only)' : 'ArmNN missing';
    }
    await s1.dispose();
    await s2.dispose();
  } catch (e) {
    row.error = e instanceof Error ? e.message : String(e);
  }
}

// Agreement of each model with the majority vote of the other models (a proxy for quality, used to
// choose the default model; there are no ground-truth masks).
for (const row of rows) {
  const own = masksByModel.get(row.model as string);
  if (!own) continue;
  const others = [...masksByModel.entries()].filter(([id]) => id !== row.model && !id.startsWith('bodypix'));
  const ious: number[] = [];
  own.masks.forEach((mask, i) => {
    const W = 256;
    const H = 144;
    const vote = new Float32Array(W * H);
    for (const [, o] of others) {
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          const v = o.masks[i]![Math.floor(((y + 0.5) * o.h) / H) * o.w + Math.floor(((x + 0.5) * o.w) / W)]!;
          if (v > 0.5) vote[y * W + x]! += 1 / others.length;
        }
    }
    ious.push(maskIoU({ data: mask, width: own.w, height: own.h }, { data: vote, width: W, height: H }));
  });
  row.consensusIoU = stats(ious);
}

// ---- report --------------------------------------------------------------------------------------
const fmt = (v: unknown): string => {
  if (v === undefined) return '—';
  if (typeof v === 'object' && v !== null && 'mean' in v) {
    const s = v as { mean: number; min: number };
    return `${s.mean.toFixed(3)} (min ${s.min.toFixed(3)})`;
  }
  return String(v);
};
console.log(
  `\nbudget ${BUDGET_MS.toFixed(1)} ms/frame at 30 fps; pre-processing = YUYV frame → model tensor (@deepseg/yuyv frameToTensor)\n`,
);
const header = [
  'model',
  'input',
  'pre 640x480',
  'pre 1280x720',
  'pre 1920x1080',
  'infer 1T',
  'infer 2T',
  'e2e 720p 2T',
  'ref ms',
  'ours/ref',
  'IoU same tensor',
  'IoU end-to-end',
  'consensus IoU',
  'fg',
];
console.log(header.join(' | '));
for (const r of rows) {
  const pre = (r.preprocessMs ?? {}) as Record<string, number>;
  console.log(
    [
      r.model,
      r.input,
      pre['640x480'],
      pre['1280x720'],
      pre['1920x1080'],
      r.inferenceMs1,
      r.inferenceMs2,
      r.endToEnd720Ms2,
      r.referenceMs,
      r.ratioVsReference1,
      fmt(r.iouSameTensor),
      fmt(r.iouEndToEnd),
      fmt(r.consensusIoU),
      r.foreground,
    ]
      .map(fmt)
      .join(' | '),
  );
  if (r.error) console.log(`  ${r.model}: ${r.error}`);
}
const out = join(repoRoot, 'bench-results', 'segment.json');
mkdirSync(join(repoRoot, 'bench-results'), { recursive: true });
writeFileSync(out, `${JSON.stringify({ env, budgetMs: round(BUDGET_MS), models: rows }, null, 2)}\n`);
console.log(`\nwrote ${out}`);
rmSync(modelsDir, { recursive: true, force: true });
