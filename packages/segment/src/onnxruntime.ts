import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import { allocFloat32, DeepsegError, freeFrame } from '@deepseg/yuyv';
import { type Backend, type BackendSession, checkRunBuffers, type LoadRequest } from './backend.ts';
import { segmentError } from './errors.ts';
import {
  elementCount,
  inputShape as manifestInputShape,
  outputShape as manifestOutputShape,
} from './manifest.ts';
import {
  CONTROL,
  CONTROL_BYTES,
  CONTROL_RUN_MS,
  CONTROL_WORDS,
  type FromWorker,
  RUN_STATE,
  type ToWorker,
} from './onnxruntime-protocol.ts';
import { spawnWorker } from './worker-spawn.ts';

/** Name of the onnxruntime-node backend (its key in `backendOptions`). */
export const ONNXRUNTIME_BACKEND = 'onnxruntime-node';

/** ORT log severities: 0 verbose, 1 info, 2 warning, 3 error, 4 fatal. */
export type OrtLogSeverity = 0 | 1 | 2 | 3 | 4;

/** Options of the onnxruntime-node backend (`backendOptions['onnxruntime-node']`). */
export interface OnnxruntimeOptions {
  /**
   * Execution providers in order of preference. Default `['cpu']`. `['cuda', 'cpu']` needs ORT's
   * GPU binaries (install onnxruntime-node with its install script enabled and CUDA 12 present).
   */
  executionProviders?: string[];
  /**
   * ORT log severity. Default 3 (errors only): silences the warnings ORT prints for every unused
   * initializer of converted models. 2 shows warnings, 0 everything.
   */
  logSeverityLevel?: OrtLogSeverity;
  /** Graph optimisation level. Default `'all'`. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * How the worker calls onnxruntime. `'c-api'` (the default with the CPU provider on Linux): its C API
   * through koffi, reading the input tensor in place and writing the output into a buffer made once.
   * `'node'` (the default otherwise): onnxruntime-node's JavaScript API, which copies the input and
   * allocates the output on every run but reaches every execution provider.
   */
  binding?: 'c-api' | 'node';
}

const PROVIDERS = ['cpu', 'cuda', 'tensorrt', 'dml', 'coreml', 'webgpu', 'xnnpack', 'qnn'];

function validate(options: OnnxruntimeOptions = {}): Required<OnnxruntimeOptions> {
  const eps = options.executionProviders ?? ['cpu'];
  if (!Array.isArray(eps) || eps.length === 0 || eps.some((e) => !PROVIDERS.includes(e))) {
    throw segmentError(
      'ERR_INVALID_OPTION',
      `Expected a list of ${PROVIDERS.join(', ')} for backendOptions['onnxruntime-node'].executionProviders but received ${JSON.stringify(eps)}`,
      { option: "backendOptions['onnxruntime-node'].executionProviders" },
    );
  }
  const log = options.logSeverityLevel ?? 3;
  if (![0, 1, 2, 3, 4].includes(log)) {
    throw segmentError(
      'ERR_INVALID_OPTION',
      `Expected one of 0, 1, 2, 3, 4 for backendOptions['onnxruntime-node'].logSeverityLevel but received ${JSON.stringify(log)}`,
      { option: "backendOptions['onnxruntime-node'].logSeverityLevel" },
    );
  }
  const level = options.graphOptimizationLevel ?? 'all';
  if (!['disabled', 'basic', 'extended', 'all'].includes(level)) {
    throw segmentError(
      'ERR_INVALID_OPTION',
      `Expected one of disabled, basic, extended, all for backendOptions['onnxruntime-node'].graphOptimizationLevel but received ${JSON.stringify(level)}`,
      { option: "backendOptions['onnxruntime-node'].graphOptimizationLevel" },
    );
  }
  const cpuOnly = eps.length === 1 && eps[0] === 'cpu';
  const linux = process.platform === 'linux';
  const binding = options.binding ?? (cpuOnly && linux ? 'c-api' : 'node');
  if (binding !== 'c-api' && binding !== 'node') {
    throw segmentError(
      'ERR_INVALID_OPTION',
      `Expected 'c-api' or 'node' for backendOptions['onnxruntime-node'].binding but received ${JSON.stringify(binding)}`,
      { option: "backendOptions['onnxruntime-node'].binding" },
    );
  }
  if (binding === 'c-api' && !(cpuOnly && linux)) {
    throw segmentError(
      'ERR_INVALID_OPTION',
      `backendOptions['onnxruntime-node'].binding 'c-api' runs the cpu provider on Linux only; use binding 'node' for ${JSON.stringify(eps)} on ${process.platform}`,
      { option: "backendOptions['onnxruntime-node'].binding" },
    );
  }
  return { executionProviders: eps, logSeverityLevel: log, graphOptimizationLevel: level, binding };
}

