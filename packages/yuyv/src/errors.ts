// One marker shared through the global symbol registry, so `isDeepsegError` recognises errors thrown
// by another copy of any @deepseg package (duplicate installs, mixed versions).
const DEEPSEG_ERROR = Symbol.for('deepseg.error');

/** Context carried by every {@link DeepsegError}; which fields are set depends on the failing call. */
export interface DeepsegErrorContext {
  /** The option (or argument) that was rejected, e.g. `options.width`. */
  option?: string;
  /** The OS errno read right after a failing system call. */
  errno?: number;
  /** The ioctl that failed, e.g. `VIDIOC_S_FMT`. */
  ioctl?: string;
  /** The device path involved, e.g. `/dev/video0`. */
  device?: string;
  /** The inference backend involved, e.g. `onnxruntime-node`. */
  backend?: string;
  /** The model id or file involved. */
  model?: string;
  /** A file path involved. */
  path?: string;
  /** What the user can do about it, one sentence. */
  hint?: string;
}

/** Options of the {@link DeepsegError} constructor: the error's cause plus its context. */
export interface DeepsegErrorOptions extends DeepsegErrorContext {
  cause?: unknown;
}

/**
 * The one error type every @deepseg package throws. `code` is stable public API; `message` is one
 * line meant for people and names the cause and the fix.
 *
 * @example
 * ```ts
 * try { yuyvToRgb(src, dst, { width: 3, height: 2 }); }
 * catch (e) { if (isDeepsegError(e, 'ERR_INVALID_OPTION')) console.error(e.message); }
 * ```
 */
export class DeepsegError<Code extends string = string> extends Error implements DeepsegErrorContext {
  readonly code: Code;
  readonly option?: string;
  readonly errno?: number;
  readonly ioctl?: string;
  readonly device?: string;
  readonly backend?: string;
  readonly model?: string;
  readonly path?: string;
  readonly hint?: string;

  constructor(code: Code, message: string, options: DeepsegErrorOptions = {}) {
    const { cause, ...context } = options;
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'DeepsegError';
    this.code = code;
    Object.assign(this, context);
    Object.defineProperty(this, DEEPSEG_ERROR, { value: true });
  }
}

/**
 * True when `error` is a {@link DeepsegError} from any copy of any @deepseg package, and, when `code`
 * is given, carries that code.
 */
export function isDeepsegError<Code extends string = string>(
  error: unknown,
  code?: Code,
): error is DeepsegError<Code> {
  if (typeof error !== 'object' || error === null) return false;
  if ((error as { [DEEPSEG_ERROR]?: unknown })[DEEPSEG_ERROR] !== true) return false;
  return code === undefined || (error as { code?: unknown }).code === code;
}
