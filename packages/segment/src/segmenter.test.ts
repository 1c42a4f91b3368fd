import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { decodeVideoFrames, sharedFile } from '@deepseg/fixtures/shared';
import { frameToTensor, isDeepsegError } from '@deepseg/yuyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, registerBackend, unregisterBackend } from './backend.ts';
import type { ModelManifest } from './manifest.ts';
import { foregroundShare, maskIoU } from './mask-agreement.ts';
import { type OnnxruntimeOptions, onnxruntimeBackend } from './onnxruntime.ts';
import { DEFAULT_MODEL } from './registry.ts';
import { createSegmenter, type Segmenter } from './segmenter.ts';

const video = 'media/doctor_desk_5s_960x540.mp4';
const yuyv = decodeVideoFrames(video, { pixFmt: 'yuyv422', count: 3, step: 20 });
const rgb = decodeVideoFrames(video, { pixFmt: 'rgb24', count: 3, step: 20 });
const sinetPath = sharedFile('models/SINet_Softmax_simple.onnx');
const ppsegPath = sharedFile('models/ppseg_portrait_398x224_dynamic.onnx');
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')) as ModelManifest;

async function caught(p: Promise<unknown> | (() => unknown)): Promise<Error & { code?: string }> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

const frame = (i = 0) => ({
  data: yuyv!.frames[i]!,
  width: yuyv!.width,
  height: yuyv!.height,
  format: 'YUYV' as const,
});

it('defaults to the built-in selfie-landscape model (docs/decisions/0031-default-model.md)', async () => {
  const seg = await createSegmenter();
  expect(seg.model.id).toBe(DEFAULT_MODEL);
  expect(DEFAULT_MODEL).toBe('selfie-landscape');
  expect(seg.output).toEqual({ width: 256, height: 144 });
  await seg.dispose();
});

