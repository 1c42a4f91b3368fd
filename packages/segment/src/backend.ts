import { oneLine, segmentError } from './errors.ts';
import type { ModelFormat, ModelManifest } from './manifest.ts';

/** Version of the backend contract below. A backend declares the version it implements. */
export const BACKEND_API_VERSION = 1;

/** What a backend can do; the conformance suite runs the checks that apply. */
export interface BackendCapabilities {
  /** Model file formats the backend runs directly. */
  formats: readonly ModelFormat[];
  /** `run()` never blocks the calling thread for the inference (worker thread, GPU queue …). */
  offThread: boolean;
  /** The backend honours `threads` (intra-op parallelism). */
  threads: boolean;
  /** Models with dynamic input dimensions run at the size the manifest fixes. */
  dynamicShapes: boolean;
}

/** What {@link Backend.load} receives. */
export interface LoadRequest {
  /** The validated manifest (input geometry, output decoding). */
  manifest: ModelManifest;
  /** The model file, in one of the backend's {@link BackendCapabilities.formats}. */
  path: string;
  format: ModelFormat;
  /** Intra-op threads requested by the user (already validated, ≥ 1). */
  threads: number;
}

/**
 * A loaded model. The input tensor is float32 in the manifest's layout (batch 1, 3 channels,
 * already normalised); the output is the decoded person probability, 0..1, width·height of the
 * manifest's output (use `decodePersonProbability` to decode raw outputs).
 */
export interface BackendSession {
  /** Name of the backend that made the session. */
  readonly backend: string;
  /** Input tensor shape, batch 1, in the manifest's layout. */
  readonly inputShape: readonly number[];
  /** Raw output tensor shape as the model produces it. */
  readonly outputShape: readonly number[];
  /**
   * The session's own input tensor. Writing the next input here and passing it to `run` avoids a
   * copy. It may be a different array after each `run()`: read it again each frame. It is freed with
   * the session (onnxruntime-node keeps it in @deepseg/yuyv's WebAssembly memory).
   */
  inputBuffer(): Float32Array;
  /**
   * Runs the model once. `input` must have the input shape's length (any Float32Array; the
   * session's own {@link inputBuffer} avoids a copy); `output` receives the person probability.
   * One call at a time; both arrays must stay untouched until the promise settles.
   * @throws ERR_BACKEND_FAILED, ERR_DISPOSED
   */
  run(input: Float32Array, output: Float32Array): Promise<void>;
  /**
   * Optional, with {@link poll}: starts a run like `run()` but returns nothing. For backends whose
   * run ends on another thread: the caller asks `poll()` when it next has time, instead of being
   * woken by a promise it would only look at then anyway.
   * @throws as run() does for what it checks before starting
   */
  start?(input: Float32Array, output: Float32Array): void;
  /**
   * Optional, with {@link start}: `true` once the started run has written `output` (or when none
   * is running), `false` while it runs. Never blocks.
   * @throws the run's error (ERR_BACKEND_FAILED, ERR_DISPOSED), once
   */
  poll?(): boolean;
  /** Optional: milliseconds the last run took where it ran (worker thread, device). */
  readonly lastRunMs?: number;
  /** Frees the session (terminates its worker, frees native memory). Idempotent. */
  dispose(): Promise<void>;
}

/**
 * An inference backend, small enough to publish on its own (`@someone/deepseg-backend-x`):
 * a value, never an import side effect.
 *
 * @example
 * const segmenter = await createSegmenter({ model: 'selfie-general', backend: [myBackend, onnxruntimeBackend()] });
 */
export interface Backend<Options = unknown> {
  /** The contract version implemented: {@link BACKEND_API_VERSION}. */
  readonly apiVersion: 1;
  /** Unique name, also the key of its entry in `backendOptions`. */
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  /**
   * Checks the runtime is usable here (native library loads, wasm compiles …). Throw to decline;
   * the message is shown to the user when no backend could start.
   */
  init(options?: Options): Promise<void>;
  /** Loads a model. Throw DeepsegError ERR_MODEL_CORRUPT / ERR_MODEL_SHAPE_MISMATCH on bad models. */
  load(request: LoadRequest, options?: Options): Promise<BackendSession>;
}

