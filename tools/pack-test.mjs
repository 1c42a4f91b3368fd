#!/usr/bin/env node
// Proves "install the packages one by one" really works: packs every public workspace package the
// way it would be published, installs each tarball with plain npm into an empty directory outside the
// workspace, and imports it there. A workspace-only dependency, a file missing from `files`, or an
// export pointing at nothing fails here.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const pnpm = ['-y', 'pnpm@10.34.8'];
const work = mkdtempSync(join(tmpdir(), 'deepseg-pack-'));
const tarballs = join(work, 'tarballs');
mkdirSync(tarballs);

const packages = readdirSync(join(root, 'packages'))
  .map((dir) => ({
    dir: join(root, 'packages', dir),
    json: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')),
  }))
  .filter((p) => !p.json.private);
// `node tools/pack-test.mjs segment v4l2` installs only those (every package is still packed).
const only = process.argv.slice(2);
const tested = packages.filter(
  (p) => only.length === 0 || only.some((d) => p.dir.endsWith(`/packages/${d}`)),
);

// Packages whose native parts only show when used: one real call each, in the installed layout.
const SMOKE = {
  // The built-in model through the worker and onnxruntime's C API (koffi finds libonnxruntime
  // inside the installed onnxruntime-node).
  '@deepseg/segment': `import { createSegmenter } from '@deepseg/segment';
const s = await createSegmenter();
const mask = s.createMask();
await s.segment({ tensor: s.tensor() }, mask);
await s.dispose();
if (!mask.every((v) => v >= 0 && v <= 1)) throw new Error('mask out of range');
console.log(s.backend, mask.length);`,
};

const run = (cmd, args, cwd, env = {}) =>
  execFileSync(cmd, args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  }).toString();

const files = new Map();
for (const p of packages) {
  const out = run('npx', [...pnpm, 'pack', '--pack-destination', tarballs], p.dir)
    .trim()
    .split('\n');
  files.set(p.json.name, out.at(-1).trim());
  run(join(root, 'node_modules', '.bin', 'publint'), ['--strict', '--pack', 'npm'], p.dir);
}

// Siblings must resolve to the tarballs, never to the registry (they are not published from here).
const local = Object.fromEntries([...files].map(([name, file]) => [name, `file:${file}`]));
let failed = 0;
for (const p of tested) {
  const app = join(work, `app-${p.json.name.replace(/[@/]/g, '_')}`);
  mkdirSync(app);
  // A subpath such as `/testing` may need the package's optional peers; a consumer of it has them,
  // at the versions this workspace tests with.
  const peers = Object.fromEntries(
    Object.keys(p.json.peerDependencies ?? {}).map((name) => {
      const installed = JSON.parse(readFileSync(join(p.dir, 'node_modules', name, 'package.json'), 'utf8'));
      return [name, installed.version];
    }),
  );
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      private: true,
      type: 'module',
      dependencies: { ...peers, [p.json.name]: local[p.json.name] },
      overrides: local,
    }),
  );
  try {
    // onnxruntime-node's postinstall would fetch CUDA binaries from a host this machine cannot reach;
    // its CPU binaries ship inside the package (documented in the segment README).
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], app, {
      ONNXRUNTIME_NODE_INSTALL: 'skip',
    });
    const entries = Object.keys(p.json.exports ?? { '.': null }).filter((k) => k !== './package.json');
    for (const entry of entries) {
      const spec = entry === '.' ? p.json.name : `${p.json.name}/${entry.slice(2)}`;
      const keys = run(
        'node',
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(spec)}); console.log(Object.keys(m).length)`,
        ],
        app,
      ).trim();
      if (Number(keys) === 0) throw new Error(`${spec} exports nothing`);
      console.log(`ok   ${spec} (${keys} exports)`);
    }
    const smoke = SMOKE[p.json.name];
    if (smoke)
      console.log(
        `ok   ${p.json.name} runs (${run('node', ['--input-type=module', '-e', smoke], app).trim()})`,
      );
    for (const bin of Object.keys(
      typeof p.json.bin === 'string' ? { [p.json.name]: p.json.bin } : (p.json.bin ?? {}),
    )) {
      run(join(app, 'node_modules', '.bin', bin), ['--help'], app);
      console.log(`ok   ${bin} --help`);
    }
  } catch (error) {
    failed++;
    console.error(`FAIL ${p.json.name}: ${error.stderr?.toString() || error.message}`);
  }
}
rmSync(work, { recursive: true, force: true });
console.log(`${tested.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
