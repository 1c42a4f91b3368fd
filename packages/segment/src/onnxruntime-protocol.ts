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
  /** Run state (Int32 at byte 0: {@link RUN_STATE}) and the last run's milliseconds (Float64 at byte 8). */
  control: SharedArrayBuffer;
}

/** Values of the run state word in {@link WorkerLoad.control}. */
export const RUN_STATE = { idle: 0, running: 1, done: 2, failed: 3 } as const;
/** Bytes of {@link WorkerLoad.control}. */
export const CONTROL_BYTES = 16;

export type ToWorker =
  | WorkerLoad
  /** Makes a SharedArrayBuffer known to the worker once; runs then name it by id. */
  | { type: 'register'; id: number; buffer: SharedArrayBuffer }
  /**
   * Runs on the shared input into buffer `out` at byte `offset`; sets the run state when done, and
   * replies `done` only if `notify` (a caller that polls the state is not woken for it).
   */
  | { type: 'run'; out: number; offset: number; notify: boolean }
  /** Frees the session (after the run in progress); the worker replies `released`. */
  | { type: 'release' };

export type FromWorker =
  | { type: 'ready'; version: string }
  | { type: 'loaded'; inputName: string; outputName: string; outputShape: number[] }
  | { type: 'done' }
  | { type: 'released' }
  /** Always sent for a failed run, notify or not. */
  | { type: 'error'; code: string; message: string };
