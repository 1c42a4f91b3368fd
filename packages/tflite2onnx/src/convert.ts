// convert(): TFLite flatbuffer bytes → ONNX protobuf bytes plus a report.
import { Tflite2OnnxError } from './errors.ts';
import { GraphBuilder, runtime, type Value } from './graph-builder.ts';
import { identity } from './layout.ts';
import { encodeOnnxModel } from './onnx-proto.ts';
import { acceptedTypes, converters, type OpContext } from './operators.ts';
import { readTflite, type TfliteModel, type TfliteTensor } from './tflite-reader.ts';
import { TensorType, tensorTypeName } from './tflite-schema.ts';

/** Version written into the ONNX producer_version field. */
export const VERSION = '0.1.0';

/** ONNX opset the converter targets (onnxruntime ≥ 1.12 runs it). */
export const OPSET = 17;

/** Options of {@link convert}. */
export interface ConvertOptions {
  /** Name used in error messages and the ONNX graph name; default `"model"` (the CLI passes the file name). */
  modelName?: string;
}

/** A graph input or output as the converted model exposes it. */
export interface TensorInfo {
  /** Tensor name, the same as in the TFLite model. */
  name: string;
  /** Static shape, the same as in the TFLite model (e.g. `[1, 256, 256, 3]`). */
  shape: number[];
  /**
   * Element order: `NHWC` for 4-D tensors (TFLite's convention, kept at the graph edges), `ND`
   * otherwise. Either way the order is exactly the TFLite tensor's.
   */
  layout: 'NHWC' | 'ND';
}

/** What {@link convert} reports besides the ONNX bytes. */
export interface ConvertReport {
  /** Count of every TFLite operator in the model: builtins by name (`CONV_2D`), custom ops by their code. */
  ops: Record<string, number>;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** Harmless oddities (e.g. extra subgraphs ignored). */
  warnings: string[];
  /** Number of ONNX nodes written. */
  onnxNodes: number;
  /** ONNX opset written. */
  opset: number;
}

/** Result of {@link convert}. */
export interface ConvertResult {
  /** ONNX model bytes (protobuf). */
  onnx: Uint8Array;
  report: ConvertReport;
}

/** TFLite operators the converter handles (builtin names, and custom op codes). */
export const supportedOps: readonly string[] = Object.keys(converters).map((k) => k.replace(/^custom:/, ''));

function opKey(op: { op: string; customCode: string | undefined }): string {
  return op.op === 'CUSTOM' ? `custom:${op.customCode ?? ''}` : op.op;
}

function decodeFloat16(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 2);
  for (let i = 0; i < out.length; i++) {
    const h = view.getUint16(i * 2, true);
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = sign * frac * 2 ** -24;
    else if (exp === 31) out[i] = frac === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
    else out[i] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}

function constantData(t: TfliteTensor, modelName: string): Float32Array | Int32Array {
  const bytes = t.data as Uint8Array;
  // Copy (never Buffer#slice, which shares memory) so the result owns an aligned ArrayBuffer.
  const copy = (n: number): ArrayBuffer => {
    const out = new Uint8Array(n);
    out.set(bytes.subarray(0, n));
    return out.buffer;
  };
  const count = t.shape.reduce((a, b) => a * b, 1);
  const expectBytes = (elem: number): void => {
    if (bytes.length < count * elem) {
      throw new Tflite2OnnxError(
        'ERR_INVALID_MODEL',
        `${modelName}: tensor "${t.name}" holds ${bytes.length} bytes for shape [${t.shape}]`,
        {
          model: modelName,
        },
      );
    }
  };
  switch (t.type) {
    case TensorType.FLOAT32:
      expectBytes(4);
      return new Float32Array(copy(count * 4));
    case TensorType.FLOAT16:
      expectBytes(2);
      return decodeFloat16(bytes.subarray(0, count * 2));
    case TensorType.INT32:
      expectBytes(4);
      return new Int32Array(copy(count * 4));
    default:
      throw new Tflite2OnnxError(
        'ERR_UNSUPPORTED_TYPE',
        `${modelName}: tensor "${t.name}" has type ${tensorTypeName(t.type)}, which the converter does not support`,
        {
          model: modelName,
        },
      );
  }
}

function checkQuantized(model: TfliteModel, modelName: string): void {
  const q = model.tensors.find(
    (t) =>
      t.type === TensorType.INT8 ||
      t.type === TensorType.UINT8 ||
      t.type === TensorType.INT16 ||
      (t.quantized && t.type !== TensorType.FLOAT32),
  );
  if (q !== undefined) {
    throw new Tflite2OnnxError(
      'ERR_QUANTIZED_UNSUPPORTED',
      `${modelName} is a quantised model (tensor "${q.name}" is ${tensorTypeName(q.type)}): quantised TFLite models are not supported yet; use the float32 (or float16) version of the model`,
      { model: modelName },
    );
  }
}

