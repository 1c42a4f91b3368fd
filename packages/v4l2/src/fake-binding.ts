// A scriptable in-memory V4L2 "kernel" behind the same binding interface as koffi: it decodes the
// very ioctl argument bytes the real binding hands to the kernel, so discovery, capture and output
// run unchanged on it. State lives in the instance (no globals). For unit tests only.
import type { Mapping, Poller, V4l2Binding } from './binding.ts';
import { BufFlag, BufType, CAP_TIMEPERFRAME, Cap, Errno, Field, Memory } from './constants.ts';
import { type IoctlName, ioctlName } from './ioctl.ts';
import { fourcc, frameGeometry } from './pixel-format.ts';
import {
  type Capability,
  dataView,
  decodeBuffer,
  decodeFormat,
  decodeFrmivalenum,
  decodeFrmsizeenum,
  decodeRequestbuffers,
  decodeStreamparm,
  encodeCapability,
  type Fraction,
  type FrameSize,
  type PixFormat,
  writeBuffer,
  writeFmtdesc,
  writeFrmivalenum,
  writeFrmsizeenum,
  writePixFormat,
  writeTimeperframe,
} from './structs.ts';
import { checkIoctlArg } from './validate.ts';

/** One format of a fake camera. */
export interface FakeFormat {
  /** FourCC name, e.g. `YUYV`, `MJPG`. */
  pixelFormat: string;
  description?: string;
  /** Sizes offered: discrete sizes or one range. */
  sizes: FrameSize[];
  /** Frame intervals offered at every size; default 1/30, 1/15. */
  intervals?: Fraction[];
}

/** What a fake frame source receives. */
export interface FakeFrameRequest {
  sequence: number;
  width: number;
  height: number;
  pixelFormat: string;
  sizeimage: number;
}

/** Description of a fake device for {@link FakeV4l2.addDevice}. */
export interface FakeDeviceSpec {
  /** `camera` captures; `loopback` behaves like v4l2loopback (exclusive_caps=1 by default). */
  kind: 'camera' | 'loopback';
  /** Node path; default the next free `/dev/videoN`. */
  path?: string;
  driver?: string;
  card?: string;
  bus?: string;
  /** Camera formats; default YUYV and MJPG at 640x480 and 1280x720, 30 and 15 fps. */
  formats?: FakeFormat[];
  /**
   * Camera frame contents: a function of the frame, or a list cycled through. Default: every byte
   * of frame n is n mod 256. (MJPG frames may be shorter than sizeimage: bytesused follows them.)
   */
  frames?: ((request: FakeFrameRequest) => Uint8Array) | Uint8Array[];
  /** `realtime` (default) delivers frames at the negotiated rate; `instant` as fast as asked. */
  pace?: 'realtime' | 'instant';
  /** Sequence numbers the camera skips (to simulate dropped frames). */
  dropSequences?: Iterable<number>;
  /** open(2) fails with this errno (e.g. Errno.EACCES for a device outside the video group). */
  openErrno?: number;
  /** Loopback only: advertise capture and output at all times (exclusive_caps=0). */
  announceAllCaps?: boolean;
}

interface FakeBuffer {
  index: number;
  bytes: Uint8Array;
  offset: number;
  queued: boolean;
  done: boolean;
  info?: { bytesused: number; sequence: number; timestamp: number };
}

interface Queue {
  owner: number;
  type: number;
  buffers: FakeBuffer[];
  streaming: boolean;
  streamStart: number;
  sequence: number;
  lastDelivered: number;
}

/** A device of a {@link FakeV4l2}: inspect it and script it from tests. */
export class FakeDevice {
  readonly path: string;
  readonly spec: FakeDeviceSpec;
  /** Copies of every frame written to this (loopback) device, in order. */
  readonly written: Uint8Array[] = [];
  /** True after `unplug()`. */
  gone = false;
  /** @internal */ format: PixFormat;
  /** @internal */ outputFormat: PixFormat | undefined;
  /** @internal */ timeperframe: Fraction = { numerator: 1, denominator: 30 };
  /** @internal */ queue: Queue | undefined;
  /** @internal */ writerFd: number | undefined;
  /** @internal */ writerStreaming = false;
  /** @internal write-only writer closed without STREAMON (v4l2loopback's stuck state, fact 2) */ stuck = false;
  /** @internal */ writeSequence = 0;
  /** @internal */ latest: { bytes: Uint8Array; sequence: number; timestamp: number } | undefined;
  /** @internal */ readonly waiters = new Set<() => void>();
  /** @internal */ readonly drop: Set<number>;

