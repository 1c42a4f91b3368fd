import { EventEmitter } from 'node:events';
import { DeepsegError, isDeepsegError } from '@deepseg/yuyv';
import type { V4l2Binding } from './binding.ts';
import { fpsToFraction } from './capture.ts';
import { BufType, CAP_TIMEPERFRAME, Colorspace, Errno, Field } from './constants.ts';
import { getDefaultBinding } from './default-binding.ts';
import { DeviceHandle } from './device.ts';
import { deviceInfo, enumerateFormats, fractionToFps } from './discovery.ts';
import { formatUnsupported, notOutputDevice } from './errors.ts';
import { createPacer, type Pacer } from './pacer.ts';
import { fourcc, fourccName, frameGeometry, type PixelFormat } from './pixel-format.ts';
import { decodeFormat, decodeStreamparm, encodeBufType, encodeFormat, encodeStreamparm } from './structs.ts';
import {
  checkDevicePath,
  checkGeometry,
  checkOneOf,
  checkPositive,
  OUTPUT_PIXEL_FORMATS,
} from './validate.ts';

/** Colorspaces `openOutput` can declare (V4L2_COLORSPACE_*). */
export const OutputColorspace = {
  srgb: 'srgb',
  rec709: 'rec709',
  smpte170m: 'smpte170m',
  jpeg: 'jpeg',
  default: 'default',
} as const;
/** One of the {@link OutputColorspace} names. */
export type OutputColorspace = (typeof OutputColorspace)[keyof typeof OutputColorspace];

const COLORSPACE_VALUES: Record<OutputColorspace, number> = {
  srgb: Colorspace.SRGB,
  rec709: Colorspace.REC709,
  smpte170m: Colorspace.SMPTE170M,
  jpeg: Colorspace.JPEG,
  default: Colorspace.DEFAULT,
};

/** Options of {@link openOutput}. */
export interface OutputOptions {
  /** Frame width in pixels (required). */
  width: number;
  /** Frame height in pixels (required). */
  height: number;
  /** Uncompressed pixel format to write; default `YUYV` (what browsers and conferencing apps read). */
  pixelFormat?: PixelFormat;
  /** Frame rate announced with VIDIOC_S_PARM and used by `writePaced`; default 30. */
  fps?: number;
  /** Colorspace declared in the format; default `srgb` (what vivid and most webcams report). */
  colorspace?: OutputColorspace;
  /** Binding to use; default the real koffi binding. */
  binding?: V4l2Binding;
}

/** The output format the driver agreed to. */
export interface OutputFormat {
  width: number;
  height: number;
  pixelFormat: string;
  bytesperline: number;
  /** Buffer size the driver reports (v4l2loopback rounds it up to whole pages). */
  sizeimage: number;
  /** Exact size in bytes of every frame `write` takes: bytesperline × height for the format. */
  frameSize: number;
  colorspace: number;
  fps: number;
}

/**
 * A v4l2loopback device opened as the writer. The output is STREAMON'ed at open, which is what makes
 * v4l2loopback (exclusive_caps=1) advertise the device as a camera to readers; `close()` does STREAMOFF
 * and closes, so the device is free for the next writer. Emits `'gone'` with ERR_DEVICE_GONE when the
 * device vanishes; it is then closed.
 */
export class Output extends EventEmitter {
  readonly format: OutputFormat;
  readonly warnings: readonly string[];
  /** Frames written. */
  written = 0;
  private closed = false;
  private pacer: Pacer;

  /** @internal Use {@link openOutput}. */
  constructor(
    private readonly handle: DeviceHandle,
    format: OutputFormat,
    warnings: string[],
  ) {
    super();
    this.format = format;
    this.warnings = warnings;
    this.pacer = createPacer(format.fps > 0 ? format.fps : 30);
  }

