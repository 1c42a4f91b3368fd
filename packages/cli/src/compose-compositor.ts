import {
  type BackgroundSpec as ComposeBackground,
  type Compositor,
  createCompositor,
  type RefineOptions,
} from '@deepseg/compose';
import { fileKind } from './file-io.ts';
import type { FrameCompositor } from './pipeline-types.ts';
import type { BackgroundSpec } from './run-options.ts';

/** The refinement knobs the command exposes. */
export interface RefineKnobs {
  /** Person probability above which a pixel is foreground (centre of a ±0.2 smoothstep band). */
  threshold?: number | undefined;
  /** Temporal smoothing 0..1 where the picture is still (0 = off). */
  smoothing?: number | undefined;
  /** Soft edge width in frame pixels (0 = off). */
  feather?: number | undefined;
}

/** Maps the command's knobs onto compose's refinement options (unset knobs keep compose's defaults). */
export function refineOptions(knobs: RefineKnobs): RefineOptions {
  const r: RefineOptions = {};
  if (knobs.threshold !== undefined) {
    const t = knobs.threshold;
    r.coverage = [Math.max(0, t - 0.2), Math.min(1, t + 0.2)];
  }
  if (knobs.smoothing !== undefined) {
    r.temporal = knobs.smoothing === 0 ? false : { still: Math.max(0.02, 1 - knobs.smoothing) };
  }
  if (knobs.feather !== undefined) r.feather = knobs.feather === 0 ? false : { radius: knobs.feather };
  return r;
}

/** Maps a parsed `--background` onto compose's background spec (files: image or video by extension). */
export function composeBackground(spec: BackgroundSpec, realtime = true): ComposeBackground {
  switch (spec.kind) {
    case 'blur':
      return { type: 'blur', radius: spec.radius };
    case 'color':
      return { type: 'color', color: spec.hex };
    case 'file':
      return fileKind(spec.path) === 'image'
        ? { type: 'image', source: spec.path }
        : { type: 'video', source: spec.path, pacing: realtime ? 'realtime' : 'frame' };
  }
}

/**
 * Creates a @deepseg/compose compositor and adapts it to the scheduler. Before the first mask the
 * frame is composited with an all-background mask, so the person's surroundings are never shown
 * unprocessed.
 *
 * @throws DeepsegError from compose (ERR_FILE_NOT_FOUND, ERR_UNREADABLE_IMAGE, ERR_NOT_A_VIDEO, …).
 */
export async function createFrameCompositor(options: {
  width: number;
  height: number;
  maskWidth: number;
  maskHeight: number;
  background: BackgroundSpec;
  refine: RefineKnobs;
  /** Video backgrounds follow the wall clock (true) or advance one frame per frame (file mode). */
  realtime: boolean;
}): Promise<FrameCompositor & { compositor: Compositor }> {
  const compositor = await createCompositor({
    width: options.width,
    height: options.height,
    refine: refineOptions(options.refine),
    background: composeBackground(options.background, options.realtime),
  });
  const geometry = { width: options.maskWidth, height: options.maskHeight };
  const empty = new Float32Array(options.maskWidth * options.maskHeight);
  let refine = { ...options.refine };
  return {
    compositor,
    process(yuyv, mask, out) {
      compositor.process(yuyv, mask ?? empty, geometry, out);
    },
    setBackground: (bg) => compositor.setBackground(composeBackground(bg, options.realtime)),
    setRefine(knobs) {
      refine = { ...refine, ...knobs };
      compositor.setRefine(refineOptions(refine));
    },
    close: () => compositor.close(),
  };
}
