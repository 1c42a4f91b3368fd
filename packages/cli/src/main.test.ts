import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeepsegError } from '@deepseg/yuyv';
import { describe, expect, it } from 'vitest';
import { runMain, startMain } from './__fixtures__/test-io.ts';
import { ExitCode, exitCodeFor } from './exit-codes.ts';
import { tempPathFor } from './y4m.ts';

const dir = mkdtempSync(join(tmpdir(), 'deepseg-main-'));
const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
// A tiny native y4m: the user-mistake cases need no real footage and no ffmpeg.
const tinyY4m = join(dir, 'tiny.y4m');
writeFileSync(
  tinyY4m,
  Buffer.concat([Buffer.from('YUV4MPEG2 W16 H8 F30:1 Ip A1:1 C422\nFRAME\n'), Buffer.alloc(16 * 8 * 2, 128)]),
);

/** Asserts a run failed with `code` and exactly one line on stderr, no stack trace. */
function expectOneLine(run: { code: number; stderr: string }, code: number, text: string | RegExp): void {
  expect(run.code).toBe(code);
  const lines = run.stderr.split('\n').filter((l) => l.length > 0);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^deepseg: /);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  if (typeof text === 'string') expect(lines[0]).toContain(text);
  else expect(lines[0]).toMatch(text);
}

