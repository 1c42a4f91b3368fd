import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// ORT logs from native code straight to the process's stderr, so this runs in a child process.
function stderrOf(level: number | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'deepseg-log-'));
  try {
    const script = join(dir, 'child.mts');
    const entry = fileURLToPath(new URL('./index.ts', import.meta.url));
    const options = level === undefined ? '{}' : `{ 'onnxruntime-node': { logSeverityLevel: ${level} } }`;
    writeFileSync(
      script,
      `import { createSegmenter } from ${JSON.stringify(entry)};
const s = await createSegmenter({ model: 'selfie-general', backendOptions: ${options} });
await s.segment({ tensor: s.tensor() }, s.createMask());
await s.dispose();
`,
    );
    const r = spawnSync(process.execPath, ['--conditions=@deepseg/source', '--import', 'tsx', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    return r.stderr;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('onnxruntime log severity', () => {
  it('is silent by default and passes a chosen severity through to ORT', () => {
    expect(stderrOf(undefined)).not.toMatch(/onnxruntime/);
    expect(stderrOf(1)).toMatch(/\[I:onnxruntime:/);
  });
});