/** The onnxruntime-node version the backend loads. */
export function onnxruntimeVersion(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return (require('onnxruntime-node/package.json') as { version: string }).version;
  } catch {
    return undefined;
  }
}

function workerUrl(): URL {
  return new URL(
    import.meta.url.endsWith('.ts') ? './onnxruntime-worker.ts' : './onnxruntime-worker.js',
    import.meta.url,
  );
}

/** How long disposing waits for the worker to free its session (it may be inside a long run). */
const RELEASE_WAIT_MS = 5000;

/** A worker thread with one pending request at a time. */
class WorkerChannel {
  readonly worker: Worker;
  #pending: { resolve: (m: FromWorker) => void; reject: (e: Error) => void } | undefined;
  #dead: Error | undefined;
  /** A failure the worker reported while no request was pending (a polled run). */
  #unclaimed: FromWorker | undefined;
  /** Resolves the wait in {@link terminate} for the worker to free its session. */
  #released: (() => void) | undefined;
  /** The loaded session's control words (the worker sleeps on their request word). */
  control: Int32Array | undefined;
  readonly ready: Promise<string>;

  constructor() {
    this.worker = spawnWorker(workerUrl(), undefined);
    let readyResolve!: (v: string) => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise((res, rej) => {
      readyResolve = res;
      readyReject = rej;
    });
    this.ready.catch(() => {});
    // The worker keeps the process alive only while the main thread waits for it.
    void this.ready.then(
      () => this.#pending === undefined && this.worker.unref(),
      () => {},
    );
    const die = (e: Error): void => {
      this.#released?.();
      this.#dead ??= e;
      readyReject(e);
      const p = this.#pending;
      this.#pending = undefined;
      p?.reject(e);
    };
    this.worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        readyResolve(m.version);
        return;
      }
      if (m.type === 'released') {
        this.#released?.();
        return;
      }
      const p = this.#pending;
      this.#pending = undefined;
      if (p) p.resolve(m);
      else if (m.type === 'error') this.#unclaimed = m;
    });
    this.worker.on('error', (e) =>
      die(
        segmentError('ERR_BACKEND_FAILED', `onnxruntime worker failed: ${e.message}`, {
          backend: ONNXRUNTIME_BACKEND,
          cause: e,
        }),
      ),
    );
    this.worker.on('exit', (code) =>
      die(
        segmentError('ERR_DISPOSED', `onnxruntime worker exited (code ${code})`, {
          backend: ONNXRUNTIME_BACKEND,
        }),
      ),
    );
  }

  get busy(): boolean {
    return this.#pending !== undefined;
  }

  /** The error that ended the worker, if it has ended. */
  get dead(): Error | undefined {
    return this.#dead;
  }

  /** Takes the failure of a polled run, if the worker has reported one. */
  takeUnclaimed(): FromWorker | undefined {
    const m = this.#unclaimed;
    this.#unclaimed = undefined;
    return m;
  }

  post(message: ToWorker): void {
    if (this.#dead) throw this.#dead;
    this.worker.postMessage(message);
  }

  /** Posts `message` (or calls `send`, which asks in shared memory) and waits for the worker's reply. */
  request(message: ToWorker | (() => void)): Promise<FromWorker> {
    if (this.#dead) return Promise.reject(this.#dead);
    this.worker.ref();
    return new Promise<FromWorker>((resolve, reject) => {
      this.#pending = { resolve, reject };
      if (typeof message === 'function') message();
      else this.worker.postMessage(message);
    }).finally(() => this.worker.unref());
  }

  /** Wakes the worker for a new request: a run, or a message posted just before. */
  wake(): void {
    const c = this.control;
    if (c === undefined) return;
    Atomics.add(c, CONTROL.seq, 1);
    Atomics.notify(c, CONTROL.seq);
  }

  async terminate(): Promise<void> {
    const alive = this.#dead === undefined;
    this.#dead ??= segmentError('ERR_DISPOSED', 'The onnxruntime session was disposed', {
      backend: ONNXRUNTIME_BACKEND,
    });
    if (alive) {
      // A terminated thread's native memory stays allocated: the worker frees its session first.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, RELEASE_WAIT_MS);
        this.#released = () => {
          clearTimeout(timer);
          this.#released = undefined;
          resolve();
        };
        this.worker.postMessage({ type: 'release' } satisfies ToWorker);
        this.wake();
      });
    }
    await this.worker.terminate();
  }
}

