// The two ways the worker drives onnxruntime: its C API through koffi (the default, CPU) and
// onnxruntime-node's InferenceSession (other execution providers). Both load the model, check it
// against the manifest and leave one run ready that fills `output`.
import { elementCount } from './manifest.ts';
import type { WorkerLoad } from './onnxruntime-protocol.ts';
import { OrtCapiSession } from './ort-capi.ts';

/** A loaded model with its input bound to the shared tensor and its raw output to `output`. */
export interface OrtRunner {
  readonly inputName: string;
  readonly outputName: string;
  readonly outputShape: number[];
  /** Output 0 of the last run (float32, `outputShape`). */
  readonly output: Float32Array;
  run(): void | Promise<void>;
  release(): void;
}

/** Why a model cannot be used: the code and one line for the caller. */
export class LoadFailure extends Error {
  readonly code: 'ERR_MODEL_CORRUPT' | 'ERR_MODEL_SHAPE_MISMATCH';
  constructor(code: LoadFailure['code'], message: string) {
    super(message);
    this.code = code;
  }
}

const text = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function compatible(actual: readonly (number | string)[] | undefined, expected: readonly number[]): boolean {
  if (actual === undefined) return true;
  if (actual.length !== expected.length) return false;
  return actual.every((d, i) => typeof d !== 'number' || d < 0 || d === expected[i]);
}

/** The checks both runners make, in the same words. */
function checkModel(
  m: WorkerLoad,
  inputs: readonly { name: string; dims?: readonly (number | string)[] }[],
  outputs: number,
): void {
  if (inputs.length !== 1 || outputs < 1) {
    throw new LoadFailure(
      'ERR_MODEL_SHAPE_MISMATCH',
      `model has ${inputs.length} inputs and ${outputs} outputs; expected 1 input`,
    );
  }
  const input = inputs[0]!;
  if (!compatible(input.dims, m.inputShape)) {
    throw new LoadFailure(
      'ERR_MODEL_SHAPE_MISMATCH',
      `model input ${input.name} is [${input.dims?.join(',')}] but the manifest says [${m.inputShape.join(',')}]`,
    );
  }
}

function checkOutput(m: WorkerLoad, name: string, got: readonly number[]): void {
  if (got.length !== m.outputShape.length || got.some((d, i) => d !== m.outputShape[i])) {
    throw new LoadFailure(
      'ERR_MODEL_SHAPE_MISMATCH',
      `model output ${name} is [${got.join(',')}] but the manifest says [${m.outputShape.join(',')}]`,
    );
  }
}

/** The shared input tensor the main thread writes before each run. */
function sharedInput(m: WorkerLoad): Float32Array {
  return new Float32Array(m.input, m.inputOffset, elementCount(m.inputShape));
}

/** Loads through the C API: the run reads the shared tensor in place and writes a native buffer. */
export function loadCapiRunner(m: WorkerLoad): OrtRunner {
  let session: OrtCapiSession;
  try {
    session = OrtCapiSession.create(m.path, {
      threads: m.threads,
      logSeverityLevel: m.logSeverityLevel,
      graphOptimizationLevel: m.graphOptimizationLevel,
    });
  } catch (e) {
    throw new LoadFailure('ERR_MODEL_CORRUPT', `onnxruntime cannot load ${m.path}: ${text(e)}`);
  }
  try {
    checkModel(m, session.inputs, session.outputs.length);
    const inputName = session.inputs[0]!.name;
    const outputName = session.outputs[0]!.name;
    if (session.inputs[0]!.type !== 1 || session.outputs[0]!.type !== 1) {
      throw new LoadFailure(
        'ERR_MODEL_SHAPE_MISMATCH',
        `model input ${inputName} and output ${outputName} must be float32 tensors`,
      );
    }
    // One run on zeros checks the real output shape (dynamic models reveal it only here).
    let got: number[];
    try {
      got = session.probe(new Float32Array(elementCount(m.inputShape)), m.inputShape);
    } catch (e) {
      throw new LoadFailure(
        'ERR_MODEL_SHAPE_MISMATCH',
        `model does not run at [${m.inputShape.join(',')}]: ${text(e)}`,
      );
    }
    checkOutput(m, outputName, got);
    const output = session.bind(sharedInput(m), m.inputShape, got);
    return {
      inputName,
      outputName,
      outputShape: got,
      output,
      run: () => session.run(),
      release: () => session.release(),
    };
  } catch (e) {
    session.release();
    throw e;
  }
}

/** Loads through onnxruntime-node (any execution provider its binaries have). */
export async function loadNodeRunner(m: WorkerLoad): Promise<OrtRunner> {
  const ort = await import('onnxruntime-node');
  ort.env.logLevel = 'error';
  let session: import('onnxruntime-node').InferenceSession;
  try {
    session = await ort.InferenceSession.create(m.path, {
      intraOpNumThreads: m.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: m.graphOptimizationLevel,
      executionProviders: m.executionProviders,
      logSeverityLevel: m.logSeverityLevel,
    });
  } catch (e) {
    throw new LoadFailure('ERR_MODEL_CORRUPT', `onnxruntime cannot load ${m.path}: ${text(e)}`);
  }
  const release = (): void => void session.release();
  try {
    const meta = session.inputMetadata[0] as { shape?: unknown } | undefined;
    const shape = Array.isArray(meta?.shape) ? (meta.shape as (number | string)[]) : undefined;
    checkModel(
      m,
      session.inputNames.map((name) => ({ name, ...(shape ? { dims: shape } : {}) })),
      session.outputNames.length,
    );
    const inputName = session.inputNames[0]!;
    const outputName = session.outputNames[0]!;
    let got: readonly number[];
    try {
      const zeros = new ort.Tensor('float32', new Float32Array(elementCount(m.inputShape)), m.inputShape);
      got = (await session.run({ [inputName]: zeros }))[outputName]!.dims;
    } catch (e) {
      throw new LoadFailure(
        'ERR_MODEL_SHAPE_MISMATCH',
        `model does not run at [${m.inputShape.join(',')}]: ${text(e)}`,
      );
    }
    checkOutput(m, outputName, got);
    const output = new Float32Array(elementCount(got));
    // onnxruntime-node takes no SharedArrayBuffer views: each run copies the shared input into the
    // feed tensor's own array. The result lands in the pre-allocated fetch (onnxruntime-node still
    // returns a copy of it in a new buffer, which is dropped).
    const shared = sharedInput(m);
    const feedData = new Float32Array(shared.length);
    const feeds = { [inputName]: new ort.Tensor('float32', feedData, m.inputShape) };
    const fetches = { [outputName]: new ort.Tensor('float32', output, [...got]) };
    return {
      inputName,
      outputName,
      outputShape: [...got],
      output,
      run: async () => {
        feedData.set(shared);
        await session.run(feeds, fetches);
      },
      release,
    };
  } catch (e) {
    release();
    throw e;
  }
}
