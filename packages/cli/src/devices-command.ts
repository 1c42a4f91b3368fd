import type { CliIo } from './cli-io.ts';
import { ExitCode } from './exit-codes.ts';
import { devicesHelp } from './help.ts';
import { type OptionSpec, parseArgs } from './parse-args.ts';
import { commonSpecs } from './run-options.ts';

const specs: readonly OptionSpec[] = [
  { name: 'json', type: 'boolean', description: 'print JSON (the full @deepseg/v4l2 descriptions)' },
  ...commonSpecs,
];

function fpsList(values: number[]): string {
  return values.map((f) => String(Math.round(f * 100) / 100)).join('/');
}

/**
 * `deepseg devices`: every /dev/video* node with driver, card, role (camera / virtual camera), and the
 * formats, sizes and rates it offers.
 *
 * @throws DeepsegError from @deepseg/v4l2 (ERR_BACKEND_UNAVAILABLE when koffi cannot load).
 */
export async function devicesCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs(argv, specs, 'deepseg devices');
  if (values.help === true) {
    io.stdout.write(devicesHelp(specs));
    return ExitCode.Ok;
  }
  const { listDevices, describeDevice, fractionToFps } = await import('@deepseg/v4l2');
  const { isCamera } = await import('./device-layer.ts');
  const devices = await listDevices();
  const described = await Promise.all(
    devices.map(async (d) =>
      d.error === undefined ? await describeDevice(d.path).catch(() => undefined) : undefined,
    ),
  );
  if (values.json === true) {
    io.stdout.write(
      `${JSON.stringify(
        devices.map((d, i) => described[i] ?? d),
        null,
        2,
      )}\n`,
    );
    return ExitCode.Ok;
  }
  if (devices.length === 0) {
    io.stdout.write(
      'No V4L2 devices (/dev/video*). Plug in a camera; for the virtual camera run `deepseg doctor`.\n',
    );
    return ExitCode.Ok;
  }
  devices.forEach((d, i) => {
    if (d.error) {
      io.stdout.write(`${d.path}  cannot open: ${d.error.message}\n\n`);
      return;
    }
    const role = d.isLoopback
      ? 'virtual camera (v4l2loopback)'
      : isCamera(d)
        ? 'camera'
        : d.caps.metadata
          ? 'metadata node'
          : 'other';
    io.stdout.write(`${d.path}  ${d.card}  [${role}; driver ${d.driver} ${d.version}; ${d.bus}]\n`);
    const desc = described[i];
    const formats = d.isLoopback
      ? [...(desc?.capture ?? []), ...(desc?.output ?? [])]
      : (desc?.capture ?? []);
    for (const f of formats) {
      const sizes = f.sizes.map((s) => {
        const rates = s.intervals.map((iv) =>
          iv.type === 'discrete' ? fractionToFps(iv.interval) : fractionToFps(iv.min),
        );
        const dims =
          s.type === 'discrete'
            ? `${s.width}x${s.height}`
            : `${s.minWidth}x${s.minHeight}..${s.maxWidth}x${s.maxHeight}`;
        return rates.length ? `${dims}@${fpsList(rates)}` : dims;
      });
      io.stdout.write(
        `    ${f.pixelFormat.padEnd(5)} ${f.description}: ${sizes.join(' ') || '(any size)'}\n`,
      );
    }
    io.stdout.write('\n');
  });
  return ExitCode.Ok;
}