/** A backend of unknown option type (what the registry and selection hold). */
// biome-ignore lint/suspicious/noExplicitAny: option types are backend-specific; each backend checks its own.
export type AnyBackend = Backend<any>;

const registered: { backend: AnyBackend; priority: number }[] = [];

/**
 * Registers a backend for {@link createSegmenter} calls that name no backend (higher priority
 * first; equal priorities keep registration order). Explicit, never done on import.
 *
 * @throws ERR_INVALID_OPTION when the value is not a backend of this contract version
 * @example
 * registerBackend(onnxruntimeBackend(), 10);
 */
export function registerBackend(backend: AnyBackend, priority = 0): void {
  checkBackend(backend, 'backend');
  const i = registered.findIndex((r) => r.backend.name === backend.name);
  if (i >= 0) registered.splice(i, 1);
  registered.push({ backend, priority });
  registered.sort((a, b) => b.priority - a.priority);
}

/** Removes a registered backend by name (mainly for tests). */
export function unregisterBackend(name: string): void {
  const i = registered.findIndex((r) => r.backend.name === name);
  if (i >= 0) registered.splice(i, 1);
}

/** Registered backends, highest priority first. */
export function registeredBackends(): AnyBackend[] {
  return registered.map((r) => r.backend);
}

/** Throws ERR_INVALID_OPTION unless `value` looks like a backend of this contract version. */
export function checkBackend(value: unknown, option: string): asserts value is AnyBackend {
  const b = value as Partial<AnyBackend> | null;
  if (typeof b !== 'object' || b === null || typeof b.name !== 'string' || typeof b.load !== 'function') {
    throw segmentError('ERR_INVALID_OPTION', `Expected a backend (name, init, load) for ${option}`, {
      option,
    });
  }
  if (b.apiVersion !== BACKEND_API_VERSION) {
    throw segmentError(
      'ERR_INVALID_OPTION',
      `Backend "${b.name}" implements contract version ${String(b.apiVersion)} but this @deepseg/segment needs ${BACKEND_API_VERSION}`,
      { option, backend: b.name },
    );
  }
}

/**
 * Picks the first backend whose `init()` succeeds and that runs one of `formats`. No silent
 * fallback: when none qualifies, one error lists why each was declined.
 *
 * @throws ERR_BACKEND_UNAVAILABLE
 */
export async function selectBackend(
  candidates: readonly AnyBackend[],
  backendOptions: Readonly<Record<string, unknown>>,
  formats: readonly ModelFormat[],
): Promise<AnyBackend> {
  const reasons: string[] = [];
  for (const b of candidates) {
    if (!b.capabilities.formats.some((f) => formats.includes(f))) {
      reasons.push(`${b.name}: runs ${b.capabilities.formats.join('/')} models, not ${formats.join('/')}`);
      continue;
    }
    try {
      await b.init(backendOptions[b.name]);
      return b;
    } catch (e) {
      reasons.push(`${b.name}: ${oneLine(e)}`);
    }
  }
  throw segmentError(
    'ERR_BACKEND_UNAVAILABLE',
    candidates.length === 0
      ? 'No backend given or registered'
      : `No backend could start (${reasons.join('; ')})`,
    {
      backend: candidates.map((b) => b.name).join(','),
      hint: 'install onnxruntime-node or pass another backend',
    },
  );
}

/**
 * Checks the buffers a backend's `run(input, output)` received against the lengths its model needs:
 * ERR_INVALID_OPTION naming `input` or `output` otherwise. Shared by the built-in backends.
 */
export function checkRunBuffers(
  backend: string,
  input: Float32Array,
  inputLength: number,
  output: Float32Array,
  outputLength: number,
): void {
  for (const [option, got, want] of [
    ['input', input.length, inputLength],
    ['output', output.length, outputLength],
  ] as const) {
    if (got !== want) {
      throw segmentError(
        'ERR_INVALID_OPTION',
        `Expected an ${option} of ${want} floats but received ${got}`,
        {
          option,
          backend,
        },
      );
    }
  }
}
