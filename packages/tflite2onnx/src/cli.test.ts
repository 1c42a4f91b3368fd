import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mediapipeSelfieModelPath } from '@deepseg/fixtures/tflite-reference';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'deepseg-t2o-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(args: string[]): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCli(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { code, out, err };
}

describe('tflite2onnx CLI', () => {
  it('converts the selfie model into a file onnxruntime loads, and prints one summary line', async () => {
    const output = join(dir, 'selfie.onnx');
    const r = capture([mediapipeSelfieModelPath('general'), output]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    expect(r.out[0]).toContain('input_1 [1,256,256,3] NHWC');
    expect(r.out[0]).toContain('CONV_2D×43');
    const session = await ort.InferenceSession.create(output, { logSeverityLevel: 3 });
    expect(session.inputNames).toEqual(['input_1']);
    await session.release();
    // No temporary files left behind.
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--json prints the report', () => {
    const r = capture([mediapipeSelfieModelPath('landscape'), join(dir, 'landscape.onnx'), '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out[0] as string);
    expect(report.ops.MEAN).toBe(10);
    expect(report.inputs[0]).toEqual({ name: 'input_1', shape: [1, 144, 256, 3], layout: 'NHWC' });
  });

  it('a bad model is one line with the code, exit 1, and the old output file is untouched', () => {
    const bad = join(dir, 'bad.tflite');
    writeFileSync(bad, 'not a model at all');
    const output = join(dir, 'keep.onnx');
    writeFileSync(output, 'previous contents');
    const r = capture([bad, output]);
    expect(r.code).toBe(1);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/^tflite2onnx: ERR_NOT_TFLITE: bad\.tflite is not a TFLite model/);
    expect(r.err[0]).not.toContain('    at ');
    expect(readFileSync(output, 'utf8')).toBe('previous contents');
  });

  it('a missing input file → ERR_IO, exit 1', () => {
    const r = capture([join(dir, 'nope.tflite'), join(dir, 'x.onnx')]);
    expect(r.code).toBe(1);
    expect(r.err[0]).toContain('ERR_IO');
    expect(r.err[0]).toContain('ENOENT');
    expect(existsSync(join(dir, 'x.onnx'))).toBe(false);
  });

  it('an unwritable output → ERR_IO, no partial file', () => {
    const r = capture([mediapipeSelfieModelPath('general'), join(dir, 'no-such-dir', 'x.onnx')]);
    expect(r.code).toBe(1);
    expect(r.err[0]).toContain('ERR_IO');
  });

  it('--debug prints the stack', () => {
    const r = capture([join(dir, 'nope.tflite'), join(dir, 'x.onnx'), '--debug']);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toContain('    at ');
  });

  it('usage errors exit 2', () => {
    expect(capture([]).code).toBe(2);
    expect(capture(['a', 'b', '--frobnicate']).code).toBe(2);
    expect(capture(['--help']).code).toBe(0);
  });

  it('runs as an executable (bin.ts) with exit codes', () => {
    const tsx = join(here, '..', '..', '..', 'node_modules', '.bin', 'tsx');
    const output = join(dir, 'bin.onnx');
    const ok = spawnSync(tsx, [join(here, 'bin.ts'), mediapipeSelfieModelPath('general'), output], {
      encoding: 'utf8',
    });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('wrote');
    expect(existsSync(output)).toBe(true);
    const bad = spawnSync(tsx, [join(here, 'bin.ts'), join(dir, 'missing.tflite'), output], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});
