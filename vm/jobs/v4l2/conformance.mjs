// The shared conformance suite (the one the unit tests run on the fake) on real kernel drivers.
import { getDefaultBinding } from '../../../packages/v4l2/dist/index.js';
import { runConformance } from '../../../packages/v4l2/dist/testing.js';
import { findDevices, finish, run } from './devices.mjs';

const { camera, loopback } = await findDevices();
console.log(`# conformance on the kernel: camera ${camera}, loopback ${loopback.join(' ')}`);
const target = {
  name: 'kernel',
  binding: await getDefaultBinding(),
  camera,
  formats: ['YUYV', 'NV12'],
  width: 640,
  height: 360,
  fps: 30,
  loopback: [loopback[0], loopback[1]],
  missing: '/dev/video99',
  // vivid's "Disconnect" button control simulates a USB unplug of the device.
  async disconnect(path) {
    await run('v4l2-ctl', ['-d', path, '-c', 'disconnect=1']);
  },
};
finish(await runConformance(target, { log: (line) => console.log(line) }));
