import { decodeVideoFrames } from '@deepseg/fixtures/shared';
import { frameToTensor } from '@deepseg/yuyv';
import { onnxruntimeBackend } from './onnxruntime.ts';
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

describeBackendConformance({
  backend: onnxruntimeBackend(),
  ...(frames ? { sample: { tensor, foreground: [0.15, 0.5] as const } } : {}),
});
