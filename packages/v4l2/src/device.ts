// An open V4L2 descriptor: every system call goes through here, so a failure becomes a DeepsegError
// via errors.ts with the device path and the ioctl name. Internal; the public API is discovery,
// capture and output.
import type { DeepsegError } from '@deepseg/yuyv';
import type { V4l2Binding } from './binding.ts';
import { Cap, Errno, OpenFlag } from './constants.ts';
import { errnoError, type V4l2ErrorCode } from './errors.ts';
import { Ioctl, type IoctlName } from './ioctl.ts';
import { type Capability, decodeCapability, newStruct } from './structs.ts';
import { checkIoctlArg } from './validate.ts';

/** v4l2loopback's driver name in VIDIOC_QUERYCAP. */
export const LOOPBACK_DRIVER = 'v4l2 loopback';

/** The capabilities of this node: device_caps when the driver reports them, else capabilities. */
export function nodeCaps(cap: Capability): number {
  return (cap.capabilities & Cap.DEVICE_CAPS) !== 0 ? cap.deviceCaps : cap.capabilities;
}

export class DeviceHandle {
  private open_ = true;

  private constructor(
    readonly binding: V4l2Binding,
    readonly path: string,
    readonly fd: number,
  ) {}

  /** Opens `path` read/write, non-blocking, close-on-exec. */
  static open(binding: V4l2Binding, path: string): DeviceHandle {
    const fd = binding.open(path, OpenFlag.O_RDWR | OpenFlag.O_NONBLOCK | OpenFlag.O_CLOEXEC);
    if (fd < 0) throw errnoError(fd, { device: path, call: 'open', existing: () => binding.listNodes() });
    return new DeviceHandle(binding, path, fd);
  }

  get isOpen(): boolean {
    return this.open_;
  }

  /** The error for a negative result of `call`. */
  error(result: number, call: string): DeepsegError<V4l2ErrorCode> {
    return errnoError(result, { device: this.path, call, existing: () => this.binding.listNodes() });
  }

  /** ioctl that returns the negative errno instead of throwing (for EAGAIN, EINVAL-ends-enumeration). */
  tryIoctl(name: IoctlName, arg: Uint8Array): number {
    if (!this.open_) return -Errno.EBADF;
    const request = Ioctl[name];
    checkIoctlArg(request, arg);
    return this.binding.ioctl(this.fd, request, arg);
  }

  /** ioctl that throws the mapped DeepsegError on failure. */
  ioctl(name: IoctlName, arg: Uint8Array): void {
    const r = this.tryIoctl(name, arg);
    if (r < 0) throw this.error(r, name);
  }

  queryCap(): Capability {
    const { bytes } = newStruct(104);
    this.ioctl('VIDIOC_QUERYCAP', bytes);
    return decodeCapability(bytes);
  }

  /** Closes the descriptor once; later calls do nothing. Never throws. */
  close(): void {
    if (!this.open_) return;
    this.open_ = false;
    this.binding.close(this.fd);
  }
}