/**
 * Converts a float32 (or float16-weight) TFLite model to ONNX (opset 17). The ONNX graph keeps the
 * TFLite model's NHWC input and output tensors (same names, shapes and element order); inside, it
 * runs NCHW with weights pre-transposed to OIHW, transposes only where the layout must change, and
 * float16 weights folded into float32 constants.
 *
 * @param tfliteBytes - the `.tflite` file's bytes.
 * @param options - `modelName` (default `"model"`) names the model in errors.
 * @returns the ONNX bytes and a report (op counts, inputs, outputs, warnings).
 * @throws Tflite2OnnxError ERR_NOT_TFLITE, ERR_TRUNCATED, ERR_INVALID_MODEL, ERR_UNSUPPORTED_OP,
 *   ERR_UNSUPPORTED_OPTION, ERR_UNSUPPORTED_TYPE, ERR_QUANTIZED_UNSUPPORTED, ERR_INVALID_OPTION
 * @example
 * ```ts
 * import { readFileSync, writeFileSync } from 'node:fs';
 * import { convert } from '@deepseg/tflite2onnx';
 * const { onnx, report } = convert(readFileSync('selfie_segmentation.tflite'), { modelName: 'selfie' });
 * writeFileSync('selfie.onnx', onnx); // input "input_1" [1,256,256,3] NHWC
 * ```
 */
