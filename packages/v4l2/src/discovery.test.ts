import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Errno } from './constants.ts';
import { describeDevice, listDevices } from './discovery.ts';
import { FakeV4l2 } from './fake-binding.ts';

describe('discovery on the fake', () => {
  it('lists devices, keeping ones it cannot open with their error', async () => {
    const fake = new FakeV4l2();
    fake.addDevice({ kind: 'camera', card: 'HD Webcam' });
    fake.addDevice({ kind: 'camera', openErrno: Errno.EACCES });
    fake.addDevice({ kind: 'loopback' });
    const list = await listDevices({ binding: fake });
    expect(list.map((d) => [d.path, d.card, d.isLoopback, d.error?.code])).toEqual([
      ['/dev/video0', 'HD Webcam', false, undefined],
      ['/dev/video1', '', false, 'ERR_PERMISSION'],
      ['/dev/video2', 'Dummy video device', true, undefined],
    ]);
    expect(list[0]!.version).toBe('6.1.0');
    expect(fake.openDescriptors).toBe(0);
  });

  it('describes discrete and stepwise sizes with their intervals', async () => {
    const fake = new FakeV4l2();
    const cam = fake.addDevice({
      kind: 'camera',
      formats: [
        { pixelFormat: 'YUYV', sizes: [{ type: 'discrete', width: 640, height: 480 }] },
        {
          pixelFormat: 'NV12',
          sizes: [
            {
              type: 'stepwise',
              minWidth: 16,
              maxWidth: 1920,
              stepWidth: 2,
              minHeight: 16,
              maxHeight: 1080,
              stepHeight: 2,
            },
          ],
          intervals: [{ numerator: 1, denominator: 60 }],
        },
      ],
    });
    const d = await describeDevice(cam.path, { binding: fake });
    expect(d.capture.map((f) => f.pixelFormat)).toEqual(['YUYV', 'NV12']);
    expect(d.capture[0]!.sizes[0]).toMatchObject({ type: 'discrete', width: 640, height: 480 });
    expect(d.capture[0]!.sizes[0]!.intervals).toHaveLength(2);
    expect(d.capture[1]!.sizes[0]).toMatchObject({ type: 'stepwise', maxWidth: 1920, stepHeight: 2 });
    expect(d.capture[1]!.sizes[0]!.intervals).toEqual([
      { type: 'discrete', interval: { numerator: 1, denominator: 60 } },
    ]);
    await expect(describeDevice('/dev/video7', { binding: fake })).rejects.toThrow(
      'No device /dev/video7; video devices present: /dev/video0',
    );
  });

  it('importing the package root does not load koffi', () => {
    const script = [
      "await import('@deepseg/v4l2');",
      "await import('@deepseg/v4l2/fake');",
      "const loaded = () => process.report.getReport().sharedObjects.some((s) => s.includes('koffi'));",
      'const before = loaded();',
      "const { getDefaultBinding } = await import('@deepseg/v4l2');",
      'await getDefaultBinding();',
      'console.log(JSON.stringify([before, loaded()]));',
    ].join('\n');
    const out = execFileSync(
      process.execPath,
      ['--conditions=@deepseg/source', '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: import.meta.dirname, encoding: 'utf8' },
    );
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual([false, true]);
  });
});
