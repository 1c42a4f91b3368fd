import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { segmentError } from './errors.ts';
import { type ModelManifest, parseManifestText } from './manifest.ts';
import { modelsDir } from './paths.ts';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/**
 * Folder of the built-in manifests (and, after a build, the prebuilt ONNX of the built-in models):
 * `dist/models` in an installed package, the repository's `models/` when running from source.
 */
export function builtinModelsDir(): string {
  const candidates = [join(here, 'models'), resolve(here, '..', '..', '..', 'models')];
  for (const dir of candidates) if (existsSync(join(dir, 'selfie-general.json'))) return dir;
  return candidates[0]!;
}

/** The default model id (chosen by measurement; see docs/decisions/0031-default-model.md). */
export const DEFAULT_MODEL = 'selfie-landscape';

/** Options of {@link loadRegistry}. */
export interface RegistryOptions {
  /** Folder of pulled models and user manifests. Default: {@link modelsDir}. */
  modelsDir?: string;
  /** More folders with user manifests, searched after `modelsDir`. Default: none. */
  extraDirs?: readonly string[];
}

/** The registry: every known manifest, plus warnings about user manifests that were skipped. */
export interface Registry {
  /** Built-in and pullable manifests first, then user manifests; ids are unique. */
  models: ModelManifest[];
  /** One line per skipped user manifest (invalid, or an id that is already taken). */
  warnings: string[];
}

function readManifest(path: string): ModelManifest {
  return parseManifestText(readFileSync(path, 'utf8'), path, dirname(path));
}

function jsonFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/**
 * Loads the registry: the built-in manifests (MediaPipe selfie, pullable DeepLab …) and every
 * `*.json` manifest in the models folder (user models: a manifest next to the user's own file).
 *
 * @throws ERR_INVALID_MANIFEST when a built-in manifest is invalid (a packaging bug); invalid user
 *   manifests are skipped and reported in `warnings`.
 * @example
 * const { models } = loadRegistry();
 * console.log(models.map((m) => m.id));
 */
export function loadRegistry(options: RegistryOptions = {}): Registry {
  const models: ModelManifest[] = [];
  const warnings: string[] = [];
  const builtinDir = builtinModelsDir();
  for (const path of jsonFiles(builtinDir)) {
    const m = readManifest(path);
    // Built-in manifests resolve `local` files against the models folder, not the package.
    const { baseDir: _ignored, ...rest } = m;
    models.push(rest);
  }
  const ids = new Set(models.map((m) => m.id));
  const dirs = [options.modelsDir ?? modelsDir(), ...(options.extraDirs ?? [])];
  for (const dir of dirs) {
    for (const path of jsonFiles(dir)) {
      try {
        const m = readManifest(path);
        if (ids.has(m.id)) {
          warnings.push(`${path}: id "${m.id}" is already taken; rename the id to use this model`);
          continue;
        }
        ids.add(m.id);
        models.push(m);
      } catch (e) {
        warnings.push(e instanceof Error ? e.message : String(e));
      }
    }
  }
  return { models, warnings };
}

/**
 * The manifest of a bare model file (`.tflite`, `.onnx`): the `.json` manifest beside it (same name),
 * else the registry model with the same sha256 (a copy of a built-in or pulled model), reading the
 * file where it is.
 */
function modelForFile(file: string, options: RegistryOptions): ModelManifest {
  const path = resolve(file);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw segmentError('ERR_MODEL_NOT_FOUND', `Model file ${path} does not exist`, { path });
  }
  const sibling = path.replace(/\.(onnx|tflite)$/i, '.json');
  if (existsSync(sibling)) return readManifest(sibling);
  const sha = sha256File(path);
  const known = loadRegistry(options).models.find((m) => m.source.sha256 === sha);
  if (known) {
    const { baseDir: _ignored, ...rest } = known;
    const name = path.slice(dirname(path).length + 1);
    return {
      ...rest,
      source: { type: 'local', file: name, size: statSync(path).size, sha256: sha },
      baseDir: dirname(path),
    };
  }
  throw segmentError(
    'ERR_UNKNOWN_MODEL',
    `${path} is not a model deepseg knows (no ${sibling.slice(dirname(sibling).length + 1)} beside it, and its sha256 matches no registry model); write that manifest to say how to feed it and read its output`,
    { model: path, path, hint: 'see "Manifest format" in the @deepseg/segment README' },
  );
}