describe.skipIf(!yuyv || !rgb)('createSegmenter with the built-in selfie-general model', () => {
  let seg: Segmenter;
  beforeAll(async () => {
    seg = await createSegmenter({ model: 'selfie-general', threads: 1 });
  });
  afterAll(() => seg?.dispose());

  it('exposes the input geometry and output size of selfie-general', () => {
    expect(seg.model.id).toBe('selfie-general');
    expect(seg.backend).toBe('onnxruntime-node');
    expect(seg.input).toMatchObject({
      width: 256,
      height: 256,
      layout: 'NHWC',
      channelOrder: 'RGB',
      mean: [0, 0, 0],
    });
    expect(seg.input.scale).toBeCloseTo(1 / 255, 10);
    expect(seg.output).toEqual({ width: 256, height: 256 });
  });

  it('segments a real YUYV frame into a caller-owned mask (the person is about a third of the frame)', async () => {
    const mask = new Float32Array(256 * 256);
    await seg.segment(frame(), mask);
    expect(mask.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(foregroundShare(mask)).toBeGreaterThan(0.2);
    expect(foregroundShare(mask)).toBeLessThan(0.45);
    expect(seg.timings.inferenceMs).toBeGreaterThan(0);
    expect(seg.timings.preprocessMs).toBeGreaterThan(0);
  });

  it('gives the same mask from a prepared tensor, from its own tensor buffer and into shared memory', async () => {
    const a = new Float32Array(256 * 256);
    await seg.segment(frame(1), a);
    const tensor = new Float32Array(256 * 256 * 3);
    frameToTensor(yuyv!.frames[1]!, tensor, {
      width: yuyv!.width,
      height: yuyv!.height,
      format: 'YUYV',
      tensor: seg.tensorSpec,
    });
    const b = new Float32Array(256 * 256);
    await seg.segment({ tensor }, b);
    expect(Array.from(b)).toEqual(Array.from(a));
    const own = seg.tensor();
    own.set(tensor);
    const c = seg.createMask();
    expect(c.buffer).toBeInstanceOf(SharedArrayBuffer);
    await seg.segment({ tensor: own }, c);
    expect(Array.from(c)).toEqual(Array.from(a));
  });

  it('start() and poll() give segment()’s mask, set the timings, and allow one run at a time', async () => {
    const a = seg.createMask();
    await seg.segment(frame(2), a);
    expect(seg.poll()).toBe(true);
    for (const b of [seg.createMask(), new Float32Array(256 * 256)]) {
      seg.start(frame(2), b);
      const busy = await caught(() => seg.start(frame(2), seg.createMask()));
      expect(isDeepsegError(busy, 'ERR_SEGMENTER_BUSY')).toBe(true);
      const overlapping = await caught(seg.segment(frame(2), seg.createMask()));
      expect(isDeepsegError(overlapping, 'ERR_SEGMENTER_BUSY')).toBe(true);
      while (!seg.poll()) await new Promise((r) => setTimeout(r, 1));
      expect(Array.from(b)).toEqual(Array.from(a));
      expect(seg.timings.inferenceMs).toBeGreaterThan(0);
    }
    const bad = await caught(() => seg.start({ tensor: new Float32Array(10) }, seg.createMask()));
    expect(isDeepsegError(bad, 'ERR_FRAME_SIZE')).toBe(true);
    expect(seg.poll()).toBe(true);
  });

  it('polls backends without start()/poll() through their run() promise, and reports their errors', async () => {
    const ort = onnxruntimeBackend();
    let fail = false;
    const plain: Backend = {
      apiVersion: 1,
      name: 'run-only',
      capabilities: ort.capabilities,
      init: () => ort.init(),
      async load(req) {
        const s = await ort.load(req);
        return {
          backend: 'run-only',
          inputShape: s.inputShape,
          outputShape: s.outputShape,
          inputBuffer: () => s.inputBuffer(),
          run: (input, output) => (fail ? Promise.reject(new Error('device lost')) : s.run(input, output)),
          dispose: () => s.dispose(),
        };
      },
    };
    const other = await createSegmenter({ model: 'selfie-general', backend: plain });
    try {
      const a = seg.createMask();
      await seg.segment(frame(1), a);
      const b = other.createMask();
      other.start(frame(1), b);
      while (!other.poll()) await new Promise((r) => setTimeout(r, 1));
      expect(Array.from(b)).toEqual(Array.from(a));
      fail = true;
      other.start(frame(1), b);
      let error: unknown;
      for (let i = 0; i < 1000 && error === undefined; i++) {
        try {
          if (other.poll()) break;
        } catch (e) {
          error = e;
        }
        await new Promise((r) => setTimeout(r, 1));
      }
      expect((error as Error | undefined)?.message).toBe('device lost');
      expect(other.poll()).toBe(true);
    } finally {
      await other.dispose();
    }
  });

  it('agrees between the YUYV and RGB24 decodes of the same frame', async () => {
    const a = seg.createMask();
    const b = seg.createMask();
    await seg.segment(frame(2), a);
    await seg.segment({ data: rgb!.frames[2]!, width: rgb!.width, height: rgb!.height, format: 'RGB24' }, b);
    expect(
      maskIoU({ data: a, width: 256, height: 256 }, { data: b, width: 256, height: 256 }),
    ).toBeGreaterThan(0.97);
  });

  it('crops a region of interest: the right half holds no person', async () => {
    const mask = seg.createMask();
    await seg.segment({ ...frame(), roi: { x: 0, y: 0, width: 480, height: 540 } }, mask);
    const left = foregroundShare(mask);
    await seg.segment({ ...frame(), roi: { x: 480, y: 0, width: 480, height: 540 } }, mask);
    expect(Math.abs(foregroundShare(mask) - left)).toBeGreaterThan(0.1);
  });

  it('rejects frames of the wrong size, wrong masks, overlapping calls', async () => {
    const mask = seg.createMask();
    const short = await caught(seg.segment({ ...frame(), data: frame().data.subarray(2) }, mask));
    expect(isDeepsegError(short, 'ERR_FRAME_SIZE')).toBe(true);
    expect(short.message).toBe('Expected 1036800 bytes for a 960x540 YUYV frame but received 1036798');
    const wrongDims = await caught(seg.segment({ ...frame(), width: 1280, height: 720 }, mask));
    expect(isDeepsegError(wrongDims, 'ERR_FRAME_SIZE')).toBe(true);
    const badTensor = await caught(seg.segment({ tensor: new Float32Array(10) }, mask));
    expect(isDeepsegError(badTensor, 'ERR_FRAME_SIZE')).toBe(true);
    const badMask = await caught(seg.segment(frame(), new Float32Array(100)));
    expect(isDeepsegError(badMask, 'ERR_INVALID_OPTION')).toBe(true);
    expect(badMask.message).toBe(
      'Expected a Float32Array of 65536 floats (256x256) for mask but received 100',
    );
    const first = seg.segment(frame(), mask);
    const busy = await caught(seg.segment(frame(), seg.createMask()));
    await first;
    expect(isDeepsegError(busy, 'ERR_SEGMENTER_BUSY')).toBe(true);
  });
});

describe.skipIf(!yuyv || !sinetPath || !ppsegPath)(
  'user models: a manifest next to the user’s own ONNX file',
  () => {
    let dir = '';
    let general: Segmenter;
    const reference: Float32Array[] = [];
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'deepseg-user-models-'));
      symlinkSync(sinetPath!, join(dir, 'SINet_Softmax_simple.onnx'));
      symlinkSync(ppsegPath!, join(dir, 'ppseg_portrait_398x224_dynamic.onnx'));
      copyFileSync(new URL('./__fixtures__/sinet.json', import.meta.url), join(dir, 'sinet.json'));
      copyFileSync(new URL('./__fixtures__/ppseg.json', import.meta.url), join(dir, 'ppseg.json'));
      general = await createSegmenter({ model: 'selfie-general' });
      for (let i = 0; i < yuyv!.frames.length; i++) {
        const m = general.createMask();
        await general.segment(frame(i), m);
        reference.push(m);
      }
    });
    afterAll(async () => {
      await general?.dispose();
      rmSync(dir, { recursive: true, force: true });
    });

    const agreement = async (model: string | ModelManifest): Promise<number[]> => {
      const seg = await createSegmenter({ model, modelsDir: dir });
      try {
        const out: number[] = [];
        for (let i = 0; i < yuyv!.frames.length; i++) {
          const m = seg.createMask();
          await seg.segment(frame(i), m);
          out.push(maskIoU({ data: m, ...seg.output }, { data: reference[i]!, width: 256, height: 256 }));
        }
        return out;
      } finally {
        await seg.dispose();
      }
    };

    it('runs SINet with its own normalisation and agrees with MediaPipe (the usual /255 does not)', async () => {
      for (const iou of await agreement('sinet')) expect(iou).toBeGreaterThan(0.85);
      const usual = { ...fixture('sinet.json'), id: 'sinet-255', baseDir: dir };
      usual.input = { ...usual.input, scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] };
      for (const iou of await agreement(usual)) expect(iou).toBeLessThan(0.3);
    });

    it('runs the dynamic-shape PP-HumanSeg at the size its manifest fixes', async () => {
      for (const iou of await agreement('ppseg-portrait')) expect(iou).toBeGreaterThan(0.85);
      const viaPath = await createSegmenter({ model: join(dir, 'ppseg.json') });
      expect(viaPath.output).toEqual({ width: 398, height: 224 });
      await viaPath.dispose();
    });

    it('keeps a timer ticking while a slow model infers (the ORT session runs in a worker thread)', async () => {
      // PP-HumanSeg accepts any size: fixed at 1920×1088 it takes hundreds of milliseconds per frame.
      const slow = { ...fixture('ppseg.json'), id: 'ppseg-slow', baseDir: dir };
      slow.input = { ...slow.input, width: 1920, height: 1088 };
      slow.output = { ...slow.output, width: 1920, height: 1088 };
      const seg = await createSegmenter({ model: slow });
      try {
        const mask = seg.createMask();
        let ticks = 0;
        let maxGap = 0;
        let last = performance.now();
        const timer = setInterval(() => {
          const now = performance.now();
          maxGap = Math.max(maxGap, now - last);
          last = now;
          ticks++;
        }, 2);
        const t0 = performance.now();
        await seg.segment({ tensor: seg.tensor() }, mask);
        const took = performance.now() - t0;
        clearInterval(timer);
        // A blocked event loop would fire once after the run (maxGap ≈ took); here it kept firing.
        expect(took).toBeGreaterThan(100);
        expect(ticks).toBeGreaterThan(10);
        expect(maxGap).toBeLessThan(took / 2);
      } finally {
        await seg.dispose();
      }
    });

    it('reports missing files, checksum mismatches and shape mismatches with their codes', async () => {
      const base = { ...fixture('sinet.json'), baseDir: dir };
      const missing = await caught(
        createSegmenter({ model: { ...base, source: { type: 'local', file: 'nope.onnx' } } }),
      );
      expect(isDeepsegError(missing, 'ERR_MODEL_NOT_FOUND')).toBe(true);
      expect(missing.message).toBe(
        `Model file for "sinet" not found at ${join(dir, 'nope.onnx')}; place nope.onnx in ${dir}`,
      );
      const badSha = await caught(
        createSegmenter({
          model: { ...base, source: { ...base.source, sha256: '0'.repeat(64) } as ModelManifest['source'] },
        }),
      );
      expect(isDeepsegError(badSha, 'ERR_MODEL_CHECKSUM')).toBe(true);
      const wrongSize = await caught(
        createSegmenter({ model: { ...base, input: { ...base.input, width: 256, height: 256 } } }),
      );
      expect(isDeepsegError(wrongSize, 'ERR_MODEL_SHAPE_MISMATCH')).toBe(true);
      expect(wrongSize.message).toBe(
        'sinet: model input data is [1,3,320,320] but the manifest says [1,3,256,256]',
      );
      writeFileSync(join(dir, 'garbage.onnx'), 'not an onnx file');
      const corrupt = await caught(
        createSegmenter({ model: { ...base, source: { type: 'local', file: 'garbage.onnx' } } }),
      );
      expect(isDeepsegError(corrupt, 'ERR_MODEL_CORRUPT')).toBe(true);
      expect(corrupt.message).not.toContain('\n');
    });
  },
);

