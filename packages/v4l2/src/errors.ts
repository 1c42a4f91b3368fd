// The one place where errno values become DeepsegErrors, and where the package's error messages live.
import { DeepsegError } from '@deepseg/yuyv';
import { Errno } from './constants.ts';

/** Stable error codes thrown by @deepseg/v4l2 (public API). */
export const V4l2ErrorCode = {
  /** The path does not exist; the message lists the devices that do. */
  ERR_DEVICE_NOT_FOUND: 'ERR_DEVICE_NOT_FOUND',
  /** Permission denied: the user is not in the `video` group. */
  ERR_PERMISSION: 'ERR_PERMISSION',
  /** Another program holds the device (EBUSY). */
  ERR_DEVICE_BUSY: 'ERR_DEVICE_BUSY',
  /** The device vanished (ENODEV/ENXIO): unplugged, or its module was unloaded. Reopen it. */
  ERR_DEVICE_GONE: 'ERR_DEVICE_GONE',
  /** The driver reported an I/O error (EIO) while streaming. */
  ERR_DEVICE_IO: 'ERR_DEVICE_IO',
  /** The format, size or frame rate is not offered; the message lists what is. */
  ERR_FORMAT_UNSUPPORTED: 'ERR_FORMAT_UNSUPPORTED',
  /** The device cannot capture (for v4l2loopback: no writer is streaming to it yet). */
  ERR_NOT_CAPTURE_DEVICE: 'ERR_NOT_CAPTURE_DEVICE',
  /** The device cannot take output (not a v4l2loopback device, or one that already has a writer). */
  ERR_NOT_OUTPUT_DEVICE: 'ERR_NOT_OUTPUT_DEVICE',
  /** The path is not a V4L2 device, or the driver lacks a needed ioctl (ENOTTY). */
  ERR_UNSUPPORTED_OP: 'ERR_UNSUPPORTED_OP',
  /** No frame arrived within `frameTimeoutMs`. */
  ERR_FRAME_TIMEOUT: 'ERR_FRAME_TIMEOUT',
  /** An option failed validation. */
  ERR_INVALID_OPTION: 'ERR_INVALID_OPTION',
  /** The object was used after `close()`, or a second iterator was started. */
  ERR_INVALID_STATE: 'ERR_INVALID_STATE',
  /** koffi could not be loaded on this platform. */
  ERR_BACKEND_UNAVAILABLE: 'ERR_BACKEND_UNAVAILABLE',
  /** Any other failing system call; `errno` and `ioctl` say which. */
  ERR_SYSCALL: 'ERR_SYSCALL',
} as const;

/** One of the {@link V4l2ErrorCode} values. */
export type V4l2ErrorCode = (typeof V4l2ErrorCode)[keyof typeof V4l2ErrorCode];

const ERRNO_NAMES = new Map<number, string>(Object.entries(Errno).map(([name, value]) => [value, name]));

/** The symbolic name of an errno value (`EBUSY`), or `errno N`. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(Math.abs(errno)) ?? `errno ${Math.abs(errno)}`;
}

/** Where a failing call happened, for the message and the error's context. */
export interface SyscallContext {
  device: string;
  /** `open`, `close`, `mmap`, `write` or the ioctl name (`VIDIOC_S_FMT`). */
  call: string;
  /** For ENOENT: the devices that do exist. */
  existing?: () => string[];
}

