// Loads the WebAssembly SIMD kernels (assembly/kernels.ts, embedded by scripts/build-wasm.mjs) on
// first use, synchronously, and manages their linear memory: one arena reused by every call, grown
// only when a larger geometry arrives. Callers copy frames in and results out (see docs/decisions/0010).
import { DeepsegError } from './errors.ts';
import { wasmBase64 } from './wasm-binary.ts';

type Ptr = number;

/** The exports of assembly/kernels.ts. */
export interface Kernels {
  boxMeanPlanes(
    data: Ptr,
    count: number,
    width: number,
    height: number,
    radius: number,
    passes: number,
    tmp: Ptr,
    sums: Ptr,
  ): void;
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
  planarToRgb(
    src: Ptr,
    dst: Ptr,
    width: number,
    height: number,
    uBase: Ptr,
    vBase: Ptr,
    cStride: number,
    chromaShift: number,
    nv12: number,
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
  resizeMask(
    src: Ptr,
    srcW: number,
    srcU8: number,
    dst: Ptr,
    dstW: number,
    dstH: number,
    dstU8: number,
    roiX: number,
    roiY: number,
    roiW: number,
    roiH: number,
    axI0: Ptr,
    axF: Ptr,
    ayI0: Ptr,
    ayStep: Ptr,
    ayF: Ptr,
    fill: number,
    keep: number,
    work: Ptr,
  ): void;
  rgbToPacked(
    src: Ptr,
    dst: Ptr,
    pairs: number,
    bpp: number,
    bgr: number,
    uyvy: number,
    yOff: number,
    yR: number,
    yG: number,
    yB: number,
    uR: number,
    uG: number,
    uB: number,
    vR: number,
    vG: number,
    vB: number,
  ): void;
  packedToPlanar(
    src: Ptr,
    dst: Ptr,
    width: number,
    height: number,
    uyvy: number,
    uBase: Ptr,
    vBase: Ptr,
    cStride: number,
    chromaShift: number,
    nv12: number,
  ): void;
  planarToPacked(
    src: Ptr,
    dst: Ptr,
    width: number,
    height: number,
    uyvy: number,
    uBase: Ptr,
    vBase: Ptr,
    cStride: number,
    chromaShift: number,
    nv12: number,
    limited: number,
  ): void;
  tensorArea(
    src: Ptr,
    stride: number,
    firstRow: number,
    bpp: number,
    off0: number,
    off1: number,
    off2: number,
    cols: number,
    rows: number,
    axStart: Ptr,
    axCount: Ptr,
    axOff: Ptr,
    axW: Ptr,
    ayStart: Ptr,
    ayCount: Ptr,
    ayOff: Ptr,
    ayW: Ptr,
    coef: Ptr,
    dst: Ptr,
    firstOut: number,
    rowStep: number,
    pixStep: number,
    chanStep: number,
    hrow: Ptr,
    acc: Ptr,
  ): void;
  rgbToPlanar(
    src: Ptr,
    dst: Ptr,
    width: number,
    height: number,
    bpp: number,
    bgr: number,
    uBase: Ptr,
    vBase: Ptr,
    cStride: number,
    chromaShift: number,
    nv12: number,
    yOff: number,
    yR: number,
    yG: number,
    yB: number,
    uR: number,
    uG: number,
    uB: number,
    vR: number,
    vG: number,
    vB: number,
  ): void;
  swapPacked(src: Ptr, dst: Ptr, bytes: number): void;
  guidedComposite(
    fg: Ptr,
    bg: Ptr,
    bgStride: number,
    bgRows: number,
    bgFactor: number,
    bgTab: Ptr,
    dst: Ptr,
    width: number,
    height: number,
    gridA: Ptr,
    gridB: Ptr,
    gw: number,
    gh: number,
    roiEnd: number,
    ivStart: Ptr,
    axF: Ptr,
    ayI0: Ptr,
    ayI1: Ptr,
    ayF: Ptr,
    low: number,
    high: number,
    wrap: number,
    work: Ptr,
  ): void;
  rgbToRgb(
    src: Ptr,
    dst: Ptr,
    pixels: number,
    sBpp: number,
    sR: number,
    sG: number,
    sB: number,
    dBpp: number,
    dR: number,
    dG: number,
    dB: number,
  ): void;
  mirrorUnits(src: Ptr, dst: Ptr, rowBytes: number, rows: number, units: number, size: number): void;
  temporalStep(
    raw: Ptr,
    state: Ptr,
    guide: Ptr,
    prev: Ptr,
    w: number,
    h: number,
    still: number,
    moving: number,
    lo: number,
    inv: number,
    catchUp: number,
    motion: Ptr,
    tmp: Ptr,
  ): void;
  guidedCoefficients(
    guide: Ptr,
    p: Ptr,
    w: number,
    h: number,
    r: number,
    eps: number,
    stats: Ptr,
    coef: Ptr,
    tmp: Ptr,
    sums: Ptr,
  ): void;
  rangeToLimited(p: Ptr, n: number, mode: number): void;
  clampUnit(src: Ptr, dst: Ptr, n: number): void;
  maskToGrid(
    mask: Ptr,
    maskWidth: number,
    rx: number,
    ry: number,
    rw: number,
    rh: number,
    s: number,
    dst: Ptr,
    cw: number,
    ch: number,
  ): void;
  gridLuma(frame: Ptr, rows: Ptr, cols: Ptr, gw: number, gh: number, k: number, dst: Ptr): void;
  removeRegions(
    mask: Ptr,
    w: number,
    h: number,
    minArea: number,
    fg: number,
    threshold: number,
    visited: Ptr,
    queue: Ptr,
  ): number;
  weightedBlurPlanes(
    frame: Ptr,
    sx: Ptr,
    sy: Ptr,
    gx: Ptr,
    gy: Ptr,
    mask: Ptr,
    gw: number,
    lw: number,
    lh: number,
    planes: Ptr,
    radius: number,
    passes: number,
    tmp: Ptr,
    sums: Ptr,
  ): void;
  mirrorPacked(src: Ptr, dst: Ptr, width: number, height: number, uyvy: number): void;
  tensorPacked(
    src: Ptr,
    stride: number,
    firstRow: number,
    spanStart: number,
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
  ): void;
}

// The lib settings (ES2023, no DOM) carry no WebAssembly types: declare the few used here.
interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const PAGE = 65536;
/** Heap start: the first page is left to the module's own data. */
const BASE = PAGE;
/** 1 GiB: address space reserved for the shared memory, which is what lets it grow without moving. */
const MAX_PAGES = 16384;

export interface Heap {
  kernels: Kernels;
  memory: WasmMemory;
  u8: Uint8Array;
  i32: Int32Array;
  f32: Float32Array;
  /** Start of the scratch block of the current call (see {@link wasmHeap}). */
  scratch: Ptr;
}

let heap: Heap | undefined;
/** Every buffer object the memory has had: views over any of them address the same memory. */
const ownBuffers = new WeakSet<object>();

function instantiate(): Heap {
  let memory: WasmMemory;
  let instance: { exports: Record<string, unknown> };
  try {
    const bytes = Buffer.from(wasmBase64, 'base64');
    memory = new WA.Memory({ initial: 2, maximum: MAX_PAGES, shared: true });
    instance = new WA.Instance(new WA.Module(bytes), { env: { memory, abort: () => {} } });
  } catch (cause) {
    throw new DeepsegError(
      'ERR_WASM_UNAVAILABLE',
      'Could not load the WebAssembly SIMD kernels of @deepseg/yuyv; Node.js 20 or newer is required',
      { cause, hint: 'run on Node.js >= 20 (WebAssembly SIMD and shared memory)' },
    );
  }
  ownBuffers.add(memory.buffer);
  return {
    kernels: instance.exports as unknown as Kernels,
    memory,
    u8: new Uint8Array(memory.buffer),
    i32: new Int32Array(memory.buffer),
    f32: new Float32Array(memory.buffer),
    scratch: 0,
  };
}

function getHeap(): Heap {
  heap ??= instantiate();
  return heap;
}

// A first-fit allocator over [BASE, end of memory): blocks are 16-byte aligned and carry 64 bytes
// of slack, so SIMD loops may read (never meaningfully write) a little past what they were given.
const blocks = new Map<Ptr, number>(); // address -> size, in use
let free: { at: Ptr; size: number }[] = [];
let top = BASE;

function grow(h: Heap, end: number): void {
  const have = h.memory.buffer.byteLength;
  if (have >= end) return;
  try {
    h.memory.grow(Math.ceil((end - have) / PAGE));
  } catch (cause) {
    throw new DeepsegError('ERR_OUT_OF_MEMORY', `Could not grow WebAssembly memory to ${end} bytes`, {
      cause,
      hint: 'free frames allocated with allocFrame() that are no longer used',
    });
  }
  ownBuffers.add(h.memory.buffer);
}

function refreshViews(h: Heap): void {
  if (h.u8.buffer !== h.memory.buffer) {
    h.u8 = new Uint8Array(h.memory.buffer);
    h.i32 = new Int32Array(h.memory.buffer);
    h.f32 = new Float32Array(h.memory.buffer);
  }
}

/**
 * Copies tables built once per geometry into wasm memory, where they stay for the kernels to read
 * frame after frame (no per-call copy); `previous` (the last geometry's copy, or -1) is released.
 */
export function residentTables(views: readonly ArrayBufferView[], previous: Ptr): Ptr[] {
  if (previous >= 0) release(previous);
  const sizes = views.map((v) => (v.byteLength + 15) & ~15);
  const at = alloc(sizes.reduce((a, b) => a + b, 0));
  const h = getHeap();
  const out: Ptr[] = [];
  let p = at;
  views.forEach((v, i) => {
    h.u8.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), p);
    out.push(p);
    p += sizes[i]!;
  });
  return out;
}

