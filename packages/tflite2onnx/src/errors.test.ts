import { readFileSync } from 'node:fs';
import { mediapipeSelfieModelPath } from '@deepseg/fixtures/tflite-reference';
import { describe, expect, it } from 'vitest';
import { buildTflite, OptionsType, randomFloats } from './__fixtures__/tflite-builder.ts';
import { convert } from './convert.ts';
import { isTflite2OnnxError, Tflite2OnnxError, type Tflite2OnnxErrorCode } from './errors.ts';
import { TensorType } from './tflite-schema.ts';

function thrown(f: () => unknown): Tflite2OnnxError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(Tflite2OnnxError);
    return e as Tflite2OnnxError;
  }
  throw new Error('expected a throw');
}

function expectCode(f: () => unknown, code: Tflite2OnnxErrorCode): Tflite2OnnxError {
  const e = thrown(f);
  expect(e.code).toBe(code);
  expect(isTflite2OnnxError(e, code)).toBe(true);
  expect(e.message).not.toContain('\n');
  return e;
}

const selfie = readFileSync(mediapipeSelfieModelPath('general'));

describe('Tflite2OnnxError', () => {
  it('carries the shared deepseg marker, so isDeepsegError of other packages recognises it', () => {
    const e = new Tflite2OnnxError('ERR_UNSUPPORTED_OP', 'x', { model: 'm', op: 'FOO' });
    expect((e as unknown as Record<symbol, unknown>)[Symbol.for('deepseg.error')]).toBe(true);
    expect(e.name).toBe('Tflite2OnnxError');
    expect(e.model).toBe('m');
    expect(isTflite2OnnxError(e)).toBe(true);
    expect(isTflite2OnnxError(new Error('x'))).toBe(false);
  });
});