/** Turns a negative (or positive) errno from a binding call into the matching DeepsegError. */
export function errnoError(errno: number, ctx: SyscallContext): DeepsegError<V4l2ErrorCode> {
  const e = Math.abs(errno);
  const base = {
    errno: e,
    device: ctx.device,
    ...(ctx.call.startsWith('VIDIOC_') ? { ioctl: ctx.call } : {}),
  };
  const what = `${ctx.call} on ${ctx.device} failed with ${errnoName(e)}`;
  switch (e) {
    case Errno.ENOENT: {
      const existing = ctx.existing?.() ?? [];
      const list = existing.length > 0 ? existing.join(', ') : 'none';
      const hint =
        'load v4l2loopback for a virtual camera: sudo modprobe v4l2loopback devices=1 exclusive_caps=1 card_label=deepseg';
      return new DeepsegError(
        'ERR_DEVICE_NOT_FOUND',
        `No device ${ctx.device}; video devices present: ${list}${existing.length === 0 ? ` (${hint})` : ''}`,
        { ...base, hint },
      );
    }
    case Errno.EACCES:
    case Errno.EPERM: {
      const hint = 'sudo usermod -aG video $USER, then log out and in again';
      return new DeepsegError(
        'ERR_PERMISSION',
        `Permission denied on ${ctx.device}: add your user to the video group (${hint})`,
        { ...base, hint },
      );
    }
    case Errno.EBUSY:
      return new DeepsegError(
        'ERR_DEVICE_BUSY',
        `${ctx.device} is busy (${ctx.call}): another program is using it; close that program and retry`,
        { ...base, hint: `find it with: fuser -v ${ctx.device}` },
      );
    case Errno.ENODEV:
    case Errno.ENXIO:
      return new DeepsegError(
        'ERR_DEVICE_GONE',
        `${ctx.device} is gone (${ctx.call}: ${errnoName(e)}): the camera was unplugged or its driver unloaded; reopen it when it is back`,
        { ...base, hint: 'reopen the device' },
      );
    case Errno.EIO:
      return new DeepsegError(
        'ERR_DEVICE_IO',
        `${ctx.device} reported an I/O error (${ctx.call}): the driver stopped streaming; reopen the device`,
        { ...base, hint: 'reopen the device' },
      );
    case Errno.ENOTTY:
      return new DeepsegError(
        'ERR_UNSUPPORTED_OP',
        ctx.call === 'VIDIOC_QUERYCAP'
          ? `${ctx.device} is not a V4L2 video device (VIDIOC_QUERYCAP: ENOTTY); pick one of the /dev/video* nodes`
          : `${ctx.device}: the driver does not support ${ctx.call} (ENOTTY)`,
        base,
      );
    default:
      return new DeepsegError('ERR_SYSCALL', what, base);
  }
}

/** ERR_FORMAT_UNSUPPORTED naming what was asked and listing what the device offers. */
export function formatUnsupported(
  device: string,
  option: string,
  requested: string,
  offered: readonly string[],
): DeepsegError<V4l2ErrorCode> {
  const list = offered.length > 0 ? offered.join(', ') : 'nothing';
  return new DeepsegError(
    'ERR_FORMAT_UNSUPPORTED',
    `${device} does not offer ${requested} for ${option}; it offers ${list}`,
    { device, option, hint: `choose one of: ${list}` },
  );
}

/** ERR_NOT_CAPTURE_DEVICE with the loopback-specific fix when it applies. */
export function notCaptureDevice(device: string, isLoopback: boolean): DeepsegError<V4l2ErrorCode> {
  return new DeepsegError(
    'ERR_NOT_CAPTURE_DEVICE',
    isLoopback
      ? `${device} is a v4l2loopback device with no writer streaming to it: start the writer first, then capture`
      : `${device} cannot capture video (no VIDEO_CAPTURE capability); pick a camera from listDevices()`,
    { device },
  );
}

/** ERR_NOT_OUTPUT_DEVICE with the fix. */
export function notOutputDevice(device: string, isLoopback: boolean): DeepsegError<V4l2ErrorCode> {
  return new DeepsegError(
    'ERR_NOT_OUTPUT_DEVICE',
    isLoopback
      ? `${device} already has a writer (it advertises capture only): stop the other writer, or use another loopback device`
      : `${device} is not a v4l2loopback output device: sudo modprobe v4l2loopback devices=1 exclusive_caps=1 card_label=deepseg`,
    { device },
  );
}
