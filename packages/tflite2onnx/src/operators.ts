// One converter per TFLite operator. Each reads its TFLite inputs as Values, emits ONNX nodes through
// the GraphBuilder and records the Values of its outputs. 4-D activations are kept NCHW inside.
import { Tflite2OnnxError } from './errors.ts';
import { type GraphBuilder, runtime, type Value } from './graph-builder.ts';
import {
  carriedReshapePerm,
  identity,
  invertPerm,
  NCHW,
  product,
  reshapeKeepsOrder,
  samePerm,
  transposeData,
} from './layout.ts';
import type { FbTable, TfliteOperator } from './tflite-reader.ts';
import { Activation, Field, Padding, TensorType } from './tflite-schema.ts';

/** What an operator converter gets. */
export interface OpContext {
  g: GraphBuilder;
  op: TfliteOperator;
  /** Human label of the operator, e.g. `CONV_2D (operator #12)`. */
  label: string;
  modelName: string;
  /** Input i as a Value (throws for a missing required input). */
  input(i: number): Value;
  /** True when optional input i is present. */
  hasInput(i: number): boolean;
  /** Logical shape and TFLite type of output i. */
  outShape(i: number): number[];
  outName(i: number): string;
  /** Records the Value of output i. */
  setOutput(i: number, v: Value): void;
  /** Adds a harmless note to the report. */
  warn(message: string): void;
  /** Logical shape of any TFLite tensor. */
  outShapeOf(index: number): number[];
  /** The operators reading TFLite tensor `index`. */
  consumers(index: number): TfliteOperator[];
  /** True when TFLite tensor `index` is a graph output. */
  isGraphOutput(index: number): boolean;
}

const UNARY_OPS = new Set(['RELU', 'RELU6', 'RELU_N1_TO_1', 'LOGISTIC', 'TANH', 'HARD_SWISH']);
const BINARY_OPS = new Set(['ADD', 'MUL', 'SUB', 'DIV', 'MAXIMUM', 'MINIMUM']);

/**
 * True when a `[N, C]` tensor may be carried as `[N, 1, 1, C]` instead: everything downstream is
 * elementwise (same shape out), another FULLY_CONNECTED, or a broadcasting binary op whose output is
 * 4-D anyway (numpy broadcasting treats `[N, C]` and `[N, 1, 1, C]` alike there). Never a graph output.
 */
function vectorMayBe4d(ctx: OpContext, index: number, depth = 0): boolean {
  if (ctx.isGraphOutput(index) || depth > 16) return false;
  return ctx.consumers(index).every((c) => {
    if (UNARY_OPS.has(c.op)) return vectorMayBe4d(ctx, c.outputs[0] as number, depth + 1);
    if (c.op === 'FULLY_CONNECTED')
      return c.inputs[0] === index && c.inputs[1] !== index && c.inputs[2] !== index;
    if (BINARY_OPS.has(c.op)) return ctx.outShapeOf(c.outputs[0] as number).length === 4;
    return false;
  });
}

function optionError(ctx: OpContext, option: string, detail: string): Tflite2OnnxError {
  return new Tflite2OnnxError(
    'ERR_UNSUPPORTED_OPTION',
    `${ctx.label} in ${ctx.modelName}: ${detail} (${option}) is not supported by the converter`,
    { model: ctx.modelName, op: ctx.op.op, opIndex: ctx.op.index, option },
  );
}

function constInput(ctx: OpContext, i: number, what: string): Value & { data: Float32Array | Int32Array } {
  const v = ctx.input(i);
  if (v.data === undefined) throw optionError(ctx, what, `a non-constant ${what}`);
  return v as Value & { data: Float32Array | Int32Array };
}

function options(ctx: OpContext): FbTable | undefined {
  return ctx.op.options;
}

/** Applies a fused activation to an ONNX value; returns the new name. */
function activation(ctx: OpContext, name: string, act: number): string {
  const { g } = ctx;
  const hint = ctx.outName(0);
  switch (act) {
    case Activation.NONE:
      return name;
    case Activation.RELU:
      return g.node1('Relu', [name], hint);
    case Activation.RELU6:
      return g.node1('Clip', [name, g.floatScalar('zero', 0), g.floatScalar('six', 6)], hint);
    case Activation.RELU_N1_TO_1:
      return g.node1('Clip', [name, g.floatScalar('minus_one', -1), g.floatScalar('one', 1)], hint);
    case Activation.TANH:
      return g.node1('Tanh', [name], hint);
    default:
      throw optionError(ctx, 'fused_activation_function', `fused activation ${act}`);
  }
}

