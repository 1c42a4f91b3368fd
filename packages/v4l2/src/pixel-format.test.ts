import { describe, expect, it } from 'vitest';
import { fourcc, fourccName, frameGeometry } from './pixel-format.ts';

describe('fourcc', () => {
  it('packs four characters little-endian and back', () => {
    expect(fourcc('YUYV')).toBe(0x56595559);
    expect(fourccName(fourcc('MJPG'))).toBe('MJPG');
  });
  it('names big-endian variants as v4l2-ctl does', () => {
    expect(fourccName((fourcc('Y16 ') | 0x80000000) >>> 0)).toBe('Y16 -BE');
  });
  it('rejects names that are not four characters', () => {
    expect(() => fourcc('YUV')).toThrow(/four characters/);
  });
});

describe('frameGeometry', () => {
  it('packed 4:2:2 and planar 4:2:0 sizes', () => {
    expect(frameGeometry('YUYV', 640, 360)).toEqual({ bytesperline: 1280, sizeimage: 460800 });
    expect(frameGeometry('NV12', 640, 360)).toEqual({ bytesperline: 640, sizeimage: 345600 });
    expect(frameGeometry('MJPG', 640, 360)).toBeUndefined();
  });
});