  constructor(path: string, spec: FakeDeviceSpec) {
    this.path = path;
    this.spec = spec;
    this.drop = new Set(spec.dropSequences ?? []);
    const first = this.formats[0];
    const size = first?.sizes[0];
    const w = size ? (size.type === 'discrete' ? size.width : size.minWidth) : 640;
    const h = size ? (size.type === 'discrete' ? size.height : size.minHeight) : 480;
    this.format = makePix(first?.pixelFormat ?? 'YUYV', w, h);
  }

  get isLoopback(): boolean {
    return this.spec.kind === 'loopback';
  }

  /** Capture formats currently offered (for a loopback: the writer's, once it streams). */
  get formats(): FakeFormat[] {
    if (this.isLoopback) {
      const f = this.outputFormat;
      if (!f || !this.readyForCapture) return [];
      return [
        {
          pixelFormat: fourccText(f.pixelformat),
          sizes: [{ type: 'discrete', width: f.width, height: f.height }],
          intervals: [this.timeperframe],
        },
      ];
    }
    return this.spec.formats ?? DEFAULT_FORMATS;
  }

  /** @internal */ get readyForCapture(): boolean {
    return this.writerStreaming || (this.writerFd !== undefined && !this.stuck);
  }

  /** Device capabilities right now (v4l2loopback's exclusive_caps switch included). */
  get deviceCaps(): number {
    let caps = Cap.STREAMING | Cap.EXT_PIX_FORMAT;
    if (!this.isLoopback) return caps | Cap.VIDEO_CAPTURE | Cap.READWRITE;
    caps |= Cap.READWRITE;
    if (this.spec.announceAllCaps) return caps | Cap.VIDEO_CAPTURE | Cap.VIDEO_OUTPUT;
    if (this.readyForCapture) caps |= Cap.VIDEO_CAPTURE;
    else if (this.writerFd === undefined && !this.stuck) caps |= Cap.VIDEO_OUTPUT;
    return caps;
  }

  /** Simulates unplugging: ioctls on open descriptors fail with ENODEV, waits wake up, open gives ENOENT. */
  unplug(): void {
    this.gone = true;
    this.notify();
  }

  /** @internal */ notify(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }
}

const DEFAULT_FORMATS: FakeFormat[] = [
  {
    pixelFormat: 'YUYV',
    description: 'YUYV 4:2:2',
    sizes: [
      { type: 'discrete', width: 640, height: 480 },
      { type: 'discrete', width: 1280, height: 720 },
    ],
  },
  {
    pixelFormat: 'MJPG',
    description: 'Motion-JPEG',
    sizes: [
      { type: 'discrete', width: 640, height: 480 },
      { type: 'discrete', width: 1280, height: 720 },
    ],
  },
];
const DEFAULT_INTERVALS: Fraction[] = [
  { numerator: 1, denominator: 30 },
  { numerator: 1, denominator: 15 },
];

function fourccText(code: number): string {
  return String.fromCharCode(code & 0xff, (code >>> 8) & 0xff, (code >>> 16) & 0xff, (code >>> 24) & 0xff);
}

function makePix(pixelFormat: string, width: number, height: number): PixFormat {
  const g = frameGeometry(pixelFormat, width, height);
  return {
    width,
    height,
    pixelformat: fourcc(pixelFormat.padEnd(4, ' ')),
    field: Field.NONE,
    bytesperline: g?.bytesperline ?? 0,
    sizeimage: g?.sizeimage ?? width * height * 2,
    colorspace: 8,
    ycbcrEnc: 0,
    quantization: 0,
    xferFunc: 0,
  };
}

interface OpenFile {
  fd: number;
  device: FakeDevice;
  wroteWithoutStreamon: boolean;
  readerSequence: number;
  /** v4l2loopback's REQBUFS resets every buffer's metadata (bytesused = sizeimage, sequence 0). */
  staleFirst: boolean;
}

const PAGE = 4096;

