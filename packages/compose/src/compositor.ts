import {
  allocFloat32,
  allocFrame,
  boxMeanPlanes,
  type ColorMatrix,
  type ColorRange,
  DeepsegError,
  freeFrame,
  type GridLumaOptions,
  type GuidedBackground,
  type GuidedCompositeOptions,
  gridLuma,
  guidedCompositeYuyv,
  isWasmFrame,
  type MaskToGridOptions,
  maskToGrid,
  type Rect,
  removeSmallRegions,
  type SmallRegionOptions,
} from '@deepseg/yuyv';
import { MaskWeightedBlur } from './blur-background.ts';
import { morph } from './box-filter.ts';
import { fillYuyv, parseColor, rgbToYuv } from './color.ts';
import {
  createGuidedScratch,
  freeGuidedScratch,
  type GuidedScratch,
  guidedFilterCoefficients,
} from './guided-filter.ts';
import { loadImageYuyv } from './image-background.ts';
import { createLayout, type Layout, type MaskGeometry } from './layout.ts';
import {
  BackgroundFit,
  type BackgroundSpec,
  BackgroundType,
  checkInteger,
  checkNumber,
  checkOneOf,
  describe,
  type RefineOptions,
  type ResolvedRefine,
  resolveRefineOptions,
} from './options.ts';
import { temporalStep } from './temporal.ts';
import { VideoPlayer } from './video-background.ts';

/** Options of {@link createCompositor}. */
export interface CompositorOptions {
  /** Frame width in pixels (even, YUYV). */
  width: number;
  /** Frame height in pixels. */
  height: number;
  /** Mask refinement; defaults documented on {@link RefineOptions}. */
  refine?: RefineOptions;
  /** Initial background. Default `{ type: 'blur', radius: 16 }`. */
  background?: BackgroundSpec;
  /** YUV matrix of the frames (for colour and image backgrounds). Default `BT601`. */
  matrix?: ColorMatrix;
  /** YUV range of the frames. Default `limited`. */
  range?: ColorRange;
}

/** The mask geometry accepted per frame: {@link MaskGeometry} plus the valid part of the mask. */
export interface FrameMaskGeometry extends MaskGeometry {
  /** The part of the mask that maps onto `roi` (e.g. yuyv's `containRect` after a letterbox). Default: all of it. */
  maskRect?: Rect;
}

/** Turns a camera frame and a low-resolution person probability into the composited frame. */
export interface Compositor {
  readonly width: number;
  readonly height: number;
  /** The background in use (the last one whose load finished). */
  readonly background: Readonly<BackgroundSpec>;
  /** The refinement in use, with defaults filled in. */
  readonly refine: Readonly<ResolvedRefine>;
  /**
   * Refines `mask` (float32 person probability 0..1, `geometry.width`×`geometry.height`, row-major)
   * for `frame` (YUYV, width·height·2 bytes) and writes frame-over-background into `out` (YUYV, same
   * size; may not be `frame`). Synchronous; allocates nothing unless the mask geometry changed.
   *
   * @throws DeepsegError `ERR_INVALID_OPTION` (geometry), `ERR_BUFFER_TOO_SMALL` (buffer lengths).
   */
  process(frame: Uint8Array, mask: Float32Array, geometry: FrameMaskGeometry, out: Uint8Array): void;
  /**
   * Like {@link process} but writes the final per-pixel alpha (0..1, width·height floats) instead of
   * compositing: the same refinement (and the same temporal state update). For previews and metrics.
   */
  refineMask(frame: Uint8Array, mask: Float32Array, geometry: FrameMaskGeometry, alpha: Float32Array): void;
  /**
   * Loads and switches to another background. Frames keep flowing with the old one until the new one
   * is ready; on failure the old one stays and the promise rejects. When calls overlap, the last one
   * wins (earlier ones resolve without switching).
   *
   * @throws DeepsegError `ERR_INVALID_OPTION`, `ERR_FILE_NOT_FOUND`, `ERR_EMPTY_FILE`,
   *   `ERR_UNREADABLE_IMAGE`, `ERR_FFMPEG_MISSING`, `ERR_NOT_A_VIDEO`, `ERR_CLOSED`.
   */
  setBackground(background: BackgroundSpec): Promise<void>;
  /** Replaces the refinement options (validated; temporal state is kept). */
  setRefine(refine: RefineOptions): void;
  /** Forgets the temporal state (e.g. after a camera switch). */
  reset(): void;
  /** Stops a video background's decoder. The compositor cannot be used afterwards. */
  close(): Promise<void>;
}

