import { existsSync } from 'node:fs';
import {
  DEFAULT_MODEL,
  getModel,
  loadRegistry,
  type ModelManifest,
  modelFilePath,
  pullModel,
} from '@deepseg/segment';
import { DeepsegError } from '@deepseg/yuyv';
import type { CliIo } from './cli-io.ts';
import { ExitCode } from './exit-codes.ts';
import { modelsHelp } from './help.ts';
import { parseArgs } from './parse-args.ts';
import { commonSpecs } from './run-options.ts';

const specs = [
  { name: 'json', type: 'boolean', description: 'print JSON instead of a table' },
  ...commonSpecs,
] as const;

/** Where a model's file is and whether it is there. */
export function modelStatus(m: ModelManifest): {
  path: string | undefined;
  available: boolean;
  error?: string;
} {
  try {
    const path = modelFilePath(m);
    return { path, available: existsSync(path) };
  } catch (e) {
    return { path: undefined, available: false, error: (e as Error).message };
  }
}

function sourceText(m: ModelManifest): string {
  const s = m.source;
  if (s.type === 'npm') return `built in (npm ${s.package})`;
  if (s.type === 'url') return `download ${(s.size / 1e6).toFixed(1)} MB`;
  return 'your own file';
}

/** A progress bar line: `[#####.....]  42%  1.2/2.8 MB`. */
export function progressLine(received: number, total: number, width = 30): string {
  const f = total > 0 ? Math.min(1, received / total) : 0;
  const filled = Math.round(f * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(f * 100)).padStart(3)}%  ${(received / 1e6).toFixed(1)}/${(total / 1e6).toFixed(1)} MB`;
}

/**
 * `deepseg models list | pull <id> | info <id>`.
 *
 * @throws DeepsegError `ERR_USAGE` for a missing or unknown subcommand; segment's errors otherwise.
 */
export async function modelsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs(argv, specs, 'deepseg models');
  if (values.help === true) {
    io.stdout.write(modelsHelp(specs));
    return ExitCode.Ok;
  }
  const [sub, id, ...extra] = positionals;
  const needId = (name: string): string => {
    if (id === undefined) {
      throw new DeepsegError(
        'ERR_USAGE',
        `\`deepseg models ${name}\` needs a model id; see \`deepseg models list\``,
      );
    }
    if (extra.length > 0)
      throw new DeepsegError('ERR_USAGE', `Unexpected argument "${extra[0]}" for \`deepseg models ${name}\``);
    return id;
  };
  switch (sub) {
    case undefined:
    case 'list': {
      const { models, warnings } = loadRegistry();
      const rows = models.map((m) => ({ m, status: modelStatus(m) }));
      if (values.json === true) {
        io.stdout.write(
          `${JSON.stringify(
            rows.map(({ m, status }) => ({
              id: m.id,
              title: m.title,
              default: m.id === DEFAULT_MODEL,
              available: status.available,
              path: status.path,
              source: m.source.type,
              licence: m.licence,
              input: `${m.input.width}x${m.input.height}`,
            })),
            null,
            2,
          )}\n`,
        );
        return ExitCode.Ok;
      }
      const idWidth = Math.max(4, ...models.map((m) => m.id.length)) + 2;
      io.stdout.write(`${'id'.padEnd(idWidth)}${'input'.padEnd(10)}${'status'.padEnd(26)}title\n`);
      for (const { m, status } of rows) {
        const state = status.available ? 'ready' : m.source.type === 'url' ? 'not pulled' : 'missing';
        const mark = m.id === DEFAULT_MODEL ? ' (default)' : '';
        io.stdout.write(
          `${m.id.padEnd(idWidth)}${`${m.input.width}x${m.input.height}`.padEnd(10)}${`${state}, ${sourceText(m)}`.padEnd(26)}${m.title}${mark}\n`,
        );
      }
      for (const w of warnings) io.stderr.write(`deepseg: warning: ${w}\n`);
      io.stdout.write('\nUse one: deepseg --model <id>   Download one: deepseg models pull <id>\n');
      return ExitCode.Ok;
    }
    case 'info': {
      const m = getModel(needId('info'));
      const status = modelStatus(m);
      const lines: [string, string][] = [
        ['id', `${m.id}${m.id === DEFAULT_MODEL ? ' (default)' : ''}`],
        ['title', m.title],
        ['good for', m.goodFor],
        ['licence', m.licence],
        [
          'source',
          m.source.type === 'url'
            ? `${m.source.url} (${m.source.size} bytes, sha256 ${m.source.sha256})`
            : sourceText(m),
        ],
        ['file', `${status.path ?? '-'} (${status.available ? 'present' : 'absent'})`],
        [
          'input',
          `${m.input.width}x${m.input.height} ${m.input.layout} ${m.input.channelOrder}, p*${m.input.scale} - mean [${m.input.mean.join(', ')}] / std [${m.input.std.join(', ')}]`,
        ],
        [
          'output',
          `${m.output.width}x${m.output.height}x${m.output.channels} ${m.output.layout}, ${m.output.decode}, person channel ${m.output.person}`,
        ],
      ];
      if (values.json === true)
        io.stdout.write(
          `${JSON.stringify({ ...m, file: status.path, available: status.available }, null, 2)}\n`,
        );
      else for (const [k, v] of lines) io.stdout.write(`${k.padEnd(10)}${v}\n`);
      return ExitCode.Ok;
    }
    case 'pull': {
      const modelId = needId('pull');
      const tty = io.stderr.isTTY === true;
      let lastPrinted = -1;
      const result = await pullModel(modelId, {
        onProgress: ({ received, total }) => {
          const pct = total > 0 ? Math.floor((received / total) * 100) : 0;
          if (tty) io.stderr.write(`\r${progressLine(received, total)}`);
          else if (pct >= lastPrinted + 25 || received === total) {
            lastPrinted = pct;
            io.stderr.write(`${progressLine(received, total)}\n`);
          }
        },
      });
      if (tty) io.stderr.write('\n');
      io.stdout.write(
        result.alreadyPresent
          ? `${result.id} is already present and verified: ${result.path}\n`
          : `${result.id} downloaded and verified${result.resumed ? ' (resumed)' : ''}: ${result.path}\n`,
      );
      if (result.onnxPath && result.onnxPath !== result.path)
        io.stdout.write(`converted to ONNX: ${result.onnxPath}\n`);
      io.stdout.write(`Use it: deepseg --model ${result.id}\n`);
      return ExitCode.Ok;
    }
    default:
      throw new DeepsegError(
        'ERR_USAGE',
        `Unknown models subcommand "${sub}"; use list, pull <id> or info <id>`,
      );
  }
}
