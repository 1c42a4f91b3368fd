import { DeepsegError } from '@deepseg/yuyv';

/** Where the soft edge made by `feather` lies relative to the mask boundary. */
export const FeatherDirection = { Inward: 'inward', Outward: 'outward', Both: 'both' } as const;
/** One of the {@link FeatherDirection} values. */
export type FeatherDirection = (typeof FeatherDirection)[keyof typeof FeatherDirection];

/** How an image or video background is fitted to the frame (sharp's names: `fill` = stretch). */
export const BackgroundFit = { Cover: 'cover', Contain: 'contain', Stretch: 'stretch' } as const;
/** One of the {@link BackgroundFit} values. */
export type BackgroundFit = (typeof BackgroundFit)[keyof typeof BackgroundFit];

/**
 * Motion-adaptive temporal smoothing at mask resolution: an exponential moving average whose rate
 * follows the frame difference, so still areas are steady and moving areas follow at once.
 */
export interface TemporalOptions {
  /** EMA rate (weight of the new mask) where the frame is still, 0 < still ≤ 1. Default 0.05. */
  still?: number;
  /** EMA rate where the frame moves, still ≤ moving ≤ 1. Default 1 (no smoothing, no lag). */
  moving?: number;
  /** Mean luma change (0..255 codes, per mask cell, 3×3 max) at or below which a cell counts as still. Default 3. */
  motionLow?: number;
  /** Mean luma change at or above which a cell counts as moving. Default 12. */
  motionHigh?: number;
  /**
   * Minimum rate `catchUp·d²` where the new mask disagrees with the smoothed one by d, so that motion
   * the luma does not show (white on white) cannot leave a ghost. 0..1, default 0.3.
   */
  catchUp?: number;
}

/** Edge-aware refinement: a fast guided filter with the camera frame's luma as the guide. */
export interface GuidedOptions {
  /** Window radius in working-grid pixels (the window is 2·radius+1 square). Default 2. */
  radius?: number;
  /** Regularisation ε, luma in 0..1: edges with contrast well above √ε are followed. Default 0.002. */
  eps?: number;
  /**
   * Run the refinement chain and fit the coefficients on a working grid 1/`subsample` of the mask's
   * size in each direction (the "fast guided filter"); the full-resolution luma still places the
   * edges. `'auto'` (default): 2 when the mask is at least 128 pixels on its short side, else 1.
   */
  subsample?: 1 | 2 | 3 | 4 | 'auto';
}

/** Feathering: a soft edge `radius` frame pixels wide placed inward, outward or across the boundary. */
export interface FeatherOptions {
  /** Width of the soft edge in frame pixels. Default 0 (off). */
  radius?: number;
  /** Where the soft edge lies. Default `'both'`. */
  direction?: FeatherDirection;
}

/** Options of the mask refinement chain. Every stage is optional; `false` turns a stage off. */
export interface RefineOptions {
  /** Motion-adaptive temporal smoothing. Default on (see {@link TemporalOptions}). */
  temporal?: TemporalOptions | false;
  /** Remove person blobs smaller than this fraction of the mask area. Default 0.002; 0 = off. */
  minBlobArea?: number;
  /** Fill background holes inside the person smaller than this fraction of the mask area. Default 0 (off). */
  minHoleArea?: number;
  /** Grow (> 0) or shrink (< 0) the person by this many frame pixels. Default 0. */
  dilate?: number;
  /** Feathering. Default off. */
  feather?: FeatherOptions | false;
  /** Guided-filter refinement and upsampling guided by the frame's luma. Default on. */
  guided?: GuidedOptions | false;
  /**
   * Coverage band: the refined probability is mapped with smoothstep(low, high). `low === high` is a
   * hard threshold. Default `[0.25, 0.75]`.
   */
  coverage?: readonly [low: number, high: number];
  /** Light wrapping: how much background light (screen blend, luma) spills onto the person's edge, 0..1. Default 0.2. */
  lightWrap?: number;
}

