import { ExitCode } from './exit-codes.ts';
import type { OptionSpec } from './parse-args.ts';

/** Formats an option table for `--help`. */
export function formatOptions(specs: readonly OptionSpec[]): string {
  const rows = specs
    .filter((s) => !s.hidden)
    .map((s) => {
      const names = [s.short ? `-${s.short}, ` : '    ', `--${s.name}`, s.value ? ` ${s.value}` : ''].join(
        '',
      );
      const extra = [
        s.default ? `default: ${s.default}` : '',
        s.aliases?.length ? `also --${s.aliases.join(', --')}` : '',
      ]
        .filter(Boolean)
        .join('; ');
      return [names, extra ? `${s.description} (${extra})` : s.description] as const;
    });
  const width = Math.min(34, Math.max(...rows.map(([n]) => n.length)) + 2);
  return rows
    .map(([n, d]) =>
      n.length + 2 > width ? `  ${n}\n  ${' '.repeat(width)}${d}` : `  ${n.padEnd(width)}${d}`,
    )
    .join('\n');
}

/** The exit code table, as printed by `deepseg --help` and documented in the README. */
export const exitCodeHelp: readonly [number, string][] = [
  [ExitCode.Ok, 'success, or stopped by Ctrl+C / SIGTERM'],
  [ExitCode.Internal, 'internal error (a bug: rerun with --debug and report it)'],
  [ExitCode.Usage, 'bad command, option, value or config file'],
  [ExitCode.Device, 'device missing, not a camera / not a v4l2loopback device, or format not offered'],
  [ExitCode.Permission, 'permission denied (join the video group)'],
  [ExitCode.Busy, 'device busy (another program holds it)'],
  [ExitCode.DeviceGone, 'camera unplugged while streaming'],
  [ExitCode.Model, 'model not found, failed to download/verify/load'],
  [ExitCode.File, 'input, output or background file missing or unreadable'],
  [ExitCode.Missing, 'system requirement missing (ffmpeg, v4l2loopback)'],
  [ExitCode.Doctor, '`deepseg doctor` found problems'],
  [ExitCode.Network, 'download failed'],
];

/** Help of `deepseg` (the run command). */
export function runHelp(specs: readonly OptionSpec[]): string {
  return `deepseg — a virtual webcam with the background blurred or replaced

Usage:
  deepseg [options]                 camera -> virtual camera (first camera, first v4l2loopback device)
  deepseg --input <file> --output <file> [options]     file mode, no devices needed
  deepseg devices                   list cameras and loopback devices with formats, sizes, rates
  deepseg doctor                    check the setup and print the fix for each problem
  deepseg models list|pull|info     the segmentation models

Options (every one can also be set in a --config JSON file, e.g. {"background": "blur=24"}):
${formatOptions(specs)}

Backgrounds:
  --background blur            blur the real background (blur=N sets the strength, default 16)
  --background color=#00FF00   a solid colour (green screen for OBS chroma key)
  --background beach.jpg       an image (any format sharp reads), scaled to cover the picture
  --background loop.mp4        a looping video (needs ffmpeg)

Signals: SIGHUP reloads --config and the background without stopping; SIGINT/SIGTERM stop cleanly.

Exit codes:
${exitCodeHelp.map(([c, t]) => `  ${String(c).padStart(2)}  ${t}`).join('\n')}
`;
}

/** Help of `deepseg devices`. */
export function devicesHelp(specs: readonly OptionSpec[]): string {
  return `Usage: deepseg devices [options]

Lists V4L2 devices: cameras (capture) and v4l2loopback devices, with their formats, sizes and rates.

Options:
${formatOptions(specs)}
`;
}

/** Help of `deepseg doctor`. */
export function doctorHelp(specs: readonly OptionSpec[]): string {
  return `Usage: deepseg doctor [options]

Checks the setup: the v4l2loopback module and exclusive_caps=1 (Chrome needs it), device permissions,
camera formats, the model files, ffmpeg. Prints the exact fix for each problem; exits ${ExitCode.Doctor} if any.

Options:
${formatOptions(specs)}
`;
}

/** Help of `deepseg models`. */
export function modelsHelp(specs: readonly OptionSpec[]): string {
  return `Usage:
  deepseg models list          the models deepseg knows (built in, downloaded, or pullable)
  deepseg models pull <id>     download a model (verified by size and sha256) and convert it
  deepseg models info <id>     input size, normalisation, output, licence, source, where it is stored

Options:
${formatOptions(specs)}
`;
}
