import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeVideoFrames, sharedFile } from '@deepseg/fixtures/shared';
import { isDeepsegError } from '@deepseg/yuyv';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { foregroundShare } from './mask-agreement.ts';
import { pullModel } from './pull.ts';
import { createSegmenter } from './segmenter.ts';

const modelPath = sharedFile('models/deeplabv3_257_mv_gpu.tflite');
const FILE = 'deeplabv3_257_mv_gpu.tflite';

interface Hit {
  path: string;
  range?: string;
}

/** A 127.0.0.1 server with one route per failure mode, serving the real DeepLab file from ../shared. */
function startServer(bytes: Buffer, hits: Hit[]): Promise<Server> {
  const corrupt = Buffer.from(bytes);
  const mid = corrupt.length >> 1;
  corrupt[mid] = (corrupt[mid] ?? 0) ^ 0xff;
  const stallOnce = new Set<string>();
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const range = req.headers.range;
    hits.push({ path: url, range });
    const [, route, name] = url.split('/');
    if (name !== FILE) {
      res.writeHead(404).end('not found');
      return;
    }
    const serve = (body: Buffer, honourRange = true): void => {
      const m = /bytes=(\d+)-/.exec(range ?? '');
      if (m && honourRange) {
        const start = Number(m[1]);
        res.writeHead(206, {
          'content-length': body.length - start,
          'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
        });
        res.end(body.subarray(start));
        return;
      }
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    };
    switch (route) {
      case 'good':
        return serve(bytes);
      case 'truncated':
        return serve(bytes.subarray(0, bytes.length - 1000));
      case 'corrupt':
        return serve(corrupt);
      case 'redirect':
        res.writeHead(302, { location: `/good/${FILE}` }).end();
        return;
      case 'norange':
      case 'stall-once':
      case 'stall-always': {
        // First request (or every request): send a third of the body, then go silent.
        const stall = route === 'stall-always' || (route !== 'norange' && !stallOnce.has(route));
        if (route === 'norange' && !stallOnce.has(route)) {
          stallOnce.add(route);
          res.writeHead(200, { 'content-length': bytes.length });
          res.write(bytes.subarray(0, bytes.length / 3));
          return;
        }
        if (stall) {
          stallOnce.add(route);
          const m = /bytes=(\d+)-/.exec(range ?? '');
          const start = m ? Number(m[1]) : 0;
          res.writeHead(m ? 206 : 200, {
            'content-length': bytes.length - start,
            ...(m ? { 'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` } : {}),
          });
          res.write(bytes.subarray(start, start + 100_000));
          return;
        }
        return serve(bytes, route !== 'norange');
      }
      default:
        res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe.skipIf(!modelPath)('pullModel against a local HTTP server', () => {
  let server: Server;
  let base = '';
  let dir = '';
  const hits: Hit[] = [];

  beforeAll(async () => {
    server = await startServer(readFileSync(modelPath!), hits);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'deepseg-pull-'));
    hits.length = 0;
    return () => rmSync(dir, { recursive: true, force: true });
  });

  const pull = (route: string, extra: Parameters<typeof pullModel>[1] = {}) =>
    pullModel('deeplab-v3', {
      modelsDir: dir,
      baseUrl: `${base}/${route}`,
      convert: false,
      timeoutMs: 500,
      ...extra,
    });

  it('downloads a good file with progress, verifies it and writes it into the models folder', async () => {
    const seen: number[] = [];
    const r = await pull('good', { onProgress: (p) => seen.push(p.received) });
    expect(r.path).toBe(join(dir, FILE));
    expect(readFileSync(r.path).equals(readFileSync(modelPath!))).toBe(true);
    expect(seen.at(-1)).toBe(2_779_264);
    expect(seen.length).toBeGreaterThan(1);
    expect(readdirSync(dir)).toEqual([FILE]);
    const again = await pull('good');
    expect(again.alreadyPresent).toBe(true);
    expect(hits).toHaveLength(1);
  });

  it('converts the pulled TFLite to ONNX, which then segments a real frame', async () => {
    const cacheDir = join(dir, 'cache');
    const r = await pull('good', { convert: true, cacheDir });
    expect(r.onnxPath).toMatch(/deeplab-v3\.68a539782c2c6a72\.t2o-.*\.onnx$/);
    expect(existsSync(r.onnxPath!)).toBe(true);
    const frames = decodeVideoFrames('media/doctor_desk_5s_960x540.mp4', { pixFmt: 'yuyv422', count: 1 });
    if (!frames) return;
    const seg = await createSegmenter({ model: 'deeplab-v3', modelsDir: dir, cacheDir });
    try {
      const mask = seg.createMask();
      await seg.segment(
        { data: frames.frames[0]!, width: frames.width, height: frames.height, format: 'YUYV' },
        mask,
      );
      expect(foregroundShare(mask)).toBeGreaterThan(0.15);
      expect(foregroundShare(mask)).toBeLessThan(0.5);
    } finally {
      await seg.dispose();
    }
  });

  it('follows a redirect', async () => {
    const r = await pull('redirect');
    expect(readFileSync(r.path).length).toBe(2_779_264);
    expect(hits.map((h) => h.path)).toEqual([`/redirect/${FILE}`, `/good/${FILE}`]);
  });

  it.each([
    ['truncated', /has 2778264 bytes but the manifest says 2779264/],
    ['corrupt', /has sha256 [0-9a-f]{64} but the manifest says 68a5/],
  ])('refuses a %s file and leaves nothing behind', async (route, message) => {
    const e = await pull(route).catch((x: unknown) => x);
    expect(isDeepsegError(e, 'ERR_MODEL_CHECKSUM')).toBe(true);
    expect((e as Error).message).toMatch(message);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports a 404 as ERR_DOWNLOAD_FAILED', async () => {
    const e = await pull('missing').catch((x: unknown) => x);
    expect(isDeepsegError(e, 'ERR_DOWNLOAD_FAILED')).toBe(true);
    expect((e as Error).message).toMatch(/HTTP 404/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('resumes with a Range request after the server stalls mid-body', async () => {
    const r = await pull('stall-once');
    expect(r.resumed).toBe(true);
    expect(hits.map((h) => h.range)).toEqual([undefined, 'bytes=100000-']);
    expect(readFileSync(r.path).equals(readFileSync(modelPath!))).toBe(true);
  });

  it('restarts cleanly when the server ignores Range', async () => {
    const r = await pull('norange');
    expect(r.resumed).toBe(false);
    expect(hits).toHaveLength(2);
    expect(hits[1]!.range).toMatch(/^bytes=\d+-$/);
    expect(readFileSync(r.path).equals(readFileSync(modelPath!))).toBe(true);
  });

  it('times out on a server that always stalls, keeps only a hidden part file, and a later pull resumes it', async () => {
    const e = await pull('stall-always', { retries: 1 }).catch((x: unknown) => x);
    expect(isDeepsegError(e, 'ERR_DOWNLOAD_TIMEOUT')).toBe(true);
    expect((e as Error).message).toMatch(/nothing received for 500 ms/);
    expect(existsSync(join(dir, FILE))).toBe(false);
    expect(readdirSync(dir)).toEqual([`.${FILE}.part`]);
    hits.length = 0;
    const r = await pull('good');
    expect(r.resumed).toBe(true);
    expect(hits[0]!.range).toBe('bytes=200000-');
    expect(readdirSync(dir)).toEqual([FILE]);
  });

  it('stops on abort with ERR_ABORTED', async () => {
    const controller = new AbortController();
    const p = pull('stall-always', { timeoutMs: 10_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const e = await p.catch((x: unknown) => x);
    expect(isDeepsegError(e, 'ERR_ABORTED')).toBe(true);
    expect(existsSync(join(dir, FILE))).toBe(false);
  });

  it('takes the base URL from DEEPSEG_MODEL_BASE_URL', async () => {
    process.env.DEEPSEG_MODEL_BASE_URL = `${base}/good`;
    try {
      const r = await pullModel('deeplab-v3', { modelsDir: dir, convert: false });
      expect(r.path).toBe(join(dir, FILE));
    } finally {
      delete process.env.DEEPSEG_MODEL_BASE_URL;
    }
  });

  it('refuses models without a download source', async () => {
    const e1 = await pullModel('selfie-general', { modelsDir: dir }).catch((x: unknown) => x);
    expect(isDeepsegError(e1, 'ERR_MODEL_NOT_PULLABLE')).toBe(true);
    const e2 = await pullModel('no-such-model', { modelsDir: dir }).catch((x: unknown) => x);
    expect(isDeepsegError(e2, 'ERR_UNKNOWN_MODEL')).toBe(true);
    expect((e2 as Error).message).toMatch(/known models: .*deeplab-v3/);
  });
});