/** Blur of the camera's own background. */
export interface BlurBackgroundSpec {
  type: 'blur';
  /** Blur radius in frame pixels (≈ Gaussian σ·2). Default 16. */
  radius?: number;
}

/** A solid colour, e.g. `#00FF00` for chroma keying. */
export interface ColorBackgroundSpec {
  type: 'color';
  /** `#rgb`, `#rrggbb` or `[r, g, b]` with 0..255 components. */
  color: string | readonly [number, number, number];
}

/** A still image in any format sharp reads, converted to YUYV once. */
export interface ImageBackgroundSpec {
  type: 'image';
  /** A file path, or the encoded file's bytes. */
  source: string | Uint8Array;
  /** Default `'cover'`. */
  fit?: BackgroundFit;
}

/** A looping video decoded by ffmpeg in a child process, read ahead. */
export interface VideoBackgroundSpec {
  type: 'video';
  /** Path of a video file ffmpeg can decode. */
  source: string;
  /** Default `'cover'`. */
  fit?: BackgroundFit;
  /**
   * `'realtime'` (default) advances the video by wall-clock time at its own frame rate; `'frame'`
   * advances one video frame per composited frame (deterministic; for tests and offline rendering).
   */
  pacing?: 'realtime' | 'frame';
  /** Frames decoded ahead (≥ 2). Default 4. */
  readAhead?: number;
  /** ffmpeg executable. Default `'ffmpeg'` (ffprobe is looked for beside it). */
  ffmpeg?: string;
}

/** Any background the compositor can show. */
export type BackgroundSpec =
  | BlurBackgroundSpec
  | ColorBackgroundSpec
  | ImageBackgroundSpec
  | VideoBackgroundSpec;

/** The background types, for docs and error messages. */
export const BackgroundType = { Blur: 'blur', Color: 'color', Image: 'image', Video: 'video' } as const;
/** One of the {@link BackgroundType} values. */
export type BackgroundType = (typeof BackgroundType)[keyof typeof BackgroundType];

/** Fully resolved refinement options (every stage present or `false`). */
export interface ResolvedRefine {
  temporal: Required<TemporalOptions> | false;
  minBlobArea: number;
  minHoleArea: number;
  dilate: number;
  feather: Required<FeatherOptions> | false;
  guided: Required<GuidedOptions> | false;
  coverage: readonly [number, number];
  lightWrap: number;
}

/** The default refinement, as documented on {@link RefineOptions}. */
export const DEFAULT_REFINE: ResolvedRefine = Object.freeze({
  temporal: Object.freeze({ still: 0.05, moving: 1, motionLow: 3, motionHigh: 12, catchUp: 0.3 }),
  minBlobArea: 0.002,
  minHoleArea: 0,
  dilate: 0,
  feather: false,
  guided: Object.freeze({ radius: 2, eps: 0.002, subsample: 'auto' as const }),
  coverage: Object.freeze([0.25, 0.75] as const),
  lightWrap: 0.2,
}) as ResolvedRefine;

function invalid(option: string, expected: string, received: unknown): DeepsegError<'ERR_INVALID_OPTION'> {
  return new DeepsegError(
    'ERR_INVALID_OPTION',
    `Expected ${expected} for ${option} but received ${describe(received)}`,
    { option },
  );
}

/** Short printable form of a rejected value. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}

/** A finite number within [min, max]. */
export function checkNumber(value: unknown, option: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw invalid(option, `a number from ${min} to ${max}`, value);
  }
  return value;
}

