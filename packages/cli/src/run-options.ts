import { DeepsegError } from '@deepseg/yuyv';
import type { OptionSpec } from './parse-args.ts';

/** Camera pixel formats deepseg can capture. `auto` prefers YUYV and falls back to MJPEG. */
export const CaptureFormat = { Auto: 'auto', YUYV: 'YUYV', MJPEG: 'MJPEG' } as const;
/** One of the {@link CaptureFormat} values. */
export type CaptureFormat = (typeof CaptureFormat)[keyof typeof CaptureFormat];

/** A parsed `--background`. */
export type BackgroundSpec =
  | { kind: 'blur'; radius: number }
  | { kind: 'color'; hex: string; rgb: readonly [number, number, number] }
  | { kind: 'file'; path: string };

/** Default blur strength (pixels at output resolution) of `--background blur`. */
export const DEFAULT_BLUR = 16;
/** Default `--still-threshold` when `--skip-still` is given without one (mean absolute luma change). */
export const DEFAULT_STILL_THRESHOLD = 1.5;

/** Every option of the run command, validated. `undefined` means "let deepseg or the library choose". */
export interface RunOptions {
  camera: string;
  loopback: string;
  width: number | undefined;
  height: number | undefined;
  fps: number | undefined;
  format: CaptureFormat;
  outputWidth: number | undefined;
  outputHeight: number | undefined;
  model: string | undefined;
  threads: number | undefined;
  background: BackgroundSpec;
  threshold: number | undefined;
  smoothing: number | undefined;
  feather: number | undefined;
  mirror: boolean;
  inferEvery: number;
  stillThreshold: number;
  onDemand: boolean;
  onDemandLingerMs: number;
  stats: boolean;
  input: string | undefined;
  output: string | undefined;
  frames: number | undefined;
  realtime: boolean;
  config: string | undefined;
  debug: boolean;
  quiet: boolean;
}

/** Options common to every command. */
export const commonSpecs: readonly OptionSpec[] = [
  { name: 'help', short: 'h', type: 'boolean', description: 'show this help and exit' },
  { name: 'debug', type: 'boolean', description: 'print stack traces and internal details on errors' },
];

