// Stands alone (no dependency on @deepseg/yuyv) but carries the same global marker as DeepsegError,
// so `isDeepsegError(e, code)` from any @deepseg package recognises these errors too.
const DEEPSEG_ERROR = Symbol.for('deepseg.error');

/** Every stable error code thrown by `@deepseg/tflite2onnx` (public API; listed in the README). */
export const Tflite2OnnxErrorCode = {
  /** The bytes are not a TFLite flatbuffer (no `TFL3` identifier, or too short to hold one). */
  NOT_TFLITE: 'ERR_NOT_TFLITE',
  /** The file is a TFLite flatbuffer but ends early, or an offset points outside it. */
  TRUNCATED: 'ERR_TRUNCATED',
  /** The model uses an operator (builtin or custom) the converter does not handle. */
  UNSUPPORTED_OP: 'ERR_UNSUPPORTED_OP',
  /** An operator option or shape the converter does not handle (e.g. a fused TANH on MEAN). */
  UNSUPPORTED_OPTION: 'ERR_UNSUPPORTED_OPTION',
  /** A tensor type other than float32 (or float16 weights behind DEQUANTIZE, or int32 shapes). */
  UNSUPPORTED_TYPE: 'ERR_UNSUPPORTED_TYPE',
  /** The model is quantised (int8/uint8 activations or weights): not supported yet. */
  QUANTIZED_UNSUPPORTED: 'ERR_QUANTIZED_UNSUPPORTED',
  /** The model's structure is inconsistent (bad tensor index, missing buffer, shape mismatch). */
  INVALID_MODEL: 'ERR_INVALID_MODEL',
  /** A bad argument to `convert()` or the CLI. */
  INVALID_OPTION: 'ERR_INVALID_OPTION',
  /** The CLI could not read the input or write the output file. */
  IO: 'ERR_IO',
} as const;

/** One of the {@link Tflite2OnnxErrorCode} values. */
export type Tflite2OnnxErrorCode = (typeof Tflite2OnnxErrorCode)[keyof typeof Tflite2OnnxErrorCode];

/** Context of a {@link Tflite2OnnxError}. */
export interface Tflite2OnnxErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** The model name (file name or `options.modelName`). */
  model?: string;
  /** The TFLite operator involved, e.g. `SQUARED_DIFFERENCE` or `custom:MaxPoolingWithArgmax2D`. */
  op?: string;
  /** Index of the operator in subgraph 0. */
  opIndex?: number;
  /** The option involved, e.g. `options.modelName` or `fused_activation_function`. */
  option?: string;
  /** A file path involved (CLI). */
  path?: string;
}

/**
 * The error every failure of `@deepseg/tflite2onnx` throws. `code` is stable public API; `message` is
 * one line naming the cause, the model and the fix.
 *
 * @example
 * ```ts
 * try { convert(bytes, { modelName: 'm.tflite' }); }
 * catch (e) { if (e instanceof Tflite2OnnxError && e.code === 'ERR_UNSUPPORTED_OP') console.error(e.message); }
 * ```
 */
export class Tflite2OnnxError extends Error {
  readonly code: Tflite2OnnxErrorCode;
  readonly model?: string;
  readonly op?: string;
  readonly opIndex?: number;
  readonly option?: string;
  readonly path?: string;

  constructor(code: Tflite2OnnxErrorCode, message: string, options: Tflite2OnnxErrorOptions = {}) {
    const { cause, ...context } = options;
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'Tflite2OnnxError';
    this.code = code;
    Object.assign(this, context);
    Object.defineProperty(this, DEEPSEG_ERROR, { value: true });
  }
}

/** True when `e` is a deepseg error (this package's or any other @deepseg package's), optionally with `code`. */
export function isTflite2OnnxError(e: unknown, code?: Tflite2OnnxErrorCode): e is Tflite2OnnxError {
  if (typeof e !== 'object' || e === null) return false;
  if ((e as Record<symbol, unknown>)[DEEPSEG_ERROR] !== true) return false;
  return code === undefined || (e as { code?: unknown }).code === code;
}
