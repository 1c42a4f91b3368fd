import { describe, expect, it } from 'vitest';
import { isDeepsegError } from './errors.ts';
import { frameByteLength, PIXEL_FORMATS, type PixelFormat } from './pixel-format.ts';

describe('frameByteLength', () => {
  it('gives the packed size of each format', () => {
    expect(frameByteLength('YUYV', 1280, 720)).toBe(1_843_200);
    expect(frameByteLength('UYVY', 2, 1)).toBe(4);
    expect(frameByteLength('I422', 640, 480)).toBe(614_400);
    expect(frameByteLength('NV12', 1920, 1080)).toBe(3_110_400);
    expect(frameByteLength('I420', 2, 2)).toBe(6);
    expect(frameByteLength('RGB24', 3, 1)).toBe(9);
    expect(frameByteLength('BGR24', 3, 3)).toBe(27);
    expect(frameByteLength('RGBA', 1, 1)).toBe(4);
    expect(PIXEL_FORMATS).toHaveLength(8);
  });

  it('rejects odd YUV widths, odd 4:2:0 heights, non-integers and unknown formats', () => {
    const bad: [PixelFormat, number, number, string][] = [
      ['YUYV', 3, 2, 'options.width'],
      ['I422', 5, 2, 'options.width'],
      ['NV12', 4, 3, 'options.height'],
      ['I420', 4, 1, 'options.height'],
      ['RGB24', 2.5, 2, 'options.width'],
      ['RGB24', 2, -1, 'options.height'],
      ['RGB24', 2, 1e6, 'options.height'],
      ['MJPG' as PixelFormat, 2, 2, 'options.format'],
    ];
    for (const [format, w, h, option] of bad) {
      let thrown: unknown;
      try {
        frameByteLength(format, w, h);
      } catch (e) {
        thrown = e;
      }
      expect(isDeepsegError(thrown, 'ERR_INVALID_OPTION'), `${format} ${w}x${h}`).toBe(true);
      expect((thrown as { option: string }).option).toBe(option);
    }
    expect(frameByteLength('RGB24', 3, 1)).toBe(9);
  });
});
