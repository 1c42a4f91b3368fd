import { DeepsegError } from './errors.ts';
import { addressOf, alloc, memoryBuffer, release } from './wasm.ts';

const handedOut = new Map<number, 'u8' | 'f32'>();
const MAX_BYTES = 512 * 1024 * 1024;

function checkLength(value: unknown, option: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_BYTES) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected an integer from 1 to ${MAX_BYTES} for ${option} but received ${String(value)}`,
      {
        option,
      },
    );
  }
}

/**
 * Allocates a byte buffer inside the WebAssembly memory the kernels work in. Frames, backgrounds and
 * outputs that live there are used in place: every function of this package skips the copy into and
 * out of that memory for them (about 0.1 ms per 1080p YUYV frame on the reference machine). The view is
 * backed by a SharedArrayBuffer and stays valid when the memory grows. Free it with {@link freeFrame}
 * when done; the memory is otherwise never returned to the system.
 *
 * @throws DeepsegError `ERR_INVALID_OPTION` (not an integer from 1 to 512 MiB), `ERR_OUT_OF_MEMORY`.
 * @example
 * ```ts
 * const frame = allocFrame(frameByteLength('YUYV', 1280, 720));
 * camera.read(frame); // fill it
 * yuyvToRgb(frame, rgb, { width: 1280, height: 720 }); // no copy of frame
 * freeFrame(frame);
 * ```
 */
export function allocFrame(byteLength: number): Uint8Array {
  checkLength(byteLength, 'byteLength');
  const at = alloc(byteLength);
  handedOut.set(at, 'u8');
  return new Uint8Array(memoryBuffer(), at, byteLength);
}

/**
 * Allocates a Float32Array (a mask or a model input tensor) inside the kernels' WebAssembly memory; see
 * {@link allocFrame}.
 *
 * @throws DeepsegError `ERR_INVALID_OPTION`, `ERR_OUT_OF_MEMORY`.
 * @example
 * ```ts
 * const input = allocFloat32(256 * 256 * 3);
 * frameToTensor(frame, input, { width: 1280, height: 720, format: 'YUYV', tensor: { width: 256, height: 256 } });
 * ```
 */
export function allocFloat32(length: number): Float32Array {
  checkLength(length, 'length');
  const at = alloc(length * 4);
  handedOut.set(at, 'f32');
  return new Float32Array(memoryBuffer(), at, length);
}

/**
 * Frees a buffer from {@link allocFrame} or {@link allocFloat32}. The view must not be used afterwards.
 *
 * @throws DeepsegError `ERR_INVALID_ARGUMENT` when `view` did not come from allocFrame/allocFloat32
 *   (or was freed already).
 */
export function freeFrame(view: Uint8Array | Float32Array): void {
  const kind = handedOut.get(view.byteOffset);
  const expected = view instanceof Float32Array ? 'f32' : 'u8';
  if (kind !== expected || addressOf(view) < 0) {
    throw new DeepsegError(
      'ERR_INVALID_ARGUMENT',
      'freeFrame() takes a buffer returned by allocFrame() or allocFloat32() that is not freed yet',
      {
        option: 'view',
      },
    );
  }
  handedOut.delete(view.byteOffset);
  release(view.byteOffset);
}

/**
 * Whether `view` lies in the kernels' WebAssembly memory (from {@link allocFrame} or
 * {@link allocFloat32}), so this package's functions use it in place instead of copying it.
 *
 * @example
 * ```ts
 * isWasmFrame(allocFrame(64)); // true
 * isWasmFrame(new Uint8Array(64)); // false
 * ```
 */
export function isWasmFrame(view: ArrayBufferView): boolean {
  return addressOf(view) >= 0;
}