/** Allocates `bytes` in wasm memory and returns the address. */
export function alloc(bytes: number): Ptr {
  const h = getHeap();
  const size = (bytes + 64 + 15) & ~15;
  let at = -1;
  for (let i = 0; i < free.length; i++) {
    const f = free[i]!;
    if (f.size >= size) {
      at = f.at;
      if (f.size === size) free.splice(i, 1);
      else free[i] = { at: f.at + size, size: f.size - size };
      break;
    }
  }
  if (at < 0) {
    grow(h, top + size);
    at = top;
    top += size;
  }
  blocks.set(at, size);
  refreshViews(h);
  return at;
}

/** Returns a block from {@link alloc} to the free list (coalescing neighbours). */
export function release(at: Ptr): void {
  const size = blocks.get(at);
  if (size === undefined) return;
  blocks.delete(at);
  free.push({ at, size });
  free.sort((a, b) => a.at - b.at);
  const merged: { at: Ptr; size: number }[] = [];
  for (const f of free) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last.at + last.size === f.at) last.size += f.size;
    else merged.push({ ...f });
  }
  const tail = merged[merged.length - 1];
  if (tail !== undefined && tail.at + tail.size === top) {
    top = tail.at;
    merged.pop();
  }
  free = merged;
}

let scratchAt = -1;
let scratchSize = 0;

