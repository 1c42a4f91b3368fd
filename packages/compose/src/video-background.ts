import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { DeepsegError } from '@deepseg/yuyv';
import { checkFile } from './image-background.ts';
import type { BackgroundFit } from './options.ts';

/** Options of {@link VideoPlayer.open}. */
export interface VideoPlayerOptions {
  width: number;
  height: number;
  fit: BackgroundFit;
  pacing: 'realtime' | 'frame';
  readAhead: number;
  ffmpeg: string;
  /** Give up waiting for the first frame after this many ms. Default 15000. */
  firstFrameTimeoutMs?: number;
}

interface Probe {
  fps: number;
}

function ffprobePath(ffmpeg: string): string {
  return ffmpeg.includes('/') ? join(dirname(ffmpeg), 'ffprobe') : 'ffprobe';
}

function missing(ffmpeg: string, cause: unknown): DeepsegError {
  return new DeepsegError(
    'ERR_FFMPEG_MISSING',
    `${ffmpeg} was not found; install ffmpeg (apt-get install ffmpeg) to use video backgrounds`,
    { option: 'background.ffmpeg', hint: 'apt-get install ffmpeg', cause },
  );
}

function notAVideo(path: string, reason: string, cause?: unknown): DeepsegError {
  return new DeepsegError(
    'ERR_NOT_A_VIDEO',
    `${path} is not a video ffmpeg can decode (${reason}); pass a video file`,
    {
      option: 'background.source',
      path,
      cause,
    },
  );
}

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function probe(path: string, ffmpeg: string): Promise<Probe> {
  let r: Awaited<ReturnType<typeof run>>;
  try {
    r = await run(ffprobePath(ffmpeg), [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=codec_type,avg_frame_rate,r_frame_rate,nb_frames:format=format_name',
      '-of',
      'json',
      path,
    ]);
  } catch (cause) {
    throw missing(ffprobePath(ffmpeg), cause);
  }
  if (r.code !== 0)
    throw notAVideo(path, r.stderr.trim().split('\n').pop() || `ffprobe exited with ${r.code}`);
  let info: {
    streams?: { avg_frame_rate?: string; r_frame_rate?: string }[];
    format?: { format_name?: string };
  };
  try {
    info = JSON.parse(r.stdout);
  } catch (cause) {
    throw notAVideo(path, 'ffprobe printed no stream list', cause);
  }
  const stream = info.streams?.[0];
  if (stream === undefined) throw notAVideo(path, 'it has no video stream');
  const format = info.format?.format_name ?? '';
  if (/(^|,)(image2|[a-z0-9]+_pipe)(,|$)/.test(format)) {
    throw notAVideo(path, `it is a still image (${format}); use { type: 'image' }`);
  }
  const rate = (s: string | undefined) => {
    const [n, d] = (s ?? '').split('/').map(Number);
    return n !== undefined && d !== undefined && n > 0 && d > 0 ? n / d : 0;
  };
  const fps = rate(stream.avg_frame_rate) || rate(stream.r_frame_rate) || 30;
  return { fps: fps > 0 && fps <= 240 ? fps : 30 };
}

function fitFilter(fit: BackgroundFit, w: number, h: number): string {
  if (fit === 'stretch') return `scale=${w}:${h},setsar=1`;
  if (fit === 'cover') return `scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${w}:${h},setsar=1`;
  return `scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:black,setsar=1`;
}

/**
 * A looping video decoded by ffmpeg in a child process into a ring of preallocated YUYV frames,
 * read ahead so {@link frame} never waits: when the decoder falls behind, the last frame is shown
 * again. Back-pressure pauses ffmpeg's pipe when the ring is full.
 */
export class VideoPlayer {
  readonly path: string;
  readonly fps: number;
  /** Set when ffmpeg stopped unexpectedly after the first frame; the last frame keeps showing. */
  error: DeepsegError | undefined;
  readonly #slots: Uint8Array[];
  readonly #frameBytes: number;
  readonly #ready: number[] = [];
  readonly #free: number[] = [];
  readonly #pacing: 'realtime' | 'frame';
  #filling = -1;
  #fillOffset = 0;
  #shown = -1;
  #pending: Buffer | undefined;
  #child: ChildProcess | undefined;
  #nextTime = 0;
  #closed = false;
  /** Frames decoded so far (including repeats of the loop). */
  decoded = 0;

