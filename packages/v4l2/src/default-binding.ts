import { DeepsegError } from '@deepseg/yuyv';
import type { V4l2Binding } from './binding.ts';

let cached: Promise<V4l2Binding> | undefined;

/**
 * The real binding, loaded on first use: koffi is imported only here, so importing the package root
 * (or using only the fake) never loads the native addon.
 *
 * @throws ERR_BACKEND_UNAVAILABLE when koffi cannot be loaded (unsupported platform or missing prebuild).
 */
export function getDefaultBinding(): Promise<V4l2Binding> {
  cached ??= import('./koffi-binding.ts').then(
    (m) => m.createKoffiBinding(),
    (cause: unknown) => {
      cached = undefined;
      throw new DeepsegError(
        'ERR_BACKEND_UNAVAILABLE',
        `Cannot load koffi for V4L2 access (${cause instanceof Error ? cause.message : String(cause)}): @deepseg/v4l2 needs Linux on x86-64 or arm64`,
        { backend: 'koffi', cause },
      );
    },
  );
  return cached;
}