/**
 * TFLite padding for one spatial axis: SAME pads (possibly asymmetric, the extra pixel at the end),
 * VALID none. Derived from the real input/output sizes as TFLite's ComputePaddingHeightWidth does.
 */
export function samePadding(
  inSize: number,
  outSize: number,
  stride: number,
  kernel: number,
  dilation: number,
): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const total = Math.max((outSize - 1) * stride + effective - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

function spatialPads(
  ctx: OpContext,
  padding: number,
  inShape: number[],
  outShape: number[],
  strides: [number, number],
  kernel: [number, number],
  dilations: [number, number],
): number[] {
  if (padding === Padding.VALID) return [0, 0, 0, 0];
  if (padding !== Padding.SAME) throw optionError(ctx, 'padding', `padding ${padding}`);
  const [t, b] = samePadding(
    inShape[1] as number,
    outShape[1] as number,
    strides[0],
    kernel[0],
    dilations[0],
  );
  const [l, r] = samePadding(
    inShape[2] as number,
    outShape[2] as number,
    strides[1],
    kernel[1],
    dilations[1],
  );
  return [t, l, b, r];
}

function nchwOut(ctx: OpContext, name: string): void {
  ctx.setOutput(0, runtime(name, ctx.outShape(0), [...NCHW]));
}

function conv2d(ctx: OpContext, depthwise: boolean): void {
  const o = options(ctx);
  const F = depthwise ? Field.DepthwiseConv2DOptions : Field.Conv2DOptions;
  const x = ctx.input(0);
  const w = constInput(ctx, 1, 'weights');
  if (x.shape.length !== 4) throw optionError(ctx, 'input', `a rank-${x.shape.length} input`);
  const out = ctx.outShape(0);
  const strides: [number, number] = [o?.int32(F.stride_h, 1) ?? 1, o?.int32(F.stride_w, 1) ?? 1];
  const dilations: [number, number] = [
    o?.int32(F.dilation_h_factor, 1) ?? 1,
    o?.int32(F.dilation_w_factor, 1) ?? 1,
  ];
  const kernel: [number, number] = [w.shape[1] as number, w.shape[2] as number];
  const pads = spatialPads(
    ctx,
    o?.int8(F.padding, Padding.SAME) ?? Padding.SAME,
    x.shape,
    out,
    strides,
    kernel,
    dilations,
  );
  const inC = x.shape[3] as number;
  const outC = out[3] as number;
  let weights: string;
  let group = 1;
  if (depthwise) {
    // [1, KH, KW, C·M] → [C·M, 1, KH, KW]; output channel c·M + m reads input channel c, as ONNX groups do.
    if (w.shape[0] !== 1 || w.shape[3] !== outC || outC % inC !== 0) {
      throw optionError(
        ctx,
        'depth_multiplier',
        `weights ${JSON.stringify(w.shape)} for ${inC} → ${outC} channels`,
      );
    }
    weights = ctx.g.constant(w, [3, 0, 1, 2], `${ctx.outName(0)}_w`);
    group = inC;
  } else {
    // OHWI → OIHW. Grouped convolution (input channels a multiple of the kernel's) maps to group.
    const kin = w.shape[3] as number;
    if (inC % kin !== 0)
      throw optionError(ctx, 'weights', `weights ${JSON.stringify(w.shape)} for ${inC} input channels`);
    group = inC / kin;
    weights = ctx.g.constant(w, [0, 3, 1, 2], `${ctx.outName(0)}_w`);
  }
  const bias = ctx.hasInput(2) ? [ctx.g.need(constInput(ctx, 2, 'bias'), [0], `${ctx.outName(0)}_b`)] : [];
  let y: string;
  if (
    x.data === undefined &&
    !depthwise &&
    group === 1 &&
    dilations[1] === 1 &&
    samePerm(x.perm, identity(4))
  ) {
    // The input is still in NHWC order (typically the graph input). Rather than transposing it, read
    // it as one channel of H rows × W·C columns: a KH×KW convolution over C channels is then a
    // KH×(KW·C) convolution with a horizontal stride of stride_w·C, and the OHWI weights are already
    // in that order ([O, 1, KH, KW·C]). The output comes out NCHW.
    const [n, h, w0, c] = x.shape as [number, number, number, number];
    const flat = ctx.g.node1(
      'Reshape',
      [x.name as string, ctx.g.int64s(`${ctx.outName(0)}_rows`, [n, 1, h, w0 * c])],
      `${ctx.outName(0)}_rows`,
    );
    const [kh, kw] = kernel;
    const rowWeights = ctx.g.constant(w, identity(4), `${ctx.outName(0)}_wrows`, [outC, 1, kh, kw * c]);
    y = ctx.g.node1('Conv', [flat, rowWeights, ...bias], ctx.outName(0), {
      kernel_shape: [kh, kw * c],
      strides: [strides[0], strides[1] * c],
      dilations: [dilations[0], 1],
      pads: [pads[0] as number, (pads[1] as number) * c, pads[2] as number, (pads[3] as number) * c],
    });
  } else {
    const attrs = { kernel_shape: kernel, strides, dilations, pads, group };
    const deferred = x.resizeAfter;
    const src = deferred?.input ?? x;
    const hint = deferred === undefined ? ctx.outName(0) : `${ctx.outName(0)}_small`;
    y = ctx.g.node1('Conv', [ctx.g.need(src, NCHW, ctx.outName(0)), weights, ...bias], hint, attrs);
    if (deferred !== undefined) y = deferred.resize(y, outC, ctx.outName(0));
  }
  nchwOut(ctx, activation(ctx, y, o?.int8(F.fused_activation_function, 0) ?? 0));
}

function pool(ctx: OpContext, kind: 'AveragePool' | 'MaxPool'): void {
  const o = options(ctx);
  const F = Field.Pool2DOptions;
  const x = ctx.input(0);
  const out = ctx.outShape(0);
  const strides: [number, number] = [o?.int32(F.stride_h, 1) ?? 1, o?.int32(F.stride_w, 1) ?? 1];
  const kernel: [number, number] = [o?.int32(F.filter_height, 1) ?? 1, o?.int32(F.filter_width, 1) ?? 1];
  const pads = spatialPads(
    ctx,
    o?.int8(F.padding, Padding.SAME) ?? Padding.SAME,
    x.shape,
    out,
    strides,
    kernel,
    [1, 1],
  );
  const input = ctx.g.need(x, NCHW, ctx.outName(0));
  let y: string;
  if (
    kernel[0] === x.shape[1] &&
    kernel[1] === x.shape[2] &&
    out[1] === 1 &&
    out[2] === 1 &&
    pads.every((p) => p === 0)
  ) {
    y = ctx.g.node1(kind === 'AveragePool' ? 'GlobalAveragePool' : 'GlobalMaxPool', [input], ctx.outName(0));
  } else {
    // TFLite averages over the valid pixels only: count_include_pad = 0.
    const attrs: Record<string, number | number[]> = { kernel_shape: kernel, strides, pads };
    if (kind === 'AveragePool') attrs.count_include_pad = 0;
    y = ctx.g.node1(kind, [input], ctx.outName(0), attrs);
  }
  nchwOut(ctx, activation(ctx, y, o?.int8(F.fused_activation_function, 0) ?? 0));
}

/** Brings a value of lower rank up to `rank` (numpy broadcasting: leading unit axes). */
function expandRank(ctx: OpContext, v: Value, rank: number): Value {
  if (v.shape.length >= rank) return v;
  const shape = [...new Array<number>(rank - v.shape.length).fill(1), ...v.shape];
  if (v.data !== undefined) return { shape, perm: identity(rank), data: v.data };
  const name = ctx.g.need(v, identity(v.shape.length), ctx.outName(0));
  const r = ctx.g.node1(
    'Reshape',
    [name, ctx.g.int64s(`${ctx.outName(0)}_shape`, shape)],
    `${ctx.outName(0)}_expand`,
  );
  return runtime(r, shape);
}

/** Elementwise binary op with TFLite (numpy) broadcasting, in the layout of the runtime operand. */
function binary(ctx: OpContext, onnxOp: string, fused: boolean): void {
  const out = ctx.outShape(0);
  const rank = out.length;
  const a = expandRank(ctx, ctx.input(0), rank);
  const b = expandRank(ctx, ctx.input(1), rank);
  const lead = a.data === undefined ? a : b.data === undefined ? b : undefined;
  if (lead === undefined) throw optionError(ctx, 'inputs', 'two constant inputs');
  // Prefer the layout of a full-size runtime operand.
  const other = lead === a ? b : a;
  const full = product(lead.shape) >= product(other.shape) || other.data !== undefined ? lead : other;
  const perm = full.perm;
  const operand = (v: Value, hint: string): string => {
    if (v.data !== undefined && v.data.length === 1) return ctx.g.constant(v, identity(0), hint, []);
    const name = ctx.g.need(v, perm, hint);
    // Squeeze-excite: x[1,C,H,W] · s[1,C,1,1]. onnxruntime's NCHWc layout (its fast convolution path)
    // has no broadcasting Mul, so a broadcast would drop x out of NCHWc and back around every block.
    // Spreading s to H×W with an exact nearest Resize keeps the whole block in NCHWc (~12% faster).
    if (
      v !== full &&
      v.data === undefined &&
      rank === 4 &&
      samePerm(perm, NCHW) &&
      v.shape[1] === 1 &&
      v.shape[2] === 1 &&
      product(full.shape) > product(v.shape) &&
      v.shape[3] === full.shape[3]
    ) {
      const scales = ctx.g.initializer(
        `${hint}_scales`,
        [4],
        Float32Array.of(1, 1, full.shape[1] as number, full.shape[2] as number),
      );
      return ctx.g.node1('Resize', [name, '', scales], `${hint}_spread`, {
        mode: 'nearest',
        coordinate_transformation_mode: 'asymmetric',
        nearest_mode: 'floor',
      });
    }
    return name;
  };
  let y = ctx.g.node1(
    onnxOp,
    [operand(a, `${ctx.outName(0)}_a`), operand(b, `${ctx.outName(0)}_b`)],
    ctx.outName(0),
  );
  if (fused) y = activation(ctx, y, options(ctx)?.int8(Field.AddOptions.fused_activation_function, 0) ?? 0);
  ctx.setOutput(0, runtime(y, out, [...perm]));
}

function unary(ctx: OpContext, build: (x: string, hint: string) => string): void {
  const x = ctx.input(0);
  if (x.data !== undefined) throw optionError(ctx, 'input', 'a constant input');
  // Elementwise: the output has the input's shape (which may be a [N,C] vector carried as [N,1,1,C]).
  ctx.setOutput(0, runtime(build(x.name as string, ctx.outName(0)), [...x.shape], [...x.perm]));
}

function axisOf(rank: number, axis: number): number {
  return axis < 0 ? axis + rank : axis;
}

function concatenation(ctx: OpContext): void {
  const o = options(ctx);
  const out = ctx.outShape(0);
  const axis = axisOf(out.length, o?.int32(Field.ConcatenationOptions.axis, 0) ?? 0);
  const values = ctx.op.inputs.map((_, i) => ctx.input(i));
  const lead = values.find((v) => v.data === undefined);
  if (lead === undefined) throw optionError(ctx, 'inputs', 'all-constant inputs');
  const perm = lead.perm;
  const names = values.map((v, i) => ctx.g.need(v, perm, `${ctx.outName(0)}_${i}`));
  const y = ctx.g.node1('Concat', names, ctx.outName(0), { axis: perm.indexOf(axis) });
  const act = o?.int8(Field.ConcatenationOptions.fused_activation_function, 0) ?? 0;
  ctx.setOutput(0, runtime(activation(ctx, y, act), out, [...perm]));
}

function reshape(ctx: OpContext): void {
  const x = ctx.input(0);
  const out = ctx.outShape(0);
  if (x.data !== undefined) {
    ctx.setOutput(0, { shape: out, perm: identity(out.length), data: x.data });
    return;
  }
  const candidates: number[][] = [];
  const carried = carriedReshapePerm(x.shape, x.perm, out);
  if (carried !== undefined) candidates.push(carried);
  if (out.length === 4) candidates.push([...NCHW]);
  candidates.push(identity(out.length));
  for (const perm of candidates) {
    if (product(x.shape) <= 1 << 24 && reshapeKeepsOrder(x.shape, x.perm, out, perm)) {
      const shape = perm.map((p) => out[p] as number);
      const y = ctx.g.node1(
        'Reshape',
        [x.name as string, ctx.g.int64s(`${ctx.outName(0)}_shape`, shape)],
        ctx.outName(0),
      );
      ctx.setOutput(0, runtime(y, out, perm));
      return;
    }
  }
  const flat = ctx.g.need(x, identity(x.shape.length), ctx.outName(0));
  const y = ctx.g.node1('Reshape', [flat, ctx.g.int64s(`${ctx.outName(0)}_shape`, out)], ctx.outName(0));
  ctx.setOutput(0, runtime(y, out));
}

function transpose(ctx: OpContext): void {
  const x = ctx.input(0);
  const p = Array.from(constInput(ctx, 1, 'perm').data);
  const out = ctx.outShape(0);
  if (x.data !== undefined) {
    const data = transposeData(x.data, x.shape, p);
    ctx.setOutput(0, { shape: out, perm: identity(out.length), data });
    return;
  }
  // No data moves: the same physical tensor, relabelled. Output logical axis j is input axis p[j].
  const invP = invertPerm(p);
  const perm = x.perm.map((axis) => invP[axis] as number);
  ctx.setOutput(0, runtime(x.name as string, out, perm));
}

function split(ctx: OpContext): void {
  const axisValue = constInput(ctx, 0, 'axis');
  const x = ctx.input(1);
  const axis = axisOf(x.shape.length, axisValue.data[0] as number);
  const sizes = ctx.op.outputs.map((_, i) => ctx.outShape(i)[axis] as number);
  const outs = ctx.g.node(
    'Split',
    [ctx.g.need(x, x.perm, ctx.outName(0)), ctx.g.int64s(`${ctx.outName(0)}_sizes`, sizes)],
    ctx.op.outputs.map((_, i) => ctx.outName(i)),
    { axis: x.perm.indexOf(axis) },
  );
  outs.forEach((name, i) => {
    ctx.setOutput(i, runtime(name, ctx.outShape(i), [...x.perm]));
  });
}

function pad(ctx: OpContext, v2: boolean): void {
  const x = ctx.input(0);
  const paddings = constInput(ctx, 1, 'paddings').data;
  const rank = x.shape.length;
  if (paddings.length !== rank * 2)
    throw optionError(ctx, 'paddings', `paddings of ${paddings.length} values for rank ${rank}`);
  // A 4-D pad almost always feeds a convolution or pool: pad in NCHW so onnxruntime can fuse it.
  const perm = rank === 4 ? [...NCHW] : x.perm;
  const begin = perm.map((a) => paddings[a * 2] as number);
  const end = perm.map((a) => paddings[a * 2 + 1] as number);
  const inputs = [
    ctx.g.need(x, perm, ctx.outName(0)),
    ctx.g.int64s(`${ctx.outName(0)}_pads`, [...begin, ...end]),
  ];
  if (v2 && ctx.hasInput(2)) {
    const c = constInput(ctx, 2, 'constant_values');
    inputs.push(ctx.g.constant(c, identity(0), `${ctx.outName(0)}_value`, []));
  }
  const y = ctx.g.node1('Pad', inputs, ctx.outName(0), { mode: 'constant' });
  ctx.setOutput(0, runtime(y, ctx.outShape(0), perm));
}

function mean(ctx: OpContext): void {
  const x = ctx.input(0);
  const rank = x.shape.length;
  const axes = [...new Set(Array.from(constInput(ctx, 1, 'axis').data).map((a) => axisOf(rank, a)))].sort();
  const out = ctx.outShape(0);
  // Some converters leave keep_dims unset but give the output its full rank: trust the shape.
  const keep = (options(ctx)?.bool(Field.ReducerOptions.keep_dims, false) ?? false) || out.length === rank;
  const physAxes = axes.map((a) => x.perm.indexOf(a)).sort();
  const input = ctx.g.need(x, x.perm, ctx.outName(0));
  let y: string;
  if (rank === 4 && samePerm(physAxes, [2, 3]) && keep) {
    y = ctx.g.node1('GlobalAveragePool', [input], ctx.outName(0));
  } else {
    y = ctx.g.node1('ReduceMean', [input], ctx.outName(0), { axes: physAxes, keepdims: keep ? 1 : 0 });
  }
  let perm = [...x.perm];
  if (!keep) {
    // Drop reduced axes and renumber the rest.
    const kept = x.perm.filter((a) => !axes.includes(a));
    const order = [...kept].sort((a, b) => a - b);
    perm = kept.map((a) => order.indexOf(a));
  }
  ctx.setOutput(0, runtime(y, out, perm));
}

function softmax(ctx: OpContext): void {
  const x = ctx.input(0);
  const beta = options(ctx)?.float32(Field.SoftmaxOptions.beta, 1) ?? 1;
  let input = ctx.g.need(x, x.perm, ctx.outName(0));
  if (beta !== 1)
    input = ctx.g.node1('Mul', [input, ctx.g.floatScalar('beta', beta)], `${ctx.outName(0)}_beta`);
  const axis = x.perm.indexOf(x.shape.length - 1);
  const y = ctx.g.node1('Softmax', [input], ctx.outName(0), { axis });
  ctx.setOutput(0, runtime(y, ctx.outShape(0), [...x.perm]));
}

function fullyConnected(ctx: OpContext): void {
  const o = options(ctx);
  const F = Field.FullyConnectedOptions;
  if ((o?.int8(F.weights_format, 0) ?? 0) !== 0) throw optionError(ctx, 'weights_format', 'shuffled weights');
  const x = ctx.input(0);
  const w = constInput(ctx, 1, 'weights');
  const [units, k] = w.shape as [number, number];
  const rows = product(x.shape) / k;
  const out = ctx.outShape(0);
  const act = o?.int8(F.fused_activation_function, 0) ?? 0;
  if (
    x.shape.length === 4 &&
    x.shape[1] === 1 &&
    x.shape[2] === 1 &&
    x.shape[3] === k &&
    (out.length === 4
      ? out[0] === x.shape[0] && out[1] === 1 && out[2] === 1 && out[3] === units
      : out.length === 2 && vectorMayBe4d(ctx, ctx.op.outputs[0] as number))
  ) {
    // Squeeze-excite on a pooled [N,1,1,C] vector (Google Meet): a 1×1 Conv keeps the block in
    // onnxruntime's NCHWc layout; the [N,units] result is carried as [N,1,1,units] (NCHW).
    const weights = ctx.g.constant(w, [0, 1], `${ctx.outName(0)}_w`, [units, k, 1, 1]);
    const inputs = [ctx.g.need(x, NCHW, ctx.outName(0)), weights];
    if (ctx.hasInput(2)) inputs.push(ctx.g.need(constInput(ctx, 2, 'bias'), [0], `${ctx.outName(0)}_b`));
    const y = ctx.g.node1('Conv', inputs, ctx.outName(0), {
      kernel_shape: [1, 1],
      strides: [1, 1],
      pads: [0, 0, 0, 0],
    });
    ctx.setOutput(0, runtime(activation(ctx, y, act), [x.shape[0] as number, 1, 1, units], [...NCHW]));
    return;
  }
  // Flattening follows TFLite's element order: bring the input to its logical order first (a pure
  // Reshape when only unit axes move, e.g. [1,1,1,C] stored as NCHW).
  const flat = ctx.g.need(x, identity(x.shape.length), ctx.outName(0));
  const x2 =
    x.shape.length === 2
      ? flat
      : ctx.g.node1(
          'Reshape',
          [flat, ctx.g.int64s(`${ctx.outName(0)}_flat`, [rows, k])],
          `${ctx.outName(0)}_2d`,
        );
  const inputs = [x2, ctx.g.constant(w, [0, 1], `${ctx.outName(0)}_w`)];
  if (ctx.hasInput(2)) inputs.push(ctx.g.need(constInput(ctx, 2, 'bias'), [0], `${ctx.outName(0)}_b`));
  let y = ctx.g.node1('Gemm', inputs, ctx.outName(0), { transB: 1 });
  y = activation(ctx, y, act);
  if (out.length !== 2 || out[0] !== rows || out[1] !== units) {
    y = ctx.g.node1('Reshape', [y, ctx.g.int64s(`${ctx.outName(0)}_shape`, out)], ctx.outName(0));
  }
  ctx.setOutput(0, runtime(y, out));
}

function resizeBilinear(ctx: OpContext): void {
  const o = options(ctx);
  const x = ctx.input(0);
  const alignCorners = o?.bool(Field.ResizeBilinearOptions.align_corners, false) ?? false;
  const halfPixel = o?.bool(Field.ResizeBilinearOptions.half_pixel_centers, false) ?? false;
  if (alignCorners && halfPixel)
    throw optionError(ctx, 'align_corners', 'align_corners together with half_pixel_centers');
  const out = ctx.outShape(0);
  const mode = alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric';
  const resize = (input: string, channels: number, hint: string): string => {
    const sizes = ctx.g.int64s(`${hint}_sizes`, [
      out[0] as number,
      channels,
      out[1] as number,
      out[2] as number,
    ]);
    return ctx.g.node1('Resize', [input, '', '', sizes], hint, {
      mode: 'linear',
      coordinate_transformation_mode: mode,
    });
  };
  if (x.data === undefined && resizeFeedsPointwiseConv(ctx, x.shape[3] as number)) {
    // Decoder pattern: RESIZE_BILINEAR then a 1×1 CONV_2D that narrows the channels. Both are linear
    // per channel/pixel and bilinear weights sum to 1 (bias passes through), so the conv runs first
    // at the small size and the resize moves fewer channels. The conv emits both (see conv2d).
    ctx.setOutput(0, { shape: out, perm: [...NCHW], resizeAfter: { input: x, resize } });
    return;
  }
  nchwOut(ctx, resize(ctx.g.need(x, NCHW, ctx.outName(0)), out[3] as number, ctx.outName(0)));
}

/**
 * True when the resize's output is read only by one CONV_2D as its input, with a 1×1 kernel,
 * stride 1, no grouping, and at most as many output channels as `channels` (so moving it before the
 * resize saves work). Any fused activation stays after both.
 */
function resizeFeedsPointwiseConv(ctx: OpContext, channels: number): boolean {
  const index = ctx.op.outputs[0] as number;
  const readers = ctx.consumers(index);
  if (readers.length !== 1 || ctx.isGraphOutput(index)) return false;
  const c = readers[0] as TfliteOperator;
  if (c.op !== 'CONV_2D' || c.inputs[0] !== index || c.inputs.slice(1).includes(index)) return false;
  const w = ctx.outShapeOf(c.inputs[1] as number);
  const F = Field.Conv2DOptions;
  return (
    w.length === 4 &&
    w[1] === 1 &&
    w[2] === 1 &&
    w[3] === channels &&
    (w[0] as number) <= channels &&
    (c.options?.int32(F.stride_h, 1) ?? 1) === 1 &&
    (c.options?.int32(F.stride_w, 1) ?? 1) === 1
  );
}

/** Shared by MediaPipe's Convolution2DTransposeBias and TRANSPOSE_CONV: weights OHWI, output shape known. */
function convTranspose(
  ctx: OpContext,
  x: Value,
  w: Value,
  bias: Value | undefined,
  strides: [number, number],
  padding: 'SAME' | 'VALID',
): void {
  const out = ctx.outShape(0);
  const kernel: [number, number] = [w.shape[1] as number, w.shape[2] as number];
  const pads = [0, 0, 0, 0];
  const outputPadding = [0, 0];
  for (let d = 0; d < 2; d++) {
    const inSize = x.shape[1 + d] as number;
    const total = (inSize - 1) * (strides[d] as number) + (kernel[d] as number) - (out[1 + d] as number);
    if (total >= 0) {
      // Same split as TFLite's ComputePadding: the odd pixel is cropped at the end.
      const before = padding === 'VALID' ? 0 : Math.floor(total / 2);
      pads[d] = before;
      pads[d + 2] = total - before;
    } else outputPadding[d] = -total;
  }
  // OHWI → ONNX ConvTranspose [C_in, C_out, KH, KW].
  const inputs = [
    ctx.g.need(x, NCHW, ctx.outName(0)),
    ctx.g.constant(w, [3, 0, 1, 2], `${ctx.outName(0)}_w`),
  ];
  if (bias !== undefined) inputs.push(ctx.g.need(bias, [0], `${ctx.outName(0)}_b`));
  const attrs: Record<string, number[]> = { kernel_shape: kernel, strides, pads };
  if (outputPadding.some((p) => p !== 0)) attrs.output_padding = outputPadding;
  nchwOut(ctx, ctx.g.node1('ConvTranspose', inputs, ctx.outName(0), attrs));
}

function convolution2DTransposeBias(ctx: OpContext): void {
  const raw = ctx.op.customOptions;
  if (raw === undefined || raw.length < 12)
    throw optionError(ctx, 'custom_options', 'missing custom options (expected padding, stride_w, stride_h)');
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  // MediaPipe stores a TfLiteTransposeConvParams struct: TfLitePadding (1 SAME, 2 VALID), stride_w, stride_h.
  const padding = view.getInt32(0, true);
  const strideW = view.getInt32(4, true);
  const strideH = view.getInt32(8, true);
  if (padding !== 1 && padding !== 2) throw optionError(ctx, 'padding', `padding ${padding}`);
  const bias = ctx.hasInput(2) ? constInput(ctx, 2, 'bias') : undefined;
  convTranspose(
    ctx,
    ctx.input(0),
    constInput(ctx, 1, 'weights'),
    bias,
    [strideH, strideW],
    padding === 1 ? 'SAME' : 'VALID',
  );
}

function transposeConv(ctx: OpContext): void {
  const o = options(ctx);
  // Inputs: output_shape, weights (OHWI), input, optional bias (version 3).
  const padding = o?.int8(0, Padding.SAME) ?? Padding.SAME;
  const strides: [number, number] = [o?.int32(2, 1) ?? 1, o?.int32(1, 1) ?? 1];
  const bias = ctx.op.inputs.length > 3 && ctx.hasInput(3) ? constInput(ctx, 3, 'bias') : undefined;
  convTranspose(
    ctx,
    ctx.input(2),
    constInput(ctx, 1, 'weights'),
    bias,
    strides,
    padding === Padding.VALID ? 'VALID' : 'SAME',
  );
}

function dequantize(ctx: OpContext): void {
  const x = ctx.input(0);
  if (x.data === undefined || !(x.data instanceof Float32Array)) {
    throw optionError(ctx, 'input', 'a DEQUANTIZE that is not of float16 constant weights');
  }
  ctx.setOutput(0, { shape: ctx.outShape(0), perm: identity(x.shape.length), data: x.data });
}

/** Converters by TFLite operator name (`custom:<code>` for custom operators). */
export const converters: Readonly<Record<string, (ctx: OpContext) => void>> = {
  CONV_2D: (c) => conv2d(c, false),
  DEPTHWISE_CONV_2D: (c) => conv2d(c, true),
  AVERAGE_POOL_2D: (c) => pool(c, 'AveragePool'),
  MAX_POOL_2D: (c) => pool(c, 'MaxPool'),
  ADD: (c) => binary(c, 'Add', true),
  MUL: (c) => binary(c, 'Mul', true),
  SUB: (c) => binary(c, 'Sub', true),
  DIV: (c) => binary(c, 'Div', true),
  MAXIMUM: (c) => binary(c, 'Max', false),
  MINIMUM: (c) => binary(c, 'Min', false),
  RELU: (c) => unary(c, (x, h) => c.g.node1('Relu', [x], h)),
  RELU6: (c) =>
    unary(c, (x, h) => c.g.node1('Clip', [x, c.g.floatScalar('zero', 0), c.g.floatScalar('six', 6)], h)),
  RELU_N1_TO_1: (c) =>
    unary(c, (x, h) =>
      c.g.node1('Clip', [x, c.g.floatScalar('minus_one', -1), c.g.floatScalar('one', 1)], h),
    ),
  LOGISTIC: (c) => unary(c, (x, h) => c.g.node1('Sigmoid', [x], h)),
  TANH: (c) => unary(c, (x, h) => c.g.node1('Tanh', [x], h)),
  HARD_SWISH: (c) => unary(c, (x, h) => c.g.node1('HardSwish', [x], h)),
  CONCATENATION: concatenation,
  RESHAPE: reshape,
  TRANSPOSE: transpose,
  SPLIT: split,
  PAD: (c) => pad(c, false),
  PADV2: (c) => pad(c, true),
  MEAN: mean,
  SOFTMAX: softmax,
  FULLY_CONNECTED: fullyConnected,
  RESIZE_BILINEAR: resizeBilinear,
  TRANSPOSE_CONV: transposeConv,
  DEQUANTIZE: dequantize,
  'custom:Convolution2DTransposeBias': convolution2DTransposeBias,
};

/** Tensor types a converter may see on its inputs. */
export const acceptedTypes: ReadonlySet<number> = new Set([
  TensorType.FLOAT32,
  TensorType.FLOAT16,
  TensorType.INT32,
]);
