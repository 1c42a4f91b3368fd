import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain .mjs build script without types
import { compileKernels } from '../scripts/build-wasm.mjs';
import { wasmBase64 } from './wasm-binary.ts';

describe('committed WebAssembly binary', () => {
  it('equals a fresh AssemblyScript build of assembly/kernels.ts', () => {
    const fresh = (compileKernels as () => Buffer)();
    expect(
      Buffer.from(wasmBase64, 'base64').equals(fresh),
      'run `pnpm build:wasm` and commit src/wasm-binary.ts',
    ).toBe(true);
  }, 120_000);
});
