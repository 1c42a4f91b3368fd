import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread for a module URL. From `dist/` the `.js` file runs as is; from the
 * TypeScript sources (tests, tsx) the worker first registers tsx's loader so it can import `.ts`.
 */
export function spawnWorker(url: URL, workerData: unknown): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData });
  const require = createRequire(import.meta.url);
  const api = pathToFileURL(require.resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href;
  const code = [
    `const { register } = await import(${JSON.stringify(api)});`,
    'register();',
    `await import(${JSON.stringify(pathToFileURL(fileURLToPath(url)).href)});`,
  ].join('\n');
  return new Worker(code, { eval: true, workerData, type: 'module' } as ConstructorParameters<
    typeof Worker
  >[1]);
}
