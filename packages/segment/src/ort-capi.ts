// onnxruntime's C API through koffi, for the worker thread: the same libonnxruntime that
// onnxruntime-node ships, without onnxruntime-node's JavaScript layer. A run reads the input tensor
// where it lies (shared memory) and writes the output into a native buffer made once, so nothing is
// allocated or copied per run (onnxruntime-node copies the input into its own array and returns every
// output in a new buffer). Decision 0066.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import koffi from 'koffi';
import { elementCount } from './manifest.ts';

/** Entries of `struct OrtApi` used here (zero-based; the table only ever grows at its end). */
const API = {
  GetErrorMessage: 2,
  CreateEnv: 3,
  CreateSession: 7,
  Run: 9,
  RunAllocating: 9,
  CreateSessionOptions: 10,
  SetSessionExecutionMode: 13,
  SetSessionLogSeverityLevel: 22,
  SetSessionGraphOptimizationLevel: 23,
  SetIntraOpNumThreads: 24,
  SetInterOpNumThreads: 25,
  SessionGetInputCount: 30,
  SessionGetOutputCount: 31,
  SessionGetInputTypeInfo: 33,
  SessionGetOutputTypeInfo: 34,
  SessionGetInputName: 36,
  SessionGetOutputName: 37,
  CreateTensorWithDataAsOrtValue: 49,
  CastTypeInfoToTensorInfo: 55,
  GetTensorElementType: 60,
  GetDimensionsCount: 61,
  GetDimensions: 62,
  GetTensorTypeAndShape: 65,
  CreateCpuMemoryInfo: 69,
  AllocatorFree: 76,
  GetAllocatorWithDefaultOptions: 78,
  ReleaseEnv: 92,
  ReleaseStatus: 93,
  ReleaseMemoryInfo: 94,
  ReleaseSession: 95,
  ReleaseValue: 96,
  ReleaseTypeInfo: 98,
  ReleaseTensorTypeAndShapeInfo: 99,
  ReleaseSessionOptions: 100,
} as const;
/** The API version asked for: every entry above exists from 1.17 on. */
const API_VERSION = 17;
const ELEMENT_FLOAT = 1;
const RTLD_NOW = 0x2;
const RTLD_NODELETE = 0x1000;
const GRAPH_LEVEL = { disabled: 0, basic: 1, extended: 2, all: 99 } as const;

/** An opaque native pointer as koffi hands it out (null for NULL). */
type Ptr = unknown;
/** A call that returns an OrtStatus* (null on success). */
type StatusCall = (...args: unknown[]) => Ptr;

interface Api {
  /** Held for the thread's life: koffi unloads a library once nothing references it. */
  lib: unknown;
  version: string;
  fn: (name: keyof typeof API) => StatusCall;
  check: (status: Ptr) => void;
}

let api: Api | undefined;

/** Where onnxruntime-node keeps libonnxruntime on Linux (the binding's only platform). */
export function ortLibraryPath(): string {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('onnxruntime-node/package.json'));
  return join(root, 'bin', 'napi-v6', 'linux', process.arch, 'libonnxruntime.so.1');
}