function workerError(m: FromWorker, model: string, path: string): DeepsegError {
  const code = m.type === 'error' ? m.code : 'ERR_BACKEND_FAILED';
  const text = m.type === 'error' ? m.message : `unexpected reply ${m.type}`;
  return new DeepsegError(code, `${model}: ${text.replace(/\s*\n\s*/g, ' ')}`, {
    backend: ONNXRUNTIME_BACKEND,
    model,
    path,
  });
}

let nextBufferId = 1;

/**
 * Shared memory of one session: the input tensor and the run state the worker sets. The tensor lives in
 * @deepseg/yuyv's WebAssembly memory (shared memory, so the worker reads it there): frameToTensor
 * writes it in place instead of building it in scratch and copying it out. Freed with the session.
 */
function sessionMemory(inputLength: number): { input: Float32Array; control: SharedArrayBuffer } {
  return {
    input: allocFloat32(inputLength),
    control: new SharedArrayBuffer(CONTROL_BYTES),
  };
}

class OnnxruntimeSession implements BackendSession {
  readonly backend = ONNXRUNTIME_BACKEND;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  #channel: WorkerChannel;
  #input: Float32Array;
  #control: Int32Array;
  #runMs: Float64Array;
  #ids = new WeakMap<SharedArrayBuffer, number>();
  #scratch: Float32Array;
  #model: string;
  #disposed = false;
  /** The polled run in flight: where its result goes once the state says done. */
  #polled: Float32Array | undefined;

  constructor(
    channel: WorkerChannel,
    req: LoadRequest,
    outputShape: number[],
    memory: { input: Float32Array; control: SharedArrayBuffer },
  ) {
    this.#channel = channel;
    this.#model = req.manifest.id;
    this.inputShape = manifestInputShape(req.manifest.input);
    this.outputShape = outputShape;
    this.#input = memory.input;
    this.#control = new Int32Array(memory.control, 0, CONTROL_WORDS);
    this.#runMs = new Float64Array(memory.control, CONTROL_RUN_MS, 1);
    channel.control = this.#control;
    const o = req.manifest.output;
    this.#scratch = new Float32Array(new SharedArrayBuffer(o.width * o.height * 4));
  }

  get lastRunMs(): number {
    return this.#runMs[0] as number;
  }