/**
 * The kernels, fresh views, and a scratch block of at least `bytes` at `heap.scratch` (reused across
 * calls; reallocated only when a larger geometry arrives).
 */
export function wasmHeap(bytes: number): Heap {
  const h = getHeap();
  if (scratchSize < bytes) {
    if (scratchAt >= 0) release(scratchAt);
    scratchSize = Math.max(bytes, Math.ceil(scratchSize * 1.25));
    scratchAt = alloc(scratchSize);
  }
  refreshViews(h);
  h.scratch = scratchAt;
  return h;
}

/**
 * Address of `view` when it lies in the kernels' memory (see allocFrame) with the 64 bytes of slack
 * SIMD loops may read past it, else -1 (the view is then copied like any other buffer).
 */
export function addressOf(view: ArrayBufferView): Ptr {
  if (heap === undefined || !ownBuffers.has(view.buffer)) return -1;
  const end = view.byteOffset + view.byteLength + 64;
  return end <= heap.memory.buffer.byteLength && view.byteOffset >= BASE ? view.byteOffset : -1;
}

/** Sequential 16-byte aligned offsets inside the scratch block. */
export class Layout {
  end = 0;
  /** Starts a new layout. */
  reset(): this {
    this.end = 0;
    return this;
  }
  /** Reserves `bytes` (plus 64 bytes of slack for SIMD over-reads) and returns the offset. */
  take(bytes: number): Ptr {
    const at = this.end;
    this.end = (at + bytes + 64 + 15) & ~15;
    return at;
  }
  /** Bytes used. */
  get size(): number {
    return this.end;
  }
}

/** Copies the first `bytes` of `src` (from byte `from`) to `at`. */
export function copyIn(h: Heap, src: Uint8Array, at: Ptr, bytes: number, from = 0): void {
  h.u8.set(from === 0 && src.length === bytes ? src : src.subarray(from, from + bytes), at);
}

type HeapViewCtor<T> = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => T;

