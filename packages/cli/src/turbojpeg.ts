import { allocFrame, convertFrame, DeepsegError } from '@deepseg/yuyv';
import koffi from 'koffi';

/** The part of libturbojpeg's TurboJPEG API the MJPEG decoder calls. */
interface TurboJpeg {
  init(): unknown;
  header(
    h: unknown,
    jpeg: Uint8Array,
    size: number,
    width: number[],
    height: number[],
    subsamp: number[],
    colorspace: number[],
  ): number;
  toYuv(
    h: unknown,
    jpeg: Uint8Array,
    size: number,
    dst: Uint8Array,
    width: number,
    pad: number,
    height: number,
    flags: number,
  ): number;
  errorCode(h: unknown): number;
  errorText(h: unknown): string;
}

let library: TurboJpeg | null | undefined;

/** libturbojpeg (Debian: libturbojpeg0), or null when it is not installed. Loaded once. */
export function loadTurboJpeg(): TurboJpeg | null {
  if (library !== undefined) return library;
  try {
    const lib = koffi.load('libturbojpeg.so.0');
    const init = lib.func('void *tjInitDecompress()');
    const header = lib.func(
      'int tjDecompressHeader3(void *h, const uint8_t *buf, unsigned long size, _Out_ int *w, _Out_ int *hh, _Out_ int *sub, _Out_ int *cs)',
    );
    const toYuv = lib.func(
      'int tjDecompressToYUV2(void *h, const uint8_t *buf, unsigned long size, uint8_t *dst, int width, int pad, int height, int flags)',
    );
    const errorCode = lib.func('int tjGetErrorCode(void *h)');
    const errorText = lib.func('const char *tjGetErrorStr2(void *h)');
    library = {
      init: () => init() as unknown,
      header: (h, jpeg, size, w, hh, sub, cs) => header(h, jpeg, size, w, hh, sub, cs) as number,
      toYuv: (h, jpeg, size, dst, w, pad, hh, flags) =>
        toYuv(h, jpeg, size, dst, w, pad, hh, flags) as number,
      errorCode: (h) => errorCode(h) as number,
      errorText: (h) => String(errorText(h)),
    };
  } catch {
    library = null;
  }
  return library;
}

// TurboJPEG constants (turbojpeg.h).
const TJSAMP_422 = 1;
const TJSAMP_420 = 2;
const TJCS_YCbCr = 1;
const TJERR_WARNING = 0;

/** What {@link TurboJpegDecoder.decode} did with a frame. */
export type TurboJpegResult = Uint8Array | 'unsupported';

/**
 * Decodes webcam JPEGs straight to YUV with libjpeg-turbo's TurboJPEG API — no RGB step — then
 * repacks them to YUYV and maps JPEG's full range to the limited range the pipeline uses. At 1080p
 * about 6 ms of CPU against 18 for sharp's RGB decode plus the RGB → YUYV conversion (decision 0063).
 * Frames it cannot take (4:4:4, greyscale, RGB JPEGs) are reported as `'unsupported'`.
 */
export class TurboJpegDecoder {
  readonly #tj: TurboJpeg;
  readonly #handle: unknown;
  readonly #width: number;
  readonly #height: number;
  /** Planar YUV as decoded (4:2:2 or 4:2:0), in WebAssembly memory so the repack copies nothing. */
  readonly #planes: Uint8Array;
  /** The YUYV result, reused frame to frame. */
  readonly #yuyv: Uint8Array;
  readonly #w = [0];
  readonly #h = [0];
  readonly #sub = [0];
  readonly #cs = [0];

  constructor(tj: TurboJpeg, width: number, height: number) {
    this.#tj = tj;
    this.#handle = tj.init();
    this.#width = width;
    this.#height = height;
    this.#planes = allocFrame(width * height * 2);
    this.#yuyv = allocFrame(width * height * 2);
  }

  /** @throws DeepsegError `ERR_INPUT` when `data` is not a readable JPEG of the expected size. */
  decode(data: Uint8Array): TurboJpegResult {
    const tj = this.#tj;
    const h = this.#handle;
    if (tj.header(h, data, data.byteLength, this.#w, this.#h, this.#sub, this.#cs) !== 0) {
      throw new DeepsegError('ERR_INPUT', `A camera frame is not a readable JPEG (${tj.errorText(h)})`);
    }
    const width = this.#width;
    const height = this.#height;
    if (this.#w[0] !== width || this.#h[0] !== height) {
      throw new DeepsegError(
        'ERR_INPUT',
        `An MJPEG frame is ${this.#w[0]}x${this.#h[0]}; expected ${width}x${height}`,
      );
    }
    const sub = this.#sub[0];
    if ((sub !== TJSAMP_422 && sub !== TJSAMP_420) || this.#cs[0] !== TJCS_YCbCr) return 'unsupported';
    const planes = sub === TJSAMP_422 ? this.#planes : this.#planes.subarray(0, (width * height * 3) / 2);
    // A damaged frame (a USB hiccup) decodes with a warning: use what was decoded, as sharp's failOn: 'none' did.
    if (
      tj.toYuv(h, data, data.byteLength, planes, width, 1, height, 0) !== 0 &&
      tj.errorCode(h) !== TJERR_WARNING
    ) {
      throw new DeepsegError('ERR_INPUT', `A camera frame is not a readable JPEG (${tj.errorText(h)})`);
    }
    // JPEG's YUV is full range; the pipeline's is limited: mapped in the same pass as the repack.
    convertFrame(planes, this.#yuyv, {
      width,
      height,
      from: sub === TJSAMP_422 ? 'I422' : 'I420',
      to: 'YUYV',
      range: 'full',
      toRange: 'limited',
    });
    return this.#yuyv;
  }
}
