import { readFileSync } from 'node:fs';

/** A writable text stream (process.stdout, or a capture in tests). */
export interface TextOut {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Where the command reads and writes: the process, or captures in tests. */
export interface CliIo {
  stdout: TextOut;
  stderr: TextOut;
  env: Record<string, string | undefined>;
  /** Source of SIGINT/SIGTERM/SIGHUP (process, or an EventEmitter in tests). */
  signals: {
    on(event: 'SIGINT' | 'SIGTERM' | 'SIGHUP', listener: () => void): unknown;
    off(event: 'SIGINT' | 'SIGTERM' | 'SIGHUP', listener: () => void): unknown;
  };
}

/** The real process's streams, environment and signals. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, signals: process };
}

/** This package's version (read from its package.json, next to both src/ and dist/). */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