  #busy(): boolean {
    return this.#channel.busy || this.#polled !== undefined;
  }

  inputBuffer(): Float32Array {
    const dead = this.#channel.dead;
    if (dead) throw dead;
    if (this.#busy()) {
      throw segmentError(
        'ERR_SEGMENTER_BUSY',
        'The input tensor is in use by a running inference; await run() first',
        {
          backend: this.backend,
        },
      );
    }
    return this.#input;
  }

  #bufferId(sab: SharedArrayBuffer): number {
    let id = this.#ids.get(sab);
    if (id === undefined) {
      id = nextBufferId++;
      this.#ids.set(sab, id);
      this.#channel.post({ type: 'register', id, buffer: sab });
    }
    return id;
  }

  /** Checks, copies the input into shared memory and writes the run request (not yet woken). */
  #begin(input: Float32Array, output: Float32Array, notify: boolean): boolean {
    if (this.#disposed)
      throw segmentError('ERR_DISPOSED', 'The onnxruntime session was disposed', { backend: this.backend });
    const dead = this.#channel.dead;
    if (dead) throw dead;
    if (this.#busy()) {
      throw segmentError(
        'ERR_SEGMENTER_BUSY',
        'run() called while the previous run is still in progress; await it first',
        {
          backend: this.backend,
        },
      );
    }
    const own = this.#input;
    checkRunBuffers(this.backend, input, own.length, output, this.#scratch.length);
    if (input !== own) own.set(input);
    // Caller memory shared with the worker is written directly; anything else goes through scratch.
    const direct = output.buffer instanceof SharedArrayBuffer;
    const target = direct ? output : this.#scratch;
    const c = this.#control;
    c[CONTROL.out] = this.#bufferId(target.buffer as SharedArrayBuffer);
    c[CONTROL.offset] = target.byteOffset;
    c[CONTROL.notify] = notify ? 1 : 0;
    Atomics.store(c, CONTROL.state, RUN_STATE.running);
    return direct;
  }

  async run(input: Float32Array, output: Float32Array): Promise<void> {
    const direct = this.#begin(input, output, true);
    const reply = await this.#channel.request(() => this.#channel.wake());
    if (reply.type !== 'done') throw workerError(reply, this.#model, '');
    if (!direct) output.set(this.#scratch);
  }

  start(input: Float32Array, output: Float32Array): void {
    this.#begin(input, output, false);
    this.#polled = output;
    this.#channel.wake();
  }

  poll(): boolean {
    const output = this.#polled;
    if (output === undefined) return true;
    const dead = this.#channel.dead;
    if (dead) {
      this.#polled = undefined;
      throw dead;
    }
    const failure = this.#channel.takeUnclaimed();
    if (failure) {
      this.#polled = undefined;
      throw workerError(failure, this.#model, '');
    }
    // A failed run counts once its message has arrived (above): it carries the reason.
    if (Atomics.load(this.#control, CONTROL.state) !== RUN_STATE.done) return false;
    this.#polled = undefined;
    if (!(output.buffer instanceof SharedArrayBuffer)) output.set(this.#scratch);
    return true;
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#channel.terminate();
    freeFrame(this.#input);
  }
}

/**
 * The onnxruntime-node backend: one worker thread per loaded model runs an ORT session (through
 * onnxruntime's C API on Linux with the CPU provider, else onnxruntime-node's InferenceSession), so
 * inference never blocks the event loop; the input tensor and the mask live in shared memory.
 * `start()`/`poll()` run it without a reply message, so an idle caller is not woken for it.
 *
 * @param defaults - options used when `backendOptions['onnxruntime-node']` gives none
 * @throws ERR_INVALID_OPTION for bad options (at creation)
 * @example
 * import { onnxruntimeBackend } from '@deepseg/segment/onnxruntime';
 * const segmenter = await createSegmenter({ model: 'selfie-general', backend: onnxruntimeBackend({ executionProviders: ['cuda', 'cpu'] }) });
 */
export function onnxruntimeBackend(defaults: OnnxruntimeOptions = {}): Backend<OnnxruntimeOptions> {
  validate(defaults);
  let spare: WorkerChannel | undefined;
  const take = (): WorkerChannel => {
    const c = spare ?? new WorkerChannel();
    spare = undefined;
    return c;
  };
  return {
    apiVersion: 1,
    name: ONNXRUNTIME_BACKEND,
    capabilities: { formats: ['onnx'], offThread: true, threads: true, dynamicShapes: true },
    async init(options) {
      validate({ ...defaults, ...options });
      // Starting a worker loads the native library: a failure here means ORT cannot run on this machine.
      spare ??= new WorkerChannel();
      try {
        await spare.ready;
      } catch (e) {
        spare = undefined;
        throw e;
      }
    },
    async load(req, options) {
      const o = validate({ ...defaults, ...options });
      const channel = take();
      const memory = sessionMemory(elementCount(manifestInputShape(req.manifest.input)));
      try {
        await channel.ready;
        const reply = await channel.request({
          type: 'load',
          path: req.path,
          threads: req.threads,
          executionProviders: o.executionProviders,
          logSeverityLevel: o.logSeverityLevel,
          graphOptimizationLevel: o.graphOptimizationLevel,
          binding: o.binding,
          inputShape: manifestInputShape(req.manifest.input),
          outputShape: manifestOutputShape(req.manifest.output),
          output: req.manifest.output,
          input: memory.input.buffer as SharedArrayBuffer,
          inputOffset: memory.input.byteOffset,
          control: memory.control,
        });
        if (reply.type !== 'loaded') throw workerError(reply, req.manifest.id, req.path);
        return new OnnxruntimeSession(channel, req, reply.outputShape, memory);
      } catch (e) {
        await channel.terminate();
        freeFrame(memory.input);
        throw e;
      }
    },
  };
}
