import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One finding of `deepseg doctor`. */
export interface DoctorFinding {
  status: 'ok' | 'warn' | 'problem';
  /** What was checked, with the result, one line. */
  title: string;
  /** The exact command or action that fixes it (problems and warnings). */
  fix?: string;
}

/** A V4L2 node as doctor needs it (a subset of @deepseg/v4l2's DeviceInfo + formats). */
export interface DoctorDevice {
  path: string;
  card: string;
  isLoopback: boolean;
  capture: boolean;
  /** Capture formats (FourCC names) when known. */
  formats?: string[];
  /** Set when the node could not be queried. */
  error?: { code: string; message: string };
}

/** A model as doctor needs it. */
export interface DoctorModel {
  id: string;
  isDefault: boolean;
  /** True when its file is present (built in, or pulled). */
  available: boolean;
  /** Where it is or would be. */
  path?: string;
  /** How to get it when it is not available. */
  fix?: string;
}

/** What doctor inspects; everything is injectable so tests can use a fake /sys and /dev tree. */
export interface DoctorEnvironment {
  /** Prefix for /sys and /dev (default '' = the real ones). */
  root: string;
  nodeVersion: string;
  listDevices(): Promise<DoctorDevice[]>;
  listModels(): Promise<DoctorModel[]>;
  hasFfmpeg(): boolean;
  /** Whether libturbojpeg (fast MJPEG decoding straight to YUV) loads. */
  hasTurboJpeg(): boolean;
}

/** The modprobe line deepseg recommends. */
export const MODPROBE_LINE = 'sudo modprobe v4l2loopback devices=1 exclusive_caps=1 card_label=deepseg';

/** Parses a module's bool-array parameter (`Y,N,N` or `1,0,0`). */
export function parseBoolArray(text: string): boolean[] {
  return text
    .trim()
    .split(',')
    .filter((t) => t.length > 0)
    .map((t) => t === 'Y' || t === 'y' || t === '1');
}

