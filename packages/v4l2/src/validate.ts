// The one validator both bindings and the public API share: option checks at the public boundary and
// the argument check every ioctl goes through (a wrong-sized buffer would let the kernel write past it).
import { DeepsegError } from '@deepseg/yuyv';
import { ioctlArgSize, ioctlName } from './ioctl.ts';
import { frameGeometry, PixelFormat } from './pixel-format.ts';

const PIXEL_FORMATS = Object.values(PixelFormat) as string[];

function invalid(option: string, expected: string, received: unknown): DeepsegError {
  return new DeepsegError(
    'ERR_INVALID_OPTION',
    `Expected ${expected} for ${option} but received ${JSON.stringify(received) ?? String(received)}`,
    { option },
  );
}

/** Checks that `arg` has exactly the size the request number encodes; throws ERR_INVALID_STATE if not. */
export function checkIoctlArg(request: number, arg: Uint8Array): void {
  const size = ioctlArgSize(request);
  if (arg.byteLength !== size) {
    throw new DeepsegError(
      'ERR_INVALID_STATE',
      `${ioctlName(request)} takes a ${size}-byte argument but was given ${arg.byteLength} bytes (a bug in @deepseg/v4l2)`,
      { ioctl: ioctlName(request) },
    );
  }
}

/** An integer in [min, max], or throws ERR_INVALID_OPTION naming `option`. */
export function checkInteger(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(option, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

/** A finite number in (0, max], or throws ERR_INVALID_OPTION. */
export function checkPositive(option: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
    throw invalid(option, `a number above 0 and at most ${max}`, value);
  }
  return value;
}

/** One of `allowed`, or throws ERR_INVALID_OPTION listing them. */
export function checkOneOf<T extends string>(option: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw invalid(option, `one of ${allowed.join(', ')}`, value);
  }
  return value as T;
}

/** A device path string, or throws ERR_INVALID_OPTION. */
export function checkDevicePath(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0)
    throw invalid('path', 'a device path such as /dev/video0', value);
  return value;
}

/** Validated geometry shared by capture and output options. */
export interface Geometry {
  width: number;
  height: number;
  pixelFormat: PixelFormat;
}

/** Validates width/height/pixelFormat; 4:2:2 and 4:2:0 formats need an even width. */
export function checkGeometry(
  options: { width?: unknown; height?: unknown; pixelFormat?: unknown },
  allowed: readonly string[] = PIXEL_FORMATS,
  defaultFormat?: PixelFormat,
): Geometry {
  const width = checkInteger('options.width', options.width, 1, 16384);
  const height = checkInteger('options.height', options.height, 1, 16384);
  const pixelFormat = checkOneOf(
    'options.pixelFormat',
    options.pixelFormat ?? defaultFormat,
    allowed,
  ) as PixelFormat;
  if (['YUYV', 'UYVY', 'NV12', 'YU12'].includes(pixelFormat) && width % 2 !== 0) {
    throw invalid('options.width', `an even width for ${pixelFormat}`, width);
  }
  if (['NV12', 'YU12'].includes(pixelFormat) && height % 2 !== 0) {
    throw invalid('options.height', `an even height for ${pixelFormat}`, height);
  }
  return { width, height, pixelFormat };
}

/** Pixel formats `openOutput` can write (uncompressed ones, whose frame size is known). */
export const OUTPUT_PIXEL_FORMATS = PIXEL_FORMATS.filter((f) => frameGeometry(f, 2, 2) !== undefined);