const SIGNATURES: Record<keyof typeof API, string> = {
  GetErrorMessage: 'const char *f(void *status)',
  CreateEnv: 'void *f(int level, const char *logid, _Out_ void **env)',
  CreateSession: 'void *f(void *env, const char *path, void *options, _Out_ void **session)',
  // Outputs bound to caller buffers: nothing to read back, so nothing is converted after the call.
  Run: 'void *f(void *session, void *runOptions, const char **inNames, void **inputs, size_t nIn, const char **outNames, size_t nOut, void **outputs)',
  // Outputs left NULL for onnxruntime to allocate: the pointers it stores are read back.
  RunAllocating:
    'void *f(void *session, void *runOptions, const char **inNames, void **inputs, size_t nIn, const char **outNames, size_t nOut, _Inout_ void **outputs)',
  CreateSessionOptions: 'void *f(_Out_ void **options)',
  SetSessionExecutionMode: 'void *f(void *options, int mode)',
  SetSessionLogSeverityLevel: 'void *f(void *options, int level)',
  SetSessionGraphOptimizationLevel: 'void *f(void *options, int level)',
  SetIntraOpNumThreads: 'void *f(void *options, int n)',
  SetInterOpNumThreads: 'void *f(void *options, int n)',
  SessionGetInputCount: 'void *f(void *session, _Out_ size_t *n)',
  SessionGetOutputCount: 'void *f(void *session, _Out_ size_t *n)',
  SessionGetInputTypeInfo: 'void *f(void *session, size_t i, _Out_ void **info)',
  SessionGetOutputTypeInfo: 'void *f(void *session, size_t i, _Out_ void **info)',
  SessionGetInputName: 'void *f(void *session, size_t i, void *allocator, _Out_ void **name)',
  SessionGetOutputName: 'void *f(void *session, size_t i, void *allocator, _Out_ void **name)',
  CreateTensorWithDataAsOrtValue:
    'void *f(void *info, void *data, size_t bytes, const int64_t *shape, size_t rank, int type, _Out_ void **value)',
  CastTypeInfoToTensorInfo: 'void *f(void *typeInfo, _Out_ void **tensorInfo)',
  GetTensorElementType: 'void *f(void *tensorInfo, _Out_ int *type)',
  GetDimensionsCount: 'void *f(void *tensorInfo, _Out_ size_t *n)',
  GetDimensions: 'void *f(void *tensorInfo, int64_t *dims, size_t n)',
  GetTensorTypeAndShape: 'void *f(void *value, _Out_ void **tensorInfo)',
  CreateCpuMemoryInfo: 'void *f(int allocatorType, int memType, _Out_ void **info)',
  AllocatorFree: 'void *f(void *allocator, void *p)',
  GetAllocatorWithDefaultOptions: 'void *f(_Out_ void **allocator)',
  ReleaseEnv: 'void f(void *p)',
  ReleaseStatus: 'void f(void *p)',
  ReleaseMemoryInfo: 'void f(void *p)',
  ReleaseSession: 'void f(void *p)',
  ReleaseValue: 'void f(void *p)',
  ReleaseTypeInfo: 'void f(void *p)',
  ReleaseTensorTypeAndShapeInfo: 'void f(void *p)',
  ReleaseSessionOptions: 'void f(void *p)',
};

/**
 * Loads libonnxruntime and its function table (once per thread).
 *
 * @throws Error when the library or the API version is missing
 */
