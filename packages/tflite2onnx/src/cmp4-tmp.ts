import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { convert } from './convert.ts';

const { onnx, report } = convert(
  readFileSync('/work/shared/models/ppseg_lite_portrait_398x224_float32.tflite'),
);
const s = await ort.InferenceSession.create(onnx, { logSeverityLevel: 3 });
const s2 = await ort.InferenceSession.create('/work/shared/models/ppseg_portrait_398x224_dynamic.onnx', {
  logSeverityLevel: 3,
});
console.log(s2.inputNames, s2.outputNames);
const n = 224 * 398 * 3;
const x = new Float32Array(n);
for (let i = 0; i < n; i++) x[i] = Math.random() * 2 - 1;
const xc = new Float32Array(n);
for (let y = 0; y < 224; y++)
  for (let xx = 0; xx < 398; xx++)
    for (let c = 0; c < 3; c++) xc[c * 224 * 398 + y * 398 + xx] = x[(y * 398 + xx) * 3 + c]!;
const a = (await s.run({ inputs_0: new ort.Tensor('float32', x, [1, 224, 398, 3]) }))[
  report.outputs[0]!.name
]!.data as Float32Array;
const b = (await s2.run({ [s2.inputNames[0]!]: new ort.Tensor('float32', xc, [1, 3, 224, 398]) }))[
  s2.outputNames[0]!
]!.data as Float32Array;
let max = 0;
for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
console.log('ours vs paddle onnx', max);
