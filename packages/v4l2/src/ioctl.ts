// ioctl request numbers of the V4L2 calls this package makes, computed the way <asm-generic/ioctl.h>
// does on x86-64 and arm64: dir << 30 | size << 16 | type << 8 | nr. (32-bit x86/arm use the same
// encoding, but several argument sizes differ there; see README "Platforms".)
import { LAYOUT } from './layout.ts';

const IOC_WRITE = 1;
const IOC_READ = 2;
const V = 0x56; // 'V'

function ioc(dir: number, nr: number, size: number): number {
  // >>> 0 keeps the result an unsigned 32-bit number (the read|write bit is bit 31).
  return ((dir << 30) | (size << 16) | (V << 8) | nr) >>> 0;
}
const ior = (nr: number, size: number) => ioc(IOC_READ, nr, size);
const iow = (nr: number, size: number) => ioc(IOC_WRITE, nr, size);
const iowr = (nr: number, size: number) => ioc(IOC_READ | IOC_WRITE, nr, size);

/** The V4L2 ioctls the package uses, by their `<linux/videodev2.h>` names. */
export const Ioctl = {
  VIDIOC_QUERYCAP: ior(0, LAYOUT.capability.size),
  VIDIOC_ENUM_FMT: iowr(2, LAYOUT.fmtdesc.size),
  VIDIOC_G_FMT: iowr(4, LAYOUT.format.size),
  VIDIOC_S_FMT: iowr(5, LAYOUT.format.size),
  VIDIOC_REQBUFS: iowr(8, LAYOUT.requestbuffers.size),
  VIDIOC_QUERYBUF: iowr(9, LAYOUT.buffer.size),
  VIDIOC_QBUF: iowr(15, LAYOUT.buffer.size),
  VIDIOC_DQBUF: iowr(17, LAYOUT.buffer.size),
  VIDIOC_STREAMON: iow(18, 4),
  VIDIOC_STREAMOFF: iow(19, 4),
  VIDIOC_G_PARM: iowr(21, LAYOUT.streamparm.size),
  VIDIOC_S_PARM: iowr(22, LAYOUT.streamparm.size),
  VIDIOC_G_CTRL: iowr(27, LAYOUT.control.size),
  VIDIOC_S_CTRL: iowr(28, LAYOUT.control.size),
  VIDIOC_TRY_FMT: iowr(64, LAYOUT.format.size),
  VIDIOC_ENUM_FRAMESIZES: iowr(74, LAYOUT.frmsizeenum.size),
  VIDIOC_ENUM_FRAMEINTERVALS: iowr(75, LAYOUT.frmivalenum.size),
} as const;

/** Name of a V4L2 ioctl used by the package. */
export type IoctlName = keyof typeof Ioctl;

const NAMES = new Map<number, IoctlName>(
  Object.entries(Ioctl).map(([name, request]) => [request, name as IoctlName]),
);

/** The `<linux/videodev2.h>` name of a request number, or its hex form when the package does not use it. */
export function ioctlName(request: number): string {
  return NAMES.get(request) ?? `0x${request.toString(16)}`;
}

/** The argument size encoded in a request number (bits 16..29). */
export function ioctlArgSize(request: number): number {
  return (request >>> 16) & 0x3fff;
}
