import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread for a module URL, through a one-line `import()` evaluated in the worker:
 * a worker started from a file refuses an inherited `--input-type` (`node --input-type=module -e '…'`
 * would break every worker), while evaluated code accepts it and the rest of the parent's flags. From
 * the TypeScript sources (tests, tsx) the worker first registers tsx's loader so it can import `.ts`.
 */
export function spawnWorker(url: URL, workerData: unknown): Worker {
  const target = JSON.stringify(pathToFileURL(fileURLToPath(url)).href);
  if (!url.pathname.endsWith('.ts')) return new Worker(`import(${target});`, { eval: true, workerData });
  const require = createRequire(import.meta.url);
  const api = pathToFileURL(require.resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href;
  const code = [
    `const { register } = await import(${JSON.stringify(api)});`,
    'register();',
    `await import(${target});`,
  ].join('\n');
  return new Worker(code, { eval: true, workerData, type: 'module' } as ConstructorParameters<
    typeof Worker
  >[1]);
}
