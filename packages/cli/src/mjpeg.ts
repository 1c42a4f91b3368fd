import { allocFrame, DeepsegError, rgbToYuyv } from '@deepseg/yuyv';
import sharp, { type OutputInfo } from 'sharp';
import type { FrameDecoder } from './scheduler.ts';
import { loadTurboJpeg, TurboJpegDecoder } from './turbojpeg.ts';

/**
 * Decodes MJPEG frames straight to YUV with libturbojpeg when it is installed (Debian:
 * libturbojpeg0; `deepseg doctor` says so when it is missing), else with sharp (see
 * {@link createSharpMjpegDecoder}). Frames libturbojpeg does not take (4:4:4, greyscale) go through
 * sharp.
 *
 * @throws DeepsegError `ERR_INPUT` when a frame is not a JPEG of the expected size.
 */
export function createMjpegDecoder(width: number, height: number): FrameDecoder {
  const tj = loadTurboJpeg();
  if (tj === null) return createSharpMjpegDecoder(width, height);
  const turbo = new TurboJpegDecoder(tj, width, height);
  let fallback: FrameDecoder | undefined;
  return {
    async decode(data: Uint8Array): Promise<Uint8Array> {
      const out = turbo.decode(data);
      if (out !== 'unsupported') return out;
      fallback ??= createSharpMjpegDecoder(width, height);
      return fallback.decode(data);
    },
  };
}

/**
 * Decodes MJPEG frames with sharp (libvips + libjpeg-turbo) into RGB, then into YUYV with
 * @deepseg/yuyv. sharp runs the decode on libuv's thread pool, so the event loop stays free; the RGB
 * buffer is sharp's, the YUYV buffer is reused frame to frame (and lives as long as the process).
 *
 * @throws DeepsegError `ERR_INPUT` when a frame is not a JPEG of the expected size.
 */
export function createSharpMjpegDecoder(width: number, height: number): FrameDecoder {
  // In WebAssembly memory, so the conversion and the compositor use it without copies.
  const yuyv = allocFrame(width * height * 2);
  return {
    async decode(data: Uint8Array): Promise<Uint8Array> {
      let out: { data: Buffer; info: OutputInfo };
      try {
        out = await sharp(data, { failOn: 'none' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      } catch (cause) {
        throw new DeepsegError(
          'ERR_INPUT',
          `A camera frame is not a readable JPEG (${(cause as Error).message})`,
          {
            cause,
          },
        );
      }
      if (out.info.width !== width || out.info.height !== height || out.info.channels !== 3) {
        throw new DeepsegError(
          'ERR_INPUT',
          `An MJPEG frame is ${out.info.width}x${out.info.height} (${out.info.channels} channels); expected ${width}x${height} RGB`,
        );
      }
      rgbToYuyv(out.data, yuyv, { width, height });
      return yuyv;
    },
  };
}
