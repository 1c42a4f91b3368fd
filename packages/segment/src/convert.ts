import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepsegError } from '@deepseg/yuyv';
import { oneLine, segmentError } from './errors.ts';
import { type ModelManifest, manifestFormat } from './manifest.ts';
import { modelCacheDir } from './paths.ts';
import { builtinModelsDir, type RegistryOptions, sha256File, verifiedModelFile } from './registry.ts';

/** Options of {@link resolveModelFile}. */
export interface ResolveOptions extends RegistryOptions {
  /** Formats the caller can run, most preferred first. Default `['onnx']`. */
  formats?: readonly ('onnx' | 'tflite')[];
  /** Folder for lazily converted models. Default: {@link modelCacheDir}. */
  cacheDir?: string;
}

/** A model file ready for a backend. */
export interface ResolvedModelFile {
  path: string;
  format: 'onnx' | 'tflite';
  /** True when the ONNX was converted from TFLite during this call. */
  converted: boolean;
}

/** Writes `bytes` to `path` atomically (temporary file in the same folder, then rename). */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Converts a TFLite file to ONNX with `@deepseg/tflite2onnx` and writes it atomically to `onnxPath`.
 *
 * @throws ERR_MODEL_CORRUPT when the converter rejects the file; the converter's own code (e.g.
 *   ERR_UNSUPPORTED_OP) is kept on `cause`
 */
export async function convertTfliteFile(tflitePath: string, onnxPath: string, model: string): Promise<void> {
  // Imported on demand: the converter stays out of the import graph until a TFLite file needs it.
  const { convert } = await import('@deepseg/tflite2onnx');
  let onnx: Uint8Array;
  try {
    onnx = convert(readFileSync(tflitePath), { modelName: model }).onnx;
  } catch (e) {
    const code = isDeepsegError(e) ? ` (${e.code})` : '';
    throw segmentError('ERR_MODEL_CORRUPT', `Cannot convert ${tflitePath} to ONNX${code}: ${oneLine(e)}`, {
      model,
      path: tflitePath,
      cause: e,
    });
  }
  writeFileAtomic(onnxPath, onnx);
}

/**
 * Finds (and, for TFLite files that must run as ONNX, converts) the model file of `manifest`:
 * the file is checked against the manifest's size and sha256; built-in models use the ONNX
 * prebuilt into the package at build time; other TFLite files are converted once into the cache
 * folder, keyed by their sha256.
 *
 * @throws ERR_MODEL_NOT_FOUND, ERR_MODEL_CHECKSUM, ERR_MODEL_CORRUPT
 */
export async function resolveModelFile(
  manifest: ModelManifest,
  options: ResolveOptions = {},
): Promise<ResolvedModelFile> {
  const formats = options.formats ?? ['onnx'];
  const format = manifestFormat(manifest);
  // Prebuilt ONNX of a built-in (npm) model: present in the package after `build`.
  if (format === 'tflite' && manifest.source.type === 'npm' && formats[0] === 'onnx') {
    const prebuilt = join(builtinModelsDir(), `${manifest.id}.onnx`);
    if (existsSync(prebuilt)) return { path: prebuilt, format: 'onnx', converted: false };
  }
  const path = verifiedModelFile(manifest, options);
  if (formats.includes(format)) return { path, format, converted: false };
  if (format === 'tflite' && formats.includes('onnx')) {
    const sha = manifest.source.sha256 ?? sha256File(path);
    const dir = options.cacheDir ?? modelCacheDir();
    // Keyed by the model's bytes and the converter's version and code: a changed converter never
    // serves a stale conversion (a development checkout keeps its version number).
    const { VERSION, converterDigest } = await import('@deepseg/tflite2onnx');
    const onnxPath = join(dir, `${manifest.id}.${sha.slice(0, 16)}.t2o-${VERSION}-${converterDigest()}.onnx`);
    if (existsSync(onnxPath)) return { path: onnxPath, format: 'onnx', converted: false };
    mkdirSync(dir, { recursive: true });
    await convertTfliteFile(path, onnxPath, manifest.id);
    return { path: onnxPath, format: 'onnx', converted: true };
  }
  throw segmentError(
    'ERR_BACKEND_UNAVAILABLE',
    `Model "${manifest.id}" is ${format} but the backend runs only ${formats.join(', ')}`,
    { model: manifest.id },
  );
}
