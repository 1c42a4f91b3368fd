// The backend conformance suite: `@deepseg/segment/testing`. Every backend runs it (vitest), with
// the checks chosen by the capabilities it declares, not by its name.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepsegError } from '@deepseg/yuyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyBackend, BACKEND_API_VERSION, type BackendSession } from './backend.ts';
import { resolveModelFile } from './convert.ts';
import { elementCount, type ModelManifest, manifestFormat } from './manifest.ts';
import { getModel } from './registry.ts';

/** Options of {@link describeBackendConformance}. */
export interface ConformanceOptions {
  /** The backend under test. */
  backend: AnyBackend;
  /** Its options (what users put in `backendOptions[backend.name]`). */
  backendOptions?: unknown;
  /** Model to run: id, manifest path or manifest. Default `selfie-general` (built in). */
  model?: string | ModelManifest;
  /** Folder for converted models. Default: the user's cache folder. */
  cacheDir?: string;
  /**
   * A real input tensor for the model (e.g. a camera frame through `frameToTensor`) and the share
   * of its mask above 0.5 that a working backend must produce, e.g. `[0.1, 0.6]` for a person
   * filling a third of the frame. Without it only a synthetic pattern runs.
   */
  sample?: { tensor: Float32Array; foreground: readonly [number, number] };
}

/** A deterministic pseudo-random input tensor of `length` floats in -1..1. */
export function patternTensor(length: number, seed = 1): Float32Array {
  const t = new Float32Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    t[i] = x / 2147483648 - 1;
  }
  return t;
}

/**
 * Registers a vitest `describe` block that checks a backend against the contract: shape of the
 * backend value, init/load/run/dispose, probabilities in 0..1, deterministic output, identical
 * results from the session's own input buffer and a foreign one, typed errors for bad sizes,
 * corrupt files and manifests that do not match the model, and — for backends declaring
 * `offThread` — that a timer keeps ticking during inference.
 *
 * @example
 * // my-backend.test.ts
 * import { describeBackendConformance } from '@deepseg/segment/testing';
 * describeBackendConformance({ backend: myBackend() });
 */
