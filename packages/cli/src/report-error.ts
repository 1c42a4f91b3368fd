import { isDeepsegError } from '@deepseg/yuyv';
import type { CliIo } from './cli-io.ts';
import { ExitCode, exitCodeFor } from './exit-codes.ts';

/** Prints an error as one line (and the stack with `debug`); returns its exit code. */
export function reportError(error: unknown, io: CliIo, debug: boolean): number {
  const code = exitCodeFor(error);
  if (code === ExitCode.Internal) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    const tag = isDeepsegError(error) ? ` [${error.code}]` : '';
    io.stderr.write(
      `deepseg: internal error${tag}: ${message}${debug ? '' : ' (rerun with --debug for details, and please report it)'}\n`,
    );
  } else {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`deepseg: ${message.split('\n')[0]}\n`);
  }
  if (debug && error instanceof Error) {
    io.stderr.write(`${error.stack ?? ''}\n`);
    let cause = error.cause;
    while (cause instanceof Error) {
      io.stderr.write(`caused by: ${cause.stack ?? cause.message}\n`);
      cause = cause.cause;
    }
  }
  return code;
}
