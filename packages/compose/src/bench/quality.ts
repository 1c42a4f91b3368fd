// The quality report: flicker and responsiveness of our refinement against the raw model mask and
// the anchors' chains, on the real clip with masks from the real model, plus a contact sheet.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@deepseg/fixtures/shared';
import sharp from 'sharp';
import { createCompositor } from '../compositor.ts';
import type { BackgroundSpec, RefineOptions } from '../options.ts';
import { type AnchorChain, backscrub, lfbw, obs, raw } from './anchors.ts';
import { clipFrames, clipMasks, MODEL_SIZE, panFrames } from './clip.ts';
import { writeContactSheet } from './contact-sheet.ts';
import { centroidX, FlickerMeter, lagFrames, smoothLuma } from './metrics.ts';

export const QUALITY_WIDTH = 960;
export const QUALITY_HEIGHT = 540;
const FRAMES = 150;
const PAN_AMPLITUDE = 48;
const PAN_PERIOD = 40;
const SLOW_AMPLITUDE = 12;
const SLOW_PERIOD = 60;
const SHEET_FRAME = 75;

/** Results of one method on both sequences. */
export interface MethodQuality {
  method: string;
  flicker: number;
  flickerVsRaw: number;
  popsPerMillion: number;
  panFlicker: number;
  lagFrames: number;
  lagResidualPx: number;
  slowLagFrames: number;
  slowLagResidualPx: number;
}

export interface QualityReport {
  clip: string;
  model: string;
  frames: number;
  stillThreshold: string;
  stillShare: number;
  pan: string;
  methods: MethodQuality[];
  contactSheet: string;
}

async function deepsegChain(name: string, refine: RefineOptions | undefined): Promise<AnchorChain> {
  const c = await createCompositor({ width: QUALITY_WIDTH, height: QUALITY_HEIGHT, refine });
  const frameRef: { frame: Uint8Array | undefined } = { frame: undefined };
  return Object.assign(
    {
      name,
      step(mask: Float32Array, alpha: Float32Array) {
        c.refineMask(frameRef.frame!, mask, { width: MODEL_SIZE, height: MODEL_SIZE }, alpha);
      },
    },
    { frameRef },
  );
}

type Chain = AnchorChain & { frameRef?: { frame: Uint8Array | undefined } };

async function chains(): Promise<Chain[]> {
  const g = { gw: MODEL_SIZE, gh: MODEL_SIZE, width: QUALITY_WIDTH, height: QUALITY_HEIGHT };
  return [
    raw(g),
    await deepsegChain('deepseg (default)', undefined),
    await deepsegChain('deepseg, temporal off', { temporal: false }),
    await deepsegChain('deepseg, guided off', { guided: false }),
    backscrub(g),
    lfbw(g),
    obs(g),
  ];
}

interface SequenceResult {
  flicker: ReturnType<FlickerMeter['result']>[];
  centroids: number[][];
  sheetAlphas: Float32Array[];
}

async function runSequence(
  frames: Uint8Array[],
  masks: Float32Array[],
  sheetFrame: number,
): Promise<SequenceResult> {
  const list = await chains();
  const meters = list.map(() => new FlickerMeter());
  const centroids = list.map(() => [] as number[]);
  const alphas = list.map(() => new Float32Array(QUALITY_WIDTH * QUALITY_HEIGHT));
  const sheetAlphas: Float32Array[] = [];
  for (let t = 0; t < frames.length; t++) {
    const luma = smoothLuma(frames[t]!, QUALITY_WIDTH, QUALITY_HEIGHT);
    list.forEach((c, k) => {
      if (c.frameRef) c.frameRef.frame = frames[t]!;
      c.step(masks[t]!, alphas[k]!);
      meters[k]!.add(luma, alphas[k]!);
      centroids[k]!.push(centroidX(alphas[k]!, QUALITY_WIDTH));
    });
    if (t === sheetFrame) for (const a of alphas) sheetAlphas.push(a.slice());
  }
  return { flicker: meters.map((m) => m.result()), centroids, sheetAlphas };
}

/** A synthetic landscape-ish background image (PNG bytes) for the image composite. */
async function backgroundImage(): Promise<Uint8Array> {
  const w = 640;
  const h = 360;
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const sky = y < h * 0.6;
      rgb[i] = sky ? 90 + (y * 80) / h : 40 + ((x * 7) % 30);
      rgb[i + 1] = sky ? 150 + (y * 60) / h : 120 + ((x * 5 + y * 3) % 40);
      rgb[i + 2] = sky ? 230 : 50;
    }
  }
  return sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toBuffer();
}

