import { access, rename, unlink, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { DeepsegError, rgbToYuyv, yuyvToRgb } from '@deepseg/yuyv';
import sharp from 'sharp';
import { exited, probeVideo, requireFfmpeg, spawnFfmpeg } from './ffmpeg.ts';
import type { FrameSink, FrameSource, SourceFrame } from './pipeline-types.ts';
import { YuyvScaler } from './scale-yuyv.ts';
import { fileError, openY4mReader, openY4mWriter, tempPathFor } from './y4m.ts';

/** File extensions read or written as still images (through sharp). */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.bmp'];

/** What kind of file a path is, from its extension. */
export function fileKind(path: string): 'y4m' | 'image' | 'video' {
  const ext = extname(path).toLowerCase();
  if (ext === '.y4m') return 'y4m';
  if (IMAGE_EXTENSIONS.includes(ext)) return 'image';
  return 'video';
}

/** Options of {@link openFileSource}. */
export interface FileSourceOptions {
  /** Scale frames to this size (default: the file's own, width rounded down to even). */
  width?: number | undefined;
  height?: number | undefined;
  /** An image is repeated this many times (default 1); videos stop after this many frames. */
  frames?: number | undefined;
  /** Frame rate for images (default 30). */
  fps?: number | undefined;
}

async function assertReadable(path: string): Promise<void> {
  try {
    await access(path);
  } catch (cause) {
    throw fileError(path, cause, '--input');
  }
}

/**
 * Opens a file as a frame source: .y4m natively, images through sharp, other videos through ffmpeg
 * (`-pix_fmt yuyv422`). Frames are YUYV.
 *
 * @throws DeepsegError `ERR_FILE_NOT_FOUND`, `ERR_INPUT`, `ERR_FFMPEG_MISSING`.
 */
export async function openFileSource(path: string, options: FileSourceOptions = {}): Promise<FrameSource> {
  await assertReadable(path);
  const kind = fileKind(path);
  if (kind === 'y4m') return openY4mSource(path, options);
  if (kind === 'image') return openImageSource(path, options);
  return openVideoSource(path, options);
}

async function openY4mSource(path: string, options: FileSourceOptions): Promise<FrameSource> {
  const reader = await openY4mReader(path);
  const h = reader.header;
  const width = options.width ?? h.width;
  const height = options.height ?? h.height;
  const raw = new Uint8Array(h.width * h.height * 2);
  const scaled = width !== h.width || height !== h.height ? new Uint8Array(width * height * 2) : undefined;
  const scaler = scaled ? new YuyvScaler(h.width, h.height, width, height) : undefined;
  return {
    width,
    height,
    pixelFormat: 'YUYV',
    fps: h.fpsNum / h.fpsDen,
    live: false,
    label: `${path} (y4m C${h.colorspace} ${h.width}x${h.height})`,
    async *frames(signal: AbortSignal): AsyncGenerator<SourceFrame> {
      let n = 0;
      while (!signal.aborted && (options.frames === undefined || n < options.frames)) {
        if (!(await reader.read(raw))) return;
        if (scaler && scaled) scaler.scale(raw, scaled);
        n++;
        yield { data: scaled ?? raw, sequence: n - 1 };
      }
    },
    close: () => reader.close(),
  };
}

/**
 * Decodes an image file into one YUYV frame (sharp; EXIF orientation applied; width made even).
 *
 * @throws DeepsegError `ERR_INPUT` when sharp cannot read it.
 */
export async function readImageAsYuyv(
  path: string,
  size: { width?: number | undefined; height?: number | undefined } = {},
  option = '--input',
): Promise<{ data: Uint8Array; width: number; height: number }> {
  let image = sharp(path, { failOn: 'error' }).rotate();
  try {
    const meta = await image.metadata();
    let width = size.width ?? meta.autoOrient?.width ?? meta.width ?? 0;
    let height = size.height ?? meta.autoOrient?.height ?? meta.height ?? 0;
    width -= width % 2;
    if (width < 2 || height < 2) throw new Error(`size ${width}x${height}`);
    image = image.resize(width, height, { fit: 'cover' }).removeAlpha().toColourspace('srgb');
    const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
    width = info.width;
    height = info.height;
    const yuyv = new Uint8Array(width * height * 2);
    rgbToYuyv(data, yuyv, { width, height });
    return { data: yuyv, width, height };
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') throw fileError(path, cause, option);
    throw new DeepsegError(
      'ERR_INPUT',
      `${path} is not an image deepseg can read (${(cause as Error).message}); check ${option}`,
      {
        path,
        option,
        cause,
      },
    );
  }
}

async function openImageSource(path: string, options: FileSourceOptions): Promise<FrameSource> {
  const { data, width, height } = await readImageAsYuyv(path, options);
  const count = options.frames ?? 1;
  return {
    width,
    height,
    pixelFormat: 'YUYV',
    fps: options.fps ?? 30,
    live: false,
    label: `${path} (image ${width}x${height})`,
    async *frames(signal: AbortSignal): AsyncGenerator<SourceFrame> {
      for (let n = 0; n < count && !signal.aborted; n++) yield { data, sequence: n };
    },
    close: async () => {},
  };
}

async function openVideoSource(path: string, options: FileSourceOptions): Promise<FrameSource> {
  requireFfmpeg(`Reading the video ${path}`);
  const info = probeVideo(path);
  let width = options.width ?? info.width;
  const height = options.height ?? info.height;
  width -= width % 2;
  const frameBytes = width * height * 2;
  const running = new Set<ReturnType<typeof spawnFfmpeg>>();
  return {
    width,
    height,
    pixelFormat: 'YUYV',
    fps: info.fps,
    live: false,
    label: `${path} (video ${info.width}x${info.height} @ ${info.fps.toFixed(2)}, ffmpeg)`,
    async *frames(signal: AbortSignal): AsyncGenerator<SourceFrame> {
      const limit =
        options.frames === undefined || !Number.isFinite(options.frames)
          ? []
          : ['-frames:v', String(options.frames)];
      const ff = spawnFfmpeg([
        '-i',
        path,
        '-vf',
        `scale=${width}:${height}:flags=bicubic`,
        '-fps_mode',
        'passthrough',
        ...limit,
        '-pix_fmt',
        'yuyv422',
        '-f',
        'rawvideo',
        '-',
      ]);
      running.add(ff);
      const frame = new Uint8Array(frameBytes);
      let filled = 0;
      let n = 0;
      try {
        for await (const chunk of ff.child.stdout as AsyncIterable<Buffer>) {
          let offset = 0;
          while (offset < chunk.length) {
            const take = Math.min(chunk.length - offset, frameBytes - filled);
            frame.set(chunk.subarray(offset, offset + take), filled);
            filled += take;
            offset += take;
            if (filled === frameBytes) {
              filled = 0;
              yield { data: frame, sequence: n++ };
              if (signal.aborted) return;
            }
          }
        }
        const code = await exited(ff.child);
        if (code !== 0 && !signal.aborted) {
          throw new DeepsegError(
            'ERR_INPUT',
            `ffmpeg could not decode ${path}: ${ff.stderr() || `exit ${code}`}`,
            { path },
          );
        }
      } finally {
        if (ff.child.exitCode === null) ff.child.kill('SIGKILL');
        running.delete(ff);
      }
    },
    close: async () => {
      for (const ff of running) ff.child.kill('SIGKILL');
    },
  };
}

/** Options of {@link openFileSink}. */
export interface FileSinkOptions {
  width: number;
  height: number;
  fps: number;
}

/**
 * Opens a file as a frame sink: .y4m natively (C422, lossless), .png/.jpg through sharp (the last
 * frame), other containers through ffmpeg (H.264 for .mp4/.mkv/.mov, VP9 for .webm). Everything is
 * written to a temporary file and renamed into place on close; abort leaves no file behind.
 *
 * @throws DeepsegError `ERR_FILE_NOT_FOUND` (missing folder), `ERR_PERMISSION`, `ERR_FFMPEG_MISSING`.
 */
export async function openFileSink(path: string, options: FileSinkOptions): Promise<FrameSink> {
  const { width, height } = options;
  const kind = fileKind(path);
  const fpsDen = Number.isInteger(options.fps) ? 1 : 1001;
  const fpsNum = Math.round(options.fps * fpsDen);
  if (kind === 'y4m') {
    const writer = await openY4mWriter(path, { width, height, fpsNum, fpsDen });
    return {
      width,
      height,
      live: false,
      label: `${path} (y4m)`,
      write: (yuyv) => writer.write(yuyv),
      close: () => writer.close(),
      abort: () => writer.abort(),
    };
  }
  if (kind === 'image') {
    const tmp = tempPathFor(path);
    // fail now, not after the whole run, if the folder is not writable
    try {
      await writeFile(tmp, '');
    } catch (cause) {
      throw fileError(path, cause, '--output');
    }
    const last = new Uint8Array(width * height * 2);
    let any = false;
    return {
      width,
      height,
      live: false,
      label: `${path} (image, last frame)`,
      write(yuyv) {
        last.set(yuyv.subarray(0, last.length));
        any = true;
      },
      async close() {
        try {
          if (!any)
            throw new DeepsegError('ERR_INPUT', `No frame was produced, so ${path} was not written`, {
              path,
            });
          const rgb = Buffer.alloc(width * height * 3);
          yuyvToRgb(last, rgb, { width, height });
          await sharp(rgb, { raw: { width, height, channels: 3 } })
            .toFormat(
              extname(path).slice(1).toLowerCase() === 'jpg'
                ? 'jpeg'
                : (extname(path).slice(1).toLowerCase() as 'png'),
            )
            .toFile(tmp);
          await rename(tmp, path);
        } catch (e) {
          await unlink(tmp).catch(() => {});
          throw e;
        }
      },
      abort: () => unlink(tmp).catch(() => {}),
    };
  }
  requireFfmpeg(`Writing the video ${path}`);
  const tmp = tempPathFor(path);
  try {
    await writeFile(tmp, '');
  } catch (cause) {
    throw fileError(path, cause, '--output');
  }
  const ext = extname(path).toLowerCase();
  const codec =
    ext === '.webm'
      ? ['-c:v', 'libvpx-vp9', '-b:v', '2M']
      : ext === '.avi'
        ? ['-c:v', 'mjpeg', '-q:v', '3']
        : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20'];
  const ff = spawnFfmpeg([
    '-f',
    'rawvideo',
    '-pix_fmt',
    'yuyv422',
    '-s',
    `${width}x${height}`,
    '-r',
    `${fpsNum}/${fpsDen}`,
    '-i',
    '-',
    ...codec,
    '-pix_fmt',
    'yuv420p',
    '-y',
    tmp,
  ]);
  let failed: unknown;
  ff.child.stdin?.on('error', (e) => {
    failed = e;
  });
  let done = false;
  return {
    width,
    height,
    live: false,
    label: `${path} (ffmpeg)`,
    async write(yuyv) {
      if (failed !== undefined || ff.child.exitCode !== null) {
        throw new DeepsegError(
          'ERR_OUTPUT',
          `ffmpeg stopped while writing ${path}: ${ff.stderr() || String(failed)}`,
          {
            path,
          },
        );
      }
      const stdin = ff.child.stdin!;
      // copy: the pipeline reuses its buffer for the next frame while the pipe may still hold this one
      if (!stdin.write(Buffer.from(yuyv))) {
        await new Promise<void>((resolve) => {
          const done = () => {
            stdin.off('drain', done);
            ff.child.off('exit', done);
            resolve();
          };
          stdin.on('drain', done);
          ff.child.on('exit', done);
        });
      }
    },
    async close() {
      if (done) return;
      done = true;
      ff.child.stdin?.end();
      const code = await exited(ff.child);
      if (code !== 0) {
        await unlink(tmp).catch(() => {});
        throw new DeepsegError(
          'ERR_OUTPUT',
          `ffmpeg could not write ${path}: ${ff.stderr() || `exit ${code}`}`,
          { path },
        );
      }
      await rename(tmp, path);
    },
    async abort() {
      if (done) return;
      done = true;
      ff.child.kill('SIGKILL');
      await exited(ff.child);
      await unlink(tmp).catch(() => {});
    },
  };
}
