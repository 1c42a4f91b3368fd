import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { DeepsegError } from '@deepseg/yuyv';

let cached: boolean | undefined;

/** True when `ffmpeg` (and `ffprobe`) run from PATH. Checked once per process. */
export function hasFfmpeg(): boolean {
  if (cached === undefined) {
    const ff = spawnSync('ffmpeg', ['-hide_banner', '-version'], { stdio: 'ignore' });
    const probe = spawnSync('ffprobe', ['-hide_banner', '-version'], { stdio: 'ignore' });
    cached = ff.status === 0 && probe.status === 0;
  }
  return cached;
}

/**
 * @throws DeepsegError `ERR_FFMPEG_MISSING` naming what needed it and how to install ffmpeg.
 */
export function requireFfmpeg(what: string): void {
  if (!hasFfmpeg()) {
    throw new DeepsegError(
      'ERR_FFMPEG_MISSING',
      `${what} needs ffmpeg, which is not installed; install it (sudo apt-get install ffmpeg) or use a .y4m file`,
      { hint: 'sudo apt-get install ffmpeg' },
    );
  }
}

/** Width, height and frame rate of a video's first video stream. */
export interface VideoInfo {
  width: number;
  height: number;
  fps: number;
  fpsNum: number;
  fpsDen: number;
}

/**
 * Reads a video's size and rate with ffprobe.
 *
 * @throws DeepsegError `ERR_INPUT` when the file has no video stream ffmpeg can read.
 */
export function probeVideo(path: string, option = '--input'): VideoInfo {
  requireFfmpeg(`Reading ${path}`);
  const r = spawnSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=width,height,avg_frame_rate,r_frame_rate',
      '-of',
      'csv=p=0',
      path,
    ],
    { encoding: 'utf8' },
  );
  const fields = (r.stdout ?? '').trim().split('\n')[0]?.split(',') ?? [];
  const width = Number(fields[0]);
  const height = Number(fields[1]);
  if (r.status !== 0 || !(width > 0) || !(height > 0)) {
    const why = (r.stderr ?? '').trim().split('\n').pop() || 'no video stream';
    throw new DeepsegError(
      'ERR_INPUT',
      `${path} is not a video or image ffmpeg can read (${why}); check ${option}`,
      {
        path,
        option,
      },
    );
  }
  let [num, den] = (fields[2] && fields[2] !== '0/0' ? fields[2] : (fields[3] ?? '30/1'))
    .split('/')
    .map(Number);
  if (!num || !den) {
    num = 30;
    den = 1;
  }
  return { width, height, fps: num / den, fpsNum: num, fpsDen: den };
}

/** Starts ffmpeg with arguments; stderr is kept (last 4 KiB) for error messages. */
export function spawnFfmpeg(args: readonly string[]): { child: ChildProcess; stderr: () => string } {
  const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    tail = (tail + s).slice(-4096);
  });
  return { child, stderr: () => tail.trim().split('\n').pop() ?? '' };
}

/** Resolves with the exit code (or the signal name) once `child` has exited. */
export function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
}
