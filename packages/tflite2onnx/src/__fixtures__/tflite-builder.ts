// Builds tiny TFLite flatbuffers for tests with the flatbuffers Builder, from the schema's field ids.
// Only what the tests need: one subgraph, float32/int32/float16 tensors, builtin or custom operators.
import { Builder } from 'flatbuffers';
import { BuiltinOperator, TensorType } from '../tflite-schema.ts';

/** `BuiltinOptions` union type indices (schema.fbs order). */
export const OptionsType = {
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  ConcatenationOptions: 10,
  AddOptions: 11,
  ResizeBilinearOptions: 15,
  ReshapeOptions: 17,
  MulOptions: 21,
  PadOptions: 22,
  TransposeOptions: 26,
  ReducerOptions: 27,
  SubOptions: 28,
  DivOptions: 29,
  SplitOptions: 35,
  DequantizeOptions: 38,
  MaximumMinimumOptions: 39,
  PadV2Options: 43,
  TransposeConvOptions: 49,
} as const;

/** One scalar field of an options table. */
export type OptionField =
  | { id: number; i8: number }
  | { id: number; i32: number }
  | { id: number; bool: boolean }
  | { id: number; f32: number };

export interface TinyTensor {
  shape: number[];
  /** Default FLOAT32. */
  type?: number;
  /** Constant data (little-endian). Float16 data as raw uint16 bits. */
  data?: Float32Array | Int32Array | Uint16Array | Uint8Array;
  name?: string;
  /** Adds quantisation scales (for the quantised-model error test). */
  quantScale?: number;
}

export interface TinyOp {
  /** Builtin operator name, or `{ custom }` for a custom operator. */
  op: string | { custom: string };
  inputs: number[];
  outputs: number[];
  version?: number;
  options?: { type: number; fields: OptionField[] };
  customOptions?: Uint8Array;
}

export interface TinyModel {
  tensors: TinyTensor[];
  inputs: number[];
  outputs: number[];
  operators: TinyOp[];
}

function int32Vector(b: Builder, values: readonly number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i] as number);
  return b.endVector();
}

function offsetVector(b: Builder, offsets: readonly number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i] as number);
  return b.endVector();
}

function byteVector(b: Builder, bytes: Uint8Array): number {
  // Buffers are 16-byte aligned in real models; keep that for the WASM runtime.
  b.startVector(1, bytes.length, 16);
  for (let i = bytes.length - 1; i >= 0; i--) b.addInt8(bytes[i] as number);
  return b.endVector();
}

