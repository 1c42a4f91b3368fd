// Cross-checks on real footage (../shared): our YUYV → RGB24 against ffmpeg's libswscale, which
// assumes the same default (BT.601, limited range) for yuyv422 input.
import { execFileSync } from 'node:child_process';
import { decodeVideoFrames } from '@deepseg/fixtures/shared';
import { describe, expect, it } from 'vitest';
import { yuyvToRgb } from './convert.ts';
import { frameToTensor } from './tensor.ts';

const video = decodeVideoFrames('media/doctor_desk_5s_960x540.mp4', {
  pixFmt: 'yuyv422',
  count: 3,
  step: 40,
});

describe.skipIf(video === undefined)('real frames (doctor_desk_5s_960x540.mp4)', () => {
  const { width, height, frames } = video!;

  it('YUYV → RGB24 agrees with ffmpeg (swscale, accurate_rnd) to ±3 code values (its own rounding), mean < 0.5', () => {
    for (const frame of frames) {
      const ours = new Uint8Array(width * height * 3);
      yuyvToRgb(frame, ours, { width, height });
      const theirs = execFileSync(
        'ffmpeg',
        [
          '-v',
          'error',
          '-f',
          'rawvideo',
          '-pix_fmt',
          'yuyv422',
          '-s',
          `${width}x${height}`,
          '-i',
          '-',
          '-sws_flags',
          'accurate_rnd+bitexact',
          '-pix_fmt',
          'rgb24',
          '-f',
          'rawvideo',
          '-',
        ],
        { input: frame, maxBuffer: 1 << 26 },
      );
      expect(theirs.length).toBe(ours.length);
      let worst = 0;
      let sum = 0;
      for (let i = 0; i < ours.length; i++) {
        const d = Math.abs(ours[i]! - theirs[i]!);
        worst = Math.max(worst, d);
        sum += d;
      }
      expect(worst).toBeLessThanOrEqual(3);
      expect(sum / ours.length).toBeLessThan(0.5);
    }
  });

  it('a person-sized ROI of a real frame becomes a sane tensor (values within the normalised range)', () => {
    const tensor = new Float32Array(256 * 256 * 3);
    frameToTensor(frames[0]!, tensor, {
      width,
      height,
      format: 'YUYV',
      roi: { x: 240, y: 0, width: 480, height: 540 },
      tensor: { width: 256, height: 256, scale: 1 / 127.5, mean: 1 },
      fit: 'contain',
    });
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const v of tensor) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(-1);
    expect(max).toBeLessThanOrEqual(1);
    expect(max - min).toBeGreaterThan(1); // real content, not a flat fill
  });
});
