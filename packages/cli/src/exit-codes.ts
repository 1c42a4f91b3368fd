import { isDeepsegError } from '@deepseg/yuyv';

/**
 * The documented exit codes of the `deepseg` command. Stable public API: scripts may test them.
 */
export const ExitCode = {
  /** Success (also a clean stop by SIGINT/SIGTERM). */
  Ok: 0,
  /** An unexpected internal error (a bug: please report it with `--debug` output). */
  Internal: 1,
  /** A usage mistake: unknown command or option, a bad value, a bad config file. */
  Usage: 2,
  /** A device is missing, not a camera / not a loopback device, or lacks the requested format. */
  Device: 3,
  /** Permission denied on a device or file. */
  Permission: 4,
  /** The camera or loopback device is held by another program. */
  Busy: 5,
  /** The camera went away while streaming (unplugged). */
  DeviceGone: 6,
  /** A model could not be found, downloaded, verified or loaded. */
  Model: 7,
  /** An input, output or background file is missing, unreadable or not of a known kind. */
  File: 8,
  /** A system requirement is missing: ffmpeg, the v4l2loopback module. */
  Missing: 9,
  /** `deepseg doctor` found at least one problem. */
  Doctor: 10,
  /** A download failed (network, HTTP status, timeout). */
  Network: 11,
} as const;
/** One of the {@link ExitCode} values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

// Exact codes first; prefixes catch the families other packages may grow.
const exact: Record<string, ExitCode> = {
  ERR_USAGE: ExitCode.Usage,
  ERR_INVALID_OPTION: ExitCode.Usage,
  ERR_CONFIG: ExitCode.Usage,
  ERR_INVALID_ARGUMENT: ExitCode.Usage,
  ERR_DEVICE_NOT_FOUND: ExitCode.Device,
  ERR_NO_DEVICE: ExitCode.Device,
  ERR_NOT_CAPTURE: ExitCode.Device,
  ERR_NOT_CAPTURE_DEVICE: ExitCode.Device,
  ERR_NOT_OUTPUT: ExitCode.Device,
  ERR_NOT_OUTPUT_DEVICE: ExitCode.Device,
  ERR_NOT_LOOPBACK: ExitCode.Device,
  ERR_FORMAT_UNSUPPORTED: ExitCode.Device,
  ERR_DEVICE_PERMISSION: ExitCode.Permission,
  ERR_PERMISSION: ExitCode.Permission,
  ERR_ACCESS: ExitCode.Permission,
  ERR_DEVICE_BUSY: ExitCode.Busy,
  ERR_DEVICE_GONE: ExitCode.DeviceGone,
  ERR_UNKNOWN_MODEL: ExitCode.Model,
  ERR_INVALID_MANIFEST: ExitCode.Model,
  ERR_BACKEND_UNAVAILABLE: ExitCode.Model,
  ERR_DEVICE_IO: ExitCode.DeviceGone,
  ERR_FRAME_TIMEOUT: ExitCode.DeviceGone,
  ERR_FILE_NOT_FOUND: ExitCode.File,
  ERR_INPUT: ExitCode.File,
  ERR_OUTPUT: ExitCode.File,
  ERR_BACKGROUND: ExitCode.File,
  ERR_EMPTY_FILE: ExitCode.File,
  ERR_UNREADABLE_IMAGE: ExitCode.File,
  ERR_NOT_A_VIDEO: ExitCode.File,
  ERR_VIDEO_DECODE: ExitCode.File,
  ERR_FFMPEG_MISSING: ExitCode.Missing,
  ERR_FFMPEG_NOT_FOUND: ExitCode.Missing,
  ERR_LOOPBACK_MISSING: ExitCode.Missing,
  ERR_MISSING_DEPENDENCY: ExitCode.Missing,
  ERR_DOWNLOAD: ExitCode.Network,
  ERR_NETWORK: ExitCode.Network,
  ERR_TIMEOUT: ExitCode.Network,
};

const prefixes: [string, ExitCode][] = [
  ['ERR_MODEL', ExitCode.Model],
  ['ERR_BACKEND', ExitCode.Model],
  ['ERR_DOWNLOAD', ExitCode.Network],
  ['ERR_HTTP', ExitCode.Network],
  ['ERR_FFMPEG', ExitCode.Missing],
  ['ERR_DEVICE', ExitCode.Device],
  ['ERR_IMAGE', ExitCode.File],
  ['ERR_VIDEO', ExitCode.File],
  ['ERR_FILE', ExitCode.File],
  ['ERR_FORMAT', ExitCode.Device],
];

const errnoCodes: Record<string, ExitCode> = {
  ENOENT: ExitCode.File,
  EISDIR: ExitCode.File,
  ENOTDIR: ExitCode.File,
  EACCES: ExitCode.Permission,
  EPERM: ExitCode.Permission,
  EBUSY: ExitCode.Busy,
  ENODEV: ExitCode.DeviceGone,
  ENOSPC: ExitCode.File,
};

/**
 * The exit code for an error: DeepsegError codes by table (then by family prefix), plain Node
 * system errors by errno name, anything else {@link ExitCode.Internal}.
 */
export function exitCodeFor(error: unknown): ExitCode {
  if (isDeepsegError(error)) {
    const code = error.code;
    // the same code from v4l2 (not a V4L2 device) and segment (an operator the backend lacks)
    if (code === 'ERR_UNSUPPORTED_OP' || code === 'ERR_SYSCALL') {
      return error.device !== undefined || code === 'ERR_SYSCALL' ? ExitCode.Device : ExitCode.Model;
    }
    const direct = exact[code];
    if (direct !== undefined) return direct;
    for (const [prefix, exit] of prefixes) if (code.startsWith(prefix)) return exit;
    if (error.errno !== undefined) {
      if (error.errno === 13 || error.errno === 1) return ExitCode.Permission;
      if (error.errno === 16) return ExitCode.Busy;
      if (error.errno === 19 || error.errno === 6) return ExitCode.DeviceGone;
      if (error.errno === 2) return ExitCode.Device;
    }
    return ExitCode.Internal;
  }
  const sys = (error as { code?: unknown } | null)?.code;
  if (typeof sys === 'string' && errnoCodes[sys] !== undefined) return errnoCodes[sys];
  return ExitCode.Internal;
}

/** True when an error is the user's to fix (a one-line message suffices), false for internal bugs. */
export function isUserError(error: unknown): boolean {
  return exitCodeFor(error) !== ExitCode.Internal;
}