/** Runs every check and returns the findings in order. Never throws. */
export async function runDoctor(env: DoctorEnvironment): Promise<DoctorFinding[]> {
  const out: DoctorFinding[] = [];
  const [major = 0, minor = 0] = env.nodeVersion.replace(/^v/, '').split('.').map(Number);
  if (major > 20 || (major === 20 && minor >= 19))
    out.push({ status: 'ok', title: `Node.js ${env.nodeVersion}` });
  else {
    out.push({
      status: 'problem',
      title: `Node.js ${env.nodeVersion} is too old`,
      fix: 'install Node.js 20.19 or newer',
    });
  }

  const moduleDir = join(env.root, '/sys/module/v4l2loopback');
  const loaded = existsSync(moduleDir);
  let devices: DoctorDevice[] = [];
  let deviceError: string | undefined;
  try {
    devices = await env.listDevices();
  } catch (e) {
    deviceError = (e as Error).message;
  }
  const loopbacks = devices.filter((d) => d.isLoopback);
  if (!loaded) {
    out.push({
      status: 'problem',
      title: 'the v4l2loopback kernel module is not loaded (no virtual camera device)',
      fix: `${MODPROBE_LINE}   (install it first if needed: sudo apt-get install v4l2loopback-dkms)`,
    });
  } else {
    const version = readText(join(moduleDir, 'version'));
    out.push({ status: 'ok', title: `v4l2loopback loaded${version ? ` (version ${version})` : ''}` });
    const caps = readText(join(moduleDir, 'parameters/exclusive_caps'));
    if (caps === undefined) {
      out.push({
        status: 'warn',
        title: 'cannot read /sys/module/v4l2loopback/parameters/exclusive_caps',
        fix: `make sure the module was loaded with exclusive_caps=1: sudo modprobe -r v4l2loopback && ${MODPROBE_LINE}`,
      });
    } else {
      const flags = parseBoolArray(caps);
      const count = Math.max(1, loopbacks.length);
      const off = flags.slice(0, count).some((f) => !f);
      if (off) {
        out.push({
          status: 'problem',
          title: `v4l2loopback has exclusive_caps off (${caps.split(',').slice(0, count).join(',')}): Chrome and WebRTC apps will not list the virtual camera`,
          fix: `sudo modprobe -r v4l2loopback && ${MODPROBE_LINE}`,
        });
      } else out.push({ status: 'ok', title: 'v4l2loopback exclusive_caps=1' });
    }
  }

  const devDir = join(env.root, '/dev');
  let nodes: string[] = [];
  try {
    nodes = readdirSync(devDir)
      .filter((n) => /^video\d+$/.test(n))
      .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  } catch {
    nodes = [];
  }
  const denied = nodes.filter((n) => {
    try {
      accessSync(join(devDir, n), constants.R_OK | constants.W_OK);
      return false;
    } catch {
      return true;
    }
  });
  if (denied.length > 0) {
    out.push({
      status: 'problem',
      title: `no read/write permission on ${denied.map((n) => `/dev/${n}`).join(', ')}`,
      fix: 'sudo usermod -aG video $USER   (then log out and back in)',
    });
  } else if (nodes.length > 0)
    out.push({ status: 'ok', title: `permissions on ${nodes.length} /dev/video* node(s)` });

  if (deviceError !== undefined) {
    out.push({
      status: 'problem',
      title: `cannot list V4L2 devices: ${deviceError}`,
      fix: 'rerun with --debug and report it',
    });
  } else {
    const cameras = devices.filter((d) => !d.isLoopback && d.capture && d.error === undefined);
    if (cameras.length === 0) {
      out.push({
        status: 'problem',
        title: 'no camera found',
        fix: 'plug in a webcam (check `deepseg devices`), or use file mode: deepseg --input video.mp4 --output out.mp4',
      });
    }
    for (const cam of cameras) {
      const formats = cam.formats ?? [];
      const usable = formats.filter((f) => f === 'YUYV' || f === 'MJPG');
      if (formats.length > 0 && usable.length === 0) {
        out.push({
          status: 'problem',
          title: `camera ${cam.path} (${cam.card}) offers ${formats.join(', ')} but not YUYV or MJPEG`,
          fix: 'use another camera; deepseg reads YUYV and MJPEG',
        });
      } else {
        out.push({
          status: 'ok',
          title: `camera ${cam.path} (${cam.card}): ${formats.join(', ') || 'formats unknown'}`,
        });
      }
    }
    for (const d of devices.filter((x) => x.error !== undefined)) {
      out.push({ status: 'warn', title: `${d.path}: ${d.error!.message}` });
    }
    if (loaded && loopbacks.length === 0) {
      out.push({
        status: 'problem',
        title: 'v4l2loopback is loaded but no loopback device node was found',
        fix: `sudo modprobe -r v4l2loopback && ${MODPROBE_LINE}`,
      });
    }
    for (const lb of loopbacks)
      out.push({ status: 'ok', title: `virtual camera device ${lb.path} (${lb.card})` });
  }

  let models: DoctorModel[] = [];
  try {
    models = await env.listModels();
  } catch (e) {
    out.push({
      status: 'problem',
      title: `cannot read the model registry: ${(e as Error).message}`,
      fix: 'rerun with --debug and report it',
    });
  }
  for (const m of models) {
    if (m.available) {
      if (m.isDefault)
        out.push({ status: 'ok', title: `default model ${m.id}${m.path ? ` (${m.path})` : ''}` });
    } else if (m.isDefault) {
      out.push({
        status: 'problem',
        title: `the default model ${m.id} is missing`,
        fix: m.fix ?? `deepseg models pull ${m.id}`,
      });
    }
  }

  out.push(
    optionalPackage(
      env.hasFfmpeg(),
      'ffmpeg installed (video backgrounds and video files work)',
      'ffmpeg is not installed: video backgrounds and video files (other than .y4m) will not work',
      'sudo apt-get install ffmpeg',
    ),
    optionalPackage(
      env.hasTurboJpeg(),
      'libturbojpeg installed (MJPEG cameras decode straight to YUV)',
      'libturbojpeg is not installed: MJPEG cameras decode through RGB, about 3× the CPU at 1080p',
      'sudo apt-get install libturbojpeg0',
    ),
  );
  return out;
}

/** A package deepseg works without, less well: ok when present, else a warning with its install line. */
function optionalPackage(present: boolean, ok: string, missing: string, fix: string): DoctorFinding {
  return present ? { status: 'ok', title: ok } : { status: 'warn', title: missing, fix };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Formats findings for the terminal. */
export function formatFindings(findings: readonly DoctorFinding[]): string {
  const tag = { ok: 'ok     ', warn: 'warning', problem: 'PROBLEM' } as const;
  return findings
    .map((f) => `${tag[f.status]}  ${f.title}${f.fix ? `\n         fix: ${f.fix}` : ''}`)
    .join('\n');
}