  private constructor(path: string, fps: number, o: VideoPlayerOptions) {
    this.path = path;
    this.fps = fps;
    this.#pacing = o.pacing;
    this.#frameBytes = o.width * o.height * 2;
    this.#slots = Array.from({ length: o.readAhead + 1 }, () => new Uint8Array(this.#frameBytes));
    for (let i = 0; i < this.#slots.length; i++) this.#free.push(i);
  }

  /**
   * Probes `path`, starts ffmpeg and resolves once the first frame is decoded.
   *
   * @throws DeepsegError `ERR_FILE_NOT_FOUND`, `ERR_EMPTY_FILE`, `ERR_FFMPEG_MISSING`, `ERR_NOT_A_VIDEO`.
   */
  static async open(path: string, o: VideoPlayerOptions): Promise<VideoPlayer> {
    await checkFile(path, 'background.source');
    const { fps } = await probe(path, o.ffmpeg);
    const player = new VideoPlayer(path, fps, o);
    await player.#start(o);
    return player;
  }

  #start(o: VideoPlayerOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let stderr = '';
      const child = spawn(
        o.ffmpeg,
        [
          '-nostdin',
          '-v',
          'error',
          '-stream_loop',
          '-1',
          '-i',
          this.path,
          '-an',
          '-sn',
          '-vf',
          fitFilter(o.fit, o.width, o.height),
          '-pix_fmt',
          'yuyv422',
          '-f',
          'rawvideo',
          'pipe:1',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      this.#child = child;
      const timer = setTimeout(() => {
        fail(notAVideo(this.path, `ffmpeg produced no frame within ${o.firstFrameTimeoutMs ?? 15000} ms`));
      }, o.firstFrameTimeoutMs ?? 15000);
      const fail = (e: DeepsegError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.close();
        reject(e);
      };
      child.on('error', (cause) => fail(missing(o.ffmpeg, cause)));
      child.stderr.on('data', (d: Buffer) => {
        if (stderr.length < 4096) stderr += d.toString();
      });
      child.stdout.on('data', (chunk: Buffer) => {
        this.#take(chunk);
        if (!settled && this.#ready.length > 0) {
          settled = true;
          clearTimeout(timer);
          this.#advance(performance.now());
          resolve();
        }
      });
      child.on('close', (code, signal) => {
        if (this.#closed) {
          if (!settled) {
            settled = true;
            clearTimeout(timer);
            reject(
              new DeepsegError('ERR_CLOSED', `Stopped loading ${this.path}: the background was closed`, {
                path: this.path,
              }),
            );
          }
          return;
        }
        const reason = stderr.trim().split('\n').pop() || `ffmpeg exited with ${code ?? signal}`;
        if (!settled) fail(notAVideo(this.path, reason));
        else {
          this.error = new DeepsegError(
            'ERR_VIDEO_DECODE',
            `ffmpeg stopped decoding ${this.path} (${reason}); the last frame stays`,
            {
              path: this.path,
            },
          );
        }
      });
    });
  }

  /** Copies decoded bytes into free slots; pauses the pipe (keeping the rest) when none is free. */
  #take(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.#filling < 0) {
        const slot = this.#free.shift();
        if (slot === undefined) {
          this.#pending = chunk.subarray(off);
          this.#child?.stdout?.pause();
          return;
        }
        this.#filling = slot;
        this.#fillOffset = 0;
      }
      const dst = this.#slots[this.#filling]!;
      const n = Math.min(chunk.length - off, this.#frameBytes - this.#fillOffset);
      dst.set(chunk.subarray(off, off + n), this.#fillOffset);
      this.#fillOffset += n;
      off += n;
      if (this.#fillOffset === this.#frameBytes) {
        this.#ready.push(this.#filling);
        this.#filling = -1;
        this.decoded++;
      }
    }
  }

  #advance(now: number): void {
    const next = this.#ready.shift();
    if (next === undefined) return;
    if (this.#shown >= 0) this.#free.push(this.#shown);
    this.#shown = next;
    const interval = 1000 / this.fps;
    this.#nextTime = now - this.#nextTime > interval ? now + interval : this.#nextTime + interval;
    if (this.#pending !== undefined) {
      const rest = this.#pending;
      this.#pending = undefined;
      this.#take(rest);
    }
    if (this.#pending === undefined && this.#child?.stdout?.isPaused()) this.#child.stdout.resume();
  }

  /**
   * The background frame to show now (YUYV, valid until the next call). Advances by wall-clock time
   * (`pacing: 'realtime'`) or by one frame per call (`'frame'`); never waits for the decoder.
   */
  frame(now = performance.now()): Uint8Array {
    if (this.#pacing === 'frame' || now >= this.#nextTime) this.#advance(now);
    return this.#slots[this.#shown]!;
  }

  /** Stops ffmpeg. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child?.stdout?.destroy();
  }
}
