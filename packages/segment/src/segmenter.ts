import {
  type ColorMatrix,
  type ColorRange,
  frameByteLength,
  frameToTensor,
  type PixelFormat,
  type Rect,
  type TensorSpec,
} from '@deepseg/yuyv';
import {
  type AnyBackend,
  type BackendSession,
  checkBackend,
  registeredBackends,
  selectBackend,
} from './backend.ts';
import { resolveModelFile } from './convert.ts';
import { segmentError } from './errors.ts';
import { type InputGeometry, type ModelManifest, manifestFormat, parseManifest } from './manifest.ts';
import { DEFAULT_MODEL, getModel } from './registry.ts';

/** Options of {@link createSegmenter}. */
export interface SegmenterOptions {
  /** Registry id, path of a manifest `.json`, or a manifest object. Default {@link DEFAULT_MODEL}. */
  model?: string | ModelManifest;
  /**
   * Backend(s) to try in order; the first whose `init()` succeeds runs the model. Default: the
   * registered backends (see `registerBackend`), else onnxruntime-node.
   */
  backend?: AnyBackend | readonly AnyBackend[];
  /** Per-backend options keyed by backend name: `{ 'onnxruntime-node': { executionProviders: ['cuda', 'cpu'] } }`. */
  backendOptions?: Readonly<Record<string, unknown>>;
  /** Intra-op threads for inference (integer 1..64). Default 1. */
  threads?: number;
  /** Folder of pulled models and user manifests. Default: `modelsDir()`. */
  modelsDir?: string;
  /** Folder for lazily converted models. Default: `modelCacheDir()`. */
  cacheDir?: string;
}

/** A camera frame plus how to sample it into the model's input. */
export interface FrameInput {
  /** The frame bytes, exactly `frameByteLength(format, width, height)` long. */
  data: Uint8Array;
  width: number;
  height: number;
  /** Pixel format of `data`, e.g. `YUYV`, `RGB24`. */
  format: PixelFormat;
  /** Region of the frame fed to the model; default the whole frame. */
  roi?: Rect;
  /** `stretch` (default) or `contain` (letterbox; see `containRect` for the mask area). */
  fit?: 'stretch' | 'contain';
  /** Resampling filter; default `bilinear`. */
  filter?: 'bilinear' | 'area';
  /** YUV matrix; default `BT601`. */
  matrix?: ColorMatrix;
  /** YUV range; default `limited`. */
  range?: ColorRange;
}

/** An input tensor the caller prepared (model layout, normalised). */
export interface TensorInput {
  /** Float32 tensor of the model's input shape. `segmenter.tensor()` avoids a copy. */
  tensor: Float32Array;
}

/** Milliseconds spent in the last `segment()` call (or `start()`/`poll()` run). */
export interface SegmentTimings {
  /** Frame → tensor (0 for tensor input). */
  preprocessMs: number;
  /**
   * Backend run, including the decode to probability: after `segment()` with the thread hand-over;
   * after `poll()` as the backend measured it where it ran (onnxruntime: in its worker).
   */
  inferenceMs: number;
}

/** A loaded model on a backend. One `segment()` at a time. */
export interface Segmenter {
  /** The model's manifest. */
  readonly model: ModelManifest;
  /** Name of the backend that runs it. */
  readonly backend: string;
  /** Input geometry: size, layout, colour order, normalisation. */
  readonly input: InputGeometry;
  /** The tensor spec for `frameToTensor` (`@deepseg/yuyv`), equal to `input`. */
  readonly tensorSpec: TensorSpec;
  /** Size of the probability mask `segment()` writes (the model's output resolution). */
  readonly output: { readonly width: number; readonly height: number };
  /** Timings of the last `segment()` call (updated in place). */
  readonly timings: Readonly<SegmentTimings>;
  /** The backend's own input tensor: fill it and pass `{ tensor }` to skip a copy. Read it again each frame. */
  tensor(): Float32Array;
  /** A mask buffer the backend writes without a copy (shared memory), `output.width·height` floats. */
  createMask(): Float32Array;
  /**
   * Computes the person probability (0..1, row-major, `output.width`×`output.height`) of a frame or
   * tensor into `mask`, a buffer you own. Inference runs off the event loop.
   *
   * @throws ERR_FRAME_SIZE (frame bytes ≠ width·height·format), ERR_INVALID_OPTION (mask size, roi),
   *   ERR_SEGMENTER_BUSY (previous call not finished), ERR_DISPOSED, ERR_BACKEND_FAILED
   */
  segment(input: FrameInput | TensorInput, mask: Float32Array): Promise<void>;
  /**
   * Starts what `segment()` does and returns at once; {@link poll} tells when `mask` holds the
   * result. Made for real-time loops that look for the newest mask once per frame anyway: nothing
   * settles when inference ends, so an idle thread is not woken for it (the onnxruntime backend's
   * worker sets a flag in shared memory instead of posting a reply).
   *
   * @throws what `segment()` throws before inference starts (ERR_FRAME_SIZE, ERR_INVALID_OPTION,
   *   ERR_SEGMENTER_BUSY, ERR_DISPOSED)
   */
  start(input: FrameInput | TensorInput, mask: Float32Array): void;
  /**
   * `true` once the run `start()` began has written its mask (and when none runs), `false` while it
   * runs; never blocks. Updates `timings` when it returns `true`.
   *
   * @throws the run's error (ERR_BACKEND_FAILED, ERR_DISPOSED), once
   */
  poll(): boolean;
  /** Frees the backend session (terminates the worker). Idempotent. */
  dispose(): Promise<void>;
}

