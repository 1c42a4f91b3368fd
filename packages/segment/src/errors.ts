import { DeepsegError, type DeepsegErrorOptions } from '@deepseg/yuyv';

/**
 * Stable error codes thrown by `@deepseg/segment` (public API: see the README's error table).
 * Every error is a `DeepsegError` from `@deepseg/yuyv`; test with `isDeepsegError(e, code)`.
 */
export const SegmentErrorCode = {
  /** An option has a wrong type or value. */
  InvalidOption: 'ERR_INVALID_OPTION',
  /** The model id is not in the registry; the message lists the known ids. */
  UnknownModel: 'ERR_UNKNOWN_MODEL',
  /** A model manifest is not valid JSON or lacks/misstates a field. */
  InvalidManifest: 'ERR_INVALID_MANIFEST',
  /** The model file is missing (not pulled yet, or the manifest points nowhere). */
  ModelNotFound: 'ERR_MODEL_NOT_FOUND',
  /** The model file exists but the runtime cannot parse it. */
  ModelCorrupt: 'ERR_MODEL_CORRUPT',
  /** The model's input/output shapes do not match its manifest. */
  ModelShapeMismatch: 'ERR_MODEL_SHAPE_MISMATCH',
  /** A file's size or sha256 differs from the manifest. */
  ModelChecksum: 'ERR_MODEL_CHECKSUM',
  /** A frame's byte length does not match its width, height and format. */
  FrameSize: 'ERR_FRAME_SIZE',
  /** No backend could start (the message lists why each failed). */
  BackendUnavailable: 'ERR_BACKEND_UNAVAILABLE',
  /** The backend failed while running the model. */
  BackendFailed: 'ERR_BACKEND_FAILED',
  /** `segment()` was called while the previous call was still running. */
  Busy: 'ERR_SEGMENTER_BUSY',
  /** The segmenter (or session) was disposed. */
  Disposed: 'ERR_DISPOSED',
  /** The model has no download source (`pullModel`). */
  NotPullable: 'ERR_MODEL_NOT_PULLABLE',
  /** The download failed (HTTP status, network error). */
  DownloadFailed: 'ERR_DOWNLOAD_FAILED',
  /** The download stalled longer than `timeoutMs`. */
  DownloadTimeout: 'ERR_DOWNLOAD_TIMEOUT',
  /** The operation was aborted through its `signal`. */
  Aborted: 'ERR_ABORTED',
} as const;

/** One of the {@link SegmentErrorCode} values. */
export type SegmentErrorCode = (typeof SegmentErrorCode)[keyof typeof SegmentErrorCode];

/** Creates a {@link DeepsegError} with one of this package's codes. */
export function segmentError(
  code: SegmentErrorCode,
  message: string,
  options: DeepsegErrorOptions = {},
): DeepsegError<SegmentErrorCode> {
  return new DeepsegError(code, message, options);
}

/** The message of an unknown thrown value, on one line. */
export function oneLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/\s*\n\s*/g, ' ').trim();
}
