import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as yuyv from './index.ts';

describe('README', () => {
  it('quick start runs as written', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const code = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const body = code!.replace(/import \{([^}]*)\} from '@deepseg\/yuyv';/, 'const {$1} = lib;');
    expect(body).not.toContain('import ');
    const run = new Function('lib', `${body}\nreturn { frame, rgb, input, background };`) as (
      lib: typeof yuyv,
    ) => {
      frame: Uint8Array;
      rgb: Uint8Array;
      input: Float32Array;
      background: Uint8Array;
    };
    const { frame, rgb, input } = run(yuyv);
    // grey in, mid-grey out; the tensor is centred; mask = 1 keeps the camera frame
    expect(rgb[0]).toBeGreaterThan(120);
    expect(Math.abs(input[0]!)).toBeLessThan(0.05);
    expect(frame[0]).toBe(128);
  });

  it('lists every error code the package throws', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const code of [
      'ERR_INVALID_OPTION',
      'ERR_INVALID_ARGUMENT',
      'ERR_BUFFER_TOO_SMALL',
      'ERR_OUT_OF_MEMORY',
      'ERR_WASM_UNAVAILABLE',
    ]) {
      expect(readme).toContain(`\`${code}\``);
    }
  });
});
