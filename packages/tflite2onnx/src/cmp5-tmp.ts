import { readFileSync } from 'node:fs';
import { runArmnnReference } from '@deepseg/fixtures/tflite-reference';
import * as ort from 'onnxruntime-node';
import { convert } from './convert.ts';

const f = '/work/shared/models/ppseg_lite_portrait_398x224_float32.tflite';
const n = 224 * 398 * 3;
const x = new Float32Array(n);
for (let i = 0; i < n; i++) x[i] = Math.random() * 2 - 1;
const r = runArmnnReference(f, [x], {
  padv2AsPad: true,
  noHalfPixelCenters: true,
  saveModel: '/tmp/t2o-patched.tflite',
})[0]![0]!.data;
const { onnx, report } = convert(readFileSync('/tmp/t2o-patched.tflite'));
console.log(report.ops);
const s = await ort.InferenceSession.create(onnx, { logSeverityLevel: 3 });
const y = (await s.run({ inputs_0: new ort.Tensor('float32', x, [1, 224, 398, 3]) }))[
  report.outputs[0]!.name
]!.data as Float32Array;
let max = 0;
for (let i = 0; i < y.length; i++) max = Math.max(max, Math.abs(y[i]! - r[i]!));
console.log('maxdiff', max);
