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
  inputShape: number[];
  outputShape: number[];
  output: OutputGeometry;
}

export type ToWorker =
  | WorkerLoad
  /** Makes a SharedArrayBuffer known to the worker once; runs then name it by id. */
  | { type: 'register'; id: number; buffer: SharedArrayBuffer }
  /** `input` is transferred (no copy) and comes back with `done`. */
  | { type: 'run'; input: ArrayBuffer; out: number; offset: number };

export type FromWorker =
  | { type: 'ready'; version: string }
  | { type: 'loaded'; inputName: string; outputName: string; outputShape: number[] }
  | { type: 'done'; input: ArrayBuffer }
  | { type: 'error'; code: string; message: string; input?: ArrayBuffer };
