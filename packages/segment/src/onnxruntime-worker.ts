// Worker thread of the onnxruntime-node backend: owns one session and runs it off the main thread
// (an onnxruntime run blocks the thread that calls it for the whole inference).
import { parentPort } from 'node:worker_threads';
import { decodePersonProbability } from './decode.ts';
import type { OutputGeometry } from './manifest.ts';
import { type FromWorker, RUN_STATE, type ToWorker, type WorkerLoad } from './onnxruntime-protocol.ts';
import { ortCapi } from './ort-capi.ts';
import { LoadFailure, loadCapiRunner, loadNodeRunner, type OrtRunner } from './ort-runner.ts';

const port = parentPort;
if (port === null) throw new Error('onnxruntime-worker must run in a worker thread');
const post = (m: FromWorker): void => port.postMessage(m);

let runner: OrtRunner | undefined;
let output: OutputGeometry | undefined;
let state: Int32Array | undefined;
let runMs: Float64Array | undefined;
/** The run in progress (onnxruntime-node's runs yield to the event loop). */
let inflight: Promise<void> | undefined;
const buffers = new Map<number, SharedArrayBuffer>();
/** Output views by buffer id, then byte offset. */
const views = new Map<number, Map<number, Float32Array>>();

async function load(m: WorkerLoad): Promise<FromWorker> {
  try {
    runner = m.binding === 'c-api' ? loadCapiRunner(m) : await loadNodeRunner(m);
  } catch (e) {
    if (e instanceof LoadFailure) return { type: 'error', code: e.code, message: e.message };
    throw e;
  }
  output = m.output;
  state = new Int32Array(m.control, 0, 1);
  runMs = new Float64Array(m.control, 8, 1);
  return {
    type: 'loaded',
    inputName: runner.inputName,
    outputName: runner.outputName,
    outputShape: runner.outputShape,
  };
}

function target(out: number, offset: number, geometry: OutputGeometry): Float32Array {
  let byOffset = views.get(out);
  let dst = byOffset?.get(offset);
  if (dst === undefined) {
    const sab = buffers.get(out);
    if (sab === undefined) throw new Error(`unknown output buffer ${out}`);
    dst = new Float32Array(sab, offset, geometry.width * geometry.height);
    if (byOffset === undefined) {
      byOffset = new Map();
      views.set(out, byOffset);
    }
    byOffset.set(offset, dst);
  }
  return dst;
}

async function run(out: number, offset: number, notify: boolean): Promise<void> {
  try {
    if (runner === undefined || output === undefined) throw new Error('no model loaded');
    const started = performance.now();
    const dst = target(out, offset, output);
    await runner.run();
    decodePersonProbability(runner.output, dst, output);
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
      void load(m).then(post, (e: unknown) =>
        post({
          type: 'error',
          code: 'ERR_BACKEND_FAILED',
          message: e instanceof Error ? e.message : String(e),
        }),
      );
      return;
    case 'register':
      buffers.set(m.id, m.buffer);
      return;
    case 'run':
      inflight = run(m.out, m.offset, m.notify);
      return;
    case 'release':
      // Native memory outlives a terminated thread: the session is freed, after the run in progress,
      // before the main thread ends it.
      void (inflight ?? Promise.resolve()).then(() => {
        runner?.release();
        runner = undefined;
        post({ type: 'released' });
      });
      return;
  }
});

// Loading the library first: a worker that cannot is a machine where onnxruntime does not run.
const version =
  process.platform === 'linux' ? ortCapi().version : (await import('onnxruntime-node')).env.versions.common;
post({ type: 'ready', version: version ?? 'unknown' });
