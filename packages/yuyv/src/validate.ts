// Validation shared by every public function: each check throws a DeepsegError whose message names
// the option, what is allowed, and what was received.
import { DeepsegError } from './errors.ts';
import type { PixelFormat } from './pixel-format.ts';

/** Largest accepted frame side; far above any camera, small enough that sizes stay exact integers. */
export const MAX_DIMENSION = 16384;

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  return typeof value;
}

/** @internal Throws ERR_INVALID_OPTION unless `options` is an object; `fields` names what it holds. */
export function assertOptionsObject(options: unknown, fields: string): asserts options is object {
  if (typeof options !== 'object' || options === null) {
    throw new DeepsegError('ERR_INVALID_OPTION', `Expected an options object ${fields}`, {
      option: 'options',
    });
  }
}

/** @internal Throws ERR_INVALID_OPTION unless `value` is one of `allowed`. */
export function assertOneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  option: string,
): asserts value is T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected one of ${allowed.join(', ')} for options.${option} but received ${show(value)}`,
      { option: `options.${option}` },
    );
  }
}

/** @internal Throws ERR_INVALID_OPTION unless `value` is an integer in [min, max]. */
export function assertInt(
  value: unknown,
  option: string,
  min: number,
  max = MAX_DIMENSION,
): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected an integer from ${min} to ${max} for options.${option} but received ${show(value)}`,
      { option: `options.${option}` },
    );
  }
}

/** @internal Throws ERR_INVALID_OPTION unless `value` is a finite number. */
export function assertFinite(value: unknown, option: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected a finite number for options.${option} but received ${show(value)}`,
      {
        option: `options.${option}`,
      },
    );
  }
}

/** @internal Validates frame dimensions for a pixel format (even width for YUV, even height for 4:2:0). */
export function assertDimensions(width: unknown, height: unknown, format: PixelFormat, prefix = ''): void {
  assertInt(width, `${prefix}width`, 1);
  assertInt(height, `${prefix}height`, 1);
  if (format !== 'RGB24' && format !== 'BGR24' && format !== 'RGBA' && width % 2 !== 0) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected an even options.${prefix}width for ${format} (chroma is shared by pixel pairs) but received ${width}`,
      { option: `options.${prefix}width`, hint: 'crop or pad the frame to an even width' },
    );
  }
  if ((format === 'NV12' || format === 'I420') && height % 2 !== 0) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected an even options.${prefix}height for ${format} (4:2:0 chroma is shared by row pairs) but received ${height}`,
      { option: `options.${prefix}height` },
    );
  }
}

/** @internal Throws ERR_INVALID_ARGUMENT unless `buffer` is a Uint8Array (Buffer included). */
export function assertBytes(buffer: unknown, name: string): asserts buffer is Uint8Array {
  if (!(buffer instanceof Uint8Array)) {
    throw new DeepsegError(
      'ERR_INVALID_ARGUMENT',
      `Expected a Uint8Array for ${name} but received ${show(buffer)}`,
      {
        option: name,
      },
    );
  }
}

/** @internal Throws ERR_INVALID_ARGUMENT unless `v` is a Float32Array. */
export function assertFloats(v: unknown, name: string): asserts v is Float32Array {
  if (!(v instanceof Float32Array)) {
    throw new DeepsegError('ERR_INVALID_ARGUMENT', `Expected a Float32Array for ${name}`, { option: name });
  }
}

/** @internal Throws ERR_INVALID_ARGUMENT unless `buffer` is a Float32Array or a Uint8Array. */
export function assertMask(buffer: unknown, name: string): asserts buffer is Float32Array | Uint8Array {
  if (!(buffer instanceof Float32Array) && !(buffer instanceof Uint8Array)) {
    throw new DeepsegError(
      'ERR_INVALID_ARGUMENT',
      `Expected a Float32Array (0..1) or Uint8Array (0..255) for ${name} but received ${show(buffer)}`,
      { option: name },
    );
  }
}

/**
 * @internal Throws ERR_BUFFER_TOO_SMALL when `buffer` has fewer than `needed` elements. The message
 * ("a 640x480 YUYV frame", "a 256x144 mask", "a 256x256x3 tensor") is only built when it throws.
 */
export function assertLength(
  buffer: ArrayLike<number>,
  needed: number,
  name: string,
  width: number,
  height: number,
  label: string,
): void {
  if (buffer.length < needed) {
    const what =
      label === 'tensor'
        ? `a ${width}x${height}x3 tensor`
        : label === 'mask'
          ? `a ${width}x${height} mask`
          : `a ${width}x${height} ${label} frame`;
    throw new DeepsegError(
      'ERR_BUFFER_TOO_SMALL',
      `${name} holds ${buffer.length} elements but ${what} needs ${needed}`,
      {
        option: name,
        hint: `allocate at least ${needed} elements`,
      },
    );
  }
}

/** A rectangle in pixels; `x`, `y`, `width`, `height` are integers. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** @internal Validates that `rect` is an integer rectangle inside a `width`×`height` area. */
export function assertRect(
  rect: unknown,
  option: string,
  width: number,
  height: number,
): asserts rect is Rect {
  if (typeof rect !== 'object' || rect === null) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected { x, y, width, height } for options.${option} but received ${show(rect)}`,
      {
        option: `options.${option}`,
      },
    );
  }
  const r = rect as Partial<Rect>;
  assertInt(r.x, `${option}.x`, 0, width - 1);
  assertInt(r.y, `${option}.y`, 0, height - 1);
  assertInt(r.width, `${option}.width`, 1, width - r.x);
  assertInt(r.height, `${option}.height`, 1, height - r.y);
}

/** @internal Throws ERR_INVALID_ARGUMENT when two buffers that must be distinct share memory. */
export function assertNoOverlap(a: ArrayBufferView, b: ArrayBufferView, names: string): void {
  if (a.buffer !== b.buffer) return;
  const aEnd = a.byteOffset + a.byteLength;
  const bEnd = b.byteOffset + b.byteLength;
  if (a.byteOffset < bEnd && b.byteOffset < aEnd) {
    throw new DeepsegError('ERR_INVALID_ARGUMENT', `${names} must not overlap in memory`, { option: names });
  }
}

/** @internal `rect`, or `scratch` set to the whole `width`×`height` area when `rect` is undefined (no allocation). */
export function rectOrWhole(rect: Rect | undefined, scratch: Rect, width: number, height: number): Rect {
  if (rect !== undefined) return rect;
  scratch.x = 0;
  scratch.y = 0;
  scratch.width = width;
  scratch.height = height;
  return scratch;
}
