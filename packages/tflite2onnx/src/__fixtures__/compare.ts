// Test helper: run a TFLite model in a real TFLite runtime and its conversion in onnxruntime-node on
// the same input, and return the largest absolute difference.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTfliteReference, runArmnnReference } from '@deepseg/fixtures/tflite-reference';
import * as ort from 'onnxruntime-node';
import { convert } from '../convert.ts';
import { randomFloats } from './tflite-builder.ts';

export const sessionOptions: ort.InferenceSession.SessionOptions = {
  graphOptimizationLevel: 'all',
  logSeverityLevel: 3,
  intraOpNumThreads: 1,
};

/** Runs converted ONNX bytes on one NHWC input; returns the first output. */
export async function runOnnx(
  onnx: Uint8Array,
  input: Float32Array,
  options = sessionOptions,
): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(onnx, options);
  try {
    const [inputName] = session.inputNames;
    const [outputName] = session.outputNames;
    const meta = session.inputMetadata[0] as { shape?: readonly (number | string)[] };
    const shape = (meta.shape ?? []).map(Number);
    const out = await session.run({ [inputName as string]: new ort.Tensor('float32', input, shape) });
    return (out[outputName as string] as ort.Tensor).data as Float32Array;
  } finally {
    await session.release();
  }
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    if (!(d <= max)) max = d; // NaN propagates as a failure
  }
  return max;
}

export type Reference = 'wasm' | 'armnn';

/** Converts `tflite` and compares it with the reference runtime on a seeded random input. */
export async function diffAgainstTflite(
  tflite: Uint8Array,
  inputShape: number[],
  { reference = 'wasm' as Reference, seed = 7, lo = -1, hi = 1 } = {},
): Promise<{ diff: number; ours: Float32Array; theirs: Float32Array }> {
  const input = randomFloats(
    inputShape.reduce((x, y) => x * y, 1),
    seed,
    lo,
    hi,
  );
  const { onnx } = convert(tflite, { modelName: 'tiny.tflite' });
  const ours = await runOnnx(onnx, input);
  let theirs: Float32Array;
  if (reference === 'wasm') {
    const ref = await loadTfliteReference(tflite);
    theirs = ref.run(input);
    ref.dispose();
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'deepseg-tiny-'));
    try {
      const path = join(dir, 'tiny.tflite');
      writeFileSync(path, tflite);
      theirs = (runArmnnReference(path, [input])[0]?.[0]?.data ?? new Float32Array()) as Float32Array;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { diff: maxAbsDiff(ours, theirs), ours, theirs };
}
