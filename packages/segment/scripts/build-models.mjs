// Build step of @deepseg/segment (after tsc): copies the model registry (../../models/*.json) into
// dist/models and converts the built-in TFLite models (source type "npm") to ONNX beside them, so
// a fresh install — from the workspace or from the npm tarball — runs the default model without a
// download or a first-use conversion.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convert, VERSION } from '@deepseg/tflite2onnx';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const registry = resolve(pkg, '..', '..', 'models');
const out = join(pkg, 'dist', 'models');
const require = createRequire(join(pkg, 'package.json'));
const { parseManifestText } = await import(join(pkg, 'dist', 'manifest.js'));

function packageDir(name) {
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = join(base, name);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error(`build-models: ${name} is not installed`);
}

function writeAtomic(path, bytes) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

mkdirSync(out, { recursive: true });
for (const name of readdirSync(registry)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const text = readFileSync(join(registry, name), 'utf8');
  const manifest = parseManifestText(text, join(registry, name));
  writeAtomic(join(out, name), text);
  const s = manifest.source;
  if (s.type !== 'npm' || !s.file.endsWith('.tflite')) continue;
  const tflite = readFileSync(join(packageDir(s.package), s.file));
  const sha = createHash('sha256').update(tflite).digest('hex');
  if (s.sha256 && sha !== s.sha256)
    throw new Error(`build-models: ${s.package}/${s.file} has sha256 ${sha}, manifest says ${s.sha256}`);
  const t0 = performance.now();
  const { onnx, report } = convert(tflite, { modelName: manifest.id });
  writeAtomic(join(out, `${manifest.id}.onnx`), onnx);
  const ops = report?.operators ? ` ${Object.keys(report.operators).length} op types` : '';
  console.log(
    `build-models: ${manifest.id}.onnx ${onnx.length} bytes (tflite2onnx ${VERSION}${ops}, ${(performance.now() - t0).toFixed(0)} ms)`,
  );
}
