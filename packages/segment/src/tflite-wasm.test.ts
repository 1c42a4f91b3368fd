import { decodeVideoFrames } from '@deepseg/fixtures/shared';
import { frameToTensor } from '@deepseg/yuyv';
import { describe, expect, it } from 'vitest';
import { maskIoU } from './mask-agreement.ts';
import { onnxruntimeBackend } from './onnxruntime.ts';
import { getModel } from './registry.ts';
import { createSegmenter } from './segmenter.ts';
import { describeBackendConformance } from './testing.ts';
import { tfliteWasmBackend } from './tflite-wasm.ts';

const frames = decodeVideoFrames('media/doctor_desk_5s_960x540.mp4', {
  pixFmt: 'yuyv422',
  count: 3,
  step: 20,
});
const input = getModel('selfie-general').input;
const tensor = new Float32Array(input.width * input.height * 3);
if (frames)
  frameToTensor(frames.frames[0]!, tensor, {
    width: frames.width,
    height: frames.height,
    format: 'YUYV',
    tensor: input,
  });

describeBackendConformance({
  backend: tfliteWasmBackend(),
  ...(frames ? { sample: { tensor, foreground: [0.15, 0.5] as const } } : {}),
});

describe.skipIf(!frames)('tflite-wasm against onnxruntime-node', () => {
  it('gives the same masks for the built-in models (the converted ONNX equals the TFLite original)', async () => {
    for (const model of ['selfie-general', 'selfie-landscape']) {
      const wasm = await createSegmenter({ model, backend: tfliteWasmBackend() });
      const ort = await createSegmenter({ model, backend: onnxruntimeBackend() });
      expect(wasm.backend).toBe('tflite-wasm');
      for (const f of frames!.frames) {
        const a = wasm.createMask();
        const b = ort.createMask();
        const frame = { data: f, width: frames!.width, height: frames!.height, format: 'YUYV' as const };
        await wasm.segment(frame, a);
        await ort.segment(frame, b);
        expect(maskIoU({ data: a, ...wasm.output }, { data: b, ...ort.output })).toBeGreaterThan(0.99);
        let maxDiff = 0;
        for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
        expect(maxDiff).toBeLessThan(0.05);
      }
      await wasm.dispose();
      await ort.dispose();
    }
  });
});
