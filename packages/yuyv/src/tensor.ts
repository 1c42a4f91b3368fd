import { type ColorMatrix, type ColorRange, cachedYuvToRgb } from './color.ts';
import { DeepsegError } from './errors.ts';
import {
  byteLengthUnchecked,
  isYuvFormat,
  PIXEL_FORMATS,
  type PixelFormat,
  rgbOffsets,
  type YuvFormat,
  yuvLayout,
} from './pixel-format.ts';
import { type AreaAxis, type Axis, axis, type BilinearAxis } from './sampling.ts';
import {
  assertBytes,
  assertDimensions,
  assertFinite,
  assertInt,
  assertLength,
  assertOneOf,
  assertRect,
  type Rect,
} from './validate.ts';
import { addressOf, copyIn, heapF32View, layout, wasmHeap } from './wasm.ts';

/** Shape and normalisation of a model input tensor (3 channels, float32). */
export interface TensorSpec {
  /** Tensor width (integer ≥ 1). */
  width: number;
  /** Tensor height (integer ≥ 1). */
  height: number;
  /** `NHWC` (default; `[1, H, W, 3]`) or `NCHW` (`[1, 3, H, W]`). */
  layout?: 'NHWC' | 'NCHW';
  /** Order of the 3 channels in the tensor: `RGB` (default) or `BGR`. */
  channelOrder?: 'RGB' | 'BGR';
  /** Multiplies the 0..255 pixel value first; default `1/255`. */
  scale?: number;
  /** Subtracted after scaling, per tensor channel (in tensor channel order); default 0. */
  mean?: number | readonly [number, number, number];
  /** Divides last, per tensor channel (in tensor channel order); default 1. */
  std?: number | readonly [number, number, number];
}

/** Options of {@link frameToTensor}. */
export interface FrameToTensorOptions {
  /** Frame width in pixels. */
  width: number;
  /** Frame height in pixels. */
  height: number;
  /** Frame format (any {@link PixelFormat}). */
  format: PixelFormat;
  /** Region of the frame to read (integer pixels); default the whole frame. */
  roi?: Rect;
  /** The tensor to write. */
  tensor: TensorSpec;
  /**
   * `bilinear` (default): pixel-centre aligned, 2×2 taps — OpenCV `INTER_LINEAR`, TensorFlow
   * `resize_bilinear(half_pixel_centers=True)`, PyTorch `interpolate(align_corners=False)` without
   * antialias; samples outside the ROI clamp to its edge pixels. `area`: exact box coverage (each
   * output pixel is the coverage-weighted mean of the ROI pixels under it; OpenCV `INTER_AREA` when
   * shrinking); cost grows with the ROI size.
   */
  filter?: 'bilinear' | 'area';
  /**
   * `stretch` (default): the ROI fills the tensor. `contain`: keep the aspect ratio, centre the ROI
   * in the tensor and fill the rest (letterbox) with `fill`; see {@link containRect}.
   */
  fit?: 'stretch' | 'contain';
  /** Letterbox colour in pixel units 0..255 (in tensor channel order), normalised like pixels; default 0. */
  fill?: number | readonly [number, number, number];
  /** YUV matrix for YUV frames; default `BT601`. */
  matrix?: ColorMatrix;
  /** YUV range for YUV frames; default `limited`. */
  range?: ColorRange;
}

/**
 * Where a `srcWidth`×`srcHeight` region lands inside a `dstWidth`×`dstHeight` area when scaled to fit
 * with its aspect ratio kept and centred: `width = round(srcWidth·s)`, `height = round(srcHeight·s)`
 * with `s = min(dstWidth/srcWidth, dstHeight/srcHeight)` (at least 1 pixel), `x = floor((dstWidth −
 * width)/2)`, `y = floor((dstHeight − height)/2)`. This is the tensor area `fit: 'contain'` fills, and
 * the part of the model's output mask to pass as `maskRect` when compositing.
 *
 * @example
 * ```ts
 * containRect(1280, 720, 256, 256); // { x: 0, y: 56, width: 256, height: 144 }
 * ```
 */
export function containRect(srcWidth: number, srcHeight: number, dstWidth: number, dstHeight: number): Rect {
  return containInto({ x: 0, y: 0, width: 0, height: 0 }, srcWidth, srcHeight, dstWidth, dstHeight);
}

