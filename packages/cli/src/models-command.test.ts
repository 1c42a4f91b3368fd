import { createReadStream, existsSync, mkdtempSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedFile } from '@deepseg/fixtures/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from './__fixtures__/test-io.ts';
import { ExitCode } from './exit-codes.ts';
import { progressLine } from './models-command.ts';

const deeplab = sharedFile('models/deeplabv3_257_mv_gpu.tflite');

describe('deepseg models', () => {
  const home = mkdtempSync(join(tmpdir(), 'deepseg-models-'));
  let server: ReturnType<typeof createServer> | undefined;
  let saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    saved = {
      DEEPSEG_MODELS_DIR: process.env.DEEPSEG_MODELS_DIR,
      XDG_CACHE_HOME: process.env.XDG_CACHE_HOME,
      DEEPSEG_MODEL_BASE_URL: process.env.DEEPSEG_MODEL_BASE_URL,
    };
    process.env.DEEPSEG_MODELS_DIR = join(home, 'models');
    process.env.XDG_CACHE_HOME = join(home, 'cache');
    // a local mirror serving ../shared/models (the real files), as the registry's base URL override
    server = createServer((req, res) => {
      const file = sharedFile(`models/${decodeURIComponent((req.url ?? '/').slice(1))}`);
      if (!file || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-length': statSync(file).size });
      createReadStream(file).pipe(res);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    process.env.DEEPSEG_MODEL_BASE_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    server?.close();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('lists the registry with the default marked and the pull hint', async () => {
    const r = await runMain(['models', 'list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^selfie-landscape .*ready.*\(default\)$|^selfie-general .*ready.*\(default\)$/m,
    );
    expect(r.stdout).toMatch(/^deeplab-v3 +257x257 +not pulled/m);
    expect(r.stdout).toContain('deepseg models pull <id>');
    const json = JSON.parse((await runMain(['models', 'list', '--json'])).stdout) as {
      id: string;
      default: boolean;
    }[];
    expect(json.filter((m) => m.default)).toHaveLength(1);
  });

  it('shows a model', async () => {
    const r = await runMain(['models', 'info', 'deeplab-v3']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('68a539782c2c6a72f8aac3724600124a85ed977162b44e84cbae5db717c933c6');
    expect(r.stdout).toMatch(/^input +257x257 NHWC RGB/m);
  });

  it('rejects an unknown id and a missing id with one line', async () => {
    const r = await runMain(['models', 'info', 'meet']);
    expect(r.code).toBe(ExitCode.Model);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const r2 = await runMain(['models', 'pull']);
    expect(r2.code).toBe(ExitCode.Usage);
    expect(r2.stderr).toContain('`deepseg models pull` needs a model id');
  });

  it.skipIf(!deeplab)('pulls a model with progress, verifies it, and knows it afterwards', async () => {
    const r = await runMain(['models', 'pull', 'deeplab-v3']);
    expect(r.stderr).toMatch(/\[#{30}\] 100% {2}2\.8\/2\.8 MB/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('deeplab-v3 downloaded and verified');
    const again = await runMain(['models', 'pull', 'deeplab-v3']);
    expect(again.stdout).toContain('already present and verified');
    expect((await runMain(['models', 'list'])).stdout).toMatch(/^deeplab-v3 +257x257 +ready/m);
  });

  it('draws a progress bar', () => {
    expect(progressLine(1_400_000, 2_800_000, 10)).toBe('[#####.....]  50%  1.4/2.8 MB');
  });
});