/** An integer within [min, max]. */
export function checkInteger(value: unknown, option: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(option, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

/** One of a fixed set of strings. */
export function checkOneOf<T extends string>(value: unknown, allowed: readonly T[], option: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected one of ${allowed.join(', ')} for ${option} but received ${describe(value)}`,
      { option },
    );
  }
  return value as T;
}

function checkObject(value: unknown, option: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(option, 'an object or false', value);
  }
  return value as Record<string, unknown>;
}

/**
 * Validates refinement options and fills in the defaults ({@link DEFAULT_REFINE}).
 *
 * @throws DeepsegError `ERR_INVALID_OPTION` naming the option, the allowed range and the value.
 * @example
 * ```ts
 * resolveRefineOptions({ temporal: { still: 0.1 }, feather: { radius: 6 } }).temporal;
 * // { still: 0.1, moving: 1, motionLow: 3, motionHigh: 12, catchUp: 0.3 }
 * ```
 */
export function resolveRefineOptions(
  options: RefineOptions | undefined,
  prefix = 'options.refine',
): ResolvedRefine {
  if (options === undefined) return DEFAULT_REFINE;
  const o = checkObject(options, prefix);
  const d = DEFAULT_REFINE;
  let temporal: ResolvedRefine['temporal'] = d.temporal;
  if (o.temporal === false) temporal = false;
  else if (o.temporal !== undefined) {
    const t = checkObject(o.temporal, `${prefix}.temporal`);
    const base = d.temporal as Required<TemporalOptions>;
    const still = checkNumber(t.still ?? base.still, `${prefix}.temporal.still`, 0.001, 1);
    const moving = checkNumber(t.moving ?? base.moving, `${prefix}.temporal.moving`, still, 1);
    const motionLow = checkNumber(t.motionLow ?? base.motionLow, `${prefix}.temporal.motionLow`, 0, 255);
    const motionHigh = checkNumber(
      t.motionHigh ?? Math.max(base.motionHigh, motionLow),
      `${prefix}.temporal.motionHigh`,
      motionLow,
      255,
    );
    const catchUp = checkNumber(t.catchUp ?? base.catchUp, `${prefix}.temporal.catchUp`, 0, 1);
    temporal = { still, moving, motionLow, motionHigh, catchUp };
  }
  let guided: ResolvedRefine['guided'] = d.guided;
  if (o.guided === false) guided = false;
  else if (o.guided !== undefined) {
    const g = checkObject(o.guided, `${prefix}.guided`);
    const base = d.guided as Required<GuidedOptions>;
    guided = {
      radius: checkInteger(g.radius ?? base.radius, `${prefix}.guided.radius`, 1, 16),
      eps: checkNumber(g.eps ?? base.eps, `${prefix}.guided.eps`, 1e-6, 1),
      subsample:
        g.subsample === undefined || g.subsample === 'auto'
          ? 'auto'
          : (checkInteger(g.subsample, `${prefix}.guided.subsample`, 1, 4) as 1 | 2 | 3 | 4),
    };
  }
  let feather: ResolvedRefine['feather'] = d.feather;
  if (o.feather === false) feather = false;
  else if (o.feather !== undefined) {
    const f = checkObject(o.feather, `${prefix}.feather`);
    const radius = checkNumber(f.radius ?? 0, `${prefix}.feather.radius`, 0, 256);
    const direction = checkOneOf(
      f.direction ?? 'both',
      Object.values(FeatherDirection),
      `${prefix}.feather.direction`,
    );
    feather = radius === 0 ? false : { radius, direction };
  }
  let coverage = d.coverage;
  if (o.coverage !== undefined) {
    const c = o.coverage;
    if (
      !Array.isArray(c) ||
      c.length !== 2 ||
      typeof c[0] !== 'number' ||
      typeof c[1] !== 'number' ||
      !(c[0] >= 0 && c[0] <= c[1] && c[1] <= 1)
    ) {
      throw invalid(`${prefix}.coverage`, '[low, high] with 0 ≤ low ≤ high ≤ 1', c);
    }
    coverage = [c[0], c[1]];
  }
  return {
    temporal,
    minBlobArea: checkNumber(o.minBlobArea ?? d.minBlobArea, `${prefix}.minBlobArea`, 0, 1),
    minHoleArea: checkNumber(o.minHoleArea ?? d.minHoleArea, `${prefix}.minHoleArea`, 0, 1),
    dilate: checkNumber(o.dilate ?? d.dilate, `${prefix}.dilate`, -256, 256),
    feather,
    guided,
    coverage,
    lightWrap: checkNumber(o.lightWrap ?? d.lightWrap, `${prefix}.lightWrap`, 0, 1),
  };
}
