import { oneLine, segmentError } from './errors.ts';

/** Tensor layouts a model may use. */
export const TensorLayout = { NHWC: 'NHWC', NCHW: 'NCHW' } as const;
/** One of {@link TensorLayout}. */
export type TensorLayout = (typeof TensorLayout)[keyof typeof TensorLayout];

/** Colour channel orders a model may expect. */
export const ChannelOrder = { RGB: 'RGB', BGR: 'BGR' } as const;
/** One of {@link ChannelOrder}. */
export type ChannelOrder = (typeof ChannelOrder)[keyof typeof ChannelOrder];

/**
 * How the raw output becomes a person probability:
 * - `probability`: the person channel already holds 0..1 (a final sigmoid or softmax in the model);
 * - `sigmoid`: the person channel holds logits;
 * - `softmax`: all channels hold logits, person = softmax over channels at `person`;
 * - `argmax`: 1 where `person` is the largest channel, else 0 (a hard mask).
 */
export const OutputDecode = {
  Probability: 'probability',
  Sigmoid: 'sigmoid',
  Softmax: 'softmax',
  Argmax: 'argmax',
} as const;
/** One of {@link OutputDecode}. */
export type OutputDecode = (typeof OutputDecode)[keyof typeof OutputDecode];

/** Model file formats. */
export const ModelFormat = { ONNX: 'onnx', TFLite: 'tflite' } as const;
/** One of {@link ModelFormat}. */
export type ModelFormat = (typeof ModelFormat)[keyof typeof ModelFormat];

/**
 * The model's input tensor: size, layout, colour order and normalisation. A pixel value p (0..255)
 * of channel c becomes `(p * scale - mean[c]) / std[c]` — the same convention as
 * `frameToTensor` in `@deepseg/yuyv`.
 */
