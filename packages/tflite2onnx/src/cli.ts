// The `tflite2onnx` command: tflite2onnx in.tflite out.onnx [--json] [--debug]
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { convert, VERSION } from './convert.ts';
import { isTflite2OnnxError, Tflite2OnnxError } from './errors.ts';

/** Where the CLI writes (process streams by default; tests pass their own). */
export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

const usage = `usage: tflite2onnx <in.tflite> <out.onnx> [--json] [--debug]

Converts a float32 TFLite model to ONNX (opset 17) with the same NHWC inputs and outputs.
  --json   print the conversion report as JSON instead of a summary line
  --debug  print stack traces on errors`;

/**
 * Writes `data` to `path` atomically: a temporary file in the same folder, flushed, then renamed over
 * `path`. Readers never see half a file; on failure the temporary file is removed.
 */
export function writeFileAtomic(path: string, data: Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const fd = openSync(tmp, 'w', 0o644);
    try {
      let written = 0;
      while (written < data.length) written += writeSync(fd, data, written, data.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

function ioError(message: string, path: string, cause: unknown): Tflite2OnnxError {
  const reason = (cause as NodeJS.ErrnoException)?.code ?? (cause as Error)?.message ?? String(cause);
  return new Tflite2OnnxError('ERR_IO', `${message} ${path}: ${reason}`, { path, cause });
}

/**
 * Runs the CLI with `args` (without node and script). Returns the exit code: 0 done, 1 conversion or
 * I/O error (one line on stderr, no stack trace unless `--debug`), 2 usage error.
 *
 * @example
 * ```ts
 * process.exitCode = runCli(['selfie.tflite', 'selfie.onnx']);
 * ```
 */
export function runCli(
  args: readonly string[],
  io: CliIo = {
    stdout: (l) => process.stdout.write(`${l}\n`),
    stderr: (l) => process.stderr.write(`${l}\n`),
  },
): number {
  const flags = new Set(args.filter((a) => a.startsWith('--')));
  const files = args.filter((a) => !a.startsWith('--'));
  if (flags.has('--help')) {
    io.stdout(usage);
    return 0;
  }
  if (flags.has('--version')) {
    io.stdout(VERSION);
    return 0;
  }
  const unknown = [...flags].filter((f) => f !== '--json' && f !== '--debug');
  if (unknown.length > 0 || files.length !== 2) {
    io.stderr(
      unknown.length > 0
        ? `tflite2onnx: unknown option ${unknown[0]}`
        : 'tflite2onnx: expected an input and an output file',
    );
    io.stderr(usage);
    return 2;
  }
  const [input, output] = files as [string, string];
  try {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(input);
    } catch (e) {
      throw ioError('cannot read', input, e);
    }
    const started = performance.now();
    const { onnx, report } = convert(bytes, { modelName: basename(input) });
    const ms = performance.now() - started;
    try {
      writeFileAtomic(output, onnx);
    } catch (e) {
      throw ioError('cannot write', output, e);
    }
    if (flags.has('--json')) {
      io.stdout(JSON.stringify({ input, output, bytes: onnx.length, ms: Math.round(ms), ...report }));
    } else {
      const ops = Object.entries(report.ops)
        .map(([k, v]) => `${k}×${v}`)
        .join(' ');
      const edge = (t: { name: string; shape: number[]; layout: string }): string =>
        `${t.name} [${t.shape.join(',')}] ${t.layout}`;
      io.stdout(
        `wrote ${output} (${onnx.length} bytes, ${report.onnxNodes} ONNX nodes, ${ms.toFixed(0)} ms): ${report.inputs.map(edge).join('; ')} → ${report.outputs.map(edge).join('; ')}; ${ops}`,
      );
      for (const w of report.warnings) io.stderr(`tflite2onnx: warning: ${w}`);
    }
    return 0;
  } catch (e) {
    if (flags.has('--debug')) io.stderr((e as Error)?.stack ?? String(e));
    else if (isTflite2OnnxError(e)) io.stderr(`tflite2onnx: ${e.code}: ${e.message}`);
    else io.stderr(`tflite2onnx: ${(e as Error)?.message ?? String(e)} (rerun with --debug for details)`);
    return 1;
  }
}