export function describeBackendConformance(options: ConformanceOptions): void {
  const { backend } = options;
  describe(`backend conformance: ${backend.name}`, () => {
    let manifest: ModelManifest;
    let path = '';
    let format: 'onnx' | 'tflite' = 'onnx';
    let session: BackendSession;
    let tmp = '';
    const load = (m: ModelManifest, p: string, threads = 1) =>
      backend.load(
        {
          manifest: m,
          path: p,
          format: manifestFormat(m) === 'tflite' && p.endsWith('.onnx') ? 'onnx' : format,
          threads,
        },
        options.backendOptions,
      );

    beforeAll(async () => {
      tmp = mkdtempSync(join(tmpdir(), 'deepseg-conformance-'));
      const m = options.model ?? 'selfie-general';
      manifest = typeof m === 'string' ? getModel(m) : m;
      const file = await resolveModelFile(manifest, {
        formats: backend.capabilities.formats,
        cacheDir: options.cacheDir,
      });
      path = file.path;
      format = file.format;
      await backend.init(options.backendOptions);
      session = await backend.load({ manifest, path, format, threads: 1 }, options.backendOptions);
    });
    afterAll(async () => {
      await session?.dispose();
      rmSync(tmp, { recursive: true, force: true });
    });

    it('declares the contract version, a name and its capabilities', () => {
      expect(backend.apiVersion).toBe(BACKEND_API_VERSION);
      expect(backend.name).toMatch(/^[a-z0-9@/._-]+$/);
      expect(backend.capabilities.formats.length).toBeGreaterThan(0);
      expect(typeof backend.capabilities.offThread).toBe('boolean');
      expect(typeof backend.capabilities.threads).toBe('boolean');
      expect(typeof backend.capabilities.dynamicShapes).toBe('boolean');
    });

    it('loads a session with the manifest geometry', () => {
      expect(session.backend).toBe(backend.name);
      const { width, height, layout } = manifest.input;
      expect([...session.inputShape]).toEqual(
        layout === 'NHWC' ? [1, height, width, 3] : [1, 3, height, width],
      );
      expect(session.inputBuffer()).toBeInstanceOf(Float32Array);
      expect(session.inputBuffer().length).toBe(width * height * 3);
      const o = manifest.output;
      expect(session.outputShape.reduce((a, b) => a * b, 1)).toBe(o.width * o.height * o.channels);
    });

    it('writes a deterministic probability map, the same from its own or a foreign input buffer', async () => {
      const n = manifest.output.width * manifest.output.height;
      const pattern = patternTensor(session.inputBuffer().length);
      const a = new Float32Array(n);
      const b = new Float32Array(new SharedArrayBuffer(n * 4));
      await session.run(pattern, a);
      session.inputBuffer().set(pattern);
      await session.run(session.inputBuffer(), b);
      for (let i = 0; i < n; i++) {
        expect(a[i]).toBeGreaterThanOrEqual(0);
        expect(a[i]).toBeLessThanOrEqual(1);
      }
      expect(Array.from(b)).toEqual(Array.from(a));
      const c = new Float32Array(n);
      await session.run(patternTensor(pattern.length, 2), c);
      expect(Array.from(c)).not.toEqual(Array.from(a));
    });

    it('start()/poll(), when offered: the same map as run(), one run at a time, poll() true when idle', async () => {
      const start = session.start?.bind(session);
      const poll = session.poll?.bind(session);
      if (start === undefined || poll === undefined) {
        expect(session.poll).toBeUndefined();
        return;
      }
      expect(poll()).toBe(true);
      const n = manifest.output.width * manifest.output.height;
      const pattern = patternTensor(session.inputBuffer().length, 3);
      const a = new Float32Array(n);
      await session.run(pattern, a);
      for (const b of [new Float32Array(n), new Float32Array(new SharedArrayBuffer(n * 4))]) {
        start(pattern, b);
        let busy: unknown;
        try {
          start(pattern, new Float32Array(n));
        } catch (e) {
          busy = e;
        }
        expect((busy as { code?: string } | undefined)?.code).toBe('ERR_SEGMENTER_BUSY');
        const deadline = Date.now() + 30_000;
        while (!poll()) {
          if (Date.now() > deadline) throw new Error('poll() stayed false for 30 s');
          await new Promise((r) => setTimeout(r, 1));
        }
        expect(Array.from(b)).toEqual(Array.from(a));
        expect(poll()).toBe(true);
      }
    });

    it.skipIf(!options.sample)(
      'segments the sample: its foreground share is in the expected range',
      async () => {
        const { tensor, foreground } = options.sample!;
        const n = manifest.output.width * manifest.output.height;
        const mask = new Float32Array(n);
        await session.run(tensor, mask);
        let on = 0;
        for (let i = 0; i < n; i++) if (mask[i]! > 0.5) on++;
        expect(on / n).toBeGreaterThanOrEqual(foreground[0]);
        expect(on / n).toBeLessThanOrEqual(foreground[1]);
      },
    );

    it('rejects wrong buffer sizes with ERR_INVALID_OPTION', async () => {
      const n = manifest.output.width * manifest.output.height;
      const inLen = session.inputBuffer().length;
      for (const call of [
        () => session.run(new Float32Array(inLen - 1), new Float32Array(n)),
        () => session.run(new Float32Array(inLen), new Float32Array(n + 1)),
      ]) {
        const e = await Promise.resolve()
          .then(call)
          .catch((x: unknown) => x);
        expect(isDeepsegError(e, 'ERR_INVALID_OPTION')).toBe(true);
      }
    });

    it.skipIf(!backend.capabilities.offThread)(
      'keeps the event loop free during inference (offThread)',
      async () => {
        const n = manifest.output.width * manifest.output.height;
        const out = new Float32Array(n);
        const input = patternTensor(session.inputBuffer().length);
        let ticks = 0;
        let runMs = 0;
        const timer = setInterval(() => ticks++, 1);
        try {
          // Enough runs for ≥ 100 ms of inference; a blocking run() would let no tick through.
          while (runMs < 100) {
            const t0 = performance.now();
            const before = ticks;
            await session.run(input, out);
            runMs += performance.now() - t0;
            if (ticks === before) continue;
          }
        } finally {
          clearInterval(timer);
        }
        expect(ticks).toBeGreaterThan(5);
      },
    );

    it.skipIf(!backend.capabilities.offThread)(
      'refuses a second run while one is in flight (ERR_SEGMENTER_BUSY)',
      async () => {
        const n = manifest.output.width * manifest.output.height;
        const input = patternTensor(session.inputBuffer().length);
        const first = session.run(input, new Float32Array(n));
        const e = await session.run(input, new Float32Array(n)).catch((x: unknown) => x);
        await first;
        expect(isDeepsegError(e, 'ERR_SEGMENTER_BUSY')).toBe(true);
      },
    );

    it('rejects a corrupt model file with ERR_MODEL_CORRUPT', async () => {
      const bad = join(tmp, `corrupt.${format}`);
      writeFileSync(bad, Buffer.from('this is not a model'.repeat(100)));
      const e = await load(manifest, bad).catch((x: unknown) => x);
      expect(isDeepsegError(e, 'ERR_MODEL_CORRUPT')).toBe(true);
    });

    it('rejects a manifest whose shapes do not match the model with ERR_MODEL_SHAPE_MISMATCH', async () => {
      const wrongOut: ModelManifest = {
        ...manifest,
        output: { ...manifest.output, channels: manifest.output.channels + 1 },
      };
      const e1 = await load(wrongOut, path).catch((x: unknown) => x);
      expect(isDeepsegError(e1, 'ERR_MODEL_SHAPE_MISMATCH')).toBe(true);
      const wrongIn: ModelManifest = {
        ...manifest,
        input: { ...manifest.input, width: manifest.input.width + 8 },
      };
      const e2 = await load(wrongIn, path).catch((x: unknown) => x);
      expect(isDeepsegError(e2, 'ERR_MODEL_SHAPE_MISMATCH')).toBe(true);
    });

    it('disposes idempotently and then refuses runs with ERR_DISPOSED', async () => {
      const s = await load(manifest, path);
      await s.dispose();
      await s.dispose();
      const n = manifest.output.width * manifest.output.height;
      const e = await s
        .run(new Float32Array(elementCount(s.inputShape)), new Float32Array(n))
        .catch((x: unknown) => x);
      expect(isDeepsegError(e, 'ERR_DISPOSED')).toBe(true);
    });

    it('ends a polled run with ERR_DISPOSED when disposed under it, then refuses start()', async () => {
      const s = await load(manifest, path);
      if (s.start === undefined || s.poll === undefined) {
        await s.dispose();
        expect(s.poll).toBeUndefined();
        return;
      }
      const n = manifest.output.width * manifest.output.height;
      const input = new Float32Array(elementCount(s.inputShape));
      s.start(input, new Float32Array(n));
      await s.dispose();
      let e: unknown;
      try {
        s.poll();
      } catch (x) {
        e = x;
      }
      expect(isDeepsegError(e, 'ERR_DISPOSED')).toBe(true);
      let again: unknown;
      try {
        s.start(input, new Float32Array(n));
      } catch (x) {
        again = x;
      }
      expect(isDeepsegError(again, 'ERR_DISPOSED')).toBe(true);
    });
  });
}