export interface InputGeometry {
  width: number;
  height: number;
  layout: TensorLayout;
  channelOrder: ChannelOrder;
  scale: number;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/** The model's output tensor and how to decode it (batch 1). */
export interface OutputGeometry {
  width: number;
  height: number;
  layout: TensorLayout;
  /** Number of channels of the output tensor (1, 2, 21 …). */
  channels: number;
  /** Index of the person channel (VOC DeepLab: 15). */
  person: number;
  decode: OutputDecode;
}

/** Where a model file comes from. */
export type ModelSource =
  /** A file shipped inside an npm package (built-in: no download). */
  | { type: 'npm'; package: string; file: string; size?: number; sha256?: string }
  /** A public URL (`pullModel` downloads it into {@link modelsDir}). */
  | { type: 'url'; url: string; file: string; size: number; sha256: string }
  /**
   * A file the user provides: relative to the manifest's folder (user manifests) or to the models
   * folder (registry entries without a public download).
   */
  | { type: 'local'; file: string; size?: number; sha256?: string };

/** A model manifest: what `models/*.json` and user manifest files contain. */
export interface ModelManifest {
  /** Format version of this manifest: 1. */
  schemaVersion: 1;
  /** Registry id, lower-case letters, digits and dashes: `selfie-general`. */
  id: string;
  title: string;
  /** SPDX licence id of the weights, or a sentence when it is not a plain SPDX id. */
  licence: string;
  /** What the model is good for, one or two sentences. */
  goodFor: string;
  source: ModelSource;
  input: InputGeometry;
  output: OutputGeometry;
  /** Set by the registry: the folder the manifest was read from (resolves `local` files). */
  readonly baseDir?: string;
}

type Json = Record<string, unknown>;

function fail(where: string, message: string, cause?: unknown): never {
  throw segmentError('ERR_INVALID_MANIFEST', `Invalid model manifest ${where}: ${message}`, {
    path: where,
    cause,
    hint: 'see "Manifest format" in the @deepseg/segment README',
  });
}

function field<T>(where: string, obj: Json, key: string, check: (v: unknown) => v is T, expected: string): T {
  const v = obj[key];
  if (!check(v)) fail(where, `expected ${expected} for ${key} but received ${JSON.stringify(v)}`);
  return v;
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isPositiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
const isNonNegInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isTriple = (v: unknown): v is [number, number, number] =>
  Array.isArray(v) && v.length === 3 && v.every(isFiniteNumber);
const isSha256 = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
const oneOf =
  <T extends string>(values: readonly T[]) =>
  (v: unknown): v is T =>
    typeof v === 'string' && (values as readonly string[]).includes(v);

function optional<T>(where: string, obj: Json, key: string, check: (v: unknown) => v is T, expected: string) {
  return obj[key] === undefined ? undefined : field(where, obj, key, check, expected);
}

/**
 * Validates parsed JSON as a {@link ModelManifest}.
 *
 * @param json - parsed manifest
 * @param where - file path or id, used in error messages
 * @throws ERR_INVALID_MANIFEST naming the field, what was expected and what was received
 * @example
 * const manifest = parseManifest(JSON.parse(readFileSync('sinet.json', 'utf8')), 'sinet.json');
 */
export function parseManifest(json: unknown, where: string, baseDir?: string): ModelManifest {
  if (!isObject(json)) fail(where, 'expected a JSON object');
  if (json.schemaVersion !== 1) {
    fail(where, `expected 1 for schemaVersion but received ${JSON.stringify(json.schemaVersion)}`);
  }
  const id = field(
    where,
    json,
    'id',
    (v): v is string => isString(v) && /^[a-z0-9][a-z0-9._-]*$/.test(v),
    'a lower-case id',
  );
  const title = field(where, json, 'title', isString, 'a string');
  const licence = field(where, json, 'licence', isString, 'a string');
  const goodFor = field(where, json, 'goodFor', isString, 'a string');
  const s = field(where, json, 'source', isObject, 'an object');
  const type = field(where, s, 'type', oneOf(['npm', 'url', 'local'] as const), 'one of npm, url, local');
  const file = field(where, s, 'file', isString, 'a file name');
  let source: ModelSource;
  if (type === 'url') {
    const url = field(where, s, 'url', isString, 'a URL');
    try {
      const u = new URL(url);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(u.protocol);
    } catch (e) {
      fail(where, `expected an http(s) URL for source.url but received ${JSON.stringify(url)}`, e);
    }
    source = {
      type,
      url,
      file,
      size: field(where, s, 'size', isPositiveInt, 'a byte count'),
      sha256: field(where, s, 'sha256', isSha256, 'a lower-case hex sha256'),
    };
  } else {
    const size = optional(where, s, 'size', isPositiveInt, 'a byte count');
    const sha256 = optional(where, s, 'sha256', isSha256, 'a lower-case hex sha256');
    source =
      type === 'npm'
        ? { type, package: field(where, s, 'package', isString, 'an npm package name'), file, size, sha256 }
        : { type, file, size, sha256 };
  }
  if (!/\.(onnx|tflite)$/i.test(file))
    fail(where, `expected a .onnx or .tflite file but received ${JSON.stringify(file)}`);

  const i = field(where, json, 'input', isObject, 'an object');
  const input: InputGeometry = {
    width: field(where, i, 'width', isPositiveInt, 'a positive integer'),
    height: field(where, i, 'height', isPositiveInt, 'a positive integer'),
    layout: field(where, i, 'layout', oneOf(['NHWC', 'NCHW'] as const), 'one of NHWC, NCHW'),
    channelOrder: field(where, i, 'channelOrder', oneOf(['RGB', 'BGR'] as const), 'one of RGB, BGR'),
    scale: field(where, i, 'scale', isFiniteNumber, 'a number'),
    mean: field(where, i, 'mean', isTriple, 'three numbers'),
    std: field(where, i, 'std', isTriple, 'three numbers'),
  };
  if (input.std.some((v) => v === 0)) fail(where, 'input.std must not contain 0');

  const o = field(where, json, 'output', isObject, 'an object');
  const output: OutputGeometry = {
    width: field(where, o, 'width', isPositiveInt, 'a positive integer'),
    height: field(where, o, 'height', isPositiveInt, 'a positive integer'),
    layout: field(where, o, 'layout', oneOf(['NHWC', 'NCHW'] as const), 'one of NHWC, NCHW'),
    channels: field(where, o, 'channels', isPositiveInt, 'a positive integer'),
    person: field(where, o, 'person', isNonNegInt, 'a channel index'),
    decode: field(
      where,
      o,
      'decode',
      oneOf(['probability', 'sigmoid', 'softmax', 'argmax'] as const),
      'one of probability, sigmoid, softmax, argmax',
    ),
  };
  if (output.person >= output.channels) {
    fail(where, `output.person ${output.person} is not below output.channels ${output.channels}`);
  }
  if ((output.decode === 'softmax' || output.decode === 'argmax') && output.channels < 2) {
    fail(where, `output.decode ${output.decode} needs at least 2 channels`);
  }
  return {
    schemaVersion: 1,
    id,
    title,
    licence,
    goodFor,
    source,
    input,
    output,
    ...(baseDir ? { baseDir } : {}),
  };
}

/** Parses manifest text (JSON), mapping syntax errors to ERR_INVALID_MANIFEST. */
export function parseManifestText(text: string, where: string, baseDir?: string): ModelManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(where, `not valid JSON (${oneLine(e)})`, e);
  }
  return parseManifest(json, where, baseDir);
}

/** The model's file format, from its file name. */
export function manifestFormat(manifest: ModelManifest): ModelFormat {
  return manifest.source.file.toLowerCase().endsWith('.tflite') ? 'tflite' : 'onnx';
}

/** Input tensor shape with batch 1 in the manifest's layout. */
export function inputShape(input: InputGeometry): [number, number, number, number] {
  return input.layout === 'NHWC' ? [1, input.height, input.width, 3] : [1, 3, input.height, input.width];
}

/** Number of elements of a tensor of `shape`. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Output tensor shape with batch 1 in the manifest's layout. */
export function outputShape(output: OutputGeometry): [number, number, number, number] {
  return output.layout === 'NHWC'
    ? [1, output.height, output.width, output.channels]
    : [1, output.channels, output.height, output.width];
}