describe('deepseg: help and version', () => {
  it('prints the version from package.json', async () => {
    const r = await runMain(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('documents every option and every exit code in --help', async () => {
    const r = await runMain(['--help']);
    expect(r.code).toBe(0);
    for (const o of [
      '--camera',
      '--loopback',
      '--size',
      '--fps',
      '--format',
      '--output-size',
      '--model',
      '--threads',
      '--background',
      '--threshold',
      '--smoothing',
      '--feather',
      '--mirror',
      '--infer-every',
      '--skip-still',
      '--on-demand',
      '--stats',
      '--input',
      '--output',
      '--config',
      '--debug',
    ]) {
      expect(r.stdout).toContain(o);
    }
    for (const code of Object.values(ExitCode)) expect(r.stdout).toMatch(new RegExp(`^ +${code}  `, 'm'));
  });

  it('has --help for every command', async () => {
    for (const cmd of ['devices', 'doctor', 'models']) {
      const r = await runMain([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`deepseg ${cmd}`);
    }
    expect((await runMain(['help', 'models'])).stdout).toContain('deepseg models pull <id>');
  });
});

describe('deepseg: user mistakes are one line with a documented exit code', () => {
  it('unknown command', async () => {
    expectOneLine(
      await runMain(['devics']),
      ExitCode.Usage,
      'unknown command "devics" (did you mean `deepseg devices`?)',
    );
  });

  it('unknown option', async () => {
    expectOneLine(await runMain(['--bakground', 'blur']), ExitCode.Usage, 'Unknown option --bakground');
  });

  it('bad colour', async () => {
    expectOneLine(await runMain(['--background', 'color=#GG0000']), ExitCode.Usage, 'Expected color=#RRGGBB');
  });

  it('bad config file', async () => {
    const p = join(dir, 'bad.json');
    writeFileSync(p, '{"threads": "many"}');
    expectOneLine(
      await runMain(['--config', p]),
      ExitCode.Usage,
      `Expected an integer from 1 to 64 for "threads" in ${p}`,
    );
  });

  it('missing input file', async () => {
    expectOneLine(
      await runMain(['--input', join(dir, 'nope.mp4'), '--output', join(dir, 'out.y4m')]),
      ExitCode.File,
      'nope.mp4 does not exist; check the --input path',
    );
  });

  it('missing camera device', async () => {
    const r = await runMain(['--camera', '/dev/video97', '--output', join(dir, 'cam.y4m')]);
    expectOneLine(r, ExitCode.Device, '/dev/video97');
  });

  it('unknown model, listing the known ones', async () => {
    const r = await runMain(['--input', tinyY4m, '--output', join(dir, 'm.y4m'), '--model', 'no-such-model']);
    expectOneLine(r, ExitCode.Model, /Unknown model "no-such-model"; known models: .*selfie/);
    expect(readdirSync(dir).filter((n) => n.includes('m.y4m'))).toEqual([]);
  });

  it('model file without a manifest, naming the manifest to write', async () => {
    const model = join(dir, 'mystery.onnx');
    writeFileSync(model, 'not a model');
    const r = await runMain(['--input', tinyY4m, '--output', join(dir, 'mm.y4m'), '--model', model]);
    expectOneLine(
      r,
      ExitCode.Model,
      /mystery\.onnx is not a model deepseg knows \(no mystery\.json beside it/,
    );
    expect(readdirSync(dir).filter((n) => n.includes('mm.y4m'))).toEqual([]);
  });

  it('SIGTERM during a file run stops cleanly: exit 0, a whole y4m of the frames so far, no temp file', async () => {
    const W = 64;
    const H = 32;
    const frames = 3000;
    const input = join(dir, 'long.y4m');
    const frame = Buffer.concat([Buffer.from('FRAME\n'), Buffer.alloc(W * H * 2, 128)]);
    writeFileSync(
      input,
      Buffer.concat([
        Buffer.from(`YUV4MPEG2 W${W} H${H} F30:1 Ip A1:1 C422\n`),
        ...new Array(frames).fill(frame),
      ]),
    );
    const output = join(dir, 'cut.y4m');
    const run = startMain(['--input', input, '--output', output]);
    // stop once a few frames are out (the temporary file grows), however long the model takes to load
    const tmp = tempPathFor(output);
    for (let i = 0; i < 400; i++) {
      await new Promise((r) => setTimeout(r, 50));
      if (existsSync(tmp) && statSync(tmp).size > 5 * (6 + W * H * 2)) break;
    }
    run.signals.emit('SIGTERM');
    const r = await run.done;
    expect(r.code).toBe(ExitCode.Ok);
    const bytes = readFileSync(output);
    const header = bytes.indexOf(0x0a) + 1;
    const per = 6 + W * H * 2;
    const written = (bytes.length - header) / per;
    expect(Number.isInteger(written)).toBe(true);
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(frames);
    expect(readdirSync(dir).filter((n) => n.includes('cut.y4m') && n !== 'cut.y4m')).toEqual([]);
  });

  it('missing background file, leaving no output behind', async () => {
    const out = join(dir, 'bg.y4m');
    const r = await runMain([
      '--input',
      tinyY4m,
      '--output',
      out,
      '--background',
      join(dir, 'beach.jpg'),
      '--frames',
      '2',
    ]);
    expectOneLine(r, ExitCode.File, 'beach.jpg');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.includes('bg.y4m'))).toEqual([]);
  });

  it('output folder that does not exist', async () => {
    const r = await runMain(['--input', tinyY4m, '--output', join(dir, 'no', 'dir', 'x.y4m')]);
    expectOneLine(r, ExitCode.File, join(dir, 'no', 'dir'));
  });

  it('prints the stack only with --debug', async () => {
    const r = await runMain(['--input', join(dir, 'nope.mp4'), '--output', join(dir, 'o.y4m'), '--debug']);
    expect(r.code).toBe(ExitCode.File);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  const bin = join(pkgDir, 'dist', 'bin.js');
  it.skipIf(!existsSync(bin))('the built bin exits with the code and one line', () => {
    const r = spawnSync(process.execPath, [bin, '--background', 'color=#12'], { encoding: 'utf8' });
    expect(r.status).toBe(ExitCode.Usage);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('Expected color=#RRGGBB');
  });
});

describe('exitCodeFor', () => {
  it('maps DeepsegError codes, families and errno', () => {
    const e = (code: string, extra = {}) => new DeepsegError(code, 'x', extra);
    expect(exitCodeFor(e('ERR_DEVICE_BUSY'))).toBe(ExitCode.Busy);
    expect(exitCodeFor(e('ERR_PERMISSION'))).toBe(ExitCode.Permission);
    expect(exitCodeFor(e('ERR_DEVICE_GONE'))).toBe(ExitCode.DeviceGone);
    expect(exitCodeFor(e('ERR_NOT_OUTPUT_DEVICE'))).toBe(ExitCode.Device);
    expect(exitCodeFor(e('ERR_MODEL_CHECKSUM'))).toBe(ExitCode.Model);
    expect(exitCodeFor(e('ERR_DOWNLOAD_TIMEOUT'))).toBe(ExitCode.Network);
    expect(exitCodeFor(e('ERR_FFMPEG_MISSING'))).toBe(ExitCode.Missing);
    expect(exitCodeFor(e('ERR_UNSUPPORTED_OP', { device: '/dev/video0' }))).toBe(ExitCode.Device);
    expect(exitCodeFor(e('ERR_UNSUPPORTED_OP', { model: 'x' }))).toBe(ExitCode.Model);
    expect(exitCodeFor(e('ERR_SOMETHING_NEW'))).toBe(ExitCode.Internal);
    expect(exitCodeFor(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe(ExitCode.Permission);
    expect(exitCodeFor(new TypeError('bug'))).toBe(ExitCode.Internal);
  });
});
