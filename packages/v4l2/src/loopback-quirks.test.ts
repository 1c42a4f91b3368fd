import { describe, expect, it } from 'vitest';
import { openCapture } from './capture.ts';
import { BufType, Field, OpenFlag } from './constants.ts';
import { FakeV4l2 } from './fake-binding.ts';
import { Ioctl } from './ioctl.ts';
import { fourcc } from './pixel-format.ts';
import { encodeBufType, encodeFormat } from './structs.ts';

// v4l2loopback 0.12.7: a reader's VIDIOC_REQBUFS re-initialises every buffer's metadata
// (bytesused = sizeimage, sequence 0), so the first DQBUF can describe the latest frame with the
// page-rounded buffer size. Found by the kernel suite; the fake reproduces it.
function writer(fake: FakeV4l2, path: string, pixelFormat: string, width: number, height: number) {
  const fd = fake.open(path, OpenFlag.O_RDWR);
  const fmt = encodeFormat(BufType.VIDEO_OUTPUT, {
    width,
    height,
    pixelformat: fourcc(pixelFormat),
    field: Field.NONE,
    bytesperline: 0,
    sizeimage: 0,
    colorspace: 0,
    ycbcrEnc: 0,
    quantization: 0,
    xferFunc: 0,
  });
  expect(fake.ioctl(fd, Ioctl.VIDIOC_S_FMT, fmt)).toBe(0);
  expect(fake.ioctl(fd, Ioctl.VIDIOC_STREAMON, encodeBufType(BufType.VIDEO_OUTPUT))).toBe(0);
  return { write: (data: Uint8Array) => fake.write(fd, data), close: () => fake.close(fd) };
}

describe('v4l2loopback stale buffer metadata after a reader REQBUFS', () => {
  it('uncompressed frames are clamped to bytesperline x height', async () => {
    const fake = new FakeV4l2();
    const lb = fake.addDevice({ kind: 'loopback' });
    const w = writer(fake, lb.path, 'YUYV', 640, 360);
    w.write(new Uint8Array(460800).fill(9));
    const camera = await openCapture(lb.path, {
      width: 640,
      height: 360,
      pixelFormat: 'YUYV',
      binding: fake,
    });
    for await (const f of camera.frames()) {
      expect(camera.format.sizeimage).toBe(462848);
      expect(f.bytesused).toBe(460800);
      expect(f.data.every((b) => b === 9)).toBe(true);
      break;
    }
    camera.close();
    w.close();
  });

  it('a compressed frame with reset metadata is skipped', async () => {
    const fake = new FakeV4l2();
    const lb = fake.addDevice({ kind: 'loopback' });
    const w = writer(fake, lb.path, 'MJPG', 64, 48);
    const jpeg = (k: number) => Uint8Array.from([0xff, 0xd8, k, 0xff, 0xd9]);
    w.write(jpeg(1));
    const camera = await openCapture(lb.path, { width: 64, height: 48, pixelFormat: 'MJPG', binding: fake });
    const got: number[][] = [];
    const timer = setTimeout(() => w.write(jpeg(2)), 30);
    for await (const f of camera.frames()) {
      got.push([...f.data]);
      break;
    }
    clearTimeout(timer);
    expect(got).toEqual([[0xff, 0xd8, 2, 0xff, 0xd9]]);
    camera.close();
    w.close();
  });
});