async function composites(frames: Uint8Array[], masks: Float32Array[], upTo: number): Promise<Uint8Array[]> {
  const specs: BackgroundSpec[] = [
    { type: 'blur', radius: 16 },
    { type: 'image', source: await backgroundImage(), fit: 'cover' },
    { type: 'color', color: '#00ff00' },
  ];
  const out: Uint8Array[] = [];
  for (const background of specs) {
    const c = await createCompositor({ width: QUALITY_WIDTH, height: QUALITY_HEIGHT, background });
    const dst = new Uint8Array(QUALITY_WIDTH * QUALITY_HEIGHT * 2);
    for (let t = 0; t <= upTo; t++)
      c.process(frames[t]!, masks[t]!, { width: MODEL_SIZE, height: MODEL_SIZE }, dst);
    out.push(dst);
    await c.close();
  }
  return out;
}

/** Runs the whole quality report; returns undefined when the shared clip or ffmpeg is missing. */
export async function runQuality(): Promise<QualityReport | undefined> {
  const frames = clipFrames(QUALITY_WIDTH, QUALITY_HEIGHT, FRAMES);
  if (frames === undefined) return undefined;
  const masks = await clipMasks('clip', frames, QUALITY_WIDTH, QUALITY_HEIGHT);
  const natural = await runSequence(frames, masks, SHEET_FRAME);
  const panned = panFrames(frames, QUALITY_WIDTH, QUALITY_HEIGHT, PAN_AMPLITUDE, PAN_PERIOD);
  const panMasks = await clipMasks(
    `pan${PAN_AMPLITUDE}-${PAN_PERIOD}`,
    panned,
    QUALITY_WIDTH,
    QUALITY_HEIGHT,
  );
  const pan = await runSequence(panned, panMasks, -1);
  const slowPanned = panFrames(frames, QUALITY_WIDTH, QUALITY_HEIGHT, SLOW_AMPLITUDE, SLOW_PERIOD);
  const slowMasks = await clipMasks(
    `pan${SLOW_AMPLITUDE}-${SLOW_PERIOD}`,
    slowPanned,
    QUALITY_WIDTH,
    QUALITY_HEIGHT,
  );
  const slow = await runSequence(slowPanned, slowMasks, -1);
  const names = (await chains()).map((c) => c.name);
  const rawFlicker = natural.flicker[0]!.meanAbsChange;
  const methods = names.map((method, k) => {
    const lag = lagFrames(pan.centroids[0]!, pan.centroids[k]!);
    const slowLag = lagFrames(slow.centroids[0]!, slow.centroids[k]!);
    return {
      method,
      flicker: natural.flicker[k]!.meanAbsChange,
      flickerVsRaw: natural.flicker[k]!.meanAbsChange / rawFlicker,
      popsPerMillion: natural.flicker[k]!.popsPerMillion,
      panFlicker: pan.flicker[k]!.meanAbsChange,
      lagFrames: lag.lag,
      lagResidualPx: lag.residualPx,
      slowLagFrames: slowLag.lag,
      slowLagResidualPx: slowLag.residualPx,
    };
  });
  const dir = join(repoRoot, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const sheet = join(dir, 'compose-contact-sheet.png');
  const [blur, image, color] = await composites(frames, masks, SHEET_FRAME);
  const a = natural.sheetAlphas;
  const tiles = [
    { label: `frame ${SHEET_FRAME}`, yuyv: frames[SHEET_FRAME]! },
    { label: 'raw model mask (bilinear)', alpha: a[0]! },
    { label: 'deepseg refined mask', alpha: a[1]! },
    { label: 'backscrub chain', alpha: a[4]! },
    { label: 'LFBW chain', alpha: a[5]! },
    { label: 'obs-backgroundremoval chain', alpha: a[6]! },
    { label: 'composite: blur 16', yuyv: blur! },
    { label: 'composite: image (cover)', yuyv: image! },
    { label: 'composite: colour #00ff00', yuyv: color! },
  ];
  await writeContactSheet(sheet, tiles, {
    width: QUALITY_WIDTH,
    height: QUALITY_HEIGHT,
    columns: 3,
    tileWidth: 480,
  });
  const zoom = join(dir, 'compose-contact-sheet-zoom.png');
  await writeContactSheet(zoom, tiles, {
    width: QUALITY_WIDTH,
    height: QUALITY_HEIGHT,
    columns: 3,
    tileWidth: 480,
    crop: { x: 300, y: 20, width: 360, height: 240 },
  });
  return {
    clip: 'media/doctor_desk_5s_960x540.mp4 (960×540, first 150 frames)',
    model: 'MediaPipe selfie_segmentation.tflite (general, 256×256) in the TFLite WASM reference runtime',
    frames: FRAMES,
    stillThreshold: '5×5 box-averaged luma changes by < 1.5 codes between consecutive frames',
    stillShare: natural.flicker[0]!.stillShare,
    pan: `the same frames shifted horizontally by ${PAN_AMPLITUDE}·sin(2πt/${PAN_PERIOD}) px (fast, ≤ 7.5 px/frame) and ${SLOW_AMPLITUDE}·sin(2πt/${SLOW_PERIOD}) px (slow, ≤ 1.3 px/frame); the model re-run on every shifted frame`,
    methods,
    contactSheet: `${sheet} (zoom: ${zoom})`,
  };
}