/** A cache of typed views into wasm memory, keyed by address and renewed when the memory grows. */
function heapViewCache<T extends { length: number }>(
  Ctor: HeapViewCtor<T>,
): (h: Heap, at: Ptr, length: number) => T {
  const views = new Map<number, T>();
  let viewsOf: ArrayBufferLike | undefined;
  return (h, at, length) => {
    if (viewsOf !== h.memory.buffer) {
      views.clear();
      viewsOf = h.memory.buffer;
    }
    let v = views.get(at);
    if (v === undefined || v.length !== length) {
      if (views.size > 64) views.clear();
      v = new Ctor(h.memory.buffer, at, length);
      views.set(at, v);
    }
    return v;
  };
}

/** A cached view of `bytes` bytes at `at` (reused across frames of the same geometry). */
export const heapView: (h: Heap, at: Ptr, bytes: number) => Uint8Array = heapViewCache(Uint8Array);

/** A cached Float32Array view of `count` floats at `at`. */
export const heapF32View: (h: Heap, at: Ptr, count: number) => Float32Array = heapViewCache(Float32Array);

/**
 * Address of the first `n` floats of `v` in wasm memory: `v` itself when it lives there, else scratch
 * at `offset`, where `v` is copied unless `copy` is false (an output the kernel only writes).
 */
export function stageF32(h: Heap, v: Float32Array, n: number, offset: number, copy = true): Ptr {
  const at = addressOf(v);
  if (at >= 0) return at;
  if (copy) h.f32.set(v.length === n ? v : v.subarray(0, n), (h.scratch + offset) >> 2);
  return h.scratch + offset;
}

/** Copies a kernel's result at `at` back into `v` when {@link stageF32} put `v` in scratch. */
export function unstageF32(h: Heap, v: Float32Array, n: number, at: Ptr): void {
  if (addressOf(v) < 0) v.set(heapF32View(h, at, n));
}

/** The layout shared by all kernels (calls are synchronous, so one is enough). */
export const layout = new Layout();

/** @internal Frames handed out by allocFrame/allocFloat32, by address. */
export function memoryBuffer(): ArrayBufferLike {
  return getHeap().memory.buffer;
}

/** Where one call's source and destination sit in wasm memory (one record, reused: calls are synchronous). */
export interface StagedIo {
  heap: Heap;
  /** Address of the source: the caller's buffer when it is already in wasm memory, else its copy. */
  src: Ptr;
  /** Address the kernel writes to. */
  dst: Ptr;
  /** Address of the `extra` scratch bytes asked for (0 when none). */
  extra: Ptr;
  /** The caller's destination when the kernel writes to scratch and `finishIo` must copy it out. */
  copyOutTo: Uint8Array | undefined;
  dstBytes: number;
}

const staged: StagedIo = {
  heap: undefined as unknown as Heap,
  src: 0,
  dst: 0,
  extra: 0,
  copyOutTo: undefined,
  dstBytes: 0,
};

/**
 * Places `srcBytes` of `src` and `dstBytes` of `dst` in wasm memory for one kernel call: buffers from
 * allocFrame are used where they are, others get scratch space (the source is copied in). `extra`
 * reserves further scratch at `extra`. Call {@link finishIo} after the kernel.
 */
export function stageIo(
  src: Uint8Array,
  srcBytes: number,
  dst: Uint8Array,
  dstBytes: number,
  extra = 0,
): StagedIo {
  const srcAt = addressOf(src);
  const dstAt = addressOf(dst);
  layout.reset();
  const so = srcAt < 0 ? layout.take(srcBytes) : 0;
  const doff = dstAt < 0 ? layout.take(dstBytes) : 0;
  const xo = extra > 0 ? layout.take(extra) : 0;
  const h = wasmHeap(layout.size);
  staged.heap = h;
  staged.src = srcAt < 0 ? h.scratch + so : srcAt;
  staged.dst = dstAt < 0 ? h.scratch + doff : dstAt;
  staged.extra = extra > 0 ? h.scratch + xo : 0;
  staged.copyOutTo = dstAt < 0 ? dst : undefined;
  staged.dstBytes = dstBytes;
  if (srcAt < 0) copyIn(h, src, staged.src, srcBytes);
  return staged;
}

/** Copies the kernel's output to the caller's destination when it was staged in scratch. */
export function finishIo(io: StagedIo): void {
  if (io.copyOutTo !== undefined) io.copyOutTo.set(heapView(io.heap, io.dst, io.dstBytes));
}