export function convert(tfliteBytes: Uint8Array, options: ConvertOptions = {}): ConvertResult {
  if (!(tfliteBytes instanceof Uint8Array)) {
    throw new Tflite2OnnxError(
      'ERR_INVALID_OPTION',
      `Expected a Uint8Array for tfliteBytes but received ${typeof tfliteBytes}`,
      {
        option: 'tfliteBytes',
      },
    );
  }
  if (options.modelName !== undefined && typeof options.modelName !== 'string') {
    throw new Tflite2OnnxError(
      'ERR_INVALID_OPTION',
      `Expected a string for options.modelName but received ${typeof options.modelName}`,
      {
        option: 'options.modelName',
      },
    );
  }
  const modelName = options.modelName ?? 'model';
  const model = readTflite(tfliteBytes, modelName);
  const warnings: string[] = [];
  if (model.subgraphCount > 1)
    warnings.push(`${model.subgraphCount - 1} extra subgraph(s) ignored; converted subgraph 0`);

  const ops: Record<string, number> = {};
  for (const op of model.operators) {
    const key = op.op === 'CUSTOM' ? (op.customCode ?? 'CUSTOM') : op.op;
    ops[key] = (ops[key] ?? 0) + 1;
  }
  // Refuse unsupported operators before anything else, naming all of them.
  const unsupported = [
    ...new Set(model.operators.filter((op) => converters[opKey(op)] === undefined).map(opKey)),
  ];
  if (unsupported.length > 0) {
    const first = model.operators.find((op) => converters[opKey(op)] === undefined);
    throw new Tflite2OnnxError(
      'ERR_UNSUPPORTED_OP',
      `${modelName} uses unsupported TFLite operator ${unsupported.join(', ')} (first at operator #${first?.index}); supported: ${supportedOps.join(', ')}`,
      { model: modelName, op: unsupported[0] as string, opIndex: first?.index as number },
    );
  }
  checkQuantized(model, modelName);

  const g = new GraphBuilder();
  const values = new Map<number, Value>();
  const constants = new Map<number, Value>();
  const tensorValue = (index: number): Value | undefined => {
    const known = values.get(index);
    if (known !== undefined) return known;
    const t = model.tensors[index] as TfliteTensor;
    if (t.data === undefined) return undefined;
    let c = constants.get(index);
    if (c === undefined) {
      c = { shape: t.shape, perm: identity(t.shape.length), data: constantData(t, modelName) };
      constants.set(index, c);
    }
    return c;
  };

  const graphInputs = model.inputs.map((index) => {
    const t = model.tensors[index] as TfliteTensor;
    if (t.type !== TensorType.FLOAT32) {
      throw new Tflite2OnnxError(
        'ERR_UNSUPPORTED_TYPE',
        `${modelName}: input "${t.name}" is ${tensorTypeName(t.type)}; only float32 inputs are supported`,
        {
          model: modelName,
        },
      );
    }
    g.reserve(t.name);
    values.set(index, runtime(t.name, t.shape));
    return t;
  });
  for (const index of model.outputs) g.reserve((model.tensors[index] as TfliteTensor).name);

  const consumers = new Map<number, TfliteModel['operators']>();
  for (const op of model.operators) {
    for (const i of op.inputs) {
      if (i < 0) continue;
      const list = consumers.get(i) ?? [];
      if (!list.includes(op)) list.push(op);
      consumers.set(i, list);
    }
  }

  for (const op of model.operators) {
    const label = `${op.op === 'CUSTOM' ? `custom op ${op.customCode}` : op.op} (operator #${op.index})`;
    const convertOp = converters[opKey(op)] as (ctx: OpContext) => void;
    const ctx: OpContext = {
      g,
      op,
      label,
      modelName,
      hasInput: (i) => op.inputs[i] !== undefined && op.inputs[i] !== -1,
      input: (i) => {
        const index = op.inputs[i];
        if (index === undefined || index === -1) {
          throw new Tflite2OnnxError('ERR_INVALID_MODEL', `${label} in ${modelName}: input ${i} is missing`, {
            model: modelName,
            op: op.op,
            opIndex: op.index,
          });
        }
        const t = model.tensors[index] as TfliteTensor;
        if (!acceptedTypes.has(t.type) || (t.type === TensorType.FLOAT16 && op.op !== 'DEQUANTIZE')) {
          throw new Tflite2OnnxError(
            'ERR_UNSUPPORTED_TYPE',
            `${label} in ${modelName}: input "${t.name}" has type ${tensorTypeName(t.type)}, which the converter does not support here`,
            { model: modelName, op: op.op, opIndex: op.index },
          );
        }
        const v = tensorValue(index);
        if (v === undefined) {
          throw new Tflite2OnnxError(
            'ERR_INVALID_MODEL',
            `${label} in ${modelName}: input "${t.name}" is used before it is computed`,
            {
              model: modelName,
              op: op.op,
              opIndex: op.index,
            },
          );
        }
        return v;
      },
      outShape: (i) => [...(model.tensors[op.outputs[i] as number] as TfliteTensor).shape],
      outName: (i) => sanitize((model.tensors[op.outputs[i] as number] as TfliteTensor).name),
      setOutput: (i, v) => {
        values.set(op.outputs[i] as number, v);
      },
      warn: (m) => warnings.push(`${label}: ${m}`),
      outShapeOf: (index) => [...(model.tensors[index] as TfliteTensor).shape],
      consumers: (index) => consumers.get(index) ?? [],
      isGraphOutput: (index) => model.outputs.includes(index),
    };
    for (const o of op.outputs) {
      const t = model.tensors[o] as TfliteTensor;
      if (t.type !== TensorType.FLOAT32 && op.op !== 'DEQUANTIZE') {
        throw new Tflite2OnnxError(
          'ERR_UNSUPPORTED_TYPE',
          `${label} in ${modelName}: output "${t.name}" has type ${tensorTypeName(t.type)}; only float32 is supported`,
          {
            model: modelName,
            op: op.op,
            opIndex: op.index,
          },
        );
      }
    }
    convertOp(ctx);
  }

  const graphOutputs = model.outputs.map((index) => {
    const t = model.tensors[index] as TfliteTensor;
    const v = values.get(index);
    if (v === undefined || v.data !== undefined) {
      throw new Tflite2OnnxError(
        'ERR_INVALID_MODEL',
        `${modelName}: output "${t.name}" is not computed by any operator`,
        { model: modelName },
      );
    }
    const name = g.need(v, identity(v.shape.length), sanitize(t.name));
    // Give the graph output its TFLite name: rename the producing node's output, or (for a graph
    // input passed straight through) add an Identity.
    if (name !== t.name && !g.renameOutput(name, t.name)) g.nodeTo('Identity', [name], t.name);
    return t;
  });

  const info = (t: TfliteTensor): TensorInfo => ({
    name: t.name,
    shape: [...t.shape],
    layout: t.shape.length === 4 ? 'NHWC' : 'ND',
  });
  const onnx = encodeOnnxModel({
    opset: OPSET,
    producerVersion: VERSION,
    docString: `Converted from TFLite by @deepseg/tflite2onnx ${VERSION}. Inputs and outputs keep the TFLite NHWC layout.`,
    graphName: modelName,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: graphInputs.map((t) => ({
      name: t.name,
      dims: t.shape,
      docString: 'NHWC float32, as in the TFLite model',
    })),
    outputs: graphOutputs.map((t) => ({ name: t.name, dims: t.shape })),
    metadata: {
      source_format: 'tflite',
      converter: `@deepseg/tflite2onnx ${VERSION}`,
      layout: 'NHWC at inputs and outputs',
    },
  });
  return {
    onnx,
    report: {
      ops,
      inputs: graphInputs.map(info),
      outputs: graphOutputs.map(info),
      warnings,
      onnxNodes: g.nodes.length,
      opset: OPSET,
    },
  };
}

function sanitize(name: string): string {
  // TFLite names can be long ";"-joined lists; keep the first part, readable and unique enough.
  const first = name.split(';')[0] ?? name;
  return first.length > 0 ? first : 'v';
}
