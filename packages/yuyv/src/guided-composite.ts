import { DeepsegError } from './errors.ts';
import {
  assertBytes,
  assertDimensions,
  assertFinite,
  assertInt,
  assertLength,
  assertNoOverlap,
  assertOptionsObject,
  assertRect,
  type Rect,
} from './validate.ts';
import { addressOf, copyIn, heapView, layout, residentTables, wasmHeap } from './wasm.ts';

/**
 * The background of {@link guidedCompositeYuyv}: a YUYV frame of the output's size, one colour
 * (`[Y, U, V]` code values), `rows`: frame-wide YUYV rows of a background at 1/`factor` of the
 * frame's height (row r centred on frame row (r + 0.5)·factor − 0.5), blended vertically per frame
 * row with weights in 1/256, or `planes`: the same background at 1/`factor` in both directions as
 * three f32 planes Y, U, V (code values, `planeWidth`·`planeHeight` each, one after the other; sample
 * i centred on (i + 0.5)·factor − 0.5), upsampled horizontally inside the kernel (bilinear, luma per
 * pixel, chroma at the pair's centre, rounded to codes) and then vertically as for `rows` — a blurred
 * background computed at low resolution, never built at full size.
 */
export type GuidedBackground =
  | Uint8Array
  | { color: readonly [number, number, number] }
  | { rows: Uint8Array; factor: number }
  | { planes: Float32Array; planeWidth: number; planeHeight: number; factor: number };

interface PlaneTables {
  key: string;
  i32: Int32Array;
  f32: Float32Array;
  /** The same words, resident in wasm memory. */
  at: number;
}
let planeTables: PlaneTables | undefined;

/**
 * Horizontal tables of the `planes` background: per pixel and per pair, left sample and weight; then
 * for each low-resolution interval j (samples j, j + 1) its first pixel and its first pair.
 */
function tablesFor(width: number, pw: number, factor: number): PlaneTables {
  const key = `${width},${pw},${factor}`;
  if (planeTables?.key === key) return planeTables;
  const pairs = width >> 1;
  // Layout (as 32-bit words): luma column [width], luma weight [width], pair column [pairs], pair
  // weight [pairs], luma interval start [pw + 1], pair interval start [pw + 1].
  const buf = new ArrayBuffer((width * 2 + pairs * 2 + (pw + 1) * 2) * 4);
  const i32 = new Int32Array(buf);
  const f32 = new Float32Array(buf);
  const at = (pos: number, i: number, w: number) => {
    let p = pos / factor - 0.5;
    if (p < 0) p = 0;
    if (p > pw - 1) p = pw - 1;
    i32[i] = Math.floor(p);
    f32[w] = p - Math.floor(p);
  };
  for (let x = 0; x < width; x++) at(x + 0.5, x, width + x);
  for (let i = 0; i < pairs; i++) at(2 * i + 1, 2 * width + i, 2 * width + pairs + i);
  const starts = (column: number, count: number, out: number) => {
    i32.fill(count, out, out + pw + 1);
    let next = 0;
    for (let x = 0; x < count; x++) while (next <= i32[column + x]!) i32[out + next++] = x;
  };
  starts(0, width, 2 * width + 2 * pairs);
  starts(2 * width, pairs, 2 * width + 2 * pairs + pw + 1);
  const [resident] = residentTables([i32], planeTables?.at ?? -1);
  planeTables = { key, i32, f32, at: resident! };
  return planeTables;
}

/** Options of {@link guidedCompositeYuyv}. */
export interface GuidedCompositeOptions {
  /** Frame width in pixels (even). */
  width: number;
  /** Frame height in pixels. */
  height: number;
  /** Width of the coefficient grids `a` and `b`. */
  gridWidth: number;
  /** Height of the coefficient grids. */
  gridHeight: number;
  /** The frame rectangle the grids cover (pixel-centre aligned); default the whole frame. Outside it alpha is 0. */
  roi?: Rect;
  /** Coverage band [low, high]: alpha = smoothstep(low, high, q). Default [0, 1]. */
  coverage?: readonly [number, number];
  /** Light-wrap strength 0..1: the background's luma is screen-blended onto the person where alpha < 1. Default 0. */
  lightWrap?: number;
}

