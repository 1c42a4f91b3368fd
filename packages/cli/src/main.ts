import { type CliIo, cliVersion, processIo } from './cli-io.ts';
import { devicesCommand } from './devices-command.ts';
import { doctorCommand } from './doctor-command.ts';
import { ExitCode } from './exit-codes.ts';
import { modelsCommand } from './models-command.ts';
import { closest } from './parse-args.ts';
import { reportError } from './report-error.ts';
import { runCommand } from './run-command.ts';

const commands = ['run', 'devices', 'doctor', 'models', 'help'] as const;

/**
 * Runs the `deepseg` command line and resolves with its exit code (see {@link ExitCode}). Never
 * throws: errors become one line on stderr (plus the stack with `--debug`).
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2));
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const first = argv[0];
    if (first === '--version' || first === '-V') {
      io.stdout.write(`${cliVersion()}\n`);
      return ExitCode.Ok;
    }
    if (first !== undefined && !first.startsWith('-')) {
      const rest = argv.slice(1);
      switch (first) {
        case 'run':
          return await runCommand(rest, io);
        case 'devices':
          return await devicesCommand(rest, io);
        case 'doctor':
          return await doctorCommand(rest, io);
        case 'models':
          return await modelsCommand(rest, io);
        case 'help':
          return await main(rest.length > 0 ? [rest[0]!, '--help'] : ['--help'], io);
        default: {
          const guess = closest(first, commands);
          io.stderr.write(
            `deepseg: unknown command "${first}"${guess ? ` (did you mean \`deepseg ${guess}\`?)` : ''}; commands: ${commands.join(', ')}; see \`deepseg --help\`\n`,
          );
          return ExitCode.Usage;
        }
      }
    }
    return await runCommand(argv, io);
  } catch (error) {
    return reportError(error, io, debug);
  }
}