export function ortCapi(path = ortLibraryPath()): Api {
  if (api) return api;
  if (!existsSync(path)) throw new Error(`onnxruntime's native library is missing at ${path}`);
  // Pinned for the process's life (RTLD_NODELETE): koffi unloads a library when the thread that
  // loaded it ends, and onnxruntime's global state must not be torn down under a later worker.
  const dlopen = koffi.load('libc.so.6').func('void *dlopen(const char *path, int flags)');
  if (!dlopen(path, RTLD_NOW | RTLD_NODELETE))
    throw new Error(`cannot load onnxruntime's native library ${path}`);
  const lib = koffi.load(path);
  const base = koffi.decode(lib.func('void *OrtGetApiBase()')(), 'void *', 2) as Ptr[];
  const getApi = koffi.decode(base[0], koffi.proto('void *OrtGetApiFn(uint32_t version)')) as (
    v: number,
  ) => Ptr;
  const getVersion = koffi.decode(base[1], koffi.proto('const char *OrtGetVersionFn()')) as () => string;
  const table = getApi(API_VERSION);
  if (!table) throw new Error(`${path} (onnxruntime ${getVersion()}) lacks C API version ${API_VERSION}`);
  const pointers = koffi.decode(table, 'void *', API.ReleaseSessionOptions + 1) as Ptr[];
  const cache = new Map<string, StatusCall>();
  const fn = (name: keyof typeof API): StatusCall => {
    let f = cache.get(name);
    if (f === undefined) {
      f = koffi.decode(
        pointers[API[name]],
        koffi.proto(SIGNATURES[name].replace(/\bf\(/, `Ort${name}(`)),
      ) as StatusCall;
      cache.set(name, f);
    }
    return f;
  };
  const check = (status: Ptr): void => {
    if (!status) return;
    const message = (fn('GetErrorMessage')(status) as string | null) ?? 'unknown onnxruntime error';
    fn('ReleaseStatus')(status);
    throw new Error(message);
  };
  api = { lib, version: getVersion(), fn, check };
  return api;
}

/** Session options of {@link OrtCapiSession.create}. */
export interface CapiSessionOptions {
  threads: number;
  logSeverityLevel: number;
  graphOptimizationLevel: keyof typeof GRAPH_LEVEL;
}

/** One value's name, element type (1 = float) and dimensions (−1 where the model leaves one open). */
export interface CapiValueInfo {
  name: string;
  type: number;
  dims: number[];
}

/** Reads a tensor type-and-shape info into element type and dims. */
function tensorInfo(a: Api, info: Ptr): { type: number; dims: number[] } {
  const type = [0];
  a.check(a.fn('GetTensorElementType')(info, type));
  const rank = [0];
  a.check(a.fn('GetDimensionsCount')(info, rank));
  const dims = new BigInt64Array(Number(rank[0]));
  a.check(a.fn('GetDimensions')(info, dims, dims.length));
  return { type: Number(type[0]), dims: Array.from(dims, Number) };
}

/**
 * A session on onnxruntime's C API, with one input and one output bound to fixed buffers: `run()`
 * reads the input buffer and fills the output buffer in place.
 */
export class OrtCapiSession {
  readonly inputs: CapiValueInfo[];
  readonly outputs: CapiValueInfo[];
  #api: Api;
  #env: Ptr;
  #session: Ptr;
  #memory: Ptr;
  #values: Ptr[] = [];
  #output: { pointer: Ptr; data: Float32Array } | undefined;
  #run: { inNames: string[]; inValues: Ptr[]; outNames: string[]; outValues: Ptr[] } | undefined;

  private constructor(a: Api, env: Ptr, session: Ptr, memory: Ptr) {
    this.#api = a;
    this.#env = env;
    this.#session = session;
    this.#memory = memory;
    this.inputs = this.#describe('Input');
    this.outputs = this.#describe('Output');
  }

  /**
   * Loads the model at `path`.
   *
   * @throws Error with onnxruntime's message (a missing or corrupt file, an unsupported operator)
   */
  static create(path: string, options: CapiSessionOptions): OrtCapiSession {
    const a = ortCapi();
    const out: Ptr[] = [null];
    a.check(a.fn('CreateEnv')(options.logSeverityLevel, 'deepseg', out));
    const env = out[0];
    let so: Ptr = null;
    let session: Ptr = null;
    try {
      a.check(a.fn('CreateSessionOptions')(out));
      so = out[0];
      a.check(a.fn('SetSessionExecutionMode')(so, 0));
      a.check(a.fn('SetSessionLogSeverityLevel')(so, options.logSeverityLevel));
      a.check(a.fn('SetSessionGraphOptimizationLevel')(so, GRAPH_LEVEL[options.graphOptimizationLevel]));
      a.check(a.fn('SetIntraOpNumThreads')(so, options.threads));
      a.check(a.fn('SetInterOpNumThreads')(so, 1));
      a.check(a.fn('CreateSession')(env, path, so, out));
      session = out[0];
      // Arena allocator, default memory type: the CPU memory description of caller-owned tensors.
      a.check(a.fn('CreateCpuMemoryInfo')(1, 0, out));
      return new OrtCapiSession(a, env, session, out[0]);
    } catch (e) {
      if (session) a.fn('ReleaseSession')(session);
      a.fn('ReleaseEnv')(env);
      throw e;
    } finally {
      if (so) a.fn('ReleaseSessionOptions')(so);
    }
  }

  #describe(kind: 'Input' | 'Output'): CapiValueInfo[] {
    const a = this.#api;
    const n = [0];
    a.check(a.fn(`SessionGet${kind}Count` as 'SessionGetInputCount')(this.#session, n));
    const allocator: Ptr[] = [null];
    a.check(a.fn('GetAllocatorWithDefaultOptions')(allocator));
    const list: CapiValueInfo[] = [];
    for (let i = 0; i < Number(n[0]); i++) {
      const out: Ptr[] = [null];
      a.check(a.fn(`SessionGet${kind}Name` as 'SessionGetInputName')(this.#session, i, allocator[0], out));
      const name = koffi.decode.string(out[0]) as string;
      a.check(a.fn('AllocatorFree')(allocator[0], out[0]));
      a.check(a.fn(`SessionGet${kind}TypeInfo` as 'SessionGetInputTypeInfo')(this.#session, i, out));
      const typeInfo = out[0];
      try {
        const cast: Ptr[] = [null];
        a.check(a.fn('CastTypeInfoToTensorInfo')(typeInfo, cast));
        // Not a tensor (a sequence or map): no element type or shape.
        list.push(cast[0] ? { name, ...tensorInfo(a, cast[0]) } : { name, type: 0, dims: [] });
      } finally {
        a.fn('ReleaseTypeInfo')(typeInfo);
      }
    }
    return list;
  }

  /** A float tensor OrtValue over caller memory (the caller releases it). */
  #tensor(data: unknown, bytes: number, dims: readonly number[]): Ptr {
    const out: Ptr[] = [null];
    const shape = BigInt64Array.from(dims, (d) => BigInt(d));
    this.#api.check(
      this.#api.fn('CreateTensorWithDataAsOrtValue')(
        this.#memory,
        data,
        bytes,
        shape,
        shape.length,
        ELEMENT_FLOAT,
        out,
      ),
    );
    return out[0];
  }

  /** {@link #tensor}, released with the session. */
  #boundTensor(data: unknown, bytes: number, dims: readonly number[]): Ptr {
    const value = this.#tensor(data, bytes, dims);
    this.#values.push(value);
    return value;
  }

  /**
   * Runs input 0 once on `input` (float32, `dims`) with onnxruntime allocating output 0, and returns
   * that output's dims: dynamic models reveal their output shape only when run.
   */
  probe(input: Float32Array, dims: readonly number[]): number[] {
    const a = this.#api;
    const value = this.#tensor(input, input.byteLength, dims);
    const out: Ptr[] = [null];
    const outputs: Ptr[] = [null];
    try {
      a.check(
        a.fn('RunAllocating')(
          this.#session,
          null,
          [this.inputs[0]!.name],
          [value],
          1,
          [this.outputs[0]!.name],
          1,
          outputs,
        ),
      );
      a.check(a.fn('GetTensorTypeAndShape')(outputs[0], out));
      try {
        return tensorInfo(a, out[0]).dims;
      } finally {
        a.fn('ReleaseTensorTypeAndShapeInfo')(out[0]);
      }
    } finally {
      if (outputs[0]) a.fn('ReleaseValue')(outputs[0]);
      a.fn('ReleaseValue')(value);
    }
  }

  /**
   * Binds input 0 to `input` and output 0 to a native buffer of `outputDims` floats, which it returns.
   * `input` must be a view of a SharedArrayBuffer (WebAssembly shared memory): onnxruntime keeps its
   * address for every run, and a shared buffer's memory never moves while the session holds the view.
   */
  bind(input: Float32Array, inputDims: readonly number[], outputDims: readonly number[]): Float32Array {
    if (!(input.buffer instanceof SharedArrayBuffer)) throw new Error('bind() needs a shared input buffer');
    const n = elementCount(outputDims);
    const pointer = koffi.alloc('float', n) as Ptr;
    const data = new Float32Array(koffi.view(pointer, n * 4));
    this.#output = { pointer, data };
    this.#run = {
      inNames: [this.inputs[0]!.name],
      inValues: [this.#boundTensor(input, input.byteLength, inputDims)],
      outNames: [this.outputs[0]!.name],
      outValues: [this.#boundTensor(pointer, n * 4, outputDims)],
    };
    return data;
  }

  /** One inference on the bound buffers. @throws Error with onnxruntime's message */
  run(): void {
    const r = this.#run;
    if (r === undefined) throw new Error('run() before bind()');
    this.#api.check(
      this.#api.fn('Run')(this.#session, null, r.inNames, r.inValues, 1, r.outNames, 1, r.outValues),
    );
  }

  /** Frees the session, its tensors, the output buffer and this thread's reference to the environment. */
  release(): void {
    const a = this.#api;
    for (const v of this.#values) a.fn('ReleaseValue')(v);
    this.#values = [];
    this.#run = undefined;
    if (this.#output) koffi.free(this.#output.pointer);
    this.#output = undefined;
    if (this.#session) a.fn('ReleaseSession')(this.#session);
    if (this.#memory) a.fn('ReleaseMemoryInfo')(this.#memory);
    if (this.#env) a.fn('ReleaseEnv')(this.#env);
    this.#session = null;
    this.#memory = null;
    this.#env = null;
  }
}
