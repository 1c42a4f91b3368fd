import { isDeepsegError } from '@deepseg/yuyv';
import { describe, expect, it } from 'vitest';
import { Cap, Errno } from './constants.ts';
import { FakeV4l2 } from './fake-binding.ts';
import { openOutput } from './output.ts';

describe('openOutput on the fake v4l2loopback', () => {
  it('sets the format, STREAMONs, writes exact frames, and close() frees the device for the next writer', async () => {
    const fake = new FakeV4l2();
    const lb = fake.addDevice({ kind: 'loopback' });
    expect(lb.deviceCaps & Cap.VIDEO_OUTPUT).toBeTruthy();
    const out = await openOutput(lb.path, { width: 64, height: 48, fps: 25, binding: fake });
    expect(out.format).toMatchObject({
      width: 64,
      height: 48,
      pixelFormat: 'YUYV',
      bytesperline: 128,
      frameSize: 6144,
      fps: 25,
    });
    expect(out.format.sizeimage).toBe(8192); // page-rounded, like v4l2loopback
    expect(lb.deviceCaps & Cap.VIDEO_CAPTURE).toBeTruthy(); // streaming: now a camera
    out.write(new Uint8Array(6144).fill(7));
    expect(lb.written).toHaveLength(1);
    expect(() => out.write(new Uint8Array(8192))).toThrow(
      /Expected a frame of 6144 bytes \(64x48 YUYV\) but received 8192 bytes/,
    );
    out.close();
    out.close();
    expect(lb.stuck).toBe(false);
    expect(lb.deviceCaps & Cap.VIDEO_OUTPUT).toBeTruthy();
    const again = await openOutput(lb.path, { width: 64, height: 48, binding: fake });
    again.close();
    expect(fake.openDescriptors).toBe(0);
  });

  it('the fake models fact 2: a write-only writer that exits leaves the device advertising nothing', () => {
    const fake = new FakeV4l2();
    const lb = fake.addDevice({ kind: 'loopback' });
    const fd = fake.open(lb.path, 0);
    lb.outputFormat = {
      width: 2,
      height: 2,
      pixelformat: 0x56595559,
      field: 1,
      bytesperline: 4,
      sizeimage: 8,
      colorspace: 8,
      ycbcrEnc: 0,
      quantization: 0,
      xferFunc: 0,
    };
    expect(fake.write(fd, new Uint8Array(8))).toBe(8);
    fake.close(fd);
    expect(lb.deviceCaps & (Cap.VIDEO_OUTPUT | Cap.VIDEO_CAPTURE)).toBe(0);
  });

  it('refuses a camera, validates colorspace, and maps ENODEV on write to a gone event', async () => {
    const fake = new FakeV4l2();
    const cam = fake.addDevice({ kind: 'camera' });
    await expect(openOutput(cam.path, { width: 64, height: 48, binding: fake })).rejects.toThrow(
      /not a v4l2loopback output device/,
    );
    const lb = fake.addDevice({ kind: 'loopback' });
    await expect(
      openOutput(lb.path, { width: 64, height: 48, colorspace: 'bt2020' as never, binding: fake }),
    ).rejects.toThrow(/options.colorspace/);
    await expect(
      openOutput(lb.path, { width: 64, height: 48, pixelFormat: 'MJPG' as never, binding: fake }),
    ).rejects.toThrow(/options.pixelFormat/);
    const out = await openOutput(lb.path, { width: 64, height: 48, binding: fake });
    let gone: unknown;
    out.on('gone', (e) => {
      gone = e;
    });
    lb.unplug();
    expect(() => out.write(new Uint8Array(6144))).toThrow(/gone/);
    expect(isDeepsegError(gone, 'ERR_DEVICE_GONE')).toBe(true);
    expect(out.isOpen).toBe(false);
    expect(fake.openDescriptors).toBe(0);
  });

  it('S_FMT failing closes the descriptor', async () => {
    const fake = new FakeV4l2();
    const lb = fake.addDevice({ kind: 'loopback' });
    fake.failNextIoctl(Errno.EBUSY, { ioctl: 'VIDIOC_S_FMT' });
    await expect(openOutput(lb.path, { width: 64, height: 48, binding: fake })).rejects.toThrow(/busy/);
    fake.failNextIoctl(Errno.EBUSY, { ioctl: 'VIDIOC_STREAMON' });
    await expect(openOutput(lb.path, { width: 64, height: 48, binding: fake })).rejects.toThrow(/busy/);
    expect(fake.openDescriptors).toBe(0);
  });
});
