import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveModelFile } from './convert.ts';
import { OrtCapiSession, ortCapi } from './ort-capi.ts';
import { getModel } from './registry.ts';
import { patternTensor } from './testing.ts';

const OPTIONS = { threads: 1, logSeverityLevel: 3, graphOptimizationLevel: 'all' } as const;
const IN = [1, 144, 256, 3];
const OUT = [1, 144, 256, 1];

describe('onnxruntime C API binding', () => {
  let path = '';
  let session: OrtCapiSession;
  beforeAll(async () => {
    path = (await resolveModelFile(getModel('selfie-landscape'))).path;
    session = OrtCapiSession.create(path, OPTIONS);
  });
  afterAll(() => session.release());

  it('reports the library version onnxruntime-node ships', () => {
    expect(ortCapi().version).toBe(ort.env.versions.common);
  });

  it('describes the model inputs and outputs', () => {
    expect(session.inputs).toEqual([{ name: 'input_1', type: 1, dims: IN }]);
    expect(session.outputs).toEqual([{ name: 'segment_back', type: 1, dims: OUT }]);
    expect(session.probe(new Float32Array(IN.reduce((a, b) => a * b, 1)), IN)).toEqual(OUT);
  });

  it('runs in place on a shared input, equal bit for bit to onnxruntime-node', async () => {
    const n = IN.reduce((a, b) => a * b, 1);
    const input = new Float32Array(new SharedArrayBuffer(n * 4));
    const own = OrtCapiSession.create(path, OPTIONS);
    try {
      const output = own.bind(input, IN, OUT);
      const node = await ort.InferenceSession.create(path, {
        intraOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
      });
      for (const seed of [1, 2]) {
        input.set(patternTensor(n, seed).map((v) => (v + 1) / 2));
        own.run();
        const want = (await node.run({ input_1: new ort.Tensor('float32', input.slice(), IN) })).segment_back!
          .data as Float32Array;
        expect(output.length).toBe(want.length);
        expect(Buffer.from(output.buffer, output.byteOffset, output.byteLength)).toEqual(
          Buffer.from(want.buffer, want.byteOffset, want.byteLength),
        );
        expect(output.some((v) => v > 0)).toBe(true);
      }
      await node.release();
    } finally {
      own.release();
    }
  });

  it('refuses an input it cannot keep the address of, and runs only once bound', () => {
    const own = OrtCapiSession.create(path, OPTIONS);
    try {
      expect(() => own.run()).toThrow('run() before bind()');
      expect(() => own.bind(new Float32Array(IN.reduce((a, b) => a * b, 1)), IN, OUT)).toThrow(
        'bind() needs a shared input buffer',
      );
    } finally {
      own.release();
    }
    expect(() => own.run()).toThrow('run() before bind()');
  });

  it("throws onnxruntime's own message for a file that is no model", () => {
    const dir = mkdtempSync(join(tmpdir(), 'deepseg-capi-'));
    try {
      const bad = join(dir, 'bad.onnx');
      writeFileSync(bad, 'not a model');
      expect(() => OrtCapiSession.create(bad, OPTIONS)).toThrow(/Protobuf parsing failed/);
      expect(() => OrtCapiSession.create(join(dir, 'missing.onnx'), OPTIONS)).toThrow(/missing\.onnx/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