/** The options of `deepseg` (run), in help order. Every one may also be set in `--config`. */
export const runSpecs: readonly OptionSpec[] = [
  {
    name: 'camera',
    short: 'c',
    aliases: ['webcam-path', 'capture'],
    type: 'string',
    value: '<path>',
    description: 'camera device to read',
    default: 'auto: the first real capture device',
  },
  {
    name: 'loopback',
    short: 'v',
    aliases: ['v4l2loopback-path', 'virtual'],
    type: 'string',
    value: '<path>',
    description: 'v4l2loopback device to write (the virtual camera)',
    default: 'auto: the first v4l2loopback device',
  },
  {
    name: 'size',
    short: 's',
    type: 'string',
    value: '<WxH>',
    description: 'capture size, e.g. 1280x720',
    default: 'auto: 1280x720 when the camera offers it, else its largest size up to that',
  },
  { name: 'width', type: 'string', value: '<px>', description: 'capture width (same as the W of --size)' },
  { name: 'height', type: 'string', value: '<px>', description: 'capture height (same as the H of --size)' },
  {
    name: 'fps',
    short: 'r',
    aliases: ['rate'],
    type: 'string',
    value: '<n>',
    description: 'capture frame rate; the output is paced to it',
    default: 'auto: 30 when offered',
  },
  {
    name: 'format',
    short: 'f',
    type: 'string',
    value: '<auto|YUYV|MJPEG>',
    description: 'camera pixel format (MJPEG is decoded with libjpeg-turbo)',
    default: 'auto: YUYV if the size and rate are offered in it, else MJPEG',
  },
  {
    name: 'output-size',
    type: 'string',
    value: '<WxH>',
    description: 'size of the virtual camera picture',
    default: 'the capture size',
  },
  {
    name: 'model',
    short: 'm',
    type: 'string',
    value: '<id|file>',
    description:
      'segmentation model: an id from `deepseg models list`, a model file (.tflite, .onnx) with its .json manifest beside it (or a copy of a registry model), or a .json manifest',
    default: 'the registry default',
  },
  {
    name: 'threads',
    short: 't',
    type: 'string',
    value: '<n>',
    description: 'inference threads',
    default: 'the segment package default',
  },
  {
    name: 'background',
    short: 'b',
    aliases: ['bg'],
    type: 'string',
    value: '<spec>',
    description: 'blur[=N] | color=#RRGGBB | <image or video file>',
    default: `blur=${DEFAULT_BLUR}`,
  },
  {
    name: 'threshold',
    type: 'string',
    value: '<0..1>',
    description: 'person probability above which a pixel is foreground (centre of a ±0.2 soft band)',
    default: '0.5',
  },
  {
    name: 'smoothing',
    type: 'string',
    value: '<0..1>',
    description:
      'temporal smoothing of the mask where the picture is still (0 = none); moving parts follow at once',
    default: '0.8',
  },
  {
    name: 'feather',
    type: 'string',
    value: '<px>',
    description: 'extra softness of the mask edge in pixels (the edge already follows the picture)',
    default: '0',
  },
  { name: 'mirror', type: 'boolean', description: 'flip the picture left-right (selfie view)' },
  {
    name: 'infer-every',
    type: 'string',
    value: '<n>',
    description: 'run the model on every Nth frame only; others reuse the newest mask',
    default: '1',
  },
  {
    name: 'skip-still',
    type: 'boolean',
    description: `skip inference while the picture does not change (see --still-threshold, default ${DEFAULT_STILL_THRESHOLD})`,
  },
  {
    name: 'still-threshold',
    type: 'string',
    value: '<luma>',
    description: 'mean absolute luma change below which a frame counts as still; implies --skip-still',
  },
  {
    name: 'on-demand',
    type: 'boolean',
    description: 'release the camera while no program has the virtual camera open; restart on open',
  },
  {
    name: 'on-demand-linger',
    type: 'string',
    value: '<ms>',
    description: 'on-demand: keep the camera this long after the last reader left',
    default: '3000',
  },
  {
    name: 'stats',
    type: 'boolean',
    description: 'print a live line: fps, inference ms, latency p50/p99, dropped frames, CPU %',
  },
  {
    name: 'input',
    short: 'i',
    type: 'string',
    value: '<file>',
    description: 'read a file instead of a camera: .y4m, an image, or a video (ffmpeg)',
  },
  {
    name: 'output',
    short: 'o',
    type: 'string',
    value: '<file>',
    description: 'write a file instead of a virtual camera: .y4m, .png, or a video (ffmpeg)',
  },
  { name: 'frames', short: 'n', type: 'string', value: '<n>', description: 'stop after N frames' },
  {
    name: 'realtime',
    type: 'boolean',
    description: 'file mode: behave like a camera (pace to the frame rate, never wait for inference)',
  },
  { name: 'config', type: 'string', value: '<file>', description: 'JSON file with any of these options' },
  { name: 'quiet', short: 'q', type: 'boolean', description: 'print nothing but errors' },
  { name: 'version', short: 'V', type: 'boolean', description: 'print the version and exit' },
  ...commonSpecs,
];

/** Raw option values: from the command line (strings/booleans) or a config file (also numbers). */
export type RawOptions = Record<string, string | number | boolean | undefined>;

/** Where each raw value came from, for error messages. */
export type OptionSources = Record<string, string>;

function label(name: string, sources: OptionSources): string {
  return sources[name] ?? `--${name}`;
}

function invalid(name: string, sources: OptionSources, expected: string, received: unknown): DeepsegError {
  const shown = typeof received === 'string' ? `"${received}"` : String(received);
  return new DeepsegError(
    'ERR_INVALID_OPTION',
    `Expected ${expected} for ${label(name, sources)} but received ${shown}`,
    {
      option: label(name, sources),
    },
  );
}

function str(raw: RawOptions, name: string, sources: OptionSources): string | undefined {
  const v = raw[name];
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') throw invalid(name, sources, 'a value', v);
  const s = String(v).trim();
  if (s === '') throw invalid(name, sources, 'a value', v);
  return s;
}