describe('bad input', () => {
  it('a non-TFLite file → ERR_NOT_TFLITE', () => {
    const e = expectCode(
      () => convert(new TextEncoder().encode('this is a text file, not a model'), { modelName: 'notes.txt' }),
      'ERR_NOT_TFLITE',
    );
    expect(e.message).toContain('notes.txt');
  });
  it('an ONNX file given as TFLite → ERR_NOT_TFLITE', () => {
    const { onnx } = convert(selfie);
    expectCode(() => convert(onnx), 'ERR_NOT_TFLITE');
  });
  it('an empty file → ERR_NOT_TFLITE', () => {
    expectCode(() => convert(new Uint8Array()), 'ERR_NOT_TFLITE');
  });
  it('a truncated file → ERR_TRUNCATED at every cut, never a crash or a half model', () => {
    for (const fraction of [0.001, 0.05, 0.3, 0.6, 0.9, 0.999]) {
      const cut = selfie.subarray(0, Math.max(8, Math.floor(selfie.length * fraction)));
      const e = expectCode(() => convert(cut, { modelName: 'selfie.tflite' }), 'ERR_TRUNCATED');
      expect(e.message).toContain('selfie.tflite');
    }
  });
  it('an unknown builtin operator → ERR_UNSUPPORTED_OP naming the operator and the model', () => {
    const model = buildTflite({
      tensors: [{ shape: [1, 4, 4, 3] }, { shape: [1, 4, 4, 3] }],
      inputs: [0],
      outputs: [1],
      operators: [{ op: 'SQUARED_DIFFERENCE', inputs: [0, 0], outputs: [1] }],
    });
    const e = expectCode(() => convert(model, { modelName: 'odd.tflite' }), 'ERR_UNSUPPORTED_OP');
    expect(e.message).toContain('SQUARED_DIFFERENCE');
    expect(e.message).toContain('odd.tflite');
    expect(e.op).toBe('SQUARED_DIFFERENCE');
    expect(e.opIndex).toBe(0);
  });
  it('an unknown custom operator → ERR_UNSUPPORTED_OP naming it', () => {
    const model = buildTflite({
      tensors: [{ shape: [1, 4, 4, 3] }, { shape: [1, 2, 2, 3] }],
      inputs: [0],
      outputs: [1],
      operators: [{ op: { custom: 'MaxPoolingWithArgmax2D' }, inputs: [0], outputs: [1] }],
    });
    const e = expectCode(() => convert(model, { modelName: 'argmax.tflite' }), 'ERR_UNSUPPORTED_OP');
    expect(e.message).toContain('MaxPoolingWithArgmax2D');
  });
  it('a quantised (int8) model → ERR_QUANTIZED_UNSUPPORTED ("not supported yet")', () => {
    const model = buildTflite({
      tensors: [
        { shape: [1, 4, 4, 3], type: TensorType.INT8, quantScale: 0.1 },
        { shape: [2, 1, 1, 3], type: TensorType.INT8, data: new Uint8Array(6), quantScale: 0.1 },
        { shape: [1, 4, 4, 2], type: TensorType.INT8, quantScale: 0.1 },
      ],
      inputs: [0],
      outputs: [2],
      operators: [
        {
          op: 'CONV_2D',
          inputs: [0, 1, -1],
          outputs: [2],
          options: { type: OptionsType.Conv2DOptions, fields: [] },
        },
      ],
    });
    const e = expectCode(() => convert(model, { modelName: 'q.tflite' }), 'ERR_QUANTIZED_UNSUPPORTED');
    expect(e.message).toContain('not supported yet');
  });
  it('a uint8 input → ERR_QUANTIZED_UNSUPPORTED', () => {
    const model = buildTflite({
      tensors: [
        { shape: [1, 4, 4, 3], type: TensorType.UINT8 },
        { shape: [1, 4, 4, 3], type: TensorType.UINT8 },
      ],
      inputs: [0],
      outputs: [1],
      operators: [{ op: 'RELU', inputs: [0], outputs: [1] }],
    });
    expectCode(() => convert(model), 'ERR_QUANTIZED_UNSUPPORTED');
  });
  it('an unsupported tensor type (int64 activations) → ERR_UNSUPPORTED_TYPE naming the tensor', () => {
    const model = buildTflite({
      tensors: [
        { shape: [1, 4], type: TensorType.INT64, name: 'ids' },
        { shape: [1, 4], type: TensorType.INT64 },
      ],
      inputs: [0],
      outputs: [1],
      operators: [{ op: 'RELU', inputs: [0], outputs: [1] }],
    });
    const e = expectCode(() => convert(model), 'ERR_UNSUPPORTED_TYPE');
    expect(e.message).toContain('ids');
  });
  it('an unsupported option → ERR_UNSUPPORTED_OPTION (non-constant convolution weights)', () => {
    const model = buildTflite({
      tensors: [
        { shape: [1, 4, 4, 3] },
        { shape: [1, 4, 4, 3] },
        { shape: [3, 1, 1, 3] },
        { shape: [1, 4, 4, 3] },
      ],
      inputs: [0],
      outputs: [3],
      operators: [
        {
          op: 'RESHAPE',
          inputs: [0],
          outputs: [2],
          options: { type: OptionsType.ReshapeOptions, fields: [] },
        },
        {
          op: 'CONV_2D',
          inputs: [0, 2, -1],
          outputs: [3],
          options: { type: OptionsType.Conv2DOptions, fields: [] },
        },
      ],
    });
    const e = expectCode(() => convert(model, { modelName: 'dyn.tflite' }), 'ERR_UNSUPPORTED_OPTION');
    expect(e.message).toContain('CONV_2D');
    expect(e.message).toContain('dyn.tflite');
  });
  it('options are validated at the boundary → ERR_INVALID_OPTION', () => {
    expectCode(() => convert('model.tflite' as unknown as Uint8Array), 'ERR_INVALID_OPTION');
    expectCode(() => convert(selfie, { modelName: 3 as unknown as string }), 'ERR_INVALID_OPTION');
  });
  it('a valid tiny model still converts (the builder itself is sound)', () => {
    const model = buildTflite({
      tensors: [{ shape: [1, 4, 4, 3] }, { shape: [3], data: randomFloats(3, 1) }, { shape: [1, 4, 4, 3] }],
      inputs: [0],
      outputs: [2],
      operators: [
        { op: 'ADD', inputs: [0, 1], outputs: [2], options: { type: OptionsType.AddOptions, fields: [] } },
      ],
    });
    expect(convert(model).report.ops).toEqual({ ADD: 1 });
  });
});
