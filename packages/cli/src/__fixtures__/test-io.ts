// Test helper (not exported): runs `main` in-process with captured output.
import { EventEmitter } from 'node:events';
import type { CliIo } from '../cli-io.ts';
import { main } from '../main.ts';

/** What a captured run printed and returned. */
export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
  signals: EventEmitter;
}

/** Runs the command line with captured stdout/stderr and a private signal emitter. */
export function startMain(
  argv: string[],
  env: Record<string, string | undefined> = {},
): { signals: EventEmitter; done: Promise<CapturedRun>; stderr: () => string } {
  const signals = new EventEmitter();
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    signals: signals as unknown as CliIo['signals'],
  };
  const done = main(argv, io).then((code) => ({ code, stdout, stderr, signals }));
  return { signals, done, stderr: () => stderr };
}

/** Runs the command line to completion with captured output. */
export function runMain(argv: string[], env: Record<string, string | undefined> = {}): Promise<CapturedRun> {
  return startMain(argv, env).done;
}
