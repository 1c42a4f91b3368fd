import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * The process's Node flags for a worker: all but `--input-type`, which Node refuses for a worker (it
 * only applies to `-e` / stdin code, so `node --input-type=module -e '…'` would break every worker).
 */
export function workerExecArgv(argv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--input-type') i++;
    else if (!argv[i]!.startsWith('--input-type=')) out.push(argv[i]!);
  }
  return out;
}

/**
 * Starts a worker thread for a module URL. From `dist/` the `.js` file runs as is; from the
 * TypeScript sources (tests, tsx) the worker first registers tsx's loader so it can import `.ts`.
 */
export function spawnWorker(url: URL, workerData: unknown): Worker {
  const execArgv = workerExecArgv();
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData, execArgv });
  const require = createRequire(import.meta.url);
  const api = pathToFileURL(require.resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href;
  const code = [
    `const { register } = await import(${JSON.stringify(api)});`,
    'register();',
    `await import(${JSON.stringify(pathToFileURL(fileURLToPath(url)).href)});`,
  ].join('\n');
  return new Worker(code, { eval: true, workerData, execArgv, type: 'module' } as ConstructorParameters<
    typeof Worker
  >[1]);
}