/**
 * The scriptable fake binding (`@deepseg/v4l2/fake`). Pass it as `options.binding`.
 *
 * @example
 * ```ts
 * const fake = new FakeV4l2();
 * const cam = fake.addDevice({ kind: 'camera' });
 * const camera = await openCapture(cam.path, { width: 640, height: 480, pixelFormat: 'YUYV', binding: fake });
 * ```
 */
export class FakeV4l2 implements V4l2Binding {
  readonly name = 'fake';
  private readonly devices = new Map<string, FakeDevice>();
  private readonly files = new Map<number, OpenFile>();
  private readonly mappings = new Set<Mapping>();
  private readonly failures: { ioctl: IoctlName | undefined; errno: number; path: string | undefined }[] = [];
  private nextFd = 100;
  private nextNode = 0;
  private readonly clock: () => number;

  /** @param options.now clock in ms for realtime pacing (default performance.now). */
  constructor(options: { now?: () => number } = {}) {
    this.clock = options.now ?? (() => performance.now());
  }

  /** Adds a device; returns its handle for scripting and inspection. */
  addDevice(spec: FakeDeviceSpec): FakeDevice {
    const path = spec.path ?? `/dev/video${this.nextNode++}`;
    const device = new FakeDevice(path, spec);
    this.devices.set(path, device);
    return device;
  }

  /** The device at `path`. */
  device(path: string): FakeDevice {
    const d = this.devices.get(path);
    if (!d) throw new Error(`fake: no device ${path}`);
    return d;
  }

  /** Makes the next matching ioctl (any, or the named one, optionally on one device) fail with `errno`. */
  failNextIoctl(errno: number, options: { ioctl?: IoctlName; path?: string } = {}): void {
    this.failures.push({ ioctl: options.ioctl, errno, path: options.path });
  }

  /** Descriptors currently open (a test checks every exit path closes them). */
  get openDescriptors(): number {
    return this.files.size;
  }

  /** Buffers currently mapped (a test checks every exit path unmaps them). */
  get liveMappings(): number {
    return this.mappings.size;
  }