function containInto(
  out: Rect,
  srcWidth: number,
  srcHeight: number,
  dstWidth: number,
  dstHeight: number,
): Rect {
  const s = Math.min(dstWidth / srcWidth, dstHeight / srcHeight);
  out.width = Math.max(1, Math.min(dstWidth, Math.round(srcWidth * s)));
  out.height = Math.max(1, Math.min(dstHeight, Math.round(srcHeight * s)));
  out.x = Math.floor((dstWidth - out.width) / 2);
  out.y = Math.floor((dstHeight - out.height) / 2);
  return out;
}

// Per-call scratch (calls are synchronous): no allocation on the per-frame path.
const MEAN = new Float64Array(3);
const STD = new Float64Array(3);
const FILL = new Float64Array(3);
const WHOLE: Rect = { x: 0, y: 0, width: 0, height: 0 };
const CONTENT: Rect = { x: 0, y: 0, width: 0, height: 0 };
const LAYOUTS = ['NHWC', 'NCHW'] as const;
const ORDERS = ['RGB', 'BGR'] as const;
const FILTERS = ['bilinear', 'area'] as const;
const FITS = ['stretch', 'contain'] as const;
const MATRICES = ['BT601', 'BT709'] as const;
const RANGES = ['limited', 'full'] as const;

