// Finds vivid's capture node and the two v4l2loopback nodes through the package under test.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { listDevices } from '../../../packages/v4l2/dist/index.js';

export const run = promisify(execFile);

export async function findDevices() {
  const devices = await listDevices();
  const camera = devices.find((d) => d.driver === 'vivid' && d.caps.capture && !d.caps.output);
  const loopback = devices.filter((d) => d.isLoopback).map((d) => d.path);
  if (!camera || loopback.length < 2) {
    throw new Error(`expected vivid and two v4l2loopback devices, found ${JSON.stringify(devices, null, 1)}`);
  }
  return { devices, camera: camera.path, loopback };
}

/** Prints the closing line the CI log parser reads and exits non-zero on failures. */
export function finish(results) {
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}