interface Axes {
  key: string;
  /** First frame column of each grid interval g (columns g, g + 1), for g in 0..gridWidth (the last = roi end). */
  ivStart: Int32Array;
  xF: Float32Array;
  yI0: Int32Array;
  yI1: Int32Array;
  yF: Float32Array;
  /** Where the five tables above are resident in wasm memory (ivStart, xF, yI0, yI1, yF). */
  at: number[];
}

let cached: Axes | undefined;

function axes(width: number, height: number, gw: number, gh: number, roi: Rect): Axes {
  const key = `${width},${height},${gw},${gh},${roi.x},${roi.y},${roi.width},${roi.height}`;
  if (cached?.key === key) return cached;
  const ivStart = new Int32Array(gw + 1).fill(roi.x + roi.width);
  const xF = new Float32Array(width + 8);
  let next = 0;
  for (let x = roi.x; x < roi.x + roi.width; x++) {
    let g = ((x + 0.5 - roi.x) * gw) / roi.width - 0.5;
    if (g < 0) g = 0;
    if (g > gw - 1) g = gw - 1;
    const k = Math.floor(g);
    xF[x] = g - k;
    while (next <= k) ivStart[next++] = x;
  }
  const yI0 = new Int32Array(height).fill(-1);
  const yI1 = new Int32Array(height);
  const yF = new Float32Array(height);
  for (let y = roi.y; y < roi.y + roi.height; y++) {
    let g = ((y + 0.5 - roi.y) * gh) / roi.height - 0.5;
    if (g < 0) g = 0;
    if (g > gh - 1) g = gh - 1;
    const k = Math.floor(g);
    yI0[y] = k;
    yI1[y] = k + 1 < gh ? k + 1 : k;
    yF[y] = g - k;
  }
  const at = residentTables([ivStart, xF, yI0, yI1, yF], cached?.at[0] ?? -1);
  cached = { key, ivStart, xF, yI0, yI1, yF, at };
  return cached;
}

function checkGrid(
  grid: unknown,
  name: string,
  n: number,
  gw: number,
  gh: number,
): asserts grid is Float32Array {
  if (!(grid instanceof Float32Array)) {
    throw new DeepsegError('ERR_INVALID_ARGUMENT', `Expected a Float32Array for ${name}`, { option: name });
  }
  assertLength(grid, n, name, gw, gh, 'mask');
}

/**
 * The last step of the (fast) guided filter fused with the YUYV blend, in WebAssembly SIMD. For every
 * pixel, q = a·Y/255 + b with `a`, `b` sampled bilinearly (pixel-centre aligned) from
 * `gridWidth`×`gridHeight` grids over `roi` and Y the frame's own luma (edge-aware upsampling of a
 * low-resolution mask); alpha = smoothstep(coverage[0], coverage[1], q); the background's luma is
 * screen-blended onto the person by `lightWrap`·(1 − alpha); then `out = bg + (fg − bg)·alpha`, chroma
 * with the mean alpha of the pixel pair. f32 arithmetic, within 1 code value of the double-precision
 * formula; runs of pixels that are surely background or surely person are copied exactly.
 * `out` must not overlap `frame` or the background.
 *
 * @throws DeepsegError `ERR_INVALID_OPTION` (dimensions, roi, coverage, lightWrap, factor),
 *   `ERR_INVALID_ARGUMENT` (buffer types, overlap), `ERR_BUFFER_TOO_SMALL`.
 * @example
 * ```ts
 * guidedCompositeYuyv(camera, { color: [149, 43, 21] }, out, meanA, meanB, {
 *   width: 1280, height: 720, gridWidth: 128, gridHeight: 128, coverage: [0.25, 0.75], lightWrap: 0.1,
 * });
 * ```
 */