function bool(raw: RawOptions, name: string, sources: OptionSources): boolean {
  const v = raw[name];
  if (v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (/^(true|yes|on|1)$/i.test(String(v))) return true;
  if (/^(false|no|off|0)$/i.test(String(v))) return false;
  throw invalid(name, sources, 'one of true, false', v);
}

function int(
  raw: RawOptions,
  name: string,
  sources: OptionSources,
  min: number,
  max: number,
): number | undefined {
  const s = str(raw, name, sources);
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < min || n > max)
    throw invalid(name, sources, `an integer from ${min} to ${max}`, raw[name]);
  return n;
}

function num(
  raw: RawOptions,
  name: string,
  sources: OptionSources,
  min: number,
  max: number,
): number | undefined {
  const s = str(raw, name, sources);
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isFinite(n) || n < min || n > max)
    throw invalid(name, sources, `a number from ${min} to ${max}`, raw[name]);
  return n;
}

/**
 * Parses `WxH` (also `W*H`, `W:H`). Widths must be even (YUYV packs two pixels per four bytes).
 *
 * @throws DeepsegError `ERR_INVALID_OPTION` naming the option.
 */
export function parseSize(text: string, option: string): { width: number; height: number } {
  const m = /^\s*(\d{1,5})\s*[x×*:]\s*(\d{1,5})\s*$/i.exec(text);
  const width = m ? Number(m[1]) : Number.NaN;
  const height = m ? Number(m[2]) : Number.NaN;
  if (!m || width < 2 || height < 2 || width > 16384 || height > 16384) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected a size like 1280x720 for ${option} but received "${text}"`,
      { option },
    );
  }
  if (width % 2 !== 0) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected an even width for ${option} (YUYV packs pixel pairs) but received "${text}"`,
      { option },
    );
  }
  return { width, height };
}

/**
 * Parses a `--background` value: `blur`, `blur=N`, `color=#RRGGBB` (also `colour=`, `#RGB`, a few
 * names), or a file path.
 *
 * @throws DeepsegError `ERR_INVALID_OPTION` for a malformed blur strength or colour.
 */