/** The refined grid handed to the full-resolution pass (yuyv's `guidedCompositeYuyv`). */
interface KernelParams {
  /** Slope of q = a·Y/255 + b on the mask grid (0 without guided filtering). */
  meanA: Float32Array;
  /** Offset of q on the mask grid (the mask itself without guided filtering). */
  meanB: Float32Array;
  /** Coverage band: alpha = smoothstep(low, high, q). */
  low: number;
  high: number;
  /** Light-wrap strength 0..1 (screen blend of background luma onto the person's edge). */
  lightWrap: number;
  /** Scratch rows of gridWidth + 1 floats (for {@link Compositor.refineMask}). */
  rowA: Float32Array;
  rowB: Float32Array;
}

type ActiveBackground =
  | { spec: BackgroundSpec; kind: 'color'; color: { color: [number, number, number] } }
  | { spec: BackgroundSpec; kind: 'image'; frame: Uint8Array }
  | { spec: BackgroundSpec; kind: 'video'; player: VideoPlayer }
  | { spec: BackgroundSpec; kind: 'blur'; blur: MaskWeightedBlur };

const DEFAULT_BACKGROUND: BackgroundSpec = { type: 'blur', radius: 16 };

function normaliseBackground(spec: unknown): BackgroundSpec {
  if (typeof spec !== 'object' || spec === null) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected a background object { type, … } but received ${describe(spec)}`,
      {
        option: 'background',
      },
    );
  }
  const s = spec as Record<string, unknown>;
  const type = checkOneOf(s.type, Object.values(BackgroundType), 'background.type');
  const fits = Object.values(BackgroundFit);
  switch (type) {
    case 'blur':
      return { type, radius: checkNumber(s.radius ?? 16, 'background.radius', 1, 256) };
    case 'color':
      parseColor(s.color, 'background.color');
      return { type, color: s.color as string };
    case 'image': {
      const ok = (typeof s.source === 'string' && s.source.length > 0) || s.source instanceof Uint8Array;
      if (!ok) {
        throw new DeepsegError(
          'ERR_INVALID_OPTION',
          `Expected a file path or encoded bytes for background.source but received ${describe(s.source)}`,
          { option: 'background.source' },
        );
      }
      return {
        type,
        source: s.source as string | Uint8Array,
        fit: checkOneOf(s.fit ?? 'cover', fits, 'background.fit'),
      };
    }
    case 'video': {
      if (typeof s.source !== 'string' || s.source.length === 0) {
        throw new DeepsegError(
          'ERR_INVALID_OPTION',
          `Expected a file path for background.source but received ${describe(s.source)}`,
          { option: 'background.source' },
        );
      }
      if (s.ffmpeg !== undefined && (typeof s.ffmpeg !== 'string' || s.ffmpeg.length === 0)) {
        throw new DeepsegError(
          'ERR_INVALID_OPTION',
          `Expected a command for background.ffmpeg but received ${describe(s.ffmpeg)}`,
          {
            option: 'background.ffmpeg',
          },
        );
      }
      return {
        type,
        source: s.source,
        fit: checkOneOf(s.fit ?? 'cover', fits, 'background.fit'),
        pacing: checkOneOf(s.pacing ?? 'realtime', ['realtime', 'frame'] as const, 'background.pacing'),
        readAhead: checkInteger(s.readAhead ?? 4, 'background.readAhead', 2, 64),
        ffmpeg: (s.ffmpeg as string | undefined) ?? 'ffmpeg',
      };
    }
  }
}

interface GridState {
  /** raw, state, work, guide, prevGuide, motion and tmp, one after the other (WebAssembly memory). */
  planes: Float32Array;
  /** The working grid: the mask's valid rect, or 1/`subsample` of it (see `guided.subsample`). */
  layout: Layout;
  subsample: number;
  subsampleOption: number | 'auto';
  maskRect: Rect;
  maskWidth: number;
  n: number;
  raw: Float32Array;
  state: Float32Array;
  work: Float32Array;
  guide: Float32Array;
  prevGuide: Float32Array;
  motion: Float32Array;
  tmp: Float32Array;
  /** Options of yuyv's grid kernels, made once per grid (their per-frame fields are set in place). */
  toGrid: MaskToGridOptions;
  luma: GridLumaOptions;
  regions: SmallRegionOptions;
  guided: GuidedScratch;
  rowA: Float32Array;
  rowB: Float32Array;
  hasHistory: boolean;
}

function freeGrid(g: GridState): void {
  freeGuidedScratch(g.guided);
  freeFrame(g.planes);
}

/** Stops a background that is no longer shown: a video's decoder, a blur's WebAssembly planes. */
function release(bg: ActiveBackground): void {
  if (bg.kind === 'video') bg.player.close();
  else if (bg.kind === 'blur') bg.blur.dispose();
}

function sameRect(a: Rect, b: Rect): boolean {
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}

class CompositorImpl implements Compositor {
  readonly width: number;
  readonly height: number;
  readonly #matrix: ColorMatrix;
  readonly #range: ColorRange;
  #refine: ResolvedRefine;
  #active: ActiveBackground | undefined;
  #grid: GridState | undefined;
  #requests = 0;
  #closed = false;
  readonly #kernel: KernelParams;
  readonly #coverage: [number, number] = [0, 1];
  readonly #options: GuidedCompositeOptions;
  /** The camera frame copied into WebAssembly memory once per frame, for every kernel that reads it. */
  #stage: Uint8Array | undefined;
  /** The frame of the current call in WebAssembly memory (itself, or its copy in #stage). */
  #frameStaged: Uint8Array = new Uint8Array(0);

  constructor(o: CompositorOptions, refine: ResolvedRefine) {
    this.width = o.width;
    this.height = o.height;
    this.#matrix = o.matrix ?? 'BT601';
    this.#range = o.range ?? 'limited';
    this.#refine = refine;
    const empty = new Float32Array(0);
    this.#kernel = {
      meanA: empty,
      meanB: empty,
      low: 0,
      high: 1,
      lightWrap: 0,
      rowA: empty,
      rowB: empty,
    };
    this.#options = {
      width: o.width,
      height: o.height,
      gridWidth: 1,
      gridHeight: 1,
      coverage: this.#coverage,
      lightWrap: 0,
    };
  }

  get background(): Readonly<BackgroundSpec> {
    return this.#active!.spec;
  }

  get refine(): Readonly<ResolvedRefine> {
    return this.#refine;
  }

  setRefine(refine: RefineOptions): void {
    this.#refine = resolveRefineOptions(refine);
  }

  reset(): void {
    if (this.#grid) this.#grid.hasHistory = false;
  }

  async #prepare(spec: BackgroundSpec): Promise<ActiveBackground> {
    const { width, height } = this;
    switch (spec.type) {
      case 'blur':
        return { spec, kind: 'blur', blur: new MaskWeightedBlur(width, height, spec.radius ?? 16) };
      case 'color': {
        const row = new Uint8Array(4);
        fillYuyv(row, rgbToYuv(parseColor(spec.color, 'background.color'), this.#matrix, this.#range));
        return { spec, kind: 'color', color: { color: [row[0]!, row[1]!, row[3]!] } };
      }
      case 'image': {
        const frame = await loadImageYuyv(
          spec.source,
          width,
          height,
          spec.fit ?? 'cover',
          this.#matrix,
          this.#range,
        );
        return { spec, kind: 'image', frame };
      }
      case 'video': {
        const player = await VideoPlayer.open(spec.source, {
          width,
          height,
          fit: spec.fit ?? 'cover',
          pacing: spec.pacing ?? 'realtime',
          readAhead: spec.readAhead ?? 4,
          ffmpeg: spec.ffmpeg ?? 'ffmpeg',
        });
        return { spec, kind: 'video', player };
      }
    }
  }

  async setBackground(background: BackgroundSpec): Promise<void> {
    if (this.#closed) throw new DeepsegError('ERR_CLOSED', 'The compositor is closed; create a new one', {});
    const spec = normaliseBackground(background);
    const ticket = ++this.#requests;
    const next = await this.#prepare(spec);
    if (ticket !== this.#requests || this.#closed) {
      release(next);
      return;
    }
    const old = this.#active;
    this.#active = next;
    if (old) release(old);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#requests++;
    if (this.#active) release(this.#active);
    if (this.#stage) freeFrame(this.#stage);
    this.#stage = undefined;
    if (this.#grid) freeGrid(this.#grid);
    this.#grid = undefined;
  }

  /** `frame` itself when it lives in WebAssembly memory, else a copy there (one copy instead of one per kernel). */
  #staged(frame: Uint8Array): Uint8Array {
    if (isWasmFrame(frame)) return frame;
    if (this.#stage?.length !== frame.length) {
      if (this.#stage) freeFrame(this.#stage);
      this.#stage = allocFrame(frame.length);
    }
    this.#stage.set(frame);
    return this.#stage;
  }

  #gridFor(mask: Float32Array, g: FrameMaskGeometry): GridState {
    if (typeof g !== 'object' || g === null) {
      throw new DeepsegError(
        'ERR_INVALID_OPTION',
        `Expected a mask geometry { width, height, roi?, maskRect? } but received ${describe(g)}`,
        {
          option: 'geometry',
        },
      );
    }
    const cur = this.#grid;
    const roi = g.roi ?? { x: 0, y: 0, width: this.width, height: this.height };
    const rect = g.maskRect ?? { x: 0, y: 0, width: g.width, height: g.height };
    if (
      cur !== undefined &&
      cur.maskWidth === g.width &&
      mask.length === g.width * g.height &&
      cur.subsampleOption === (this.#refine.guided === false ? 1 : this.#refine.guided.subsample) &&
      sameRect(cur.maskRect, rect) &&
      sameRect(cur.layout.roi, roi)
    ) {
      return cur;
    }
    checkInteger(g.width, 'geometry.width', 1, 4096);
    checkInteger(g.height, 'geometry.height', 1, 4096);
    const inside = (v: unknown, min: number, max: number) =>
      Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
    if (
      !inside(rect.x, 0, g.width - 1) ||
      !inside(rect.y, 0, g.height - 1) ||
      !inside(rect.width, 1, g.width - rect.x) ||
      !inside(rect.height, 1, g.height - rect.y)
    ) {
      throw new DeepsegError(
        'ERR_INVALID_OPTION',
        `Expected geometry.maskRect inside the ${g.width}×${g.height} mask but received ${describe(rect)}`,
        { option: 'geometry.maskRect' },
      );
    }
    if (mask.length !== g.width * g.height) {
      throw new DeepsegError(
        'ERR_BUFFER_TOO_SMALL',
        `Expected a mask of ${g.width}×${g.height} = ${g.width * g.height} floats but received ${mask.length}`,
        { option: 'mask' },
      );
    }
    const sub = this.#refine.guided === false ? 1 : this.#refine.guided.subsample;
    const subsample = sub === 'auto' ? (Math.min(rect.width, rect.height) >= 128 ? 2 : 1) : sub;
    const cw = Math.ceil(rect.width / subsample);
    const ch = Math.ceil(rect.height / subsample);
    const layout = createLayout(this.width, this.height, { width: cw, height: ch, roi });
    const n = cw * ch;
    // The grid planes in WebAssembly memory: yuyv's grid kernels then work on them in place.
    const stride = (n + 3) & ~3;
    const planes = allocFloat32(stride * 7);
    let next = 0;
    const f = () => planes.subarray(stride * next, stride * next++ + n);
    if (cur) freeGrid(cur);
    this.#grid = {
      planes,
      layout,
      subsample,
      subsampleOption: sub,
      maskRect: { ...rect },
      maskWidth: g.width,
      n,
      raw: f(),
      state: f(),
      work: f(),
      guide: f(),
      prevGuide: f(),
      motion: f(),
      tmp: f(),
      toGrid: { maskWidth: g.width, maskHeight: g.height, rect: { ...rect }, subsample },
      luma: { rowOffsets: layout.sampleRows, colOffsets: layout.sampleCols },
      regions: { width: cw, height: ch, minArea: 0, foreground: true, threshold: 0.5 },
      guided: createGuidedScratch(n),
      rowA: new Float32Array(cw + 1),
      rowB: new Float32Array(cw + 1),
      hasHistory: false,
    };
    return this.#grid;
  }

  #checkBuffers(frame: Uint8Array, mask: Float32Array): void {
    const bytes = this.width * this.height * 2;
    if (!(frame instanceof Uint8Array) || frame.length !== bytes) {
      throw new DeepsegError(
        'ERR_BUFFER_TOO_SMALL',
        `Expected a ${this.width}×${this.height} YUYV frame of ${bytes} bytes but received ${frame?.length}`,
        { option: 'frame' },
      );
    }
    if (!(mask instanceof Float32Array)) {
      throw new DeepsegError(
        'ERR_INVALID_OPTION',
        `Expected mask to be a Float32Array but received ${describe(mask)}`,
        {
          option: 'mask',
        },
      );
    }
  }

  /** Runs the grid-resolution chain; leaves the guided coefficients in the kernel params. */
  #refineGrid(frame: Uint8Array, mask: Float32Array, geometry: FrameMaskGeometry): GridState {
    if (this.#closed) throw new DeepsegError('ERR_CLOSED', 'The compositor is closed; create a new one', {});
    this.#checkBuffers(frame, mask);
    const g = this.#gridFor(mask, geometry);
    const { layout, raw, state, work, guide, n } = g;
    const gw = layout.gridWidth;
    const gh = layout.gridHeight;
    const r = this.#refine;
    maskToGrid(mask, raw, g.toGrid);
    // The frame in WebAssembly memory once: process() composites from the same copy.
    const staged = this.#staged(frame);
    this.#frameStaged = staged;
    gridLuma(staged, guide, g.luma);
    if (r.temporal !== false && g.hasHistory) {
      // Motion blocks of about 2×2 mask cells: one working cell when the grid is already halved.
      temporalStep(
        raw,
        state,
        guide,
        g.prevGuide,
        gw,
        gh,
        r.temporal,
        g.motion,
        g.tmp,
        g.subsample > 1 ? 1 : 2,
      );
    } else {
      state.set(raw);
      g.prevGuide.set(guide);
    }
    g.hasHistory = true;
    work.set(state);
    if (r.minBlobArea > 0) {
      // A blob includes its soft rim down to the coverage band's low end, so no faint smudge stays.
      const t = Math.max(0.05, r.coverage[0]);
      const o = g.regions;
      o.minArea = Math.round(r.minBlobArea * n);
      o.foreground = true;
      o.threshold = t;
      removeSmallRegions(work, o);
    }
    if (r.minHoleArea > 0) {
      const t = Math.min(0.95, r.coverage[1]);
      const o = g.regions;
      o.minArea = Math.round(r.minHoleArea * n);
      o.foreground = false;
      o.threshold = t;
      removeSmallRegions(work, o);
    }
    let grow = r.dilate;
    let blur = 0;
    if (r.feather !== false) {
      blur = r.feather.radius / 2;
      if (r.feather.direction === 'outward') grow += blur;
      else if (r.feather.direction === 'inward') grow -= blur;
    }
    const growCells = Math.round(grow / layout.cell);
    if (growCells !== 0) morph(work, work, gw, gh, growCells, g.tmp);
    const blurCells = Math.round(blur / layout.cell);
    if (blurCells > 0) {
      boxMeanPlanes(work, { width: gw, height: gh, radius: blurCells, passes: 2 });
    }
    const k = this.#kernel;
    if (r.guided !== false) {
      guidedFilterCoefficients(guide, work, gw, gh, r.guided.radius, r.guided.eps, g.guided);
      k.meanA = g.guided.meanA;
      k.meanB = g.guided.meanB;
    } else {
      g.guided.meanA.fill(0);
      k.meanA = g.guided.meanA;
      k.meanB = work;
    }
    k.low = r.coverage[0];
    k.high = r.coverage[1];
    k.lightWrap = r.lightWrap;
    k.rowA = g.rowA;
    k.rowB = g.rowB;
    return g;
  }

  process(frame: Uint8Array, mask: Float32Array, geometry: FrameMaskGeometry, out: Uint8Array): void {
    const g = this.#refineGrid(frame, mask, geometry);
    if (!(out instanceof Uint8Array) || out.length !== frame.length || out === frame) {
      throw new DeepsegError(
        'ERR_BUFFER_TOO_SMALL',
        `Expected out to be a separate ${frame.length}-byte YUYV frame but received ${out?.length} bytes`,
        { option: 'out' },
      );
    }
    const bg = this.#active!;
    const staged = this.#frameStaged;
    let source: GuidedBackground;
    switch (bg.kind) {
      case 'color':
        source = bg.color;
        break;
      case 'image':
        source = bg.frame;
        break;
      case 'video':
        source = bg.player.frame();
        break;
      case 'blur':
        bg.blur.update(staged, g.work, g.layout);
        source = bg.blur.planes;
        break;
    }
    const k = this.#kernel;
    const { layout } = g;
    this.#options.gridWidth = layout.gridWidth;
    this.#options.gridHeight = layout.gridHeight;
    this.#options.roi = layout.roi;
    this.#coverage[0] = k.low;
    this.#coverage[1] = k.high;
    this.#options.lightWrap = k.lightWrap;
    guidedCompositeYuyv(staged, source, out, k.meanA, k.meanB, this.#options);
  }

  refineMask(frame: Uint8Array, mask: Float32Array, geometry: FrameMaskGeometry, alpha: Float32Array): void {
    const g = this.#refineGrid(frame, mask, geometry);
    if (!(alpha instanceof Float32Array) || alpha.length !== this.width * this.height) {
      throw new DeepsegError(
        'ERR_BUFFER_TOO_SMALL',
        `Expected alpha to be a Float32Array of ${this.width * this.height} but received ${describe(alpha?.length)}`,
        { option: 'alpha' },
      );
    }
    alphaKernel(frame, alpha, g.layout, this.#kernel);
  }
}

/** The alpha the composite kernel uses, written out (same arithmetic, no light wrap). */
function alphaKernel(frame: Uint8Array, alpha: Float32Array, layout: Layout, p: KernelParams): void {
  const W = layout.frameWidth;
  const H = layout.frameHeight;
  const { gridWidth: gw, gridHeight: gh, roi, colX0, colFx } = layout;
  const { meanA, meanB, rowA, rowB, low } = p;
  const inv = p.high > low ? 1 / (p.high - low) : 1e6;
  alpha.fill(0);
  for (let y = roi.y; y < roi.y + roi.height; y++) {
    let gyf = ((y + 0.5 - roi.y) * gh) / roi.height - 0.5;
    if (gyf < 0) gyf = 0;
    if (gyf > gh - 1) gyf = gh - 1;
    const y0 = Math.floor(gyf);
    const fy = gyf - y0;
    const y1 = y0 + 1 < gh ? y0 + 1 : y0;
    for (let gx = 0; gx < gw; gx++) {
      const a0 = meanA[y0 * gw + gx]!;
      const b0 = meanB[y0 * gw + gx]!;
      rowA[gx] = (a0 + (meanA[y1 * gw + gx]! - a0) * fy) / 255;
      rowB[gx] = b0 + (meanB[y1 * gw + gx]! - b0) * fy;
    }
    rowA[gw] = rowA[gw - 1]!;
    rowB[gw] = rowB[gw - 1]!;
    for (let x = roi.x; x < roi.x + roi.width; x++) {
      const k = colX0[x]!;
      const fx = colFx[x]!;
      const q =
        (rowA[k]! + (rowA[k + 1]! - rowA[k]!) * fx) * frame[(y * W + x) * 2]! +
        rowB[k]! +
        (rowB[k + 1]! - rowB[k]!) * fx;
      let t = (q - low) * inv;
      t = t < 0 ? 0 : Math.min(t, 1);
      alpha[y * W + x] = t * t * (3 - 2 * t);
    }
  }
  void H;
}

/**
 * Creates a compositor for `width`×`height` YUYV frames and loads its first background.
 *
 * @throws DeepsegError `ERR_INVALID_OPTION` (sizes, refine options, background spec) and the
 *   background loading errors of {@link Compositor.setBackground}.
 * @example
 * ```ts
 * const c = await createCompositor({ width: 1280, height: 720, background: { type: 'blur', radius: 16 } });
 * c.process(frame, mask, { width: 256, height: 256 }, out);
 * await c.setBackground({ type: 'image', source: 'beach.jpg' });
 * ```
 */
export async function createCompositor(options: CompositorOptions): Promise<Compositor> {
  if (typeof options !== 'object' || options === null) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected compositor options { width, height } but received ${describe(options)}`,
      {
        option: 'options',
      },
    );
  }
  const width = checkInteger(options.width, 'options.width', 2, 8192);
  if (width % 2 !== 0) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected an even options.width for YUYV but received ${width}`,
      {
        option: 'options.width',
      },
    );
  }
  checkInteger(options.height, 'options.height', 1, 8192);
  checkOneOf(options.matrix ?? 'BT601', ['BT601', 'BT709'] as const, 'options.matrix');
  checkOneOf(options.range ?? 'limited', ['limited', 'full'] as const, 'options.range');
  const refine = resolveRefineOptions(options.refine);
  const c = new CompositorImpl(options, refine);
  await c.setBackground(options.background ?? DEFAULT_BACKGROUND);
  return c;
}
