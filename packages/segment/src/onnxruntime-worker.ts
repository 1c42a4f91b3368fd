// Worker thread of the onnxruntime-node backend: owns one InferenceSession and runs it off the main
// thread. onnxruntime-node's session.run() blocks the thread that calls it for the whole inference.
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { decodePersonProbability } from './decode.ts';
import type { OutputGeometry } from './manifest.ts';
import { type FromWorker, RUN_STATE, type ToWorker, type WorkerLoad } from './onnxruntime-protocol.ts';

const port = parentPort;
if (port === null) throw new Error('onnxruntime-worker must run in a worker thread');
const post = (m: FromWorker): void => port.postMessage(m);

ort.env.logLevel = 'error';

let session: ort.InferenceSession | undefined;
let inputName = '';
let outputName = '';
let inputShape: number[] = [];
let output: OutputGeometry | undefined;
let rawOutput: ort.Tensor | undefined;
// Made once per model, so that a run allocates nothing: onnxruntime-node takes no SharedArrayBuffer
// views, so each run copies the shared input into the feed tensor's own array.
let shared: Float32Array | undefined;
let feedData: Float32Array | undefined;
let feeds: Record<string, ort.Tensor> = {};
let fetches: Record<string, ort.Tensor> = {};
let state: Int32Array | undefined;
let runMs: Float64Array | undefined;
const buffers = new Map<number, SharedArrayBuffer>();
/** Output views by buffer id, then byte offset. */
const views = new Map<number, Map<number, Float32Array>>();

function dims(meta: unknown): (number | string)[] | undefined {
  const shape = (meta as { shape?: unknown }).shape;
  return Array.isArray(shape) ? (shape as (number | string)[]) : undefined;
}

function compatible(actual: (number | string)[] | undefined, expected: number[]): boolean {
  if (actual === undefined) return true;
  if (actual.length !== expected.length) return false;
  return actual.every((d, i) => typeof d !== 'number' || d < 0 || d === expected[i]);
}

async function load(m: WorkerLoad): Promise<FromWorker> {
  let created: ort.InferenceSession;
  try {
    created = await ort.InferenceSession.create(m.path, {
      intraOpNumThreads: m.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: m.graphOptimizationLevel,
      executionProviders: m.executionProviders,
      logSeverityLevel: m.logSeverityLevel,
    });
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    return {
      type: 'error',
      code: 'ERR_MODEL_CORRUPT',
      message: `onnxruntime cannot load ${m.path}: ${text}`,
    };
  }
  session = created;
  if (session.inputNames.length !== 1 || session.outputNames.length < 1) {
    return {
      type: 'error',
      code: 'ERR_MODEL_SHAPE_MISMATCH',
      message: `model has ${session.inputNames.length} inputs and ${session.outputNames.length} outputs; expected 1 input`,
    };
  }
  inputName = session.inputNames[0]!;
  outputName = session.outputNames[0]!;
  const inMeta = dims(session.inputMetadata[0]);
  if (!compatible(inMeta, m.inputShape)) {
    return {
      type: 'error',
      code: 'ERR_MODEL_SHAPE_MISMATCH',
      message: `model input ${inputName} is [${inMeta?.join(',')}] but the manifest says [${m.inputShape.join(',')}]`,
    };
  }
  inputShape = m.inputShape;
  output = m.output;
  // One warm-up run on zeros checks the real output shape (dynamic models reveal it only here).
  const zeros = new ort.Tensor(
    'float32',
    new Float32Array(m.inputShape.reduce((a, b) => a * b, 1)),
    inputShape,
  );
  let got: readonly number[];
  try {
    const r = await session.run({ [inputName]: zeros });
    got = r[outputName]!.dims;
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    return {
      type: 'error',
      code: 'ERR_MODEL_SHAPE_MISMATCH',
      message: `model does not run at [${m.inputShape.join(',')}]: ${text}`,
    };
  }
  if (got.length !== m.outputShape.length || got.some((d, i) => d !== m.outputShape[i])) {
    return {
      type: 'error',
      code: 'ERR_MODEL_SHAPE_MISMATCH',
      message: `model output ${outputName} is [${got.join(',')}] but the manifest says [${m.outputShape.join(',')}]`,
    };
  }
  rawOutput = new ort.Tensor('float32', new Float32Array(got.reduce((a, b) => a * b, 1)), [...got]);
  shared = new Float32Array(
    m.input,
    m.inputOffset,
    m.inputShape.reduce((a, b) => a * b, 1),
  );
  feedData = new Float32Array(shared.length);
  feeds = { [inputName]: new ort.Tensor('float32', feedData, inputShape) };
  fetches = { [outputName]: rawOutput };
  state = new Int32Array(m.control, 0, 1);
  runMs = new Float64Array(m.control, 8, 1);
  return { type: 'loaded', inputName, outputName, outputShape: [...got] };
}

async function run(out: number, offset: number, notify: boolean): Promise<void> {
  try {
    if (session === undefined || output === undefined || rawOutput === undefined || feedData === undefined)
      throw new Error('no model loaded');
    const started = performance.now();
    let byOffset = views.get(out);
    let dst = byOffset?.get(offset);
    if (dst === undefined) {
      const sab = buffers.get(out);
      if (sab === undefined) throw new Error(`unknown output buffer ${out}`);
      dst = new Float32Array(sab, offset, output.width * output.height);
      if (byOffset === undefined) {
        byOffset = new Map();
        views.set(out, byOffset);
      }
      byOffset.set(offset, dst);
    }
    feedData.set(shared as Float32Array);
    // The result lands in the pre-allocated output tensor (onnxruntime-node still returns a copy of
    // it in a new buffer, which is dropped).
    await session.run(feeds, fetches);
    decodePersonProbability(rawOutput.data as Float32Array, dst, output);
    (runMs as Float64Array)[0] = performance.now() - started;
    Atomics.store(state as Int32Array, 0, RUN_STATE.done);
    if (notify) post({ type: 'done' });
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    // The message first: a caller polling the state waits for it before reporting the failure.
    post({ type: 'error', code: 'ERR_BACKEND_FAILED', message: text });
    if (state !== undefined) Atomics.store(state, 0, RUN_STATE.failed);
  }
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'load':
      void load(m).then((reply) => post(reply));
      return;
    case 'register':
      buffers.set(m.id, m.buffer);
      return;
    case 'run':
      void run(m.out, m.offset, m.notify);
      return;
  }
});

post({ type: 'ready', version: ort.env.versions.node ?? 'unknown' });