describe('backend selection', () => {
  const failing = (name: string, why: string): Backend => ({
    apiVersion: 1,
    name,
    capabilities: { formats: ['onnx'], offThread: false, threads: false, dynamicShapes: false },
    init: async () => {
      throw new Error(why);
    },
    load: async () => {
      throw new Error('unreachable');
    },
  });

  it('uses the first backend whose init() succeeds, passing it its own options', async () => {
    const seen: unknown[] = [];
    const ort = onnxruntimeBackend();
    const spy: Backend<OnnxruntimeOptions> = {
      ...ort,
      init: (o) => {
        seen.push(o);
        return ort.init(o);
      },
      load: (r, o) => ort.load(r, o),
    };
    const seg = await createSegmenter({
      model: 'selfie-general',
      backend: [failing('gpu-x', 'no GPU here'), spy],
      backendOptions: { 'onnxruntime-node': { logSeverityLevel: 3 }, 'gpu-x': { device: 1 } },
    });
    expect(seg.backend).toBe('onnxruntime-node');
    expect(seen).toEqual([{ logSeverityLevel: 3 }]);
    await seg.dispose();
    const disposed = await caught(seg.segment({ tensor: new Float32Array(256 * 256 * 3) }, seg.createMask()));
    expect(isDeepsegError(disposed, 'ERR_DISPOSED')).toBe(true);
  });

  it('fails with one error listing why each backend declined, never falling back silently', async () => {
    const tflite: Backend = {
      ...failing('tflite-only', ''),
      capabilities: { formats: ['tflite'], offThread: false, threads: false, dynamicShapes: false },
    };
    const e = await caught(createSegmenter({ model: 'sinet-missing.json', backend: [] }));
    expect(isDeepsegError(e, 'ERR_MODEL_NOT_FOUND')).toBe(true);
    const none = await caught(
      createSegmenter({
        backend: [failing('a', 'library libfoo.so not found'), failing('b', 'wasm\ncompile failed')],
      }),
    );
    expect(isDeepsegError(none, 'ERR_BACKEND_UNAVAILABLE')).toBe(true);
    expect(none.message).toBe(
      'No backend could start (a: library libfoo.so not found; b: wasm compile failed)',
    );
    if (!sinetPath) return;
    const onnxModel = { ...fixture('sinet.json'), baseDir: dirname(sinetPath) };
    const fmt = await caught(createSegmenter({ model: onnxModel, backend: [tflite] }));
    expect(isDeepsegError(fmt, 'ERR_BACKEND_UNAVAILABLE')).toBe(true);
    expect(fmt.message).toBe('No backend could start (tflite-only: runs tflite models, not onnx)');
  });

  it('rejects values that are not backends of this contract version', async () => {
    const old = { ...failing('old', ''), apiVersion: 0 } as unknown as Backend;
    const e = await caught(createSegmenter({ backend: old }));
    expect(isDeepsegError(e, 'ERR_INVALID_OPTION')).toBe(true);
    expect(e.message).toBe('Backend "old" implements contract version 0 but this @deepseg/segment needs 1');
    const t = await caught(createSegmenter({ threads: 0 }));
    expect(t.message).toBe('Expected an integer 1..64 for options.threads but received 0');
  });

  it('uses explicitly registered backends when none is passed', async () => {
    registerBackend(failing('registered-only', 'declines on purpose'), 5);
    try {
      const e = await caught(createSegmenter({}));
      expect(e.message).toBe('No backend could start (registered-only: declines on purpose)');
    } finally {
      unregisterBackend('registered-only');
    }
  });
});
