import { isDeepsegError } from '@deepseg/yuyv';
import { describe, expect, it } from 'vitest';
import { Errno } from './constants.ts';
import { errnoError, errnoName, formatUnsupported, notCaptureDevice, notOutputDevice } from './errors.ts';

const ctx = { device: '/dev/video3', call: 'VIDIOC_REQBUFS' };

describe('errnoError maps errno in one place', () => {
  it.each([
    [Errno.EACCES, 'ERR_PERMISSION', /video group/],
    [Errno.EPERM, 'ERR_PERMISSION', /usermod -aG video/],
    [Errno.EBUSY, 'ERR_DEVICE_BUSY', /another program/],
    [Errno.ENODEV, 'ERR_DEVICE_GONE', /unplugged.*reopen/],
    [Errno.ENXIO, 'ERR_DEVICE_GONE', /reopen/],
    [Errno.EIO, 'ERR_DEVICE_IO', /reopen/],
    [Errno.ENOTTY, 'ERR_UNSUPPORTED_OP', /does not support VIDIOC_REQBUFS/],
    [Errno.ENOMEM, 'ERR_SYSCALL', /VIDIOC_REQBUFS on \/dev\/video3 failed with ENOMEM/],
  ])('errno %i → %s', (errno, code, message) => {
    const e = errnoError(-errno, ctx);
    expect(isDeepsegError(e, code)).toBe(true);
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('\n');
    expect(e.errno).toBe(errno);
    expect(e.ioctl).toBe('VIDIOC_REQBUFS');
    expect(e.device).toBe('/dev/video3');
  });

  it('ENOENT lists the devices that exist', () => {
    const e = errnoError(-Errno.ENOENT, {
      device: '/dev/video9',
      call: 'open',
      existing: () => ['/dev/video0', '/dev/video2'],
    });
    expect(e.code).toBe('ERR_DEVICE_NOT_FOUND');
    expect(e.message).toBe('No device /dev/video9; video devices present: /dev/video0, /dev/video2');
    expect(e.ioctl).toBeUndefined();
  });

  it('ENOENT with no devices at all says how to get a virtual camera', () => {
    const e = errnoError(-Errno.ENOENT, { device: '/dev/video0', call: 'open', existing: () => [] });
    expect(e.message).toMatch(
      /none \(load v4l2loopback for a virtual camera: sudo modprobe v4l2loopback devices=1 exclusive_caps=1/,
    );
  });

  it('ENOTTY on QUERYCAP means not a V4L2 device', () => {
    expect(errnoError(-Errno.ENOTTY, { device: '/dev/null', call: 'VIDIOC_QUERYCAP' }).message).toMatch(
      /not a V4L2 video device/,
    );
  });

  it('names errno values', () => {
    expect(errnoName(-16)).toBe('EBUSY');
    expect(errnoName(200)).toBe('errno 200');
  });

  it('format, capture and output errors name the fix', () => {
    const f = formatUnsupported('/dev/video0', 'options.pixelFormat', 'NV12', ['YUYV', 'MJPG']);
    expect(f.code).toBe('ERR_FORMAT_UNSUPPORTED');
    expect(f.message).toBe('/dev/video0 does not offer NV12 for options.pixelFormat; it offers YUYV, MJPG');
    expect(notCaptureDevice('/dev/video4', true).message).toMatch(/no writer streaming/);
    expect(notCaptureDevice('/dev/video1', false).code).toBe('ERR_NOT_CAPTURE_DEVICE');
    expect(notOutputDevice('/dev/video0', false).message).toMatch(/modprobe v4l2loopback/);
    expect(notOutputDevice('/dev/video4', true).message).toMatch(/already has a writer/);
  });
});
