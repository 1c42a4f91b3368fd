import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepsegError } from '@deepseg/yuyv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseManifest, parseManifestText } from './manifest.ts';
import { builtinModelsDir, getModel, loadRegistry, packageDir } from './registry.ts';

const sinet = JSON.parse(
  readFileSync(new URL('./__fixtures__/sinet.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

function error(f: () => unknown): Error & { code?: string } {
  try {
    f();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('parseManifest', () => {
  it('accepts the SINet user manifest and keeps its special normalisation', () => {
    const m = parseManifest(sinet, 'sinet.json', '/models');
    expect(m.input.mean).toEqual([102.890434, 111.25247, 126.91212]);
    expect(m.input.std[0]).toBeCloseTo(62.93292 * 255, 3);
    expect(m.baseDir).toBe('/models');
  });

  it.each([
    [{ schemaVersion: 2 }, 'expected 1 for schemaVersion but received 2'],
    [{ id: 'Has Spaces' }, 'expected a lower-case id for id but received "Has Spaces"'],
    [
      { input: { ...(sinet.input as object), layout: 'HWC' } },
      'expected one of NHWC, NCHW for layout but received "HWC"',
    ],
    [{ input: { ...(sinet.input as object), std: [1, 0, 1] } }, 'input.std must not contain 0'],
    [
      { output: { ...(sinet.output as object), person: 2 } },
      'output.person 2 is not below output.channels 2',
    ],
    [
      { output: { ...(sinet.output as object), decode: 'tanh' } },
      'expected one of probability, sigmoid, softmax, argmax',
    ],
    [
      { source: { type: 'url', file: 'a.onnx', url: 'ftp://x/a.onnx', size: 1, sha256: 'a'.repeat(64) } },
      'expected an http(s) URL',
    ],
    [{ source: { type: 'local', file: 'model.pb' } }, 'expected a .onnx or .tflite file'],
  ])('rejects %j with a one-line ERR_INVALID_MANIFEST', (patch, message) => {
    const e = error(() => parseManifest({ ...sinet, ...patch }, 'x.json'));
    expect(isDeepsegError(e, 'ERR_INVALID_MANIFEST')).toBe(true);
    expect(e.message).toContain(message);
    expect(e.message).not.toContain('\n');
  });

  it('maps JSON syntax errors to ERR_INVALID_MANIFEST', () => {
    expect(
      isDeepsegError(
        error(() => parseManifestText('{ nope', 'bad.json')),
        'ERR_INVALID_MANIFEST',
      ),
    ).toBe(true);
  });
});

describe('registry', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'deepseg-registry-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the built-in and pullable models, never the Meet models', () => {
    const { models, warnings } = loadRegistry({ modelsDir: dir });
    expect(models.map((m) => m.id)).toEqual([
      'bodypix-mobilenet-050-8',
      'deeplab-v3',
      'selfie-general',
      'selfie-landscape',
    ]);
    expect(warnings).toEqual([]);
    expect(models.some((m) => /segm_|meet/i.test(JSON.stringify(m)))).toBe(false);
    expect(builtinModelsDir()).toMatch(/models$/);
  });

  it('adds user manifests from the models folder and reports bad ones as warnings', () => {
    writeFileSync(join(dir, 'sinet.json'), JSON.stringify(sinet));
    writeFileSync(join(dir, 'broken.json'), '{');
    writeFileSync(join(dir, 'dup.json'), JSON.stringify({ ...sinet, id: 'selfie-general' }));
    const { models, warnings } = loadRegistry({ modelsDir: dir });
    const user = models.find((m) => m.id === 'sinet');
    expect(user?.baseDir).toBe(dir);
    expect(warnings).toHaveLength(2);
    expect(warnings.join('\n')).toMatch(/broken\.json: not valid JSON/);
    expect(warnings.join('\n')).toMatch(/id "selfie-general" is already taken/);
  });

  it('names the known models when an id is unknown', () => {
    const e = error(() => getModel('selfie-genral', { modelsDir: dir }));
    expect(isDeepsegError(e, 'ERR_UNKNOWN_MODEL')).toBe(true);
    expect(e.message).toBe(
      'Unknown model "selfie-genral"; known models: bodypix-mobilenet-050-8, deeplab-v3, selfie-general, selfie-landscape',
    );
  });

  it('reads a manifest file given by path', () => {
    const path = join(dir, 'sinet.json');
    writeFileSync(path, JSON.stringify(sinet));
    expect(getModel(path).id).toBe('sinet');
    expect(
      isDeepsegError(
        error(() => getModel(join(dir, 'none.json'))),
        'ERR_MODEL_NOT_FOUND',
      ),
    ).toBe(true);
  });

  it('finds the manifest of a bare model file: beside it, or a registry model with the same sha256', () => {
    const selfie = join(
      packageDir('@mediapipe/selfie_segmentation')!,
      'selfie_segmentation_landscape.tflite',
    );
    const copy = join(dir, 'my-camera-model.tflite');
    copyFileSync(selfie, copy);
    const known = getModel(copy, { modelsDir: dir });
    expect(known.id).toBe('selfie-landscape');
    expect(known.source).toMatchObject({ type: 'local', file: 'my-camera-model.tflite' });
    expect(known.baseDir).toBe(dir);
    // a manifest beside the file wins
    writeFileSync(join(dir, 'my-camera-model.json'), JSON.stringify({ ...sinet, id: 'beside' }));
    expect(getModel(copy, { modelsDir: dir }).id).toBe('beside');
    // unknown bytes, no manifest: says which manifest to write
    const unknown = join(dir, 'mystery.onnx');
    writeFileSync(unknown, 'not a model');
    const e = error(() => getModel(unknown, { modelsDir: dir }));
    expect(isDeepsegError(e, 'ERR_UNKNOWN_MODEL')).toBe(true);
    expect(e.message).toMatch(/no mystery\.json beside it/);
    expect(
      isDeepsegError(
        error(() => getModel(join(dir, 'gone.tflite'))),
        'ERR_MODEL_NOT_FOUND',
      ),
    ).toBe(true);
  });
});
