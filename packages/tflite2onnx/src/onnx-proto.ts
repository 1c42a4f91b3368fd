// A reflection-defined subset of onnx.proto (field numbers from onnx/onnx.proto3), enough to write
// a model: ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto.
import protobuf from 'protobufjs';

const root = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { id: 1, type: 'int64' },
            opsetImport: { id: 8, rule: 'repeated', type: 'OperatorSetIdProto' },
            producerName: { id: 2, type: 'string' },
            producerVersion: { id: 3, type: 'string' },
            domain: { id: 4, type: 'string' },
            modelVersion: { id: 5, type: 'int64' },
            docString: { id: 6, type: 'string' },
            graph: { id: 7, type: 'GraphProto' },
            metadataProps: { id: 14, rule: 'repeated', type: 'StringStringEntryProto' },
          },
        },
        StringStringEntryProto: {
          fields: { key: { id: 1, type: 'string' }, value: { id: 2, type: 'string' } },
        },
        OperatorSetIdProto: {
          fields: { domain: { id: 1, type: 'string' }, version: { id: 2, type: 'int64' } },
        },
        GraphProto: {
          fields: {
            node: { id: 1, rule: 'repeated', type: 'NodeProto' },
            name: { id: 2, type: 'string' },
            initializer: { id: 5, rule: 'repeated', type: 'TensorProto' },
            docString: { id: 10, type: 'string' },
            input: { id: 11, rule: 'repeated', type: 'ValueInfoProto' },
            output: { id: 12, rule: 'repeated', type: 'ValueInfoProto' },
            valueInfo: { id: 13, rule: 'repeated', type: 'ValueInfoProto' },
          },
        },
        NodeProto: {
          fields: {
            input: { id: 1, rule: 'repeated', type: 'string' },
            output: { id: 2, rule: 'repeated', type: 'string' },
            name: { id: 3, type: 'string' },
            opType: { id: 4, type: 'string' },
            domain: { id: 7, type: 'string' },
            attribute: { id: 5, rule: 'repeated', type: 'AttributeProto' },
            docString: { id: 6, type: 'string' },
          },
        },
        AttributeProto: {
          fields: {
            name: { id: 1, type: 'string' },
            type: { id: 20, type: 'int32' },
            f: { id: 2, type: 'float' },
            i: { id: 3, type: 'int64' },
            s: { id: 4, type: 'bytes' },
            t: { id: 5, type: 'TensorProto' },
            floats: { id: 7, rule: 'repeated', type: 'float' },
            ints: { id: 8, rule: 'repeated', type: 'int64' },
            strings: { id: 9, rule: 'repeated', type: 'bytes' },
          },
        },
        TensorProto: {
          fields: {
            dims: { id: 1, rule: 'repeated', type: 'int64' },
            dataType: { id: 2, type: 'int32' },
            floatData: { id: 4, rule: 'repeated', type: 'float' },
            int32Data: { id: 5, rule: 'repeated', type: 'int32' },
            int64Data: { id: 7, rule: 'repeated', type: 'int64' },
            name: { id: 8, type: 'string' },
            rawData: { id: 9, type: 'bytes' },
            docString: { id: 12, type: 'string' },
          },
        },
        ValueInfoProto: {
          fields: {
            name: { id: 1, type: 'string' },
            type: { id: 2, type: 'TypeProto' },
            docString: { id: 3, type: 'string' },
          },
        },
        TypeProto: { fields: { tensorType: { id: 1, type: 'TypeProtoTensor' } } },
        TypeProtoTensor: {
          fields: { elemType: { id: 1, type: 'int32' }, shape: { id: 2, type: 'TensorShapeProto' } },
        },
        TensorShapeProto: { fields: { dim: { id: 1, rule: 'repeated', type: 'Dimension' } } },
        Dimension: {
          fields: {
            dimValue: { id: 1, type: 'int64' },
            dimParam: { id: 2, type: 'string' },
            denotation: { id: 3, type: 'string' },
          },
        },
      },
    },
  },
});

const ModelProto = root.lookupType('onnx.ModelProto');

/** ONNX TensorProto.DataType values used here. */
export const OnnxDataType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;

/** ONNX AttributeProto.AttributeType values used here. */
export const OnnxAttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

/** An attribute value as the converter writes it. */
export type OnnxAttributeValue = number | string | number[] | { floats: number[] } | { float: number };

/** One ONNX node. */
export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attributes: Record<string, OnnxAttributeValue>;
}

/** One initializer: float32 or int64 data. */
export interface OnnxInitializer {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array | Int32Array;
}

/** A graph input or output. */
export interface OnnxValueInfo {
  name: string;
  dims: number[];
  docString?: string;
}

/** The model the converter writes. */
export interface OnnxModel {
  opset: number;
  producerVersion: string;
  docString: string;
  graphName: string;
  nodes: OnnxNode[];
  initializers: OnnxInitializer[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  metadata: Record<string, string>;
}

function attribute(name: string, value: OnnxAttributeValue): Record<string, unknown> {
  if (typeof value === 'string')
    return { name, type: OnnxAttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    if (!Number.isInteger(value))
      throw new Error(`attribute ${name}: ${value} is not an integer; use { float }`);
    return { name, type: OnnxAttributeType.INT, i: value };
  }
  if (Array.isArray(value)) return { name, type: OnnxAttributeType.INTS, ints: value };
  if ('floats' in value) return { name, type: OnnxAttributeType.FLOATS, floats: value.floats };
  return { name, type: OnnxAttributeType.FLOAT, f: value.float };
}

function valueInfo(v: OnnxValueInfo): Record<string, unknown> {
  return {
    name: v.name,
    ...(v.docString ? { docString: v.docString } : {}),
    type: {
      tensorType: { elemType: OnnxDataType.FLOAT, shape: { dim: v.dims.map((d) => ({ dimValue: d })) } },
    },
  };
}

function tensor(t: OnnxInitializer): Record<string, unknown> {
  const dataType =
    t.data instanceof Float32Array
      ? OnnxDataType.FLOAT
      : t.data instanceof BigInt64Array
        ? OnnxDataType.INT64
        : OnnxDataType.INT32;
  // raw_data is little-endian, which is what typed arrays hold on every platform Node supports.
  const raw = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return { name: t.name, dims: t.dims, dataType, rawData: raw };
}

/** Serialises an {@link OnnxModel} to ONNX protobuf bytes (IR version 8). */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const message = ModelProto.fromObject({
    irVersion: 8,
    producerName: '@deepseg/tflite2onnx',
    producerVersion: model.producerVersion,
    docString: model.docString,
    opsetImport: [{ domain: '', version: model.opset }],
    metadataProps: Object.entries(model.metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: model.graphName,
      node: model.nodes.map((n) => ({
        name: n.name,
        opType: n.opType,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attributes).map(([k, v]) => attribute(k, v)),
      })),
      initializer: model.initializers.map(tensor),
      input: model.inputs.map(valueInfo),
      output: model.outputs.map(valueInfo),
    },
  });
  return ModelProto.encode(message).finish();
}

/** Decodes ONNX bytes into a plain object (for tests and inspection). */
export function decodeOnnxModel(bytes: Uint8Array): {
  graph: {
    node: { opType: string; input: string[]; output: string[]; attribute?: { name: string }[] }[];
    initializer: { name: string; dims: number[] }[];
  };
} {
  return ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, defaults: true }) as ReturnType<
    typeof decodeOnnxModel
  >;
}
