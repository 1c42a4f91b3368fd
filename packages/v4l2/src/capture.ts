import { EventEmitter } from 'node:events';
import { DeepsegError, isDeepsegError } from '@deepseg/yuyv';
import type { Mapping, Poller, V4l2Binding } from './binding.ts';
import { BufType, CAP_TIMEPERFRAME, Errno, Field, Memory } from './constants.ts';
import { getDefaultBinding } from './default-binding.ts';
import { DeviceHandle } from './device.ts';
import {
  deviceInfo,
  enumerateFormats,
  enumerateIntervals,
  type FormatInfo,
  fractionToFps,
  type SizeInfo,
} from './discovery.ts';
import { formatUnsupported, notCaptureDevice } from './errors.ts';
import { fourcc, fourccName, frameGeometry, type PixelFormat } from './pixel-format.ts';
import {
  decodeBuffer,
  decodeFormat,
  decodeRequestbuffers,
  decodeStreamparm,
  encodeBuffer,
  encodeBufType,
  encodeFormat,
  encodeRequestbuffers,
  encodeStreamparm,
  type Fraction,
  type FrameInterval,
} from './structs.ts';
import { checkDevicePath, checkGeometry, checkInteger, checkPositive } from './validate.ts';

/** Options of {@link openCapture}. */
export interface CaptureOptions {
  /** Frame width in pixels (required). */
  width: number;
  /** Frame height in pixels (required). */
  height: number;
  /** Pixel format to negotiate: `YUYV`, `MJPG`, `NV12`, ... (required). */
  pixelFormat: PixelFormat;
  /** Frames per second to request with VIDIOC_S_PARM; default: keep the device's current rate. */
  fps?: number;
  /** Number of mmap buffers to request (2..32); default 4. The driver may grant a different count. */
  buffers?: number;
  /** Fail with ERR_FRAME_TIMEOUT when no frame arrives for this long; default 10000 ms. */
  frameTimeoutMs?: number;
  /** Binding to use; default the real koffi binding. */
  binding?: V4l2Binding;
}

/** The format the driver agreed to. */
export interface NegotiatedFormat {
  width: number;
  height: number;
  pixelFormat: string;
  bytesperline: number;
  /** Largest frame in bytes (for MJPG an upper bound; each frame's `bytesused` is the real size). */
  sizeimage: number;
  colorspace: number;
  /** Frames per second the driver reports after S_PARM (0 when it does not say). */
  fps: number;
}

/**
 * One captured frame: a zero-copy view of a driver buffer.
 *
 * Lifetime: `data` is valid until the iterator advances (the buffer then goes back to the driver,
 * which overwrites it) and must not be touched after `close()` (the memory is unmapped). Copy it
 * (`data.slice()`) to keep it longer.
 */
export interface Frame {
  /** The frame bytes, `bytesused` long. */
  data: Uint8Array;
  /**
   * Bytes of frame data: the driver's count, for uncompressed formats clamped to bytesperline x
   * height (v4l2loopback may report its page-rounded buffer size).
   */
  bytesused: number;
  /** Driver frame counter; gaps mean dropped frames. */
  sequence: number;
  /** Capture time in microseconds (CLOCK_MONOTONIC for most drivers). */
  timestamp: number;
  /** Index of the driver buffer holding the frame. */
  index: number;
}

/** Options of {@link Capture.frames}. */
export interface FramesOptions {
  /** Aborting ends the iteration without an error, like `break`. */
  signal?: AbortSignal;
}

/** Counters of a capture. */
export interface CaptureStats {
  /** Frames delivered to the consumer. */
  frames: number;
  /** Frames the driver skipped, counted from sequence gaps. */
  dropped: number;
}

interface DriverBuffer {
  index: number;
  mapping: Mapping;
  length: number;
}

const sizeLabel = (s: SizeInfo): string =>
  s.type === 'discrete'
    ? `${s.width}x${s.height}`
    : `${s.minWidth}x${s.minHeight}..${s.maxWidth}x${s.maxHeight} step ${s.stepWidth}x${s.stepHeight}`;

