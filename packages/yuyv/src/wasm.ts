// Loads the WebAssembly SIMD kernels (assembly/kernels.ts, embedded by scripts/build-wasm.mjs) on
// first use, synchronously, and manages their linear memory: one arena reused by every call, grown
// only when a larger geometry arrives. Callers copy frames in and results out (see docs/decisions/0010).
import { DeepsegError } from './errors.ts';
import { wasmBase64 } from './wasm-binary.ts';

type Ptr = number;

/** The exports of assembly/kernels.ts. */
export interface Kernels {
  packedToRgb(
    src: Ptr,
    dst: Ptr,
    pairs: number,
    uyvy: number,
    bpp: number,
    bgr: number,
    yOff: number,
    cY: number,
    cRV: number,
    cGU: number,
    cGV: number,
    cBU: number,
  ): void;
  composite(
    fg: Ptr,
    bg: Ptr,
    dst: Ptr,
    width: number,
    height: number,
    layout: number,
    mask: Ptr,
    maskW: number,
    maskU8: number,
    maskX: number,
    identity: number,
    roiX: number,
    roiY: number,
    roiW: number,
    roiH: number,
    axI0: Ptr,
    axF: Ptr,
    ayI0: Ptr,
    ayStep: Ptr,
    ayF: Ptr,
    outsideQ: number,
    work: Ptr,
  ): void;
  tensorPacked(
    src: Ptr,
    stride: number,
    firstRow: number,
    spanStart: number,
    spanLen: number,
    ayI0: Ptr,
    ayStep: Ptr,
    ayF: Ptr,
    rows: number,
    cols: number,
    columns: Ptr,
    yuv: number,
    yGain: number,
    yOff: number,
    rV: number,
    gU: number,
    gV: number,
    bU: number,
    swap: number,
    m0: number,
    m1: number,
    m2: number,
    a0: number,
    a1: number,
    a2: number,
    dst: Ptr,
    firstOut: number,
    rowStep: number,
    nchw: number,
    plane: number,
    vrow: Ptr,
  ): void;
}

// The lib settings (ES2023, no DOM) carry no WebAssembly types: declare the few used here.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const PAGE = 65536;
/** Arena start: the first page is left to the module's own data. */
const BASE = PAGE;

interface Heap {
  kernels: Kernels;
  memory: WasmMemory;
  u8: Uint8Array;
  i32: Int32Array;
  f32: Float32Array;
}

let heap: Heap | undefined;

function instantiate(): Heap {
  let memory: WasmMemory;
  let instance: { exports: Record<string, unknown> };
  try {
    const bytes = Buffer.from(wasmBase64, 'base64');
    memory = new WA.Memory({ initial: 2 });
    instance = new WA.Instance(new WA.Module(bytes), { env: { memory, abort: () => {} } });
  } catch (cause) {
    throw new DeepsegError(
      'ERR_WASM_UNAVAILABLE',
      'Could not load the WebAssembly SIMD kernels of @deepseg/yuyv; Node.js 20 or newer is required',
      { cause, hint: 'run on Node.js >= 20 (WebAssembly SIMD)' },
    );
  }
  return {
    kernels: instance.exports as unknown as Kernels,
    memory,
    u8: new Uint8Array(memory.buffer),
    i32: new Int32Array(memory.buffer),
    f32: new Float32Array(memory.buffer),
  };
}

/** The kernels and a heap of at least `bytes` arena bytes (from {@link BASE}); views are fresh. */
export function wasmHeap(bytes: number): Heap {
  heap ??= instantiate();
  const needed = BASE + bytes;
  if (heap.memory.buffer.byteLength < needed) {
    const pages = Math.ceil((needed - heap.memory.buffer.byteLength) / PAGE);
    try {
      heap.memory.grow(pages);
    } catch (cause) {
      throw new DeepsegError('ERR_OUT_OF_MEMORY', `Could not grow WebAssembly memory to ${needed} bytes`, {
        cause,
      });
    }
  }
  if (heap.u8.buffer !== heap.memory.buffer) {
    heap.u8 = new Uint8Array(heap.memory.buffer);
    heap.i32 = new Int32Array(heap.memory.buffer);
    heap.f32 = new Float32Array(heap.memory.buffer);
  }
  return heap;
}

/** Sequential 16-byte aligned regions of the arena, starting at {@link BASE}. */
export class Layout {
  end = BASE;
  /** Starts a new layout. */
  reset(): this {
    this.end = BASE;
    return this;
  }
  /** Reserves `bytes` (plus 64 bytes of slack for SIMD over-reads) and returns the address. */
  take(bytes: number): Ptr {
    const at = this.end;
    this.end = (at + bytes + 64 + 15) & ~15;
    return at;
  }
  /** Bytes used from BASE. */
  get size(): number {
    return this.end - BASE;
  }
}

/** Copies the first `bytes` of `src` to `at`. */
export function copyIn(h: Heap, src: Uint8Array, at: Ptr, bytes: number, from = 0): void {
  h.u8.set(from === 0 && src.length === bytes ? src : src.subarray(from, from + bytes), at);
}

const views = new Map<number, Uint8Array>();
let viewsOf: ArrayBufferLike | undefined;

/** A cached view of `bytes` bytes at `at` (reused across frames of the same geometry). */
export function heapView(h: Heap, at: Ptr, bytes: number): Uint8Array {
  if (viewsOf !== h.memory.buffer) {
    views.clear();
    viewsOf = h.memory.buffer;
  }
  let v = views.get(at);
  if (v === undefined || v.length !== bytes) {
    if (views.size > 64) views.clear();
    v = new Uint8Array(h.memory.buffer, at, bytes);
    views.set(at, v);
  }
  return v;
}

const f32views = new Map<number, Float32Array>();
let f32viewsOf: ArrayBufferLike | undefined;

/** A cached Float32Array view of `count` floats at `at`. */
export function heapF32View(h: Heap, at: Ptr, count: number): Float32Array {
  if (f32viewsOf !== h.memory.buffer) {
    f32views.clear();
    f32viewsOf = h.memory.buffer;
  }
  let v = f32views.get(at);
  if (v === undefined || v.length !== count) {
    if (f32views.size > 64) f32views.clear();
    v = new Float32Array(h.memory.buffer, at, count);
    f32views.set(at, v);
  }
  return v;
}

/** The layout shared by all kernels (calls are synchronous, so one is enough). */
export const layout = new Layout();
