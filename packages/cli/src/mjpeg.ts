import { allocFrame, DeepsegError, rgbToYuyv } from '@deepseg/yuyv';
import sharp, { type OutputInfo } from 'sharp';
import type { FrameDecoder } from './scheduler.ts';

/**
 * Decodes MJPEG frames with sharp (libvips + libjpeg-turbo) into RGB, then into YUYV with
 * @deepseg/yuyv. sharp runs the decode on libuv's thread pool, so the event loop stays free; the RGB
 * buffer is sharp's, the YUYV buffer is reused frame to frame (and lives as long as the process).
 *
 * @throws DeepsegError `ERR_INPUT` when a frame is not a JPEG of the expected size.
 */
export function createMjpegDecoder(width: number, height: number): FrameDecoder {
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