/**
 * Finds a model by id, reads a manifest file when `idOrPath` ends in `.json`, or finds the manifest
 * of a model file (`.tflite`, `.onnx`): the `.json` beside it, else the registry model with the same
 * sha256.
 *
 * @throws ERR_UNKNOWN_MODEL listing the known ids (or for a model file without a manifest);
 *   ERR_MODEL_NOT_FOUND for a missing file; ERR_INVALID_MANIFEST for a bad manifest file
 * @example
 * const manifest = getModel('selfie-general');
 * const copy = getModel('./selfie_segmentation_landscape.tflite'); // the built-in selfie-landscape, read from here
 */
export function getModel(idOrPath: string, options: RegistryOptions = {}): ModelManifest {
  if (/\.(onnx|tflite)$/i.test(idOrPath)) return modelForFile(idOrPath, options);
  if (idOrPath.endsWith('.json')) {
    const path = resolve(idOrPath);
    if (!existsSync(path)) {
      throw segmentError('ERR_MODEL_NOT_FOUND', `Model manifest ${path} does not exist`, { path });
    }
    return readManifest(path);
  }
  const { models } = loadRegistry(options);
  const found = models.find((m) => m.id === idOrPath);
  if (found) return found;
  throw segmentError(
    'ERR_UNKNOWN_MODEL',
    `Unknown model "${idOrPath}"; known models: ${models.map((m) => m.id).join(', ')}`,
    {
      model: idOrPath,
      option: 'options.model',
      hint: 'add a manifest next to your model file in the models folder',
    },
  );
}

/** Root folder of an installed npm package (works when its "exports" hide package.json). */
export function packageDir(name: string): string | undefined {
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = join(base, name);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  return undefined;
}

/** Where the manifest's model file is expected, whether or not it exists yet. */
export function modelFilePath(manifest: ModelManifest, options: RegistryOptions = {}): string {
  const s = manifest.source;
  if (isAbsolute(s.file)) return s.file;
  switch (s.type) {
    case 'npm': {
      const dir = packageDir(s.package);
      if (dir === undefined) {
        throw segmentError(
          'ERR_MODEL_NOT_FOUND',
          `Model "${manifest.id}" needs the npm package ${s.package}, which is not installed`,
          { model: manifest.id, hint: `install ${s.package}` },
        );
      }
      return join(dir, s.file);
    }
    case 'url':
      return join(options.modelsDir ?? modelsDir(), s.file);
    case 'local':
      return join(manifest.baseDir ?? options.modelsDir ?? modelsDir(), s.file);
  }
}

/** sha256 of a file, hex. */
export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Path of the manifest's model file after checking it exists and matches the manifest's size and
 * sha256 (when the manifest states them).
 *
 * @throws ERR_MODEL_NOT_FOUND (with the pull command as hint), ERR_MODEL_CHECKSUM
 */
export function verifiedModelFile(manifest: ModelManifest, options: RegistryOptions = {}): string {
  const path = modelFilePath(manifest, options);
  if (!existsSync(path)) {
    const hint =
      manifest.source.type === 'url'
        ? `run: deepseg models pull ${manifest.id}`
        : `place ${manifest.source.file} in ${dirname(path)}`;
    throw segmentError(
      'ERR_MODEL_NOT_FOUND',
      `Model file for "${manifest.id}" not found at ${path}; ${hint}`,
      {
        model: manifest.id,
        path,
        hint,
      },
    );
  }
  const { size, sha256 } = manifest.source;
  const actualSize = statSync(path).size;
  if (size !== undefined && actualSize !== size) {
    throw segmentError(
      'ERR_MODEL_CHECKSUM',
      `Model file ${path} has ${actualSize} bytes but the manifest of "${manifest.id}" says ${size}`,
      { model: manifest.id, path, hint: 'delete the file and pull it again' },
    );
  }
  if (sha256 !== undefined) {
    const actual = sha256File(path);
    if (actual !== sha256) {
      throw segmentError(
        'ERR_MODEL_CHECKSUM',
        `Model file ${path} has sha256 ${actual} but the manifest of "${manifest.id}" says ${sha256}`,
        { model: manifest.id, path, hint: 'delete the file and pull it again' },
      );
    }
  }
  return path;
}
