import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepsegError } from '@deepseg/yuyv';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { loadRunOptions } from './load-options.ts';
import { runSpecs } from './run-options.ts';

const dir = mkdtempSync(join(tmpdir(), 'deepseg-config-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('loadConfig', () => {
  it('reads kebab-case, camelCase and alias keys', () => {
    const p = file(
      'ok.json',
      JSON.stringify({
        background: 'blur=30',
        inferEvery: 2,
        'still-threshold': 3,
        webcamPath: '/dev/video4',
        mirror: true,
      }),
    );
    const { values, sources } = loadConfig(p, runSpecs);
    expect(values).toEqual({
      background: 'blur=30',
      'infer-every': 2,
      'still-threshold': 3,
      camera: '/dev/video4',
      mirror: true,
    });
    expect(sources['infer-every']).toBe(`"inferEvery" in ${p}`);
  });

  it('rejects unknown keys with a suggestion, bad JSON, non-objects and nested values', () => {
    const cases: [string, string, string][] = [
      ['unknown.json', '{"backgrund": "blur"}', 'Unknown key "backgrund" in config file'],
      ['bad.json', '{"background": ', 'is not valid JSON'],
      ['array.json', '[1]', 'must hold one JSON object'],
      [
        'nested.json',
        '{"background": {"type": "blur"}}',
        'Expected a string, number or boolean for "background"',
      ],
      ['self.json', '{"config": "other.json"}', 'Unknown key "config"'],
    ];
    for (const [name, text, expected] of cases) {
      const p = file(name, text);
      try {
        loadConfig(p, runSpecs);
        expect.unreachable();
      } catch (e) {
        expect(isDeepsegError(e, 'ERR_CONFIG')).toBe(true);
        expect((e as Error).message).toContain(expected);
        expect((e as Error).message).not.toContain('\n');
      }
    }
    expect(() => loadConfig(file('unknown2.json', '{"backgrund": 1}'), runSpecs)).toThrow(
      '(did you mean "background"?)',
    );
  });

  it('reports a missing file with the option to check', () => {
    try {
      loadConfig(join(dir, 'nope.json'), runSpecs);
      expect.unreachable();
    } catch (e) {
      expect(isDeepsegError(e, 'ERR_FILE_NOT_FOUND')).toBe(true);
      expect((e as Error).message).toMatch(/nope\.json does not exist; check the --config path$/);
    }
  });
});

describe('loadRunOptions', () => {
  it('lets the command line override the config file', () => {
    const p = file('merge.json', JSON.stringify({ background: 'color=#0000ff', threads: 2, mirror: true }));
    const o = loadRunOptions({ config: p, background: 'blur', mirror: false });
    expect(o.background).toEqual({ kind: 'blur', radius: 16 });
    expect(o.threads).toBe(2);
    expect(o.mirror).toBe(false);
  });

  it('blames the config key for a bad value from the file', () => {
    const p = file('badvalue.json', JSON.stringify({ fps: 'fast' }));
    expect(() => loadRunOptions({ config: p })).toThrow(
      `Expected a number from 1 to 240 for "fps" in ${p} but received "fast"`,
    );
  });
});