function validateThreads(threads: unknown): number {
  if (threads === undefined) return 1;
  if (!Number.isInteger(threads) || (threads as number) < 1 || (threads as number) > 64) {
    throw segmentError(
      'ERR_INVALID_OPTION',
      `Expected an integer 1..64 for options.threads but received ${JSON.stringify(threads)}`,
      {
        option: 'options.threads',
      },
    );
  }
  return threads as number;
}

async function candidateBackends(backend: SegmenterOptions['backend']): Promise<AnyBackend[]> {
  if (backend !== undefined) {
    const list = Array.isArray(backend) ? [...backend] : [backend as AnyBackend];
    list.forEach((b, i) => {
      checkBackend(b, Array.isArray(backend) ? `options.backend[${i}]` : 'options.backend');
    });
    return list;
  }
  const registered = registeredBackends();
  if (registered.length > 0) return registered;
  const { onnxruntimeBackend } = await import('./onnxruntime.ts');
  return [onnxruntimeBackend()];
}

/**
 * Loads a model on the first backend that starts and returns a {@link Segmenter}.
 *
 * @throws ERR_UNKNOWN_MODEL, ERR_INVALID_MANIFEST, ERR_MODEL_NOT_FOUND, ERR_MODEL_CHECKSUM,
 *   ERR_MODEL_CORRUPT, ERR_MODEL_SHAPE_MISMATCH, ERR_BACKEND_UNAVAILABLE, ERR_INVALID_OPTION
 * @example
 * const seg = await createSegmenter({ model: 'selfie-general', threads: 2 });
 * const mask = seg.createMask();
 * await seg.segment({ data: yuyv, width: 1280, height: 720, format: 'YUYV' }, mask);
 * await seg.dispose();
 */
export async function createSegmenter(options: SegmenterOptions = {}): Promise<Segmenter> {
  if (typeof options !== 'object' || options === null) {
    throw segmentError('ERR_INVALID_OPTION', 'Expected an options object for createSegmenter', {
      option: 'options',
    });
  }
  const threads = validateThreads(options.threads);
  const registry = { modelsDir: options.modelsDir };
  const model = options.model ?? DEFAULT_MODEL;
  const manifest =
    typeof model === 'string'
      ? getModel(model, registry)
      : typeof model === 'object' && model !== null
        ? parseManifest(model, `options.model (${String((model as { id?: unknown }).id)})`, model.baseDir)
        : (() => {
            throw segmentError(
              'ERR_INVALID_OPTION',
              'Expected a model id, manifest path or manifest for options.model',
              {
                option: 'options.model',
              },
            );
          })();
  // Check the file first (missing, wrong checksum): cheaper than starting a backend for nothing.
  await resolveModelFile(manifest, {
    ...registry,
    cacheDir: options.cacheDir,
    formats: [manifestFormat(manifest)],
  });
  const backends = await candidateBackends(options.backend);
  const backendOptions = options.backendOptions ?? {};
  const formats = manifest.source.file.toLowerCase().endsWith('.tflite')
    ? (['tflite', 'onnx'] as const)
    : (['onnx'] as const);
  const backend = await selectBackend(backends, backendOptions, formats);
  const file = await resolveModelFile(manifest, {
    ...registry,
    cacheDir: options.cacheDir,
    formats: backend.capabilities.formats,
  });
  const session = await backend.load(
    { manifest, path: file.path, format: file.format, threads },
    backendOptions[backend.name],
  );
  return new SegmenterImpl(manifest, session);
}

class SegmenterImpl implements Segmenter {
  readonly model: ModelManifest;
  readonly backend: string;
  readonly input: InputGeometry;
  readonly tensorSpec: TensorSpec;
  readonly output: { readonly width: number; readonly height: number };
  readonly timings: SegmentTimings = { preprocessMs: 0, inferenceMs: 0 };
  #session: BackendSession;
  #busy = false;
  /** A run `start()` began that `poll()` has not yet seen end, and when it began. */
  #polled = false;
  #startedAt = 0;
  /** Backends without their own `poll()`: how the started run's `run()` promise settled. */
  #settled: { done: boolean; error?: unknown } | undefined;
  #disposed = false;
  #tensorLength: number;

