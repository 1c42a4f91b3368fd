import { createSegmenter, type FrameInput, type Segmenter } from '@deepseg/segment';
import type { MaskEngine } from './pipeline-types.ts';

/** Options of {@link createSegmentEngine}. */
export interface SegmentEngineOptions {
  /** Registry id or manifest path; default the registry default. */
  model?: string | undefined;
  /** Inference threads; default the segment package's. */
  threads?: number | undefined;
}

/** A {@link MaskEngine} plus the segmenter behind it (for mask allocation and details). */
export interface SegmentEngine extends MaskEngine {
  readonly segmenter: Segmenter;
  /** A mask buffer the worker writes without a copy. */
  allocateMask(): Float32Array;
}

/**
 * Loads a model with @deepseg/segment and adapts it to the scheduler. Pre-processing (frame →
 * tensor) happens synchronously inside `infer`, so the camera buffer can be requeued right after;
 * inference runs in the segmenter's worker thread.
 *
 * @throws DeepsegError from `createSegmenter` (ERR_UNKNOWN_MODEL, ERR_MODEL_NOT_FOUND, …).
 */
export async function createSegmentEngine(options: SegmentEngineOptions = {}): Promise<SegmentEngine> {
  const segmenter = await createSegmenter({
    ...(options.model !== undefined ? { model: options.model } : {}),
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
  });
  const threads = options.threads ?? 1;
  // One frame description, refilled per call (the segmenter reads it before returning).
  const input: FrameInput = { data: new Uint8Array(0), width: 0, height: 0, format: 'YUYV' };
  const frame = (data: Uint8Array, width: number, height: number): FrameInput => {
    input.data = data;
    input.width = width;
    input.height = height;
    return input;
  };
  return {
    segmenter,
    maskWidth: segmenter.output.width,
    maskHeight: segmenter.output.height,
    label: `${segmenter.model.id} (${segmenter.backend}, ${threads} thread${threads === 1 ? '' : 's'}, ${segmenter.input.width}x${segmenter.input.height})`,
    allocateMask: () => segmenter.createMask(),
    infer: (yuyv, width, height, mask) => segmenter.segment(frame(yuyv, width, height), mask),
    start: (yuyv, width, height, mask) => segmenter.start(frame(yuyv, width, height), mask),
    poll: () => (segmenter.poll() ? segmenter.timings.inferenceMs : undefined),
    close: () => segmenter.dispose(),
  };
}