  listNodes(): string[] {
    return [...this.devices.values()]
      .filter((d) => !d.gone)
      .map((d) => d.path)
      .sort((a, b) => Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, '')));
  }

  open(path: string, _flags: number): number {
    const device = this.devices.get(path);
    if (!device || device.gone) return -Errno.ENOENT;
    if (device.spec.openErrno) return -device.spec.openErrno;
    const fd = this.nextFd++;
    this.files.set(fd, { fd, device, wroteWithoutStreamon: false, readerSequence: -1, staleFirst: false });
    return fd;
  }

  close(fd: number): number {
    const file = this.files.get(fd);
    if (!file) return -Errno.EBADF;
    this.files.delete(fd);
    const d = file.device;
    if (d.queue?.owner === fd) d.queue = undefined;
    if (d.writerFd === fd) {
      d.writerFd = undefined;
      if (d.writerStreaming) d.writerStreaming = false;
      else if (file.wroteWithoutStreamon) d.stuck = true;
      d.notify();
    }
    return 0;
  }

  ioctl(fd: number, request: number, arg: Uint8Array): number {
    checkIoctlArg(request, arg);
    const file = this.files.get(fd);
    if (!file) return -Errno.EBADF;
    const name = ioctlName(request);
    const i = this.failures.findIndex(
      (f) =>
        (f.ioctl === undefined || f.ioctl === name) && (f.path === undefined || f.path === file.device.path),
    );
    if (i >= 0) return -this.failures.splice(i, 1)[0]!.errno;
    if (file.device.gone) return -Errno.ENODEV;
    return this.handle(file, name as IoctlName, arg);
  }

  mmap(fd: number, length: number, offset: number): Mapping | number {
    const file = this.files.get(fd);
    if (!file) return -Errno.EBADF;
    if (file.device.gone) return -Errno.ENODEV;
    const b = file.device.queue?.buffers.find((x) => x.offset === offset);
    if (!b || length > b.bytes.byteLength) return -Errno.EINVAL;
    const mapping: Mapping = { bytes: b.bytes.subarray(0, length) };
    this.mappings.add(mapping);
    return mapping;
  }

  munmap(mapping: Mapping): number {
    return this.mappings.delete(mapping) ? 0 : -Errno.EINVAL;
  }

  write(fd: number, data: Uint8Array): number {
    const file = this.files.get(fd);
    if (!file) return -Errno.EBADF;
    const d = file.device;
    if (d.gone) return -Errno.ENODEV;
    if (!d.isLoopback || !d.outputFormat) return -Errno.EINVAL;
    if (d.writerFd === undefined) d.writerFd = fd;
    if (d.writerFd !== fd) return -Errno.EBUSY;
    if (!d.writerStreaming) file.wroteWithoutStreamon = true;
    const count = Math.min(data.byteLength, d.outputFormat.sizeimage);
    const bytes = data.slice(0, count);
    d.written.push(bytes);
    d.latest = { bytes, sequence: d.writeSequence++, timestamp: Math.round(this.clock() * 1000) };
    d.notify();
    return count;
  }

  poller(fd: number): Poller {
    let closed = false;
    let cancel: (() => void) | undefined;
    return {
      wait: () => {
        const file = this.files.get(fd);
        if (closed || !file) return Promise.resolve();
        return new Promise<void>((resolve) => {
          const d = file.device;
          let timer: NodeJS.Timeout | undefined;
          const done = () => {
            clearTimeout(timer);
            d.waiters.delete(done);
            cancel = undefined;
            resolve();
          };
          cancel = done;
          d.waiters.add(done);
          const due = this.nextFrameDue(file);
          if (due !== undefined) timer = setTimeout(done, Math.max(0, due - this.clock()));
        });
      },
      close: () => {
        closed = true;
        cancel?.();
      },
    };
  }

  // --- the "driver" ---------------------------------------------------------------------------------

  private nextFrameDue(file: OpenFile): number | undefined {
    const d = file.device;
    const q = d.queue;
    if (!q?.streaming || q.owner !== file.fd || d.isLoopback) return undefined;
    if (d.spec.pace === 'instant') return this.clock();
    return q.streamStart + (q.sequence + 1) * intervalMs(d.timeperframe);
  }

  private handle(file: OpenFile, name: IoctlName, arg: Uint8Array): number {
    const d = file.device;
    const v = dataView(arg);
    switch (name) {
      case 'VIDIOC_QUERYCAP': {
        const cap: Capability = {
          driver: d.spec.driver ?? (d.isLoopback ? 'v4l2 loopback' : 'fake'),
          card: d.spec.card ?? (d.isLoopback ? 'Dummy video device' : 'Fake Camera'),
          busInfo: d.spec.bus ?? `platform:fake-${d.path.replace(/\D/g, '')}`,
          version: (6 << 16) | (1 << 8),
          capabilities: (d.deviceCaps | Cap.DEVICE_CAPS) >>> 0,
          deviceCaps: d.deviceCaps,
        };
        encodeCapability(arg, cap);
        return 0;
      }
      case 'VIDIOC_ENUM_FMT': {
        const index = v.getUint32(0, true);
        const type = v.getUint32(4, true);
        const list = this.formatsFor(d, type);
        const f = list?.[index];
        if (!f) return -Errno.EINVAL;
        writeFmtdesc(arg, {
          flags: f.pixelFormat === 'MJPG' ? 1 : 0,
          description: f.description ?? f.pixelFormat,
          pixelformat: fourcc(f.pixelFormat.padEnd(4, ' ')),
        });
        return 0;
      }
      case 'VIDIOC_ENUM_FRAMESIZES': {
        const index = v.getUint32(0, true);
        const f = d.formats.find((x) => fourcc(x.pixelFormat.padEnd(4, ' ')) === v.getUint32(4, true));
        const size = f?.sizes[index];
        if (!size) return -Errno.EINVAL;
        writeFrmsizeenum(arg, size);
        // round-trip through the shared decoder keeps the fake honest about the layout
        decodeFrmsizeenum(arg);
        return 0;
      }
      case 'VIDIOC_ENUM_FRAMEINTERVALS': {
        const index = v.getUint32(0, true);
        const f = d.formats.find((x) => fourcc(x.pixelFormat.padEnd(4, ' ')) === v.getUint32(4, true));
        const w = v.getUint32(8, true);
        const h = v.getUint32(12, true);
        if (!f?.sizes.some((s) => fitsSize(s, w, h))) return -Errno.EINVAL;
        const interval = (f.intervals ?? DEFAULT_INTERVALS)[index];
        if (!interval) return -Errno.EINVAL;
        writeFrmivalenum(arg, { type: 'discrete', interval });
        decodeFrmivalenum(arg);
        return 0;
      }
      case 'VIDIOC_G_FMT': {
        const type = v.getUint32(0, true);
        const pix = type === BufType.VIDEO_OUTPUT ? d.outputFormat : this.captureFormat(d);
        if (!pix || !this.typeAllowed(d, type)) return -Errno.EINVAL;
        writePixFormat(arg, pix);
        return 0;
      }
      case 'VIDIOC_S_FMT':
      case 'VIDIOC_TRY_FMT':
        return this.setFormat(file, arg, name === 'VIDIOC_TRY_FMT');
      case 'VIDIOC_G_PARM':
      case 'VIDIOC_S_PARM': {
        const p = decodeStreamparm(arg);
        if (!this.typeAllowed(d, p.type)) return -Errno.EINVAL;
        if (name === 'VIDIOC_S_PARM' && p.timeperframe.numerator > 0 && p.timeperframe.denominator > 0) {
          d.timeperframe = this.nearestInterval(d, p.timeperframe);
        }
        writeTimeperframe(arg, d.timeperframe, CAP_TIMEPERFRAME);
        return 0;
      }
      case 'VIDIOC_REQBUFS':
        return this.reqbufs(file, arg);
      case 'VIDIOC_QUERYBUF':
      case 'VIDIOC_QBUF': {
        const req = decodeBuffer(arg);
        const q = d.queue;
        if (!q || q.owner !== file.fd) return -Errno.EINVAL;
        const b = q.buffers[req.index];
        if (!b || req.type !== q.type || req.memory !== Memory.MMAP) return -Errno.EINVAL;
        if (name === 'VIDIOC_QBUF') {
          if (b.queued) return -Errno.EINVAL;
          b.queued = true;
          b.done = false;
        }
        this.describeBuffer(arg, q, b);
        return 0;
      }
      case 'VIDIOC_DQBUF':
        return this.dqbuf(file, arg);
      case 'VIDIOC_STREAMON':
      case 'VIDIOC_STREAMOFF': {
        const type = v.getUint32(0, true);
        if (!this.typeAllowed(d, type) && !(name === 'VIDIOC_STREAMOFF' && d.writerFd === file.fd)) {
          return -Errno.EINVAL;
        }
        if (type === BufType.VIDEO_OUTPUT) {
          if (!d.isLoopback) return -Errno.EINVAL;
          if (name === 'VIDIOC_STREAMON') {
            if (!d.outputFormat) return -Errno.EINVAL;
            d.writerFd = file.fd;
            d.writerStreaming = true;
          } else if (d.writerFd === file.fd) {
            d.writerStreaming = false;
            d.writerFd = undefined;
          }
          d.notify();
          return 0;
        }
        const q = d.queue;
        if (!q || q.owner !== file.fd) return -Errno.EINVAL;
        if (name === 'VIDIOC_STREAMON') {
          if (!q.streaming) {
            q.streaming = true;
            q.streamStart = this.clock();
            q.sequence = -1;
          }
        } else {
          q.streaming = false;
          for (const b of q.buffers) {
            b.queued = false;
            b.done = false;
          }
        }
        return 0;
      }
      default:
        return -Errno.ENOTTY;
    }
  }

  private typeAllowed(d: FakeDevice, type: number): boolean {
    const caps = d.deviceCaps;
    if (type === BufType.VIDEO_CAPTURE) return (caps & Cap.VIDEO_CAPTURE) !== 0;
    if (type === BufType.VIDEO_OUTPUT) return (caps & Cap.VIDEO_OUTPUT) !== 0 || d.writerFd !== undefined;
    return false;
  }

  private formatsFor(d: FakeDevice, type: number): FakeFormat[] | undefined {
    if (!this.typeAllowed(d, type)) return undefined;
    if (type === BufType.VIDEO_OUTPUT) {
      return ['YUYV', 'UYVY', 'NV12', 'YU12', 'RGB3', 'BGR3', 'GREY'].map((pixelFormat) => ({
        pixelFormat,
        sizes: [
          {
            type: 'stepwise',
            minWidth: 2,
            maxWidth: 8192,
            stepWidth: 1,
            minHeight: 2,
            maxHeight: 8192,
            stepHeight: 1,
          },
        ],
      }));
    }
    return d.formats;
  }

  private captureFormat(d: FakeDevice): PixFormat | undefined {
    return d.isLoopback ? (d.readyForCapture ? d.outputFormat : undefined) : d.format;
  }

  private setFormat(file: OpenFile, arg: Uint8Array, tryOnly: boolean): number {
    const d = file.device;
    const { type, pix } = decodeFormat(arg);
    if (!this.typeAllowed(d, type)) return -Errno.EINVAL;
    let result: PixFormat;
    if (type === BufType.VIDEO_OUTPUT) {
      const name = fourccText(pix.pixelformat).trimEnd();
      const fmt = frameGeometry(name, pix.width, pix.height) || name === 'MJPG' ? name : 'YUYV';
      const w = clamp(pix.width, 2, 8192);
      const h = clamp(pix.height, 2, 8192);
      const made = makePix(fmt, w, h);
      // like v4l2loopback, which rounds the buffer up to whole pages
      result = {
        ...made,
        sizeimage: Math.ceil(made.sizeimage / PAGE) * PAGE,
        colorspace: pix.colorspace || 8,
      };
      if (!tryOnly) {
        if (d.writerStreaming && d.writerFd !== file.fd) return -Errno.EBUSY;
        d.outputFormat = result;
      }
    } else if (d.isLoopback) {
      // v4l2loopback readers get the writer's format whatever they ask for.
      const current = this.captureFormat(d);
      if (!current) return -Errno.EINVAL;
      result = current;
    } else {
      if (d.queue && d.queue.owner !== file.fd && !tryOnly) return -Errno.EBUSY;
      if (d.queue?.buffers.length && !tryOnly) return -Errno.EBUSY;
      const formats = d.formats;
      const f = formats.find((x) => fourcc(x.pixelFormat.padEnd(4, ' ')) === pix.pixelformat) ?? formats[0]!;
      const [w, h] = nearestSize(f.sizes, pix.width, pix.height);
      result = makePix(f.pixelFormat, w, h);
      if (!tryOnly) d.format = result;
    }
    writePixFormat(arg, result);
    return 0;
  }

  private nearestInterval(d: FakeDevice, wanted: Fraction): Fraction {
    if (d.isLoopback) return wanted;
    const f = d.formats.find((x) => fourcc(x.pixelFormat.padEnd(4, ' ')) === d.format.pixelformat);
    const offered = f?.intervals ?? DEFAULT_INTERVALS;
    const target = wanted.numerator / wanted.denominator;
    return offered.reduce((best, i) =>
      Math.abs(i.numerator / i.denominator - target) < Math.abs(best.numerator / best.denominator - target)
        ? i
        : best,
    );
  }

  private reqbufs(file: OpenFile, arg: Uint8Array): number {
    const d = file.device;
    const req = decodeRequestbuffers(arg);
    if (req.memory !== Memory.MMAP || req.type !== BufType.VIDEO_CAPTURE || !this.typeAllowed(d, req.type)) {
      return -Errno.EINVAL;
    }
    if (d.queue && d.queue.owner !== file.fd) return -Errno.EBUSY;
    if (req.count === 0) {
      d.queue = undefined;
      return 0;
    }
    const pix = this.captureFormat(d)!;
    if (d.isLoopback) file.staleFirst = d.latest !== undefined;
    const count = clamp(req.count, 2, 32);
    const length = Math.ceil(pix.sizeimage / PAGE) * PAGE;
    d.queue = {
      owner: file.fd,
      type: req.type,
      streaming: false,
      streamStart: 0,
      sequence: -1,
      lastDelivered: -1,
      buffers: Array.from({ length: count }, (_, index) => ({
        index,
        bytes: new Uint8Array(length),
        offset: index * length,
        queued: false,
        done: false,
      })),
    };
    dataView(arg).setUint32(0, count, true);
    return 0;
  }

  private describeBuffer(arg: Uint8Array, q: Queue, b: FakeBuffer): void {
    writeBuffer(arg, {
      index: b.index,
      type: q.type,
      bytesused: b.info?.bytesused ?? 0,
      flags: BufFlag.MAPPED | (b.queued ? BufFlag.QUEUED : 0) | BufFlag.TIMESTAMP_MONOTONIC,
      field: Field.NONE,
      timestamp: b.info?.timestamp ?? 0,
      sequence: b.info?.sequence ?? 0,
      memory: Memory.MMAP,
      offset: b.offset,
      length: b.bytes.byteLength,
    });
  }

  private dqbuf(file: OpenFile, arg: Uint8Array): number {
    const d = file.device;
    const q = d.queue;
    if (!q || q.owner !== file.fd || !q.streaming) return -Errno.EINVAL;
    const b = q.buffers.find((x) => x.queued);
    if (!b) return -Errno.EINVAL;
    const pix = this.captureFormat(d);
    if (!pix) return -Errno.EIO;
    if (d.isLoopback) {
      const latest = d.latest;
      if (!latest || latest.sequence <= file.readerSequence) return -Errno.EAGAIN;
      file.readerSequence = latest.sequence;
      b.bytes.set(latest.bytes.subarray(0, b.bytes.byteLength));
      b.info = file.staleFirst
        ? { bytesused: pix.sizeimage, sequence: 0, timestamp: latest.timestamp }
        : { bytesused: latest.bytes.byteLength, sequence: latest.sequence, timestamp: latest.timestamp };
      file.staleFirst = false;
    } else {
      const now = this.clock();
      const interval = intervalMs(d.timeperframe);
      let next = q.sequence + 1;
      while (d.drop.has(next)) next++;
      if (d.spec.pace !== 'instant' && now < q.streamStart + next * interval) return -Errno.EAGAIN;
      q.sequence = next;
      const frame = this.frameContent(d, pix, next);
      const n = Math.min(frame.byteLength, b.bytes.byteLength);
      b.bytes.set(frame.subarray(0, n));
      b.info = {
        bytesused: n,
        sequence: next,
        timestamp: Math.round((d.spec.pace === 'instant' ? now : q.streamStart + next * interval) * 1000),
      };
    }
    b.queued = false;
    b.done = true;
    this.describeBuffer(arg, q, b);
    return 0;
  }

  private frameContent(d: FakeDevice, pix: PixFormat, sequence: number): Uint8Array {
    const source = d.spec.frames;
    const request: FakeFrameRequest = {
      sequence,
      width: pix.width,
      height: pix.height,
      pixelFormat: fourccText(pix.pixelformat).trimEnd(),
      sizeimage: pix.sizeimage,
    };
    if (typeof source === 'function') return source(request);
    if (Array.isArray(source) && source.length > 0) return source[sequence % source.length]!;
    return new Uint8Array(pix.sizeimage).fill(sequence & 0xff);
  }
}