  constructor(manifest: ModelManifest, session: BackendSession) {
    this.model = manifest;
    this.backend = session.backend;
    this.input = manifest.input;
    this.tensorSpec = { ...manifest.input };
    this.output = { width: manifest.output.width, height: manifest.output.height };
    this.#session = session;
    this.#tensorLength = manifest.input.width * manifest.input.height * 3;
  }

  tensor(): Float32Array {
    this.#check();
    return this.#session.inputBuffer();
  }

  createMask(): Float32Array {
    return new Float32Array(new SharedArrayBuffer(this.output.width * this.output.height * 4));
  }

  #check(): void {
    if (this.#disposed)
      throw segmentError('ERR_DISPOSED', 'The segmenter was disposed', { model: this.model.id });
    if (this.#busy) {
      throw segmentError(
        'ERR_SEGMENTER_BUSY',
        'segment() or start() called while the previous run is still going; await it (or poll() until true) first',
        {
          model: this.model.id,
        },
      );
    }
  }

  async segment(input: FrameInput | TensorInput, mask: Float32Array): Promise<void> {
    const tensor = this.#prepare(input, mask);
    const t1 = performance.now();
    this.#busy = true;
    try {
      await this.#session.run(tensor, mask);
    } finally {
      this.#busy = false;
    }
    this.timings.inferenceMs = performance.now() - t1;
  }

  start(input: FrameInput | TensorInput, mask: Float32Array): void {
    const tensor = this.#prepare(input, mask);
    const session = this.#session;
    this.#startedAt = performance.now();
    if (session.start && session.poll) session.start(tensor, mask);
    else {
      const settled: { done: boolean; error?: unknown } = { done: false };
      session.run(tensor, mask).then(
        () => {
          settled.done = true;
        },
        (e: unknown) => {
          settled.error = e;
          settled.done = true;
        },
      );
      this.#settled = settled;
    }
    this.#polled = true;
    this.#busy = true;
  }

  poll(): boolean {
    if (!this.#polled) return true;
    const session = this.#session;
    const settled = this.#settled;
    let done: boolean;
    try {
      done = settled ? settled.done : (session.poll as () => boolean)();
      if (done && settled?.error !== undefined) throw settled.error;
    } catch (e) {
      this.#endPolled();
      throw e;
    }
    if (!done) return false;
    this.#endPolled();
    this.timings.inferenceMs = session.lastRunMs ?? performance.now() - this.#startedAt;
    return true;
  }

  #endPolled(): void {
    this.#polled = false;
    this.#settled = undefined;
    this.#busy = false;
  }

  /** Checks the call, and turns a frame into the model's input tensor; sets `timings.preprocessMs`. */
  #prepare(input: FrameInput | TensorInput, mask: Float32Array): Float32Array {
    this.#check();
    const n = this.output.width * this.output.height;
    if (!(mask instanceof Float32Array) || mask.length !== n) {
      throw segmentError(
        'ERR_INVALID_OPTION',
        `Expected a Float32Array of ${n} floats (${this.output.width}x${this.output.height}) for mask but received ${mask instanceof Float32Array ? mask.length : typeof mask}`,
        { option: 'mask', model: this.model.id },
      );
    }
    const t0 = performance.now();
    let tensor: Float32Array;
    if ('tensor' in input) {
      if (!(input.tensor instanceof Float32Array) || input.tensor.length !== this.#tensorLength) {
        throw segmentError(
          'ERR_FRAME_SIZE',
          `Expected a tensor of ${this.#tensorLength} floats (${this.input.layout} ${this.input.width}x${this.input.height}x3) but received ${input.tensor instanceof Float32Array ? input.tensor.length : typeof input.tensor}`,
          { option: 'input.tensor', model: this.model.id },
        );
      }
      tensor = input.tensor;
    } else {
      const { data, width, height, format } = input;
      let expected: number;
      try {
        expected = frameByteLength(format, width, height);
      } catch (e) {
        throw segmentError('ERR_INVALID_OPTION', `Invalid frame: ${(e as Error).message}`, {
          cause: e,
          option: 'input',
        });
      }
      if (!(data instanceof Uint8Array) || data.length !== expected) {
        throw segmentError(
          'ERR_FRAME_SIZE',
          `Expected ${expected} bytes for a ${width}x${height} ${format} frame but received ${data instanceof Uint8Array ? data.length : typeof data}`,
          { option: 'input.data', model: this.model.id },
        );
      }
      tensor = this.#session.inputBuffer();
      frameToTensor(data, tensor, {
        width,
        height,
        format,
        roi: input.roi,
        tensor: this.tensorSpec,
        fit: input.fit,
        filter: input.filter,
        matrix: input.matrix,
        range: input.range,
      });
    }
    this.timings.preprocessMs = performance.now() - t0;
    return tensor;
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#session.dispose();
  }
}