function sizeFits(s: SizeInfo, width: number, height: number): boolean {
  if (s.type === 'discrete') return s.width === width && s.height === height;
  const fits = (v: number, min: number, max: number, step: number) =>
    v >= min && v <= max && (step <= 1 || (v - min) % step === 0);
  return (
    fits(width, s.minWidth, s.maxWidth, s.stepWidth) && fits(height, s.minHeight, s.maxHeight, s.stepHeight)
  );
}

const fpsLabel = (fps: number): string => `${Number(fps.toFixed(3))} fps`;

/** The offered interval matching `fps` (within 0.5%), or undefined. */
function matchInterval(intervals: FrameInterval[], fps: number): Fraction | undefined {
  for (const i of intervals) {
    if (i.type === 'discrete') {
      if (Math.abs(fractionToFps(i.interval) - fps) <= fps * 0.005) return i.interval;
    } else {
      const lo = fractionToFps(i.max);
      const hi = fractionToFps(i.min);
      if (fps >= lo * 0.995 && fps <= hi * 1.005) return fpsToFraction(fps);
    }
  }
  return undefined;
}

/** A timeperframe fraction for a frame rate (`30` → 1/30, `29.97` → 1000/29970). */
export function fpsToFraction(fps: number): Fraction {
  return Number.isInteger(fps)
    ? { numerator: 1, denominator: fps }
    : { numerator: 1000, denominator: Math.round(fps * 1000) };
}

function intervalsLabel(intervals: FrameInterval[]): string[] {
  return intervals.map((i) =>
    i.type === 'discrete'
      ? fpsLabel(fractionToFps(i.interval))
      : `${fpsLabel(fractionToFps(i.max))}..${fpsLabel(fractionToFps(i.min))}`,
  );
}

/**
 * A camera opened for mmap streaming capture. Emits `'gone'` (with the ERR_DEVICE_GONE or
 * ERR_DEVICE_IO error) when the device vanishes while streaming; it is then already closed and can
 * be reopened with {@link openCapture} once the device is back.
 */
export class Capture extends EventEmitter {
  /** The negotiated format. */
  readonly format: NegotiatedFormat;
  /** Harmless oddities met while opening (e.g. the driver ignored the frame rate). */
  readonly warnings: readonly string[];
  readonly stats: CaptureStats = { frames: 0, dropped: 0 };
  private readonly poller: Poller;
  private iterating = false;
  private closed = false;
  private lastSequence = -1;

  /** @internal Use {@link openCapture}. */
  constructor(
    private readonly handle: DeviceHandle,
    private readonly buffers: DriverBuffer[],
    format: NegotiatedFormat,
    warnings: string[],
    private readonly frameTimeoutMs: number,
    private readonly quirks: { loopback: boolean; frameBytes: number | undefined },
  ) {
    super();
    this.format = format;
    this.warnings = warnings;
    this.poller = handle.binding.poller(handle.fd);
  }

  /** The device path. */
  get path(): string {
    return this.handle.path;
  }

  /** True until `close()` (or a vanished device) released the device. */
  get isOpen(): boolean {
    return !this.closed;
  }

