// Messages between the onnxruntime-node backend (main thread) and its worker thread.
import type { OutputGeometry } from './manifest.ts';

/** Session options the worker applies (all validated on the main thread). */
export interface WorkerLoad {
  type: 'load';
  path: string;
  threads: number;
  executionProviders: string[];
  logSeverityLevel: 0 | 1 | 2 | 3 | 4;
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
  /** How the worker calls onnxruntime: its C API through koffi, or onnxruntime-node's JavaScript API. */
  binding: 'c-api' | 'node';
  inputShape: number[];
  outputShape: number[];
  output: OutputGeometry;
  /** The memory of the input tensor, written by the main thread before each run (float32, input shape). */
  input: SharedArrayBuffer;
  /** Where in `input` the tensor starts (bytes). */
  inputOffset: number;
  /** Run state, run requests and the last run's time: see {@link CONTROL}. */
  control: SharedArrayBuffer;
}

/** Values of the run state word in {@link WorkerLoad.control}. */
export const RUN_STATE = { idle: 0, running: 1, done: 2, failed: 3 } as const;
/**
 * Int32 words of {@link WorkerLoad.control}. A run is requested without a message: the main thread
 * writes `out`, `offset` and `notify`, adds 1 to `seq` and wakes the worker on it (Atomics.notify), so
 * the worker can sleep on a futex instead of its event loop. The worker runs on the shared input into
 * buffer `out` (registered by id) at byte `offset`, sets `state`, and replies `done` only if `notify`
 * is 1 (a caller that polls the state is not woken for it). The last run's milliseconds are a Float64
 * at byte {@link CONTROL_RUN_MS}.
 */
export const CONTROL = { state: 0, seq: 1, out: 2, offset: 3, notify: 4 } as const;
/** Int32 words in {@link CONTROL}. */
export const CONTROL_WORDS = Object.keys(CONTROL).length;
export const CONTROL_RUN_MS = 24;
/** Bytes of {@link WorkerLoad.control}. */
export const CONTROL_BYTES = 32;

export type ToWorker =
  | WorkerLoad
  /** Makes a SharedArrayBuffer known to the worker once; runs then name it by id. */
  | { type: 'register'; id: number; buffer: SharedArrayBuffer }
  /**
   * Frees the session (after the run in progress); the worker replies `released`. Followed by a
   * change of {@link CONTROL}.seq, since a worker serving runs reads messages only when woken.
   */
  | { type: 'release' };

export type FromWorker =
  | { type: 'ready'; version: string }
  | { type: 'loaded'; inputName: string; outputName: string; outputShape: number[] }
  | { type: 'done' }
  | { type: 'released' }
  /** Always sent for a failed run, notify or not. */
  | { type: 'error'; code: string; message: string };
