import { readFileSync } from 'node:fs';
import { runArmnnReference } from '@deepseg/fixtures/tflite-reference';
import * as ort from 'onnxruntime-node';
import { convert } from './convert.ts';

const f = process.argv[2]!;
const bytes = readFileSync(f);
let t = performance.now();
const { onnx, report } = convert(bytes, { modelName: f });
console.log('convert ms', performance.now() - t, report.onnxNodes);
const s = await ort.InferenceSession.create(onnx, {
  graphOptimizationLevel: 'all',
  logSeverityLevel: 3,
  intraOpNumThreads: 1,
});
const inp = report.inputs[0]!;
const n = inp.shape.reduce((a, b) => a * b, 1);
const x = new Float32Array(n);
for (let i = 0; i < n; i++) x[i] = Math.random() * 2 - 1;
t = performance.now();
const r = runArmnnReference(f, [x], { padv2AsPad: f.includes('ppseg') })[0]![0]!.data;
console.log('armnn ms', performance.now() - t);
const o = await s.run({ [inp.name]: new ort.Tensor('float32', x, inp.shape) });
const y = o[report.outputs[0]!.name]!.data as Float32Array;
let max = 0;
let at = 0;
for (let i = 0; i < y.length; i++) {
  const d = Math.abs(y[i]! - r[i]!);
  if (d > max) {
    max = d;
    at = i;
  }
}
console.log('maxdiff', max, 'at', at, y[at], r[at], y.length, r.length);
t = performance.now();
for (let i = 0; i < 10; i++) await s.run({ [inp.name]: new ort.Tensor('float32', x, inp.shape) });
console.log('ort ms', (performance.now() - t) / 10);