export function parseBackground(text: string, option = '--background'): BackgroundSpec {
  const t = text.trim();
  const blur = /^blur(?:[=:](.*))?$/i.exec(t);
  if (blur) {
    if (blur[1] === undefined) return { kind: 'blur', radius: DEFAULT_BLUR };
    const radius = Number(blur[1]);
    if (!Number.isInteger(radius) || radius < 1 || radius > 200) {
      throw new DeepsegError(
        'ERR_INVALID_OPTION',
        `Expected blur=N with N an integer from 1 to 200 for ${option} but received "${text}"`,
        { option },
      );
    }
    return { kind: 'blur', radius };
  }
  const color = /^colou?r[=:](.*)$/i.exec(t);
  if (color) return parseColor(color[1]!, text, option);
  if (/^#[0-9a-f]{3}([0-9a-f]{3})?$/i.test(t)) return parseColor(t, text, option);
  return { kind: 'file', path: t };
}

const namedColors: Record<string, string> = {
  green: '#00FF00',
  blue: '#0000FF',
  black: '#000000',
  white: '#FFFFFF',
  red: '#FF0000',
  gray: '#808080',
  grey: '#808080',
  magenta: '#FF00FF',
};

function parseColor(value: string, text: string, option: string): BackgroundSpec {
  let v = value.trim();
  const named = namedColors[v.toLowerCase()];
  if (named !== undefined) v = named;
  if (!v.startsWith('#') && /^[0-9a-f]{6}$/i.test(v)) v = `#${v}`;
  if (/^#[0-9a-f]{3}$/i.test(v)) v = `#${v[1]}${v[1]}${v[2]}${v[2]}${v[3]}${v[3]}`;
  if (!/^#[0-9a-f]{6}$/i.test(v)) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected color=#RRGGBB (or one of ${Object.keys(namedColors).join(', ')}) for ${option} but received "${text}"`,
      { option },
    );
  }
  const hex = v.toUpperCase();
  const rgb = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
  return { kind: 'color', hex, rgb };
}

/**
 * Validates merged raw options (config file values overridden by the command line) into
 * {@link RunOptions}. Every message names the option (or the config key and file) and the allowed values.
 *
 * @throws DeepsegError `ERR_INVALID_OPTION`.
 */
export function resolveRunOptions(raw: RawOptions, sources: OptionSources = {}): RunOptions {
  let width: number | undefined;
  let height: number | undefined;
  const size = str(raw, 'size', sources);
  if (size !== undefined) ({ width, height } = parseSize(size, label('size', sources)));
  const w = int(raw, 'width', sources, 2, 16384);
  const h = int(raw, 'height', sources, 2, 16384);
  if (w !== undefined) {
    if (w % 2 !== 0) throw invalid('width', sources, 'an even width', raw.width);
    width = w;
  }
  if (h !== undefined) height = h;
  if ((width === undefined) !== (height === undefined)) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Give both width and height (e.g. --size 1280x720); only ${width === undefined ? '--height' : '--width'} was set`,
      { option: '--size' },
    );
  }
  let outputWidth: number | undefined;
  let outputHeight: number | undefined;
  const outSize = str(raw, 'output-size', sources);
  if (outSize !== undefined) {
    ({ width: outputWidth, height: outputHeight } = parseSize(outSize, label('output-size', sources)));
  }
  const formatText = str(raw, 'format', sources);
  let format: CaptureFormat = 'auto';
  if (formatText !== undefined) {
    const f = formatText.toUpperCase();
    if (f === 'AUTO') format = 'auto';
    else if (f === 'YUYV' || f === 'YUY2') format = 'YUYV';
    else if (f === 'MJPEG' || f === 'MJPG') format = 'MJPEG';
    else throw invalid('format', sources, 'one of auto, YUYV, MJPEG', formatText);
  }
  const bgText = str(raw, 'background', sources);
  const background =
    bgText === undefined
      ? { kind: 'blur' as const, radius: DEFAULT_BLUR }
      : parseBackground(bgText, label('background', sources));
  const stillText = raw['still-threshold'];
  let stillThreshold = bool(raw, 'skip-still', sources) ? DEFAULT_STILL_THRESHOLD : 0;
  if (stillText !== undefined) stillThreshold = num(raw, 'still-threshold', sources, 0, 255) ?? 0;
  const input = str(raw, 'input', sources);
  const output = str(raw, 'output', sources);
  const camera = str(raw, 'camera', sources) ?? 'auto';
  const loopback = str(raw, 'loopback', sources) ?? 'auto';
  if (input !== undefined && raw.camera !== undefined) {
    throw new DeepsegError('ERR_INVALID_OPTION', 'Give either --input or --camera, not both', {
      option: '--input',
    });
  }
  if (output !== undefined && raw.loopback !== undefined) {
    throw new DeepsegError('ERR_INVALID_OPTION', 'Give either --output or --loopback, not both', {
      option: '--output',
    });
  }
  return {
    camera,
    loopback,
    width,
    height,
    fps: num(raw, 'fps', sources, 1, 240),
    format,
    outputWidth,
    outputHeight,
    model: str(raw, 'model', sources),
    threads: int(raw, 'threads', sources, 1, 64),
    background,
    threshold: num(raw, 'threshold', sources, 0, 1),
    smoothing: num(raw, 'smoothing', sources, 0, 1),
    feather: num(raw, 'feather', sources, 0, 100),
    mirror: bool(raw, 'mirror', sources),
    inferEvery: int(raw, 'infer-every', sources, 1, 1000) ?? 1,
    stillThreshold,
    onDemand: bool(raw, 'on-demand', sources),
    onDemandLingerMs: int(raw, 'on-demand-linger', sources, 0, 3_600_000) ?? 3000,
    stats: bool(raw, 'stats', sources),
    input,
    output,
    frames: int(raw, 'frames', sources, 1, 1e9),
    realtime: bool(raw, 'realtime', sources),
    config: str(raw, 'config', sources),
    debug: bool(raw, 'debug', sources),
    quiet: bool(raw, 'quiet', sources),
  };
}
