// A reader for the parts of a TFLite flatbuffer the converter needs, written from the schema's field
// ids (see tflite-schema.ts) on top of the `flatbuffers` runtime. Every offset is bounds-checked, so
// a truncated or corrupt file becomes ERR_TRUNCATED instead of garbage.
import { ByteBuffer } from 'flatbuffers';
import { Tflite2OnnxError } from './errors.ts';
import { builtinName, Field, TensorType } from './tflite-schema.ts';

/** One tensor of subgraph 0. */
export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  /** A {@link TensorType} value. */
  type: number;
  /** Constant data (little-endian bytes), or undefined for activations. */
  data: Uint8Array | undefined;
  /** True when the tensor carries quantisation scales. */
  quantized: boolean;
}

/** One operator of subgraph 0. */
export interface TfliteOperator {
  index: number;
  /** Builtin name (`CONV_2D`) or `CUSTOM`. */
  op: string;
  /** Custom operator name for `CUSTOM`, e.g. `Convolution2DTransposeBias`. */
  customCode: string | undefined;
  /** Operator version from the OperatorCode table. */
  version: number;
  /** Tensor indices; -1 marks an omitted optional input. */
  inputs: number[];
  outputs: number[];
  /** The builtin options table, if any. */
  options: FbTable | undefined;
  /** Raw custom options bytes, if any. */
  customOptions: Uint8Array | undefined;
}

/** The parts of a TFLite model the converter uses (subgraph 0 only). */
export interface TfliteModel {
  version: number;
  description: string;
  tensors: TfliteTensor[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperator[];
  subgraphCount: number;
}

function truncated(what: string, modelName: string): Tflite2OnnxError {
  return new Tflite2OnnxError(
    'ERR_TRUNCATED',
    `${modelName} is truncated or corrupt: ${what} points outside the file; re-download or re-export the model`,
    { model: modelName },
  );
}

/** A bounds-checked view of one flatbuffer table. */
export class FbTable {
  constructor(
    private readonly bb: ByteBuffer,
    readonly pos: number,
    private readonly modelName: string,
  ) {
    this.check(pos, 4, 'a table');
    const vtable = pos - bb.readInt32(pos);
    this.check(vtable, 4, 'a vtable');
    const vtableSize = bb.readUint16(vtable);
    this.check(vtable, vtableSize, 'a vtable');
  }

  private check(pos: number, size: number, what: string): void {
    if (!Number.isInteger(pos) || pos < 0 || size < 0 || pos + size > this.bb.capacity())
      throw truncated(what, this.modelName);
  }

  /** Absolute position of field `id`, or 0 when absent. */
  private field(id: number): number {
    const o = this.bb.__offset(this.pos, 4 + 2 * id);
    if (o === 0) return 0;
    return this.pos + o;
  }

  has(id: number): boolean {
    return this.field(id) !== 0;
  }

  int8(id: number, def = 0): number {
    const p = this.field(id);
    if (p === 0) return def;
    this.check(p, 1, 'a field');
    return this.bb.readInt8(p);
  }

  uint8(id: number, def = 0): number {
    const p = this.field(id);
    if (p === 0) return def;
    this.check(p, 1, 'a field');
    return this.bb.readUint8(p);
  }

  bool(id: number, def = false): boolean {
    const p = this.field(id);
    if (p === 0) return def;
    this.check(p, 1, 'a field');
    return this.bb.readUint8(p) !== 0;
  }

  int32(id: number, def = 0): number {
    const p = this.field(id);
    if (p === 0) return def;
    this.check(p, 4, 'a field');
    return this.bb.readInt32(p);
  }

  uint32(id: number, def = 0): number {
    const p = this.field(id);
    if (p === 0) return def;
    this.check(p, 4, 'a field');
    return this.bb.readUint32(p);
  }

  uint64(id: number, def = 0): number {
    const p = this.field(id);
    if (p === 0) return def;
    this.check(p, 8, 'a field');
    return Number(this.bb.readUint64(p));
  }

  float32(id: number, def = 0): number {
    const p = this.field(id);
    if (p === 0) return def;
    this.check(p, 4, 'a field');
    return this.bb.readFloat32(p);
  }

  private indirect(p: number): number {
    this.check(p, 4, 'an offset');
    const target = p + this.bb.readUint32(p);
    this.check(target, 4, 'an offset');
    return target;
  }

  /** Start and length of a vector field (elements of `elemSize` bytes), or undefined when absent. */
  private vector(id: number, elemSize: number): { start: number; length: number } | undefined {
    const p = this.field(id);
    if (p === 0) return undefined;
    const v = this.indirect(p);
    const length = this.bb.readUint32(v);
    const start = v + 4;
    this.check(start, length * elemSize, 'a vector');
    return { start, length };
  }

  string(id: number): string | undefined {
    const v = this.vector(id, 1);
    if (v === undefined) return undefined;
    return new TextDecoder().decode(this.bb.bytes().subarray(v.start, v.start + v.length));
  }

  table(id: number): FbTable | undefined {
    const p = this.field(id);
    if (p === 0) return undefined;
    return new FbTable(this.bb, this.indirect(p), this.modelName);
  }

  tables(id: number): FbTable[] {
    const v = this.vector(id, 4);
    if (v === undefined) return [];
    const out: FbTable[] = [];
    for (let i = 0; i < v.length; i++)
      out.push(new FbTable(this.bb, this.indirect(v.start + 4 * i), this.modelName));
    return out;
  }

  int32s(id: number): number[] | undefined {
    const v = this.vector(id, 4);
    if (v === undefined) return undefined;
    const out: number[] = [];
    for (let i = 0; i < v.length; i++) out.push(this.bb.readInt32(v.start + 4 * i));
    return out;
  }

