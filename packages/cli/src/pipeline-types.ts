import type { BackgroundSpec } from './run-options.ts';

/** One frame as a source delivers it. */
export interface SourceFrame {
  /** YUYV pixels, or one JPEG image for MJPEG sources. Valid until the iterator's next step. */
  data: Uint8Array;
  /** When the frame was captured, on the `performance.now()` clock (ms), for live sources. */
  capturedAt?: number;
  /** The driver's sequence number, when there is one. */
  sequence?: number;
}

/** Where frames come from: a camera, or a file. */
export interface FrameSource {
  readonly width: number;
  readonly height: number;
  readonly pixelFormat: 'YUYV' | 'MJPEG';
  /** Frames per second the source delivers (or was recorded at). */
  readonly fps: number;
  /** True for a camera: it paces itself, and stale frames are dropped so the newest always wins. */
  readonly live: boolean;
  /** A short description for logs, e.g. `/dev/video0 (YUYV 1280x720 @ 30)`. */
  readonly label: string;
  frames(signal: AbortSignal): AsyncIterable<SourceFrame>;
  /** Frames the source itself lost (e.g. driver sequence gaps), if it knows. */
  lostFrames?(): number;
  close(): Promise<void>;
}

/** Where composited YUYV frames go: a v4l2loopback device, or a file. */
export interface FrameSink {
  readonly width: number;
  readonly height: number;
  /** True for a device: writes must be paced to the frame rate (unpaced writers make readers see torn frames). */
  readonly live: boolean;
  readonly label: string;
  write(yuyv: Uint8Array): void | Promise<void>;
  /** Finishes cleanly (file: rename into place; device: STREAMOFF and close). */
  close(): Promise<void>;
  /** Gives up (file: delete the temporary file; device: STREAMOFF and close). */
  abort(): Promise<void>;
}

/** The model runner as the scheduler sees it. */
export interface MaskEngine {
  readonly maskWidth: number;
  readonly maskHeight: number;
  /** A short description, e.g. `mediapipe-selfie-landscape (onnxruntime-node, 1 thread)`. */
  readonly label: string;
  /**
   * Starts inference on a YUYV frame; the promise resolves once `mask` (maskWidth×maskHeight person
   * probabilities 0..1) holds the result. `yuyv` is only read during the synchronous part of the
   * call, so the caller may reuse it as soon as this returns.
   */
  infer(yuyv: Uint8Array, width: number, height: number, mask: Float32Array): Promise<void>;
  /**
   * Optional, with `poll`: starts inference like `infer` but without a promise. The real-time loop
   * asks `poll` once per frame, so nothing wakes the idle main thread when inference ends.
   */
  start?(yuyv: Uint8Array, width: number, height: number, mask: Float32Array): void;
  /** Optional: the inference milliseconds once the started run has filled its mask, else `undefined`; throws its error. */
  poll?(): number | undefined;
  close(): Promise<void>;
}

/** Mask refinement + background compositing, at the capture size. */
export interface FrameCompositor {
  /**
   * Composites `yuyv` (capture size) with the newest `mask` (model size, or `null` before the first
   * mask: show background only) into `out` (capture size YUYV).
   */
  process(yuyv: Uint8Array, mask: Float32Array | null, out: Uint8Array): void;
  /** Replaces the background without dropping a frame; on error the old one stays. */
  setBackground(background: BackgroundSpec): Promise<void>;
  /** Changes refinement settings on the fly (undefined leaves a setting as it is). */
  setRefine?(refine: {
    threshold?: number | undefined;
    smoothing?: number | undefined;
    feather?: number | undefined;
  }): void;
  close(): Promise<void>;
}
