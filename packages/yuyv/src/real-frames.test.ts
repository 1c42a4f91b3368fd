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
  // The body is still collected when skipped, so it must not assume the footage is there.
  const { width, height, frames } = video ?? { width: 0, height: 0, frames: [] };

  // swscale's yuyv422 → rgb24 path is itself a few code values off the exact BT.601 equations
  // (Y=235 gives 253, not 255), so this is a loose check that we assume the same matrix and range
  // as ffmpeg does: the defaults must be far closer to it than BT.709 or full range would be.
  it('YUYV → RGB24 with the defaults agrees with ffmpeg (mean |d| < 2, max ≤ 4) far better than BT.709 or full range', () => {
    const meanDiff = (a: Uint8Array, b: Uint8Array) => {
      let sum = 0;
      for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
      return sum / a.length;
    };
    for (const frame of frames) {
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
      const ours = new Uint8Array(width * height * 3);
      yuyvToRgb(frame, ours, { width, height });
      expect(theirs.length).toBe(ours.length);
      let worst = 0;
      for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!));
      expect(worst).toBeLessThanOrEqual(4);
      const ok = meanDiff(ours, theirs);
      expect(ok).toBeLessThan(2);
      yuyvToRgb(frame, ours, { width, height, matrix: 'BT709' });
      expect(meanDiff(ours, theirs)).toBeGreaterThan(ok + 0.3);
      yuyvToRgb(frame, ours, { width, height, range: 'full' });
      expect(meanDiff(ours, theirs)).toBeGreaterThan(ok + 5);
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
