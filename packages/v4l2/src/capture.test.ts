import { isDeepsegError } from '@deepseg/yuyv';
import { describe, expect, it } from 'vitest';
import { openCapture } from './capture.ts';
import { Errno } from './constants.ts';
import { FakeV4l2 } from './fake-binding.ts';

function setup(spec: Parameters<FakeV4l2['addDevice']>[0] = { kind: 'camera' }) {
  const fake = new FakeV4l2();
  const device = fake.addDevice(spec);
  const open = (extra: object = {}) =>
    openCapture(device.path, { width: 640, height: 480, pixelFormat: 'YUYV', binding: fake, ...extra });
  return { fake, device, open };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isDeepsegError(e)) return e.code;
    throw e;
  }
  return 'resolved';
}

describe('openCapture on the fake', () => {
  it('validates options once, naming the option, allowed values and what it got', async () => {
    const { open } = setup();
    await expect(open({ pixelFormat: 'H264' })).rejects.toThrow(
      'Expected one of YUYV, MJPG, NV12, YU12, UYVY, RGB3, BGR3, GREY for options.pixelFormat but received "H264"',
    );
    await expect(open({ width: 641 })).rejects.toThrow(/even width for YUYV/);
    await expect(open({ buffers: 1 })).rejects.toThrow(/options.buffers/);
    await expect(open({ fps: -1 })).rejects.toThrow(/options.fps/);
  });

  it('EACCES on open is ERR_PERMISSION naming the video group', async () => {
    const { open } = setup({ kind: 'camera', openErrno: Errno.EACCES });
    await expect(open()).rejects.toThrow(/video group/);
  });

  it('a format the camera lacks lists the ones it has', async () => {
    const { open } = setup();
    await expect(open({ pixelFormat: 'NV12' })).rejects.toThrow(
      'does not offer NV12 for options.pixelFormat; it offers YUYV, MJPG',
    );
  });

  it.each([
    ['VIDIOC_S_FMT', Errno.EBUSY, 'ERR_DEVICE_BUSY'],
    ['VIDIOC_REQBUFS', Errno.EBUSY, 'ERR_DEVICE_BUSY'],
    ['VIDIOC_QUERYBUF', Errno.ENODEV, 'ERR_DEVICE_GONE'],
    ['VIDIOC_QUERYCAP', Errno.ENOTTY, 'ERR_UNSUPPORTED_OP'],
  ] as const)('%s failing with errno %i gives %s and leaks nothing', async (ioctl, errno, expected) => {
    const { fake, open } = setup();
    fake.failNextIoctl(errno, { ioctl });
    expect(await code(open())).toBe(expected);
    expect(fake.openDescriptors).toBe(0);
    expect(fake.liveMappings).toBe(0);
  });

  it('counts dropped frames from sequence gaps', async () => {
    const { fake, open } = setup({ kind: 'camera', pace: 'instant', dropSequences: [2, 3, 7] });
    const camera = await open();
    const sequences: number[] = [];
    for await (const f of camera.frames()) {
      sequences.push(f.sequence);
      if (sequences.length === 6) break;
    }
    camera.close();
    expect(sequences).toEqual([0, 1, 4, 5, 6, 8]);
    expect(camera.stats).toEqual({ frames: 6, dropped: 3 });
    expect(fake.openDescriptors).toBe(0);
    expect(fake.liveMappings).toBe(0);
  });

  it('frames are zero-copy views valid until the next iteration', async () => {
    const { open } = setup({ kind: 'camera', pace: 'instant' });
    const camera = await open({ buffers: 2 });
    const views: Uint8Array[] = [];
    for await (const f of camera.frames()) {
      expect(f.data[0]).toBe(f.sequence & 0xff);
      views.push(f.data);
      if (views.length === 3) break;
    }
    // buffer 0 carried frame 0 and then frame 2: the first view now shows the later frame
    expect(views[0]![0]).toBe(2);
    camera.close();
  });

  it('MJPG frames report bytesused, not the buffer size', async () => {
    const jpeg = Uint8Array.from([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);
    const { open } = setup({ kind: 'camera', pace: 'instant', frames: [jpeg] });
    const camera = await open({ pixelFormat: 'MJPG' });
    for await (const f of camera.frames()) {
      expect(f.bytesused).toBe(7);
      expect([...f.data]).toEqual([...jpeg]);
      break;
    }
    expect(camera.format.sizeimage).toBeGreaterThan(7);
    camera.close();
  });

  it('a camera that stops delivering fails with ERR_FRAME_TIMEOUT instead of hanging', async () => {
    const fake = new FakeV4l2();
    const lb = fake.addDevice({ kind: 'loopback' });
    const { openOutput } = await import('./output.ts');
    const out = await openOutput(lb.path, { width: 64, height: 48, binding: fake });
    const camera = await openCapture(lb.path, {
      width: 64,
      height: 48,
      pixelFormat: 'YUYV',
      binding: fake,
      frameTimeoutMs: 50,
    });
    const e = await code(
      (async () => {
        for await (const _ of camera.frames()) break;
      })(),
    );
    expect(e).toBe('ERR_FRAME_TIMEOUT');
    camera.close();
    out.close();
    expect(fake.openDescriptors).toBe(0);
  });

  it('an ioctl failing mid-stream surfaces, and break after it still releases everything', async () => {
    const { fake, open } = setup({ kind: 'camera', pace: 'instant' });
    const camera = await open();
    let gone: unknown;
    camera.on('gone', (e) => {
      gone = e;
    });
    let n = 0;
    const result = await code(
      (async () => {
        for await (const _ of camera.frames()) {
          if (++n === 2) fake.failNextIoctl(Errno.ENODEV, { ioctl: 'VIDIOC_QBUF' });
        }
      })(),
    );
    expect(result).toBe('ERR_DEVICE_GONE');
    expect(isDeepsegError(gone, 'ERR_DEVICE_GONE')).toBe(true);
    expect(camera.isOpen).toBe(false);
    expect(fake.openDescriptors).toBe(0);
    expect(fake.liveMappings).toBe(0);
  });

  it('close() during a pending wait ends the iteration quietly', async () => {
    const fake = new FakeV4l2();
    const lb = fake.addDevice({ kind: 'loopback' });
    const { openOutput } = await import('./output.ts');
    const out = await openOutput(lb.path, { width: 64, height: 48, binding: fake });
    const camera = await openCapture(lb.path, { width: 64, height: 48, pixelFormat: 'YUYV', binding: fake });
    const loop = (async () => {
      let n = 0;
      for await (const _ of camera.frames()) n++;
      return n;
    })();
    await new Promise((r) => setTimeout(r, 20));
    camera.close();
    expect(await loop).toBe(0);
    out.close();
    expect(fake.openDescriptors).toBe(0);
    expect(fake.liveMappings).toBe(0);
  });

  it('a second concurrent frames() is refused', async () => {
    const { open } = setup({ kind: 'camera', pace: 'instant' });
    const camera = await open();
    const first = camera.frames();
    await first.next();
    expect(await code(camera.frames().next())).toBe('ERR_INVALID_STATE');
    await first.return(undefined);
    camera.close();
  });
});