function triple(value: unknown, option: string, fallback: number, out: Float64Array): Float64Array {
  if (value === undefined) {
    out.fill(fallback);
    return out;
  }
  if (typeof value === 'number') {
    assertFinite(value, option);
    out.fill(value);
    return out;
  }
  if (!Array.isArray(value) || value.length !== 3) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected a number or an array of 3 numbers for options.${option}`,
      {
        option: `options.${option}`,
      },
    );
  }
  assertFinite(value[0], `${option}[0]`);
  assertFinite(value[1], `${option}[1]`);
  assertFinite(value[2], `${option}[2]`);
  out[0] = value[0];
  out[1] = value[1];
  out[2] = value[2];
  return out;
}

/**
 * Crops a region of interest out of a frame, resizes it to a model's input size, converts it to RGB
 * (or BGR) and normalises it into a float32 tensor — in one pass, without intermediate frames.
 *
 * Each tensor value is `(p·scale − mean[c]) / std[c]` where `p` (0..255) is the filtered pixel. For
 * YUV frames the filter runs on Y, U, V (chroma taken per pixel pair/block as in {@link convertFrame})
 * and the result is converted with the unrounded equations (float32) and clamped to 0..255; this equals
 * "convertFrame to RGB, then resize" except that convertFrame rounds to integers (≤ 0.5 code value)
 * and where a colour is out of gamut (clamping before vs after filtering).
 *
 * @throws DeepsegError `ERR_INVALID_OPTION` (dimensions, format, roi outside the frame, tensor spec,
 *   filter, fit, fill), `ERR_INVALID_ARGUMENT` (src not a Uint8Array, dst not a Float32Array),
 *   `ERR_BUFFER_TOO_SMALL` (src shorter than the frame, dst shorter than 3·width·height).
 * @example
 * ```ts
 * const input = new Float32Array(256 * 256 * 3);
 * frameToTensor(yuyv, input, {
 *   width: 1280, height: 720, format: 'YUYV',
 *   tensor: { width: 256, height: 256, layout: 'NHWC', scale: 1 / 127.5, mean: 1 },
 * });
 * ```
 */
export function frameToTensor(src: Uint8Array, dst: Float32Array, options: FrameToTensorOptions): void {
  const {
    width,
    height,
    format,
    tensor,
    filter = 'bilinear',
    fit = 'stretch',
    matrix = 'BT601',
    range = 'limited',
  } = options;
  assertOneOf(format, PIXEL_FORMATS, 'format');
  assertDimensions(width, height, format);
  assertBytes(src, 'src');
  assertLength(src, byteLengthUnchecked(format, width, height), 'src', width, height, format);
  if (!(dst instanceof Float32Array)) {
    throw new DeepsegError('ERR_INVALID_ARGUMENT', 'Expected a Float32Array for dst', { option: 'dst' });
  }
  if (typeof tensor !== 'object' || tensor === null) {
    throw new DeepsegError('ERR_INVALID_OPTION', 'Expected { width, height, … } for options.tensor', {
      option: 'options.tensor',
    });
  }
  assertInt(tensor.width, 'tensor.width', 1);
  assertInt(tensor.height, 'tensor.height', 1);
  const tensorLayout = tensor.layout ?? 'NHWC';
  const order = tensor.channelOrder ?? 'RGB';
  assertOneOf(tensorLayout, LAYOUTS, 'tensor.layout');
  assertOneOf(order, ORDERS, 'tensor.channelOrder');
  const scale = tensor.scale ?? 1 / 255;
  assertFinite(scale, 'tensor.scale');
  const mean = triple(tensor.mean, 'tensor.mean', 0, MEAN);
  const std = triple(tensor.std, 'tensor.std', 1, STD);
  if (std[0] === 0 || std[1] === 0 || std[2] === 0) {
    throw new DeepsegError('ERR_INVALID_OPTION', 'Expected non-zero values for options.tensor.std', {
      option: 'options.tensor.std',
    });
  }
  const fill = triple(options.fill, 'fill', 0, FILL);
  assertOneOf(filter, FILTERS, 'filter');
  assertOneOf(fit, FITS, 'fit');
  assertOneOf(matrix, MATRICES, 'matrix');
  assertOneOf(range, RANGES, 'range');
  let roi = options.roi;
  if (roi === undefined) {
    roi = WHOLE;
    WHOLE.width = width;
    WHOLE.height = height;
  }
  assertRect(roi, 'roi', width, height);
  const tw = tensor.width;
  const th = tensor.height;
  assertLength(dst, tw * th * 3, 'dst', tw, th, 'tensor');

  const content = CONTENT;
  if (fit === 'contain') containInto(content, roi.width, roi.height, tw, th);
  else {
    content.x = 0;
    content.y = 0;
    content.width = tw;
    content.height = th;
  }
  // value = p * a[c] + b[c], with c the tensor channel
  const a0 = scale / std[0]!;
  const a1 = scale / std[1]!;
  const a2 = scale / std[2]!;
  const b0 = -mean[0]! / std[0]!;
  const b1 = -mean[1]! / std[1]!;
  const b2 = -mean[2]! / std[2]!;
  const plane = tw * th;
  const cStep = tensorLayout === 'NHWC' ? 1 : plane; // distance between channels
  const pStep = tensorLayout === 'NHWC' ? 3 : 1; // distance between pixels
  if (filter === 'bilinear' && PACKED.includes(format) && content.width >= 4) {
    const swap = order === 'BGR';
    const firstOut = (content.y * tw + content.x) * pStep;
    tensorPackedWasm(
      src,
      dst,
      width,
      height,
      format,
      roi,
      content,
      matrix,
      range,
      swap,
      a0,
      a1,
      a2,
      b0,
      b1,
      b2,
      firstOut,
      tw * pStep,
      tensorLayout === 'NCHW',
      plane,
      tw * th * 3,
    );
  } else if (filter === 'area' && PACKED.includes(format)) {
    const firstOut = (content.y * tw + content.x) * pStep;
    tensorAreaWasm(
      src,
      dst,
      width,
      height,
      format,
      roi,
      content,
      matrix,
      range,
      order === 'BGR',
      a0,
      a1,
      a2,
      b0,
      b1,
      b2,
      firstOut,
      tw * pStep,
      pStep,
      cStep,
      tw * th * 3,
    );
  } else {
    tensorPortable(
      src,
      dst,
      width,
      height,
      format,
      roi,
      content,
      filter,
      matrix,
      range,
      order,
      a0,
      a1,
      a2,
      b0,
      b1,
      b2,
      tw,
      pStep,
      cStep,
    );
  }
  if (content.width !== tw || content.height !== th) {
    const f0 = fill[0]! * a0 + b0;
    const f1 = fill[1]! * a1 + b1;
    const f2 = fill[2]! * a2 + b2;
    for (let ty = 0; ty < th; ty++) {
      const inside = ty >= content.y && ty < content.y + content.height;
      for (let tx = 0; tx < tw; tx++) {
        if (inside && tx >= content.x && tx < content.x + content.width) continue;
        const o = (ty * tw + tx) * pStep;
        dst[o] = f0;
        dst[o + cStep] = f1;
        dst[o + 2 * cStep] = f2;
      }
    }
  }
}

function tensorPortable(
  src: Uint8Array,
  dst: Float32Array,
  width: number,
  height: number,
  format: PixelFormat,
  roi: Rect,
  content: Rect,
  filter: 'bilinear' | 'area',
  matrix: ColorMatrix,
  range: ColorRange,
  order: 'RGB' | 'BGR',
  a0: number,
  a1: number,
  a2: number,
  b0: number,
  b1: number,
  b2: number,
  tw: number,
  pStep: number,
  cStep: number,
): void {
  const ax = axis(filter, roi.x, roi.width, content.width);
  const ay = axis(filter, roi.y, roi.height, content.height);

  // Where channel k of pixel (x, row) lives: base[k] + rowOff(k, row) + colOff(k, x).
  let base0: number;
  let base1: number;
  let base2: number;
  let colMul0: number; // byte offset of column x for channel 0 is x * colMul0 (YUV chroma: (x >> 1) * colMul1)
  let colMul1: number;
  let rowMul0: number;
  let rowMul1: number;
  let chromaShift = 0;
  let yuv = false;
  if (isYuvFormat(format)) {
    const L = yuvLayout(format, width, height);
    base0 = L.yBase;
    base1 = L.uBase;
    base2 = L.vBase;
    colMul0 = L.yStep;
    colMul1 = L.cStep;
    rowMul0 = L.yStride;
    rowMul1 = L.cStride;
    chromaShift = L.chromaShift;
    yuv = true;
  } else {
    const o = rgbOffsets(format);
    base0 = o.r;
    base1 = o.g;
    base2 = o.b;
    colMul0 = o.bpp;
    colMul1 = o.bpp;
    rowMul0 = width * o.bpp;
    rowMul1 = rowMul0;
  }
  const k = yuv ? cachedYuvToRgb(matrix, range) : undefined;
  const swap = order === 'BGR';
  const acc = sampleScratch;
  for (let cy = 0; cy < content.height; cy++) {
    const ty = cy + content.y;
    for (let cx = 0; cx < content.width; cx++) {
      const tx = cx + content.x;
      filterAt(
        src,
        ax,
        ay,
        cx,
        cy,
        base0,
        base1,
        base2,
        colMul0,
        colMul1,
        rowMul0,
        rowMul1,
        chromaShift,
        yuv,
        acc,
      );
      let r = acc[0]!;
      let g = acc[1]!;
      let b = acc[2]!;
      if (k !== undefined) {
        const e = k.yGain * (r - k.yOffset);
        const u = g - 128;
        const v = b - 128;
        r = e + k.rV * v;
        g = e + k.gU * u + k.gV * v;
        b = e + k.bU * u;
        r = clampByte(r);
        g = clampByte(g);
        b = clampByte(b);
      }
      if (swap) {
        const t = r;
        r = b;
        b = t;
      }
      const o = (ty * tw + tx) * pStep;
      dst[o] = r * a0 + b0;
      dst[o + cStep] = g * a1 + b1;
      dst[o + 2 * cStep] = b * a2 + b2;
    }
  }
}

const sampleScratch = new Float64Array(3);

function filterAt(
  src: Uint8Array,
  ax: Axis,
  ay: Axis,
  cx: number,
  cy: number,
  base0: number,
  base1: number,
  base2: number,
  colMul0: number,
  colMul1: number,
  rowMul0: number,
  rowMul1: number,
  chromaShift: number,
  yuv: boolean,
  out: Float64Array,
): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  const xs = ax.kind === 'bilinear' ? 2 : ax.count[cx]!;
  const ys = ay.kind === 'bilinear' ? 2 : ay.count[cy]!;
  for (let j = 0; j < ys; j++) {
    let row: number;
    let wy: number;
    if (ay.kind === 'bilinear') {
      row = ay.i0[cy]! + j * ay.step[cy]!;
      wy = j === 0 ? 1 - ay.f[cy]! : ay.f[cy]!;
    } else {
      row = ay.start[cy]! + j;
      wy = ay.w[ay.off[cy]! + j]!;
    }
    const r0 = row * rowMul0;
    const r1 = (yuv ? row >> chromaShift : row) * rowMul1;
    for (let i = 0; i < xs; i++) {
      let x: number;
      let wx: number;
      if (ax.kind === 'bilinear') {
        x = ax.i0[cx]! + i * ax.step[cx]!;
        wx = i === 0 ? 1 - ax.f[cx]! : ax.f[cx]!;
      } else {
        x = ax.start[cx]! + i;
        wx = ax.w[ax.off[cx]! + i]!;
      }
      const w = wx * wy;
      const c1 = yuv ? (x >> 1) * colMul1 : x * colMul1;
      s0 += w * src[base0 + r0 + x * colMul0]!;
      s1 += w * src[base1 + r1 + c1]!;
      s2 += w * src[base2 + r1 + c1]!;
    }
  }
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
}

/** Formats the SIMD tensor kernel reads (planar ones through a YUYV repack of the rows it needs). */
const PACKED: readonly PixelFormat[] = ['YUYV', 'UYVY', 'NV12', 'I420', 'I422', 'RGB24', 'BGR24', 'RGBA'];

/** Per tensor column, 32-byte records for the kernel: swizzle (16 bytes), byte offset in the vertical row, weight. */
interface ColumnTaps {
  format: PixelFormat;
  swap: boolean;
  roiX: number;
  roiW: number;
  cols: number;
  spanStart: number;
  spanLen: number;
  records: Uint8Array;
}

const columnCache: ColumnTaps[] = [];

/**
 * For tensor column i with taps x0 and x1: the 8 i16 loaded start at element `base` of the vertical
 * row, and lanes [a0 a1 a2 0 b0 b1 b2 0] are elements `a[k] - base`, `b[k] - base` (k = channel).
 */
function columnTaps(
  format: PixelFormat,
  swap: boolean,
  roiX: number,
  roiW: number,
  cols: number,
): ColumnTaps {
  for (const c of columnCache) {
    if (c.format === format && c.swap === swap && c.roiX === roiX && c.roiW === roiW && c.cols === cols)
      return c;
  }
  const ax = axis('bilinear', roiX, roiW, cols) as BilinearAxis;
  const records = new Uint8Array(cols * 32);
  const bytes = records;
  const ints = new Int32Array(records.buffer);
  let spanStart: number;
  let spanEnd: number;
  const yuv = format === 'YUYV' || format === 'UYVY';
  let channels: (x: number) => [number, number, number];
  let baseOf: (x: number) => number;
  if (yuv) {
    const yPos = format === 'YUYV' ? 0 : 1;
    const uPos = 1 - yPos;
    spanStart = 2 * (roiX & ~1);
    spanEnd = 4 * ((roiX + roiW + 1) >> 1);
    channels = (x) => [2 * x + yPos, 4 * (x >> 1) + uPos, 4 * (x >> 1) + uPos + 2];
    baseOf = (x) => 4 * (x >> 1);
  } else {
    const o = rgbOffsets(format as 'RGB24' | 'BGR24' | 'RGBA');
    spanStart = roiX * o.bpp;
    spanEnd = (roiX + roiW) * o.bpp;
    channels = (x) =>
      swap
        ? [x * o.bpp + o.b, x * o.bpp + o.g, x * o.bpp + o.r]
        : [x * o.bpp + o.r, x * o.bpp + o.g, x * o.bpp + o.b];
    baseOf = (x) => x * o.bpp;
  }
  for (let i = 0; i < cols; i++) {
    const x0 = ax.i0[i]!;
    const x1 = x0 + ax.step[i]!;
    const base = baseOf(x0);
    const a = channels(x0);
    const b = channels(x1);
    // lanes [a0 b0 a1 b1 a2 b2 0 0]: channel k of both taps side by side, for one dot product
    const lanes = [a[0], b[0], a[1], b[1], a[2], b[2], -1, -1];
    for (let k = 0; k < 8; k++) {
      const e = lanes[k]! < 0 ? -1 : lanes[k]! - base;
      if (e > 7) throw new Error(`internal: tap outside the loaded vector (${format})`);
      bytes[i * 32 + 2 * k] = e < 0 ? 0x80 : 2 * e;
      bytes[i * 32 + 2 * k + 1] = e < 0 ? 0x80 : 2 * e + 1;
    }
    ints[i * 8 + 4] = base - spanStart;
    const wb = Math.round(ax.f[i]! * 16384);
    ints[i * 8 + 5] = (16384 - wb) | (wb << 16);
  }
  const taps: ColumnTaps = {
    format,
    swap,
    roiX,
    roiW,
    cols,
    spanStart,
    spanLen: spanEnd - spanStart,
    records,
  };
  if (columnCache.length >= 8) columnCache.shift();
  columnCache.push(taps);
  return taps;
}

function tensorPackedWasm(
  src: Uint8Array,
  dst: Float32Array,
  width: number,
  height: number,
  format: PixelFormat,
  roi: Rect,
  content: Rect,
  matrix: ColorMatrix,
  range: ColorRange,
  swap: boolean,
  a0: number,
  a1: number,
  a2: number,
  b0: number,
  b1: number,
  b2: number,
  firstOut: number,
  rowStep: number,
  nchw: boolean,
  plane: number,
  total: number,
): void {
  // Planar frames are first repacked to YUYV (only the rows the tensor reads), then read as YUYV.
  const planar = format === 'NV12' || format === 'I420' || format === 'I422';
  const kernelFormat: PixelFormat = planar ? 'YUYV' : format;
  const yuv = planar || format === 'YUYV' || format === 'UYVY';
  const taps = columnTaps(kernelFormat, yuv ? false : swap, roi.x, roi.width, content.width);
  const ay = axis('bilinear', roi.y, roi.height, content.height) as BilinearAxis;
  const L = planar ? yuvLayout(format as YuvFormat, width, height) : undefined;
  const stride = planar ? width * 2 : byteLengthUnchecked(format, width, height) / height;
  // 4:2:0 chroma rows pair up from an even row
  const firstRow = ay.i0[0]! & (L?.chromaShift === 1 ? ~1 : ~0);
  const lastRow = ay.i0[content.height - 1]! + ay.step[content.height - 1]!;
  const srcBytes = planar ? byteLengthUnchecked(format, width, height) : (lastRow - firstRow + 1) * stride;
  const cols = content.width;
  const rows = content.height;
  const srcAt = addressOf(src);
  const dstAt = addressOf(dst);
  layout.reset();
  const os = srcAt < 0 ? layout.take(srcBytes) : 0;
  const opk = planar ? layout.take((lastRow - firstRow + 1) * stride) : 0;
  const oay = layout.take(rows * 12);
  const ocol = layout.take(cols * 32);
  const odst = dstAt < 0 ? layout.take(total * 4) : 0;
  const h = wasmHeap(layout.size);
  const base = h.scratch;
  const pay = base + oay;
  const pcol = base + ocol;
  const pdst = dstAt < 0 ? base + odst : dstAt;
  // the kernel addresses row y at ps + (y - firstRow) * stride
  let ps: number;
  if (L !== undefined) {
    const frame = srcAt < 0 ? base + os : srcAt;
    if (srcAt < 0) copyIn(h, src, frame, srcBytes);
    const chromaRow = (firstRow >> L.chromaShift) * L.cStride;
    ps = base + opk;
    h.kernels.planarToPacked(
      frame + firstRow * width,
      ps,
      width,
      lastRow - firstRow + 1,
      0,
      frame + L.uBase + chromaRow,
      frame + L.vBase + chromaRow,
      L.cStride,
      L.chromaShift,
      format === 'NV12' ? 1 : 0,
      0,
    );
  } else {
    ps = srcAt < 0 ? base + os : srcAt + firstRow * stride;
    if (srcAt < 0) copyRows(h.u8, src, ps, ay, rows, firstRow, stride, taps.spanStart, taps.spanLen);
  }
  h.i32.set(ay.i0, pay >> 2);
  h.i32.set(ay.step, (pay >> 2) + rows);
  h.f32.set(ay.f, (pay >> 2) + 2 * rows);
  h.u8.set(taps.records, pcol);
  const k = cachedYuvToRgb(matrix, range);
  h.kernels.tensorPacked(
    ps,
    stride,
    firstRow,
    taps.spanStart,
    pay,
    pay + 4 * rows,
    pay + 8 * rows,
    rows,
    cols,
    pcol,
    yuv ? 1 : 0,
    k.yGain,
    k.yOffset,
    k.rV,
    k.gU,
    k.gV,
    k.bU,
    swap ? 1 : 0,
    a0,
    a1,
    a2,
    b0,
    b1,
    b2,
    pdst,
    firstOut,
    rowStep,
    nchw ? 1 : 0,
    plane,
  );
  if (dstAt < 0) dst.set(heapF32View(h, pdst, total));
}

function clampByte(v: number): number {
  if (v < 0) return 0;
  if (v > 255) return 255;
  return v;
}

/** Views of one source buffer's row spans, kept while the buffer lives (camera buffer pools reuse theirs). */
interface RowViews {
  stride: number;
  start: number;
  length: number;
  views: (Uint8Array | undefined)[];
}

const rowViews = new WeakMap<Uint8Array, RowViews>();

/**
 * Copies into wasm memory only what the bilinear kernel reads: the ROI span (+8 bytes for the 8-byte
 * loads) of the two rows each tensor row samples. Row y lands at `at + (y − firstRow)·stride + start`.
 */
function copyRows(
  heap: Uint8Array,
  src: Uint8Array,
  at: number,
  ay: BilinearAxis,
  rows: number,
  firstRow: number,
  stride: number,
  start: number,
  spanLen: number,
): void {
  const length = Math.min(spanLen + 8, stride - start);
  let cache = rowViews.get(src);
  if (cache === undefined || cache.stride !== stride || cache.start !== start || cache.length !== length) {
    cache = { stride, start, length, views: [] };
    rowViews.set(src, cache);
  }
  const views = cache.views;
  let last = -1;
  for (let j = 0; j < rows; j++) {
    const y0 = ay.i0[j]!;
    const y1 = y0 + ay.step[j]!;
    for (let y = y0 > last ? y0 : last + 1; y <= y1; y++) {
      let v = views[y];
      if (v === undefined) {
        const o = y * stride + start;
        v = src.subarray(o, Math.min(o + length, src.length));
        views[y] = v;
      }
      heap.set(v, at + (y - firstRow) * stride + start);
      last = y;
    }
  }
}

const COEF = new Float32Array(18);

/**
 * Fills COEF with, per tensor channel t, [kY, kU, kV, bias, lo, hi] so that
 * out_t = clamp(C0·kY + C1·kU + C2·kV + bias, lo, hi) with C in 0..255 units: the colour matrix (for
 * YUV), the channel order and the normalisation folded together; the clamp bounds are the image of
 * 0..255 under the normalisation.
 */
function foldCoefficients(
  yuv: boolean,
  matrix: ColorMatrix,
  range: ColorRange,
  swap: boolean,
  m: readonly number[],
  a: readonly number[],
): Float32Array {
  const k = cachedYuvToRgb(matrix, range);
  for (let t = 0; t < 3; t++) {
    const mt = m[t]!;
    const at = a[t]!;
    let ky = 0;
    let ku = 0;
    let kv = 0;
    let bias = at;
    if (yuv) {
      const c = swap ? 2 - t : t;
      const cu = c === 1 ? k.gU : c === 2 ? k.bU : 0;
      const cv = c === 0 ? k.rV : c === 1 ? k.gV : 0;
      ky = k.yGain * mt;
      ku = cu * mt;
      kv = cv * mt;
      bias = (-k.yGain * k.yOffset - 128 * (cu + cv)) * mt + at;
    } else if (t === 0) ky = mt;
    else if (t === 1) ku = mt;
    else kv = mt;
    const e1 = 255 * mt + at;
    COEF[t * 6] = ky;
    COEF[t * 6 + 1] = ku;
    COEF[t * 6 + 2] = kv;
    COEF[t * 6 + 3] = bias;
    COEF[t * 6 + 4] = Math.min(at, e1);
    COEF[t * 6 + 5] = Math.max(at, e1);
  }
  return COEF;
}

const M3 = [0, 0, 0];
const A3 = [0, 0, 0];

function tensorAreaWasm(
  src: Uint8Array,
  dst: Float32Array,
  width: number,
  height: number,
  format: PixelFormat,
  roi: Rect,
  content: Rect,
  matrix: ColorMatrix,
  range: ColorRange,
  swap: boolean,
  a0: number,
  a1: number,
  a2: number,
  b0: number,
  b1: number,
  b2: number,
  firstOut: number,
  rowStep: number,
  pixStep: number,
  chanStep: number,
  total: number,
): void {
  const planar = format === 'NV12' || format === 'I420' || format === 'I422';
  const packed = planar || format === 'YUYV' || format === 'UYVY';
  const ax = axis('area', roi.x, roi.width, content.width) as AreaAxis;
  const ay = axis('area', roi.y, roi.height, content.height) as AreaAxis;
  const cols = content.width;
  const rows = content.height;
  const L = planar ? yuvLayout(format as YuvFormat, width, height) : undefined;
  const stride = planar ? width * 2 : byteLengthUnchecked(format, width, height) / height;
  const firstRow = ay.start[0]! & (L?.chromaShift === 1 ? ~1 : ~0);
  const lastRow = ay.start[rows - 1]! + ay.count[rows - 1]! - 1;
  const srcBytes = planar ? byteLengthUnchecked(format, width, height) : (lastRow - firstRow + 1) * stride;
  const srcAt = addressOf(src);
  const dstAt = addressOf(dst);
  layout.reset();
  const os = srcAt < 0 ? layout.take(srcBytes) : 0;
  const opk = planar ? layout.take((lastRow - firstRow + 1) * stride) : 0;
  const oax = layout.take(cols * 12 + ax.w.length * 4);
  const oay = layout.take(rows * 12 + ay.w.length * 4);
  const ocoef = layout.take(18 * 4);
  const orow = layout.take(cols * 12 + 16);
  const oacc = layout.take(cols * 12 + 16);
  const odst = dstAt < 0 ? layout.take(total * 4) : 0;
  const h = wasmHeap(layout.size);
  const base = h.scratch;
  let ps: number;
  if (L !== undefined) {
    const frame = srcAt < 0 ? base + os : srcAt;
    if (srcAt < 0) copyIn(h, src, frame, srcBytes);
    const chromaRow = (firstRow >> L.chromaShift) * L.cStride;
    ps = base + opk;
    h.kernels.planarToPacked(
      frame + firstRow * width,
      ps,
      width,
      lastRow - firstRow + 1,
      0,
      frame + L.uBase + chromaRow,
      frame + L.vBase + chromaRow,
      L.cStride,
      L.chromaShift,
      format === 'NV12' ? 1 : 0,
      0,
    );
  } else {
    ps = srcAt < 0 ? base + os : srcAt + firstRow * stride;
    if (srcAt < 0) copyIn(h, src, ps, srcBytes, firstRow * stride);
  }
  const pax = base + oax;
  const pay = base + oay;
  h.i32.set(ax.start, pax >> 2);
  h.i32.set(ax.count, (pax >> 2) + cols);
  h.i32.set(ax.off, (pax >> 2) + 2 * cols);
  h.f32.set(ax.w, (pax >> 2) + 3 * cols);
  h.i32.set(ay.start, pay >> 2);
  h.i32.set(ay.count, (pay >> 2) + rows);
  h.i32.set(ay.off, (pay >> 2) + 2 * rows);
  h.f32.set(ay.w, (pay >> 2) + 3 * rows);
  M3[0] = a0;
  M3[1] = a1;
  M3[2] = a2;
  A3[0] = b0;
  A3[1] = b1;
  A3[2] = b2;
  h.f32.set(foldCoefficients(packed, matrix, range, swap, M3, A3), (base + ocoef) >> 2);
  let bpp = 0;
  let off0: number;
  let off1: number;
  let off2: number;
  if (packed) {
    const yPos = format === 'UYVY' ? 1 : 0;
    off0 = yPos;
    off1 = 1 - yPos;
    off2 = 3 - yPos;
  } else {
    const o = rgbOffsets(format as 'RGB24' | 'BGR24' | 'RGBA');
    bpp = o.bpp;
    off0 = swap ? o.b : o.r;
    off1 = o.g;
    off2 = swap ? o.r : o.b;
  }
  const pdst = dstAt < 0 ? base + odst : dstAt;
  h.kernels.tensorArea(
    ps,
    stride,
    firstRow,
    bpp,
    off0,
    off1,
    off2,
    cols,
    rows,
    pax,
    pax + 4 * cols,
    pax + 8 * cols,
    pax + 12 * cols,
    pay,
    pay + 4 * rows,
    pay + 8 * rows,
    pay + 12 * rows,
    base + ocoef,
    pdst,
    firstOut,
    rowStep,
    pixStep,
    chanStep,
    base + orow,
    base + oacc,
  );
  if (dstAt < 0) dst.set(heapF32View(h, pdst, total));
}