  /**
   * Streams frames: queues every buffer, STREAMON, then yields each dequeued buffer as a zero-copy
   * {@link Frame} valid until the next iteration. `break`, `return` or aborting `signal` requeues
   * and stops streaming (STREAMOFF); calling `frames()` again restarts it. Waiting uses the event
   * loop's poller, never a blocking call.
   *
   * @example
   * ```ts
   * for await (const frame of camera.frames({ signal })) process(frame.data);
   * ```
   * @throws ERR_DEVICE_GONE (unplugged; the capture is closed), ERR_DEVICE_IO, ERR_FRAME_TIMEOUT,
   *   ERR_INVALID_STATE (closed, or another iteration is running).
   */
  async *frames(options: FramesOptions = {}): AsyncGenerator<Frame, void, undefined> {
    if (this.closed) throw new DeepsegError('ERR_INVALID_STATE', `${this.path}: frames() after close()`);
    if (this.iterating) {
      throw new DeepsegError('ERR_INVALID_STATE', `${this.path}: only one frames() iteration at a time`);
    }
    const { signal } = options;
    this.iterating = true;
    const arg = encodeBuffer(BufType.VIDEO_CAPTURE, Memory.MMAP);
    let streaming = false;
    try {
      for (const b of this.buffers) this.queue(b.index, arg);
      this.ioctl('VIDIOC_STREAMON', encodeBufType(BufType.VIDEO_CAPTURE));
      streaming = true;
      let held: number | undefined;
      while (!signal?.aborted && !this.closed) {
        if (held !== undefined) {
          this.queue(held, arg);
          held = undefined;
        }
        const info = await this.dequeue(arg, signal);
        if (info === undefined) break;
        const buffer = this.buffers[info.index];
        if (!buffer)
          throw new DeepsegError('ERR_INVALID_STATE', `${this.path}: driver returned buffer ${info.index}`);
        held = info.index;
        let bytesused = info.bytesused;
        if (this.quirks.frameBytes !== undefined) {
          // Uncompressed: the frame is exactly bytesperline x height. v4l2loopback reports its
          // page-rounded sizeimage for a buffer whose metadata a reader's REQBUFS reset.
          bytesused = Math.min(bytesused, this.quirks.frameBytes);
        } else if (this.quirks.loopback && info.sequence === 0 && bytesused >= this.format.sizeimage) {
          // Compressed, from v4l2loopback: a reset buffer (sequence 0, bytesused = the whole buffer)
          // holds no complete frame; skip it.
          continue;
        }
        if (this.lastSequence >= 0 && info.sequence > this.lastSequence + 1) {
          this.stats.dropped += info.sequence - this.lastSequence - 1;
        }
        this.lastSequence = info.sequence;
        this.stats.frames++;
        yield {
          data: buffer.mapping.bytes.subarray(0, bytesused),
          bytesused,
          sequence: info.sequence,
          timestamp: info.timestamp,
          index: info.index,
        };
      }
    } catch (e) {
      if (isDeepsegError(e, 'ERR_DEVICE_GONE') || isDeepsegError(e, 'ERR_DEVICE_IO')) {
        streaming = false;
        this.close();
        this.emit('gone', e);
      }
      throw e;
    } finally {
      this.iterating = false;
      // STREAMOFF also takes every buffer back from the driver, so the next frames() can requeue.
      if (streaming && !this.closed)
        this.handle.tryIoctl('VIDIOC_STREAMOFF', encodeBufType(BufType.VIDEO_CAPTURE));
      this.lastSequence = -1;
    }
  }

  /** Stops streaming, unmaps every buffer and closes the device. Idempotent; never throws. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.poller.close(); // before close(2): libuv must stop watching the descriptor first
    if (this.handle.isOpen) this.handle.tryIoctl('VIDIOC_STREAMOFF', encodeBufType(BufType.VIDEO_CAPTURE));
    for (const b of this.buffers) this.handle.binding.munmap(b.mapping);
    this.buffers.length = 0;
    this.handle.close();
  }

  private ioctl(name: 'VIDIOC_STREAMON' | 'VIDIOC_QBUF', arg: Uint8Array): void {
    this.handle.ioctl(name, arg);
  }

  private queue(index: number, arg: Uint8Array): void {
    arg.fill(0);
    const v = new DataView(arg.buffer, arg.byteOffset, arg.byteLength);
    v.setUint32(0, index, true);
    v.setUint32(4, BufType.VIDEO_CAPTURE, true);
    v.setUint32(60, Memory.MMAP, true);
    this.ioctl('VIDIOC_QBUF', arg);
  }

  /** DQBUF, waiting on the poller while the driver has nothing (EAGAIN). Undefined when stopped. */
  private async dequeue(arg: Uint8Array, signal: AbortSignal | undefined) {
    const deadline = Date.now() + this.frameTimeoutMs;
    for (;;) {
      arg.fill(0);
      const v = new DataView(arg.buffer, arg.byteOffset, arg.byteLength);
      v.setUint32(4, BufType.VIDEO_CAPTURE, true);
      v.setUint32(60, Memory.MMAP, true);
      const r = this.handle.tryIoctl('VIDIOC_DQBUF', arg);
      if (r >= 0) return decodeBuffer(arg);
      if (this.closed) return undefined;
      if (r !== -Errno.EAGAIN) throw this.handle.error(r, 'VIDIOC_DQBUF');
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new DeepsegError(
          'ERR_FRAME_TIMEOUT',
          `${this.path} delivered no frame for ${this.frameTimeoutMs} ms: check the camera (for v4l2loopback: is the writer running?)`,
          { device: this.path },
        );
      }
      const outcome = await waitReadable(this.poller, left, signal);
      if (outcome === 'aborted' || this.closed) return undefined;
    }
  }
}

