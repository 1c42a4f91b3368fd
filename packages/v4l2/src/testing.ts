// Entry of the `@deepseg/v4l2/testing` subpath: the shared behaviour suite and a fake target for it.
import type { ConformanceTarget } from './conformance.ts';
import { FakeV4l2 } from './fake-binding.ts';

export {
  type ConformanceCase,
  type ConformanceResult,
  type ConformanceTarget,
  conformanceCases,
  runConformance,
  testPattern,
} from './conformance.ts';

/**
 * A fake target shaped like the kernel one: a vivid-like camera (YUYV and NV12 at 640x360, 30 fps, as vivid offers)
 * and two v4l2loopback-like devices.
 */
export function createFakeTarget(): ConformanceTarget & { fake: FakeV4l2 } {
  const fake = new FakeV4l2();
  const sizes = [
    { type: 'discrete' as const, width: 320, height: 180 },
    { type: 'discrete' as const, width: 640, height: 360 },
    { type: 'discrete' as const, width: 640, height: 480 },
  ];
  const intervals = [
    { numerator: 1, denominator: 30 },
    { numerator: 1, denominator: 25 },
    { numerator: 1, denominator: 5 },
  ];
  const camera = fake.addDevice({
    kind: 'camera',
    path: '/dev/video0',
    driver: 'vivid',
    card: 'vivid',
    formats: [
      { pixelFormat: 'YUYV', sizes, intervals },
      { pixelFormat: 'NV12', sizes, intervals },
    ],
  });
  const a = fake.addDevice({ kind: 'loopback', path: '/dev/video4' });
  const b = fake.addDevice({ kind: 'loopback', path: '/dev/video5' });
  return {
    name: 'fake',
    fake,
    binding: fake,
    camera: camera.path,
    formats: ['YUYV', 'NV12'],
    width: 640,
    height: 360,
    fps: 30,
    loopback: [a.path, b.path],
    missing: '/dev/video9',
    async disconnect(path) {
      fake.device(path).unplug();
    },
  };
}