/** Serialises a {@link TinyModel} as a `.tflite` flatbuffer (schema version 3). */
export function buildTflite(model: TinyModel): Uint8Array {
  const b = new Builder(1024);
  // Buffers: 0 is the empty sentinel, then one per constant tensor.
  const bufferOffsets: number[] = [];
  const emptyBuffer = (): number => {
    b.startObject(1);
    return b.endObject();
  };
  bufferOffsets.push(emptyBuffer());
  const tensorBuffer: number[] = [];
  for (const t of model.tensors) {
    if (t.data === undefined) {
      tensorBuffer.push(0);
      continue;
    }
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const data = byteVector(b, bytes);
    b.startObject(1);
    b.addFieldOffset(0, data, 0);
    bufferOffsets.push(b.endObject());
    tensorBuffer.push(bufferOffsets.length - 1);
  }
  const tensorOffsets = model.tensors.map((t, i) => {
    const name = b.createString(t.name ?? `t${i}`);
    const shape = int32Vector(b, t.shape);
    let quant = 0;
    if (t.quantScale !== undefined) {
      b.startVector(4, 1, 4);
      b.addFloat32(t.quantScale);
      const scale = b.endVector();
      b.startVector(8, 1, 8);
      b.addInt64(0n);
      const zero = b.endVector();
      b.startObject(7);
      b.addFieldOffset(2, scale, 0);
      b.addFieldOffset(3, zero, 0);
      quant = b.endObject();
    }
    b.startObject(8);
    b.addFieldOffset(0, shape, 0);
    b.addFieldInt8(1, t.type ?? TensorType.FLOAT32, -1);
    b.addFieldInt32(2, tensorBuffer[i] as number, -1);
    b.addFieldOffset(3, name, 0);
    if (quant !== 0) b.addFieldOffset(4, quant, 0);
    return b.endObject();
  });
  // Operator codes, one per distinct op.
  const codes: string[] = [];
  const codeOf = (op: TinyOp['op']): number => {
    const key = typeof op === 'string' ? op : `custom:${op.custom}`;
    let i = codes.indexOf(key);
    if (i < 0) {
      codes.push(key);
      i = codes.length - 1;
    }
    return i;
  };
  const opIndices = model.operators.map((o) => codeOf(o.op));
  const versions = new Map<number, number>();
  model.operators.forEach((o, i) => {
    versions.set(opIndices[i] as number, Math.max(versions.get(opIndices[i] as number) ?? 1, o.version ?? 1));
  });
  const codeOffsets = codes.map((key, i) => {
    const custom = key.startsWith('custom:') ? b.createString(key.slice(7)) : 0;
    const code = key.startsWith('custom:') ? BuiltinOperator.CUSTOM : BuiltinOperator[key];
    if (code === undefined) throw new Error(`unknown builtin ${key}`);
    b.startObject(4);
    b.addFieldInt8(0, Math.min(code as number, 127), -1);
    if (custom !== 0) b.addFieldOffset(1, custom, 0);
    b.addFieldInt32(2, versions.get(i) ?? 1, -1);
    b.addFieldInt32(3, code as number, -1);
    return b.endObject();
  });
  const operatorOffsets = model.operators.map((o, i) => {
    const inputs = int32Vector(b, o.inputs);
    const outputs = int32Vector(b, o.outputs);
    let options = 0;
    if (o.options !== undefined) {
      const maxId = Math.max(-1, ...o.options.fields.map((f) => f.id));
      b.startObject(maxId + 1);
      for (const f of o.options.fields) {
        if ('i8' in f) b.addFieldInt8(f.id, f.i8, null);
        else if ('i32' in f) b.addFieldInt32(f.id, f.i32, null);
        else if ('bool' in f) b.addFieldInt8(f.id, f.bool ? 1 : 0, null);
        else b.addFieldFloat32(f.id, f.f32, null);
      }
      options = b.endObject();
    }
    const custom = o.customOptions !== undefined ? byteVector(b, o.customOptions) : 0;
    b.startObject(7);
    b.addFieldInt32(0, opIndices[i] as number, -1);
    b.addFieldOffset(1, inputs, 0);
    b.addFieldOffset(2, outputs, 0);
    if (o.options !== undefined) {
      b.addFieldInt8(3, o.options.type, -1);
      b.addFieldOffset(4, options, 0);
    }
    if (custom !== 0) b.addFieldOffset(5, custom, 0);
    return b.endObject();
  });
  const tensorsVec = offsetVector(b, tensorOffsets);
  const inputsVec = int32Vector(b, model.inputs);
  const outputsVec = int32Vector(b, model.outputs);
  const opsVec = offsetVector(b, operatorOffsets);
  const sgName = b.createString('main');
  b.startObject(5);
  b.addFieldOffset(0, tensorsVec, 0);
  b.addFieldOffset(1, inputsVec, 0);
  b.addFieldOffset(2, outputsVec, 0);
  b.addFieldOffset(3, opsVec, 0);
  b.addFieldOffset(4, sgName, 0);
  const subgraph = b.endObject();
  const subgraphsVec = offsetVector(b, [subgraph]);
  const codesVec = offsetVector(b, codeOffsets);
  const buffersVec = offsetVector(b, bufferOffsets);
  const description = b.createString('deepseg test graph');
  b.startObject(5);
  b.addFieldInt32(0, 3, -1);
  b.addFieldOffset(1, codesVec, 0);
  b.addFieldOffset(2, subgraphsVec, 0);
  b.addFieldOffset(3, description, 0);
  b.addFieldOffset(4, buffersVec, 0);
  const root = b.endObject();
  b.finish(root, 'TFL3');
  return b.asUint8Array().slice();
}

/** Deterministic pseudo-random floats in [lo, hi) (mulberry32). */
export function randomFloats(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

/** float32 → IEEE half bits (round to nearest even), for float16 weight tests. */
export function toFloat16Bits(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < values.length; i++) {
    f[0] = values[i] as number;
    const x = u[0] as number;
    const sign = (x >>> 16) & 0x8000;
    let exp = ((x >>> 23) & 0xff) - 127 + 15;
    let mant = x & 0x7fffff;
    if (exp <= 0) {
      // Subnormal half (or zero).
      if (exp < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000;
      const shift = 14 - exp;
      let h = mant >> shift;
      const rem = mant & ((1 << shift) - 1);
      const halfway = 1 << (shift - 1);
      if (rem > halfway || (rem === halfway && h & 1)) h++;
      out[i] = sign | h;
      continue;
    }
    let h = mant >> 13;
    const rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && h & 1)) {
      h++;
      if (h === 0x400) {
        h = 0;
        exp++;
      }
    }
    out[i] = exp >= 31 ? sign | 0x7c00 : sign | (exp << 10) | h;
  }
  return out;
}