export function guidedCompositeYuyv(
  frame: Uint8Array,
  background: GuidedBackground,
  out: Uint8Array,
  a: Float32Array,
  b: Float32Array,
  options: GuidedCompositeOptions,
): void {
  assertOptionsObject(options, '{ width, height, gridWidth, gridHeight }');
  const { width, height, gridWidth: gw, gridHeight: gh } = options;
  assertDimensions(width, height, 'YUYV');
  assertInt(gw, 'gridWidth', 1);
  assertInt(gh, 'gridHeight', 1);
  const roi = options.roi ?? { x: 0, y: 0, width, height };
  if (options.roi !== undefined) assertRect(roi, 'roi', width, height);
  const coverage = options.coverage ?? [0, 1];
  if (!Array.isArray(coverage) || coverage.length !== 2) {
    throw new DeepsegError('ERR_INVALID_OPTION', 'Expected [low, high] for options.coverage', {
      option: 'options.coverage',
    });
  }
  assertFinite(coverage[0], 'coverage[0]');
  assertFinite(coverage[1], 'coverage[1]');
  if (coverage[1] < coverage[0]) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected options.coverage[0] <= options.coverage[1] but received [${coverage[0]}, ${coverage[1]}]`,
      { option: 'options.coverage' },
    );
  }
  const wrap = options.lightWrap ?? 0;
  assertFinite(wrap, 'lightWrap');
  if (wrap < 0 || wrap > 1) {
    throw new DeepsegError('ERR_INVALID_OPTION', `Expected 0..1 for options.lightWrap but received ${wrap}`, {
      option: 'options.lightWrap',
    });
  }
  const n = width * height * 2;
  assertBytes(frame, 'frame');
  assertBytes(out, 'out');
  assertLength(frame, n, 'frame', width, height, 'YUYV');
  assertLength(out, n, 'out', width, height, 'YUYV');
  checkGrid(a, 'a', gw * gh, gw, gh);
  checkGrid(b, 'b', gw * gh, gw, gh);
  assertNoOverlap(frame, out, 'frame and out');
  const rowBytes = width * 2;
  let bgBuf: Uint8Array | undefined;
  let bgBytes = 0;
  let bgStride = rowBytes;
  let bgRows = height;
  let factor = 0;
  let color: readonly [number, number, number] | undefined;
  let planes: Float32Array | undefined;
  if (background instanceof Uint8Array) {
    assertLength(background, n, 'background', width, height, 'YUYV');
    bgBuf = background;
    bgBytes = n;
  } else if (typeof background === 'object' && background !== null && 'color' in background) {
    color = background.color;
    if (
      !Array.isArray(color) ||
      color.length !== 3 ||
      !color.every((c) => Number.isInteger(c) && c >= 0 && c <= 255)
    ) {
      throw new DeepsegError(
        'ERR_INVALID_OPTION',
        'Expected [Y, U, V] code values 0..255 for background.color',
        {
          option: 'background.color',
        },
      );
    }
    bgStride = 0;
    bgBytes = rowBytes;
  } else if (typeof background === 'object' && background !== null && 'rows' in background) {
    assertBytes(background.rows, 'background.rows');
    assertInt(background.factor, 'background.factor', 1, height);
    factor = background.factor;
    bgRows = Math.ceil(height / factor);
    assertLength(background.rows, bgRows * rowBytes, 'background.rows', width, bgRows, 'YUYV');
    bgBuf = background.rows;
    bgBytes = bgRows * rowBytes;
  } else if (typeof background === 'object' && background !== null && 'planes' in background) {
    if (!(background.planes instanceof Float32Array)) {
      throw new DeepsegError('ERR_INVALID_ARGUMENT', 'Expected a Float32Array for background.planes', {
        option: 'background.planes',
      });
    }
    assertInt(background.factor, 'background.factor', 1, height);
    assertInt(background.planeWidth, 'background.planeWidth', 1);
    assertInt(background.planeHeight, 'background.planeHeight', 1);
    factor = background.factor;
    bgRows = background.planeHeight;
    bgStride = background.planeWidth;
    planes = background.planes;
    bgBytes = bgStride * bgRows * 12;
    if (planes.length < bgStride * bgRows * 3) {
      throw new DeepsegError(
        'ERR_BUFFER_TOO_SMALL',
        `background.planes holds ${planes.length} floats but three ${bgStride}x${bgRows} planes need ${bgStride * bgRows * 3}`,
        { option: 'background.planes' },
      );
    }
  } else {
    throw new DeepsegError(
      'ERR_INVALID_ARGUMENT',
      'Expected a YUYV frame, { color }, { rows, factor } or { planes, planeWidth, planeHeight, factor } for background',
      { option: 'background' },
    );
  }
  if (bgBuf !== undefined) assertNoOverlap(bgBuf, out, 'background and out');
  const ax = axes(width, height, gw, gh, roi);
  const fAt = addressOf(frame);
  const bAt = bgBuf !== undefined ? addressOf(bgBuf) : planes !== undefined ? addressOf(planes) : -1;
  const tab = planes === undefined ? undefined : tablesFor(width, bgStride, factor);
  const dAt = addressOf(out);
  const aAt = addressOf(a);
  const cAt = addressOf(b);
  const g = gw * gh * 4;
  const slot = ((width + 16) & ~7) * 4;
  layout.reset();
  const of = fAt < 0 ? layout.take(n) : -1;
  const ob = bAt < 0 ? layout.take(bgBytes) : -1;
  const od = dAt < 0 ? layout.take(n) : -1;
  const oa = aAt < 0 ? layout.take(g) : -1;
  const oc = cAt < 0 ? layout.take(g) : -1;
  // eleven slots, the cell classes (gw·gh bytes), the runs of a row (3 words each, at most gw + 2)
  const owork = layout.take(11 * slot + ((gw * gh + 15) & ~15) + (gw + 3) * 12);
  const h = wasmHeap(layout.size);
  const base = h.scratch;
  const pf = fAt >= 0 ? fAt : base + of;
  const pb = bAt >= 0 ? bAt : base + ob;
  const pd = dAt >= 0 ? dAt : base + od;
  const pa = aAt >= 0 ? aAt : base + oa;
  const pc = cAt >= 0 ? cAt : base + oc;
  if (fAt < 0) copyIn(h, frame, pf, n);
  if (bAt < 0) {
    if (color !== undefined) {
      const [y, u, v] = color;
      const word = (y | (u << 8) | (y << 16) | (v << 24)) >>> 0;
      new Uint32Array(h.u8.buffer, pb, width >> 1).fill(word);
    } else if (planes !== undefined) {
      const count = bgBytes >> 2;
      h.f32.set(planes.length === count ? planes : planes.subarray(0, count), pb >> 2);
    } else copyIn(h, bgBuf!, pb, bgBytes);
  }
  if (aAt < 0) h.f32.set(a.length === gw * gh ? a : a.subarray(0, gw * gh), pa >> 2);
  if (cAt < 0) h.f32.set(b.length === gw * gh ? b : b.subarray(0, gw * gh), pc >> 2);
  h.kernels.guidedComposite(
    pf,
    pb,
    bgStride,
    bgRows,
    factor,
    tab === undefined ? 0 : tab.at,
    pd,
    width,
    height,
    pa,
    pc,
    gw,
    gh,
    roi.x + roi.width,
    ax.at[0]!,
    ax.at[1]!,
    ax.at[2]!,
    ax.at[3]!,
    ax.at[4]!,
    coverage[0],
    coverage[1],
    wrap,
    base + owork,
  );
  if (dAt < 0) out.set(heapView(h, pd, n));
}
