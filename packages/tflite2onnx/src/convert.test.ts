import { readFileSync } from 'node:fs';
import { mediapipeSelfieModelPath } from '@deepseg/fixtures/tflite-reference';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildTflite, OptionsType, randomFloats, toFloat16Bits } from './__fixtures__/tflite-builder.ts';
import { convert, OPSET, supportedOps } from './convert.ts';
import { decodeOnnxModel } from './onnx-proto.ts';
import { TensorType } from './tflite-schema.ts';

describe('convert() graph structure', () => {
  it('keeps the TFLite input and output names, shapes and NHWC order', async () => {
    const { onnx, report } = convert(readFileSync(mediapipeSelfieModelPath('general')));
    expect(report.inputs).toEqual([{ name: 'input_1', shape: [1, 256, 256, 3], layout: 'NHWC' }]);
    expect(report.outputs).toEqual([{ name: 'activation_10', shape: [1, 256, 256, 1], layout: 'NHWC' }]);
    expect(report.opset).toBe(OPSET);
    const session = await ort.InferenceSession.create(onnx, { logSeverityLevel: 3 });
    expect(session.inputNames).toEqual(['input_1']);
    expect(session.outputNames).toEqual(['activation_10']);
    await session.release();
  });

  it('folds float16 weights (no Cast or DequantizeLinear left) and needs no Transpose', () => {
    const { onnx, report } = convert(readFileSync(mediapipeSelfieModelPath('general')));
    expect(report.ops.DEQUANTIZE).toBe(110);
    const graph = decodeOnnxModel(onnx).graph;
    const types = new Set(graph.node.map((n) => n.opType));
    expect(types.has('Cast')).toBe(false);
    expect(types.has('DequantizeLinear')).toBe(false);
    // No Transpose at all: the first convolution reads the NHWC input as rows, and the
    // [1,256,256,1] output leaves NCHW by a Reshape.
    expect(graph.node.filter((n) => n.opType === 'Transpose')).toEqual([]);
    expect(graph.node[0]?.opType).toBe('Reshape');
  });

  it('a graph input passed straight to the output gets an Identity with the output name', async () => {
    const model = buildTflite({
      tensors: [
        { shape: [1, 2, 3, 4], name: 'in' },
        { shape: [4], type: TensorType.INT32, data: Int32Array.of(0, 1, 2, 3) },
        { shape: [1, 2, 3, 4], name: 'out' },
      ],
      inputs: [0],
      outputs: [2],
      operators: [{ op: 'TRANSPOSE', inputs: [0, 1], outputs: [2] }],
    });
    const { onnx } = convert(model);
    const session = await ort.InferenceSession.create(onnx, { logSeverityLevel: 3 });
    const x = randomFloats(24, 1);
    const out = await session.run({ in: new ort.Tensor('float32', x, [1, 2, 3, 4]) });
    expect(Array.from((out.out as ort.Tensor).data as Float32Array)).toEqual(Array.from(x));
    await session.release();
  });

  it('float16 weights are decoded exactly (round trip through the half bits)', async () => {
    const w = Float32Array.of(1, -2, 0.5, 65504, 6.103515625e-5, 2 ** -24, 3.14, 0.1);
    const model = buildTflite({
      tensors: [
        { shape: [1, 1, 1, 8] },
        { shape: [8], type: TensorType.FLOAT16, data: toFloat16Bits(w) },
        { shape: [8] },
        { shape: [1, 1, 1, 8] },
      ],
      inputs: [0],
      outputs: [3],
      operators: [
        { op: 'DEQUANTIZE', inputs: [1], outputs: [2] },
        { op: 'ADD', inputs: [0, 2], outputs: [3], options: { type: OptionsType.AddOptions, fields: [] } },
      ],
    });
    const { onnx } = convert(model);
    const session = await ort.InferenceSession.create(onnx, { logSeverityLevel: 3 });
    const out = await session.run({ t0: new ort.Tensor('float32', new Float32Array(8), [1, 1, 1, 8]) });
    const y = (out.t3 as ort.Tensor).data as Float32Array;
    // Values exactly representable in half precision (incl. the max, the smallest normal and the smallest
    // subnormal) come back exactly; 3.14 and 0.1 round to the nearest half.
    expect(Array.from(y.slice(0, 6))).toEqual([1, -2, 0.5, 65504, 6.103515625e-5, 2 ** -24]);
    expect(y[6]).toBe(3.140625);
    expect(y[7]).toBeCloseTo(0.0999755859375, 12);
    await session.release();
  });

  it('lists its supported operators', () => {
    for (const op of [
      'CONV_2D',
      'DEPTHWISE_CONV_2D',
      'RESIZE_BILINEAR',
      'Convolution2DTransposeBias',
      'PADV2',
      'HARD_SWISH',
    ]) {
      expect(supportedOps).toContain(op);
    }
  });
});

describe('converterDigest', () => {
  it('is a stable 12-hex-digit hash of the converter code', async () => {
    const { converterDigest } = await import('./digest.ts');
    expect(converterDigest()).toMatch(/^[0-9a-f]{12}$/);
    expect(converterDigest()).toBe(converterDigest());
  });
});