  /** Length of a vector field of any element type, 0 when absent. */
  vectorLength(id: number, elemSize: number): number {
    return this.vector(id, elemSize)?.length ?? 0;
  }

  /** A `[ubyte]` vector as a view into the model bytes (no copy). */
  bytes(id: number): Uint8Array | undefined {
    const v = this.vector(id, 1);
    if (v === undefined) return undefined;
    return this.bb.bytes().subarray(v.start, v.start + v.length);
  }
}

/**
 * Parses a TFLite flatbuffer into {@link TfliteModel} (subgraph 0).
 *
 * @throws Tflite2OnnxError ERR_NOT_TFLITE, ERR_TRUNCATED, ERR_INVALID_MODEL
 */
export function readTflite(bytes: Uint8Array, modelName = 'model'): TfliteModel {
  if (bytes.length < 8) {
    throw new Tflite2OnnxError(
      'ERR_NOT_TFLITE',
      `${modelName} is not a TFLite model: only ${bytes.length} bytes`,
      {
        model: modelName,
      },
    );
  }
  const ident = String.fromCharCode(bytes[4] ?? 0, bytes[5] ?? 0, bytes[6] ?? 0, bytes[7] ?? 0);
  if (ident !== 'TFL3') {
    throw new Tflite2OnnxError(
      'ERR_NOT_TFLITE',
      `${modelName} is not a TFLite model: file identifier is ${JSON.stringify(ident)}, expected "TFL3"`,
      { model: modelName },
    );
  }
  const bb = new ByteBuffer(bytes);
  const root = bb.readUint32(0);
  const model = new FbTable(bb, root, modelName);
  const F = Field;

  const opcodes = model.tables(F.Model.operator_codes).map((t) => {
    const deprecated = t.int8(F.OperatorCode.deprecated_builtin_code, 0);
    const builtin = t.int32(F.OperatorCode.builtin_code, 0);
    // Files written before builtin_code existed only set the deprecated byte (max 127).
    const code = Math.max(deprecated, builtin);
    return {
      code,
      custom: t.string(F.OperatorCode.custom_code),
      version: t.int32(F.OperatorCode.version, 1),
    };
  });
  const buffers = model.tables(F.Model.buffers).map((t) => {
    const data = t.bytes(F.Buffer.data);
    if (data !== undefined && data.length > 0) return data;
    const offset = t.uint64(F.Buffer.offset, 0);
    const size = t.uint64(F.Buffer.size, 0);
    if (offset > 1 && size > 0) {
      if (offset + size > bytes.length) throw truncated('a buffer', modelName);
      return bytes.subarray(offset, offset + size);
    }
    return undefined;
  });
  const subgraphs = model.tables(F.Model.subgraphs);
  const sg = subgraphs[0];
  if (sg === undefined) {
    throw new Tflite2OnnxError('ERR_INVALID_MODEL', `${modelName} has no subgraph`, { model: modelName });
  }
  const tensors: TfliteTensor[] = sg.tables(F.SubGraph.tensors).map((t, index) => {
    const bufferIndex = t.uint32(F.Tensor.buffer, 0);
    if (bufferIndex >= buffers.length && bufferIndex !== 0) {
      throw new Tflite2OnnxError(
        'ERR_INVALID_MODEL',
        `${modelName}: tensor ${index} refers to missing buffer ${bufferIndex}`,
        {
          model: modelName,
        },
      );
    }
    const q = t.table(F.Tensor.quantization);
    const quantized =
      q !== undefined &&
      (q.vectorLength(F.QuantizationParameters.scale, 4) > 0 ||
        q.uint8(F.QuantizationParameters.details_type) !== 0);
    return {
      index,
      name: t.string(F.Tensor.name) ?? `tensor_${index}`,
      shape: t.int32s(F.Tensor.shape) ?? [],
      type: t.int8(F.Tensor.type, TensorType.FLOAT32),
      data: buffers[bufferIndex],
      quantized,
    };
  });
  const checkIndex = (i: number, what: string): number => {
    if (i < -1 || i >= tensors.length) {
      throw new Tflite2OnnxError(
        'ERR_INVALID_MODEL',
        `${modelName}: ${what} refers to tensor ${i} of ${tensors.length}`,
        {
          model: modelName,
        },
      );
    }
    return i;
  };
  const operators: TfliteOperator[] = sg.tables(F.SubGraph.operators).map((t, index) => {
    const opcodeIndex = t.uint32(F.Operator.opcode_index, 0);
    const opcode = opcodes[opcodeIndex];
    if (opcode === undefined) {
      throw new Tflite2OnnxError(
        'ERR_INVALID_MODEL',
        `${modelName}: operator ${index} uses missing opcode ${opcodeIndex}`,
        {
          model: modelName,
        },
      );
    }
    return {
      index,
      op: builtinName(opcode.code),
      customCode: opcode.custom,
      version: opcode.version,
      inputs: (t.int32s(F.Operator.inputs) ?? []).map((i) => checkIndex(i, `operator ${index}`)),
      outputs: (t.int32s(F.Operator.outputs) ?? []).map((i) => checkIndex(i, `operator ${index}`)),
      options:
        t.uint8(F.Operator.builtin_options_type, 0) !== 0 ? t.table(F.Operator.builtin_options) : undefined,
      customOptions: t.bytes(F.Operator.custom_options),
    };
  });
  return {
    version: model.uint32(F.Model.version, 0),
    description: model.string(F.Model.description) ?? '',
    tensors,
    inputs: (sg.int32s(F.SubGraph.inputs) ?? []).map((i) => checkIndex(i, 'subgraph input')),
    outputs: (sg.int32s(F.SubGraph.outputs) ?? []).map((i) => checkIndex(i, 'subgraph output')),
    operators,
    subgraphCount: subgraphs.length,
  };
}