/** Waits on the poller, bounded by `ms` and an abort signal. */
async function waitReadable(
  poller: Poller,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<'ready' | 'timeout' | 'aborted'> {
  if (signal?.aborted) return 'aborted';
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      poller.wait().then(() => 'ready' as const),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), ms);
      }),
      new Promise<'aborted'>((resolve) => {
        onAbort = () => resolve('aborted');
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Opens a camera for mmap streaming capture. Checks the requested format, size and frame rate against
 * what the device enumerates, negotiates them with VIDIOC_S_FMT / VIDIOC_S_PARM, requests and maps
 * the buffers. Streaming starts with the first `frames()` iteration.
 *
 * @example
 * ```ts
 * const camera = await openCapture('/dev/video0', { width: 640, height: 480, pixelFormat: 'YUYV', fps: 30 });
 * try {
 *   for await (const frame of camera.frames()) { console.log(frame.sequence, frame.bytesused); break; }
 * } finally { camera.close(); }
 * ```
 * @throws ERR_INVALID_OPTION, ERR_DEVICE_NOT_FOUND (lists the devices that exist), ERR_PERMISSION,
 *   ERR_DEVICE_BUSY, ERR_NOT_CAPTURE_DEVICE, ERR_FORMAT_UNSUPPORTED (lists what is offered),
 *   ERR_DEVICE_GONE, ERR_BACKEND_UNAVAILABLE.
 */
export async function openCapture(path: string, options: CaptureOptions): Promise<Capture> {
  checkDevicePath(path);
  const { width, height, pixelFormat } = checkGeometry(options ?? {});
  const fps = options.fps === undefined ? undefined : checkPositive('options.fps', options.fps, 1000);
  const bufferCount = checkInteger('options.buffers', options.buffers ?? 4, 2, 32);
  const frameTimeoutMs = checkInteger(
    'options.frameTimeoutMs',
    options.frameTimeoutMs ?? 10_000,
    1,
    3_600_000,
  );
  const binding = options.binding ?? (await getDefaultBinding());

  const handle = DeviceHandle.open(binding, path);
  const buffers: DriverBuffer[] = [];
  try {
    const info = deviceInfo(path, handle.queryCap());
    if (!info.caps.capture) throw notCaptureDevice(path, info.isLoopback);
    if (!info.caps.streaming) {
      throw new DeepsegError(
        'ERR_UNSUPPORTED_OP',
        `${path} does not support streaming I/O (V4L2_CAP_STREAMING)`,
        {
          device: path,
        },
      );
    }
    const warnings: string[] = [];
    const code = fourcc(pixelFormat);
    const formats = enumerateFormats(handle, BufType.VIDEO_CAPTURE);
    const offered = formats.find((f) => f.fourcc === code);
    if (formats.length > 0 && !offered) {
      throw formatUnsupported(
        path,
        'options.pixelFormat',
        pixelFormat,
        formats.map((f) => f.pixelFormat),
      );
    }
    let interval: Fraction | undefined;
    if (offered) interval = checkSizeAndRate(handle, offered, width, height, fps);

    // S_FMT, then accept only what was asked for: drivers silently adjust to the nearest they have.
    const geometry = frameGeometry(pixelFormat, width, height);
    const fmt = encodeFormat(BufType.VIDEO_CAPTURE, {
      width,
      height,
      pixelformat: code,
      field: Field.NONE,
      bytesperline: geometry?.bytesperline ?? 0,
      sizeimage: geometry?.sizeimage ?? 0,
      colorspace: 0,
      ycbcrEnc: 0,
      quantization: 0,
      xferFunc: 0,
    });
    handle.ioctl('VIDIOC_S_FMT', fmt);
    const got = decodeFormat(fmt).pix;
    if (got.pixelformat !== code) {
      throw formatUnsupported(path, 'options.pixelFormat', pixelFormat, [
        fourccName(got.pixelformat).trimEnd(),
      ]);
    }
    if (got.width !== width || got.height !== height) {
      throw formatUnsupported(path, 'options.width/height', `${width}x${height}`, [
        `${got.width}x${got.height}`,
      ]);
    }

    let actualFps = 0;
    if (fps !== undefined) {
      const parm = encodeStreamparm(BufType.VIDEO_CAPTURE, interval ?? fpsToFraction(fps));
      const r = handle.tryIoctl('VIDIOC_S_PARM', parm);
      if (r === -Errno.EINVAL || r === -Errno.ENOTTY) {
        warnings.push(`${path} does not accept a frame rate (VIDIOC_S_PARM); it runs at its own rate`);
      } else if (r < 0) {
        throw handle.error(r, 'VIDIOC_S_PARM');
      } else {
        const p = decodeStreamparm(parm);
        actualFps = fractionToFps(p.timeperframe);
        if ((p.capability & CAP_TIMEPERFRAME) === 0) {
          warnings.push(`${path} ignores the frame rate (no V4L2_CAP_TIMEPERFRAME)`);
        } else if (Math.abs(actualFps - fps) > fps * 0.005) {
          throw formatUnsupported(path, 'options.fps', fpsLabel(fps), [fpsLabel(actualFps)]);
        }
      }
    } else {
      const parm = encodeStreamparm(BufType.VIDEO_CAPTURE);
      if (handle.tryIoctl('VIDIOC_G_PARM', parm) >= 0)
        actualFps = fractionToFps(decodeStreamparm(parm).timeperframe);
    }

    const req = encodeRequestbuffers(bufferCount, BufType.VIDEO_CAPTURE, Memory.MMAP);
    handle.ioctl('VIDIOC_REQBUFS', req);
    const granted = decodeRequestbuffers(req).count;
    if (granted < 1) {
      throw new DeepsegError('ERR_SYSCALL', `${path} granted no capture buffers (VIDIOC_REQBUFS)`, {
        device: path,
        ioctl: 'VIDIOC_REQBUFS',
      });
    }
    for (let index = 0; index < granted; index++) {
      const q = encodeBuffer(BufType.VIDEO_CAPTURE, Memory.MMAP, index);
      handle.ioctl('VIDIOC_QUERYBUF', q);
      const b = decodeBuffer(q);
      const mapping = binding.mmap(handle.fd, b.length, b.offset);
      if (typeof mapping === 'number') throw handle.error(mapping, 'mmap');
      buffers.push({ index, mapping, length: b.length });
    }
    const format: NegotiatedFormat = {
      width: got.width,
      height: got.height,
      pixelFormat,
      bytesperline: got.bytesperline,
      sizeimage: got.sizeimage,
      colorspace: got.colorspace,
      fps: actualFps,
    };
    return new Capture(handle, buffers, format, warnings, frameTimeoutMs, {
      loopback: info.isLoopback,
      frameBytes: frameGeometry(pixelFormat, got.width, got.height)?.sizeimage,
    });
  } catch (e) {
    for (const b of buffers) binding.munmap(b.mapping);
    handle.close();
    throw e;
  }
}

/** Checks size and rate against the enumerated ones; returns the matched interval. */
function checkSizeAndRate(
  handle: DeviceHandle,
  format: FormatInfo,
  width: number,
  height: number,
  fps: number | undefined,
): Fraction | undefined {
  const path = handle.path;
  if (format.sizes.length === 0) return undefined; // driver does not enumerate: S_FMT decides
  const size = format.sizes.find((s) => sizeFits(s, width, height));
  if (!size) {
    throw formatUnsupported(
      path,
      'options.width/height',
      `${width}x${height} ${format.pixelFormat}`,
      format.sizes.map(sizeLabel),
    );
  }
  if (fps === undefined) return undefined;
  // Ranges of sizes were enumerated at their largest size: ask again at the requested one.
  const intervals =
    size.type === 'discrete' ? size.intervals : enumerateIntervals(handle, format.fourcc, width, height);
  if (intervals.length === 0) return undefined;
  const match = matchInterval(intervals, fps);
  if (!match) {
    throw formatUnsupported(
      path,
      'options.fps',
      `${fpsLabel(fps)} at ${width}x${height} ${format.pixelFormat}`,
      intervalsLabel(intervals),
    );
  }
  return match;
}
