// Worker thread of the onnxruntime-node backend: owns one session and runs it off the main thread
// (an onnxruntime run blocks the thread that calls it for the whole inference).
import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import { decodePersonProbability } from './decode.ts';
import type { OutputGeometry } from './manifest.ts';
import {
  CONTROL,
  CONTROL_RUN_MS,
  CONTROL_WORDS,
  type FromWorker,
  RUN_STATE,
  type ToWorker,
  type WorkerLoad,
} from './onnxruntime-protocol.ts';
import { ortCapi } from './ort-capi.ts';
import { LoadFailure, loadCapiRunner, loadNodeRunner, type OrtRunner } from './ort-runner.ts';

/** Atomics.waitAsync (Node ≥ 16; not in this TypeScript lib). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      a: Int32Array,
      i: number,
      v: number,
    ): { async: false } | { async: true; value: Promise<string> };
  }
).waitAsync;

const port = parentPort;
if (port === null) throw new Error('onnxruntime-worker must run in a worker thread');
const post = (m: FromWorker): void => port.postMessage(m);

let runner: OrtRunner | undefined;
let output: OutputGeometry | undefined;
let control: Int32Array | undefined;
let runMs: Float64Array | undefined;
/** A model is loading, or runs are being served (see {@link serve}): a release then waits for the loop. */
let busy = false;
let releasing = false;
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
  control = new Int32Array(m.control, 0, CONTROL_WORDS);
  runMs = new Float64Array(m.control, CONTROL_RUN_MS, 1);
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

/** The run requested in the control words. */
async function run(c: Int32Array): Promise<void> {
  try {
    if (runner === undefined || output === undefined) throw new Error('no model loaded');
    const started = performance.now();
    const dst = target(c[CONTROL.out] as number, c[CONTROL.offset] as number, output);
    const pending = runner.run();
    if (pending) await pending;
    decodePersonProbability(runner.output, dst, output);
    (runMs as Float64Array)[0] = performance.now() - started;
    Atomics.store(c, CONTROL.state, RUN_STATE.done);
    if (c[CONTROL.notify] === 1) post({ type: 'done' });
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    // The message first: a caller polling the state waits for it before reporting the failure.
    post({ type: 'error', code: 'ERR_BACKEND_FAILED', message: text });
    Atomics.store(c, CONTROL.state, RUN_STATE.failed);
  }
}

function release(): void {
  // Native memory outlives a terminated thread: the session is freed before the main thread ends it.
  runner?.release();
  runner = undefined;
  post({ type: 'released' });
}

/** Messages besides `load`: buffers to register, the request to release. */
function onMessage(m: ToWorker): void {
  if (m.type === 'register') buffers.set(m.id, m.buffer);
  else if (m.type === 'release') {
    // While loading or serving, the loop releases (after the run in progress); before, nothing runs.
    if (busy) releasing = true;
    else release();
  }
}

/** Takes queued messages now: a run may need a buffer registered just before it was requested. */
function drain(): void {
  for (let r = receiveMessageOnPort(port as never); r !== undefined; r = receiveMessageOnPort(port as never))
    onMessage(r.message as ToWorker);
}

/**
 * Serves runs until released. The C API's runs are synchronous, so the thread sleeps on the request
 * word itself (a futex) and reads messages only when woken; onnxruntime-node's runs yield to the event
 * loop, so that path waits asynchronously. `seen` is the request count read before `loaded` was posted:
 * the main thread may request the first run before this starts.
 */
async function serve(c: Int32Array, blocking: boolean, seen: number): Promise<void> {
  for (;;) {
    // The main thread posts a message before it changes the request word, so a drain after a change
    // sees it; a release changes the word too, so its wake-up cannot be missed.
    drain();
    if (releasing) {
      busy = false;
      return release();
    }
    const seq = Atomics.load(c, CONTROL.seq);
    if (seq !== seen) {
      seen = seq;
      await run(c);
      continue;
    }
    if (blocking) Atomics.wait(c, CONTROL.seq, seen);
    else {
      const w = waitAsync(c, CONTROL.seq, seen);
      if (w.async) await w.value;
    }
  }
}

port.on('message', (m: ToWorker) => {
  if (m.type !== 'load') return onMessage(m);
  busy = true;
  void load(m)
    .catch(
      (e: unknown): FromWorker => ({
        type: 'error',
        code: 'ERR_BACKEND_FAILED',
        message: e instanceof Error ? e.message : String(e),
      }),
    )
    .then((reply) => {
      const seen = control ? Atomics.load(control, CONTROL.seq) : 0;
      post(reply);
      if (reply.type === 'loaded' && control) return void serve(control, m.binding === 'c-api', seen);
      busy = false;
      if (releasing) release();
    });
});

// Loading the library first: a worker that cannot is a machine where onnxruntime does not run.
const version =
  process.platform === 'linux' ? ortCapi().version : (await import('onnxruntime-node')).env.versions.common;
post({ type: 'ready', version: version ?? 'unknown' });
