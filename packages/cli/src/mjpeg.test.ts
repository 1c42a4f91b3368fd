import { execFileSync } from 'node:child_process';
import { hasCommand } from '@deepseg/fixtures/shared';
import { isDeepsegError } from '@deepseg/yuyv';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createSharpMjpegDecoder } from './mjpeg.ts';
import { loadTurboJpeg, TurboJpegDecoder } from './turbojpeg.ts';

const W = 96;
const H = 64;
const tj = loadTurboJpeg();
if (tj === null) {
  if (process.env.CI) throw new Error('libturbojpeg missing in CI (apt-get install libturbojpeg0)');
  console.log('notice: libturbojpeg.so.0 not installed; the TurboJPEG MJPEG tests are skipped');
}

/** A smooth picture with some edges, as raw RGB. */
function picture(): Buffer {
  const rgb = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 3;
      const inside = (x - 48) ** 2 + (y - 32) ** 2 < 400;
      rgb[i] = inside ? 230 : (x * 255) / W;
      rgb[i + 1] = inside ? 40 : (y * 255) / H;
      rgb[i + 2] = inside ? 60 : 128;
    }
  }
  return rgb;
}

const rgbJpeg = (subsampling: '4:2:0' | '4:4:4') =>
  sharp(picture(), { raw: { width: W, height: H, channels: 3 } })
    .jpeg({ quality: 95, chromaSubsampling: subsampling })
    .toBuffer();

function compare(a: Uint8Array, b: Uint8Array): { mean: number; max: number } {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    max = Math.max(max, d);
  }
  return { mean: sum / a.length, max };
}

describe.skipIf(tj === null)('MJPEG straight to YUV with libturbojpeg', () => {
  it('decodes a 4:2:0 JPEG to the same limited-range YUYV as the sharp (RGB) path', async () => {
    const jpeg = await rgbJpeg('4:2:0');
    const direct = Uint8Array.from(new TurboJpegDecoder(tj!, W, H).decode(jpeg) as Uint8Array);
    const viaRgb = await createSharpMjpegDecoder(W, H).decode(jpeg);
    const d = compare(direct, viaRgb);
    // (the two differ only by the chroma upsampling + RGB round trip of the sharp path)
    expect(d.mean).toBeLessThan(1.5);
    expect(d.max).toBeLessThan(40);
    // limited range: no luma below 16 or above 235
    for (let i = 0; i < direct.length; i += 2) {
      expect(direct[i]).toBeGreaterThanOrEqual(16);
      expect(direct[i]).toBeLessThanOrEqual(235);
    }
  });

  it.skipIf(!hasCommand('ffmpeg'))('decodes a 4:2:2 webcam-style JPEG (ffmpeg mjpeg, yuvj422p)', async () => {
    const raw = picture();
    const jpeg = execFileSync(
      'ffmpeg',
      ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-i', '-'].concat([
        '-frames:v',
        '1',
        '-c:v',
        'mjpeg',
        '-q:v',
        '2',
        '-pix_fmt',
        'yuvj422p',
        '-f',
        'mjpeg',
        '-',
      ]),
      { input: raw },
    );
    const direct = Uint8Array.from(new TurboJpegDecoder(tj!, W, H).decode(jpeg) as Uint8Array);
    const viaRgb = await createSharpMjpegDecoder(W, H).decode(jpeg);
    expect(compare(direct, viaRgb).mean).toBeLessThan(1.5);
  });

  it('reports 4:4:4 frames as unsupported (they go through sharp)', async () => {
    expect(new TurboJpegDecoder(tj!, W, H).decode(await rgbJpeg('4:4:4'))).toBe('unsupported');
  });

  it('rejects a frame that is not a JPEG, or of another size, with ERR_INPUT', async () => {
    const d = new TurboJpegDecoder(tj!, W, H);
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return isDeepsegError(e) ? e.code : 'other';
      }
      return 'none';
    };
    expect(code(() => d.decode(new Uint8Array(100).fill(7)))).toBe('ERR_INPUT');
    const small = await sharp(picture(), { raw: { width: W, height: H, channels: 3 } })
      .resize(48, 32)
      .jpeg()
      .toBuffer();
    expect(code(() => d.decode(small))).toBe('ERR_INPUT');
  });
});
