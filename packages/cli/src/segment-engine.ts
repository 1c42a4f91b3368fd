import { createSegmenter, type Segmenter } from '@deepseg/segment';
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
  return {
    segmenter,
    maskWidth: segmenter.output.width,
    maskHeight: segmenter.output.height,
    label: `${segmenter.model.id} (${segmenter.backend}, ${threads} thread${threads === 1 ? '' : 's'}, ${segmenter.input.width}x${segmenter.input.height})`,
    allocateMask: () => segmenter.createMask(),
    infer: (yuyv, width, height, mask) =>
      segmenter.segment({ data: yuyv, width, height, format: 'YUYV' }, mask),
    start: (yuyv, width, height, mask) =>
      segmenter.start({ data: yuyv, width, height, format: 'YUYV' }, mask),
    poll: () => (segmenter.poll() ? segmenter.timings.inferenceMs : undefined),
    close: () => segmenter.dispose(),
  };
}
