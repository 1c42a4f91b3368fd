// Bench/quality helpers: real frames of the shared clip and person masks from the real MediaPipe
// selfie model (TFLite reference runtime), cached under fixtures/generated.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeVideoFrames, generatedDir } from '@deepseg/fixtures/shared';
import {
  loadTfliteReference,
  mediapipeSelfieModelPath,
  type TfliteReference,
} from '@deepseg/fixtures/tflite-reference';
import { frameToTensor } from '@deepseg/yuyv';

export const CLIP = 'media/doctor_desk_5s_960x540.mp4';
export const MODEL_SIZE = 256;

/** The MediaPipe selfie variants: `landscape` (256×144) is the registry's default model, `general` is 256×256. */
export type SelfieVariant = 'general' | 'landscape';

/** Mask (= model input) size of each variant. */
export const MASK_GEOMETRY: Record<SelfieVariant, { width: number; height: number }> = {
  general: { width: MODEL_SIZE, height: MODEL_SIZE },
  landscape: { width: 256, height: 144 },
};

/** YUYV frames of the clip at `width`×`height`. */
export function clipFrames(width: number, height: number, count: number): Buffer[] | undefined {
  return decodeVideoFrames(CLIP, { width, height, pixFmt: 'yuyv422', count })?.frames;
}

// The reference runtime holds one model at a time.
let model: { variant: SelfieVariant; runtime: TfliteReference } | undefined;

/** Runs a MediaPipe selfie model on one YUYV frame (stretched to its input); returns a fresh mask. */
export async function modelMask(
  frame: Uint8Array,
  width: number,
  height: number,
  variant: SelfieVariant = 'general',
): Promise<Float32Array> {
  if (model?.variant !== variant) {
    model?.runtime.dispose();
    const runtime = await loadTfliteReference(readFileSync(mediapipeSelfieModelPath(variant)));
    model = { variant, runtime };
  }
  const size = MASK_GEOMETRY[variant];
  const input = new Float32Array(size.width * size.height * 3);
  frameToTensor(frame, input, { width, height, format: 'YUYV', tensor: size });
  return model.runtime.run(input).slice();
}

/** Masks for `frames` (cached on disk under `key`). */
export async function clipMasks(
  key: string,
  frames: Uint8Array[],
  width: number,
  height: number,
  variant: SelfieVariant = 'general',
): Promise<Float32Array[]> {
  const size = MASK_GEOMETRY[variant];
  const n = size.width * size.height;
  const tag = variant === 'general' ? '' : `-${variant}`;
  const file = join(generatedDir, `compose-masks-${key}${tag}-${width}x${height}-n${frames.length}.f32`);
  if (existsSync(file)) {
    const all = new Float32Array(new Uint8Array(readFileSync(file)).buffer);
    if (all.length === n * frames.length) {
      return frames.map((_, i) => all.slice(i * n, (i + 1) * n));
    }
  }
  const masks: Float32Array[] = [];
  for (const f of frames) masks.push(await modelMask(f, width, height, variant));
  const all = new Float32Array(n * frames.length);
  for (const [i, m] of masks.entries()) all.set(m, i * n);
  mkdirSync(generatedDir, { recursive: true });
  writeFileSync(`${file}.tmp`, new Uint8Array(all.buffer));
  renameSync(`${file}.tmp`, file);
  return masks;
}

/**
 * A synthetic pan of real frames: frame t shifted horizontally by round(amp·sin(2πt/period)) pixels
 * (edges clamped), so the person moves with a known motion while the content stays real.
 */
export function panFrames(
  frames: Uint8Array[],
  width: number,
  height: number,
  amp: number,
  period: number,
): Uint8Array[] {
  return frames.map((f, t) => {
    const shift = Math.round((amp * Math.sin((2 * Math.PI * t) / period)) / 2) * 2;
    const out = new Uint8Array(f.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x += 2) {
        const sx = Math.min(width - 2, Math.max(0, x - shift));
        const s = (y * width + sx) * 2;
        const d = (y * width + x) * 2;
        out[d] = f[s]!;
        out[d + 1] = f[s + 1]!;
        out[d + 2] = f[s + 2]!;
        out[d + 3] = f[s + 3]!;
      }
    }
    return out;
  });
}