  get path(): string {
    return this.handle.path;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /**
   * Writes one frame now (one write(2); the driver copies it). The frame must be exactly
   * `format.frameSize` bytes.
   *
   * @throws ERR_INVALID_OPTION (wrong size), ERR_DEVICE_GONE (the output is then closed),
   *   ERR_INVALID_STATE (after close).
   */
  write(frame: Uint8Array): void {
    if (this.closed) throw new DeepsegError('ERR_INVALID_STATE', `${this.path}: write() after close()`);
    if (!(frame instanceof Uint8Array) || frame.byteLength !== this.format.frameSize) {
      const f = this.format;
      throw new DeepsegError(
        'ERR_INVALID_OPTION',
        `Expected a frame of ${f.frameSize} bytes (${f.width}x${f.height} ${f.pixelFormat}) but received ${frame instanceof Uint8Array ? `${frame.byteLength} bytes` : typeof frame}`,
        { option: 'frame', device: this.path },
      );
    }
    let r = -Errno.EAGAIN;
    for (let attempt = 0; attempt < 3 && r === -Errno.EAGAIN; attempt++) {
      r = this.handle.binding.write(this.handle.fd, frame);
    }
    if (r < 0) {
      const error = this.handle.error(r, 'write');
      if (isDeepsegError(error, 'ERR_DEVICE_GONE')) {
        this.close();
        this.emit('gone', error);
      }
      throw error;
    }
    if (r !== frame.byteLength) {
      throw new DeepsegError('ERR_SYSCALL', `${this.path}: short write (${r} of ${frame.byteLength} bytes)`, {
        device: this.path,
      });
    }
    this.written++;
  }

  /**
   * Waits for the next frame slot at `format.fps`, then writes. Use it when frames come faster than
   * the frame rate (readers of an unpaced writer see torn frames).
   */
  async writePaced(frame: Uint8Array): Promise<void> {
    await this.pacer.wait();
    this.write(frame);
  }

  /** STREAMOFF, close. Idempotent; never throws. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.handle.isOpen) this.handle.tryIoctl('VIDIOC_STREAMOFF', encodeBufType(BufType.VIDEO_OUTPUT));
    this.handle.close();
  }
}

/**
 * Opens a v4l2loopback device as the writer: S_FMT on VIDEO_OUTPUT (with bytesperline, sizeimage and
 * colorspace), S_PARM timeperframe, then STREAMON.
 *
 * @example
 * ```ts
 * const out = await openOutput('/dev/video10', { width: 1280, height: 720, fps: 30 });
 * try { for (const frame of frames) await out.writePaced(frame); } finally { out.close(); }
 * ```
 * @throws ERR_INVALID_OPTION, ERR_DEVICE_NOT_FOUND, ERR_PERMISSION, ERR_DEVICE_BUSY,
 *   ERR_NOT_OUTPUT_DEVICE (not v4l2loopback, or it already has a writer), ERR_FORMAT_UNSUPPORTED,
 *   ERR_DEVICE_GONE, ERR_BACKEND_UNAVAILABLE.
 */
export async function openOutput(path: string, options: OutputOptions): Promise<Output> {
  checkDevicePath(path);
  const { width, height, pixelFormat } = checkGeometry(options ?? {}, OUTPUT_PIXEL_FORMATS, 'YUYV');
  const fps = checkPositive('options.fps', options.fps ?? 30, 1000);
  const colorspace = checkOneOf(
    'options.colorspace',
    options.colorspace ?? 'srgb',
    Object.values(OutputColorspace),
  );
  const binding = options.binding ?? (await getDefaultBinding());
  const handle = DeviceHandle.open(binding, path);
  try {
    const info = deviceInfo(path, handle.queryCap());
    if (!info.caps.output) throw notOutputDevice(path, info.isLoopback);
    const warnings: string[] = [];
    const code = fourcc(pixelFormat);
    const geometry = frameGeometry(pixelFormat, width, height)!;
    const fmt = encodeFormat(BufType.VIDEO_OUTPUT, {
      width,
      height,
      pixelformat: code,
      field: Field.NONE,
      bytesperline: geometry.bytesperline,
      sizeimage: geometry.sizeimage,
      colorspace: COLORSPACE_VALUES[colorspace],
      ycbcrEnc: 0,
      quantization: 0,
      xferFunc: 0,
    });
    const r = handle.tryIoctl('VIDIOC_S_FMT', fmt);
    if (r === -Errno.EINVAL) {
      const offered = enumerateFormats(handle, BufType.VIDEO_OUTPUT).map((f) => f.pixelFormat);
      throw formatUnsupported(path, 'options.pixelFormat', `${width}x${height} ${pixelFormat}`, offered);
    }
    if (r < 0) throw handle.error(r, 'VIDIOC_S_FMT');
    const got = decodeFormat(fmt).pix;
    if (got.pixelformat !== code || got.width !== width || got.height !== height) {
      throw formatUnsupported(path, 'options', `${width}x${height} ${pixelFormat}`, [
        `${got.width}x${got.height} ${fourccName(got.pixelformat).trimEnd()}`,
      ]);
    }
    if (got.sizeimage < geometry.sizeimage) {
      throw formatUnsupported(
        path,
        'options',
        `${width}x${height} ${pixelFormat} (${geometry.sizeimage} bytes)`,
        [`buffers of ${got.sizeimage} bytes`],
      );
    }

    let actualFps = fps;
    const parm = encodeStreamparm(BufType.VIDEO_OUTPUT, fpsToFraction(fps));
    const pr = handle.tryIoctl('VIDIOC_S_PARM', parm);
    if (pr < 0) {
      if (pr !== -Errno.EINVAL && pr !== -Errno.ENOTTY) throw handle.error(pr, 'VIDIOC_S_PARM');
      warnings.push(`${path} does not accept a frame rate (VIDIOC_S_PARM)`);
    } else {
      const p = decodeStreamparm(parm);
      if (p.timeperframe.numerator > 0) actualFps = fractionToFps(p.timeperframe);
      if ((p.capability & CAP_TIMEPERFRAME) === 0) warnings.push(`${path} ignores the frame rate`);
    }

    // v4l2loopback marks this handle as the writer only on STREAMON; a writer that only write()s
    // leaves the device advertising neither capture nor output after it exits.
    handle.ioctl('VIDIOC_STREAMON', encodeBufType(BufType.VIDEO_OUTPUT));
    return new Output(
      handle,
      {
        width: got.width,
        height: got.height,
        pixelFormat,
        bytesperline: got.bytesperline,
        sizeimage: got.sizeimage,
        frameSize: geometry.sizeimage,
        colorspace: got.colorspace,
        fps: actualFps,
      },
      warnings,
    );
  } catch (e) {
    handle.close();
    throw e;
  }
}