function intervalMs(f: Fraction): number {
  return f.denominator === 0 ? 33.3 : (1000 * f.numerator) / f.denominator;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function fitsSize(s: FrameSize, w: number, h: number): boolean {
  return s.type === 'discrete'
    ? s.width === w && s.height === h
    : w >= s.minWidth && w <= s.maxWidth && h >= s.minHeight && h <= s.maxHeight;
}

function nearestSize(sizes: FrameSize[], w: number, h: number): [number, number] {
  let best: [number, number] = [w, h];
  let bestCost = Number.POSITIVE_INFINITY;
  for (const s of sizes) {
    const candidate: [number, number] =
      s.type === 'discrete'
        ? [s.width, s.height]
        : [
            clamp(
              s.minWidth + Math.round((w - s.minWidth) / Math.max(1, s.stepWidth)) * Math.max(1, s.stepWidth),
              s.minWidth,
              s.maxWidth,
            ),
            clamp(
              s.minHeight +
                Math.round((h - s.minHeight) / Math.max(1, s.stepHeight)) * Math.max(1, s.stepHeight),
              s.minHeight,
              s.maxHeight,
            ),
          ];
    const cost = Math.abs(candidate[0] * candidate[1] - w * h) + Math.abs(candidate[0] - w);
    if (cost < bestCost) {
      best = candidate;
      bestCost = cost;
    }
  }
  return best;
}
