import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { convert } from './convert.ts';
import { decodeOnnxModel } from './onnx-proto.ts';

const { onnx } = convert(readFileSync(process.argv[2]!));
await ort.InferenceSession.create(onnx, {
  graphOptimizationLevel: 'all',
  logSeverityLevel: 3,
  optimizedModelFilePath: '/tmp/t2o-opt.onnx',
});
const m = decodeOnnxModel(readFileSync('/tmp/t2o-opt.onnx'));
for (const n of m.graph.node)
  console.log(
    n.opType.padEnd(18),
    n.input
      .filter((i) => !i.includes('_w') && !i.includes('_b'))
      .join(',')
      .slice(0, 70),
    '->',
    n.output.join(','),
  );
