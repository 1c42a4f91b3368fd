import { decodeVideoFrames } from '@deepseg/fixtures/shared';
import { frameToTensor, isDeepsegError } from '@deepseg/yuyv';
import { describe, expect, it } from 'vitest';
import { type OnnxruntimeOptions, onnxruntimeBackend } from './onnxruntime.ts';
import { getModel } from './registry.ts';
import { describeBackendConformance } from './testing.ts';

// A real frame (a woman at a desk, about a third of the picture) as the selfie model's input.
const frames = decodeVideoFrames('media/doctor_desk_5s_960x540.mp4', { pixFmt: 'yuyv422', count: 1 });
const input = getModel('selfie-general').input;
const tensor = new Float32Array(input.width * input.height * 3);
if (frames)
  frameToTensor(frames.frames[0]!, tensor, {
    width: frames.width,
    height: frames.height,
    format: 'YUYV',
    tensor: input,
  });
const sample = frames ? { sample: { tensor, foreground: [0.15, 0.5] as const } } : {};

// The default binding (onnxruntime's C API) and onnxruntime-node's JavaScript API keep one contract.
describeBackendConformance({ backend: onnxruntimeBackend(), ...sample });
describe('binding node', () => {
  describeBackendConformance({ backend: onnxruntimeBackend({ binding: 'node' }), ...sample });
});

describe('onnxruntime-node backend options', () => {
  const code = (o: OnnxruntimeOptions): string => {
    try {
      onnxruntimeBackend(o);
      return 'no error';
    } catch (e) {
      return isDeepsegError(e) ? `${e.code}: ${e.message}` : String(e);
    }
  };

  it('runs the C API binding only with the cpu provider (on Linux, where this suite runs)', () => {
    expect(code({ binding: 'c-api' })).toBe('no error');
    expect(code({ binding: 'node', executionProviders: ['cuda', 'cpu'] })).toBe('no error');
    expect(code({ executionProviders: ['cuda', 'cpu'] })).toBe('no error');
    expect(code({ binding: 'c-api', executionProviders: ['cuda', 'cpu'] })).toBe(
      `ERR_INVALID_OPTION: backendOptions['onnxruntime-node'].binding 'c-api' runs the cpu provider on Linux only; use binding 'node' for ["cuda","cpu"] on linux`,
    );
    expect(code({ binding: 'napi' as 'node' })).toBe(
      `ERR_INVALID_OPTION: Expected 'c-api' or 'node' for backendOptions['onnxruntime-node'].binding but received "napi"`,
    );
  });
});
