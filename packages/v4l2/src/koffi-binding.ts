// The real binding: libc's open/close/ioctl/mmap/munmap/write through koffi, and readiness through
// libuv's poll watcher (koffi.node.poll) so waiting for a frame never blocks the event loop. Loaded
// lazily by default-binding.ts; nothing else imports koffi.
import { readdirSync } from 'node:fs';
import koffi from 'koffi';
import type { Mapping, Poller, V4l2Binding } from './binding.ts';
import { Errno } from './constants.ts';
import { checkIoctlArg } from './validate.ts';

const PROT_READ = 0x1;
const PROT_WRITE = 0x2;
const MAP_SHARED = 0x1;
const MAP_FAILED = 0xffffffffffffffffn;

interface KoffiMapping extends Mapping {
  readonly address: bigint;
  readonly length: number;
}

/** Sorted `/dev/video*` paths (shared with the fake's default device naming). */
export function listVideoNodes(dir = '/dev'): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /^video\d+$/.test(n))
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
    .map((n) => `${dir}/${n}`);
}

/** Creates the koffi binding (loads libc.so.6). */
export function createKoffiBinding(): V4l2Binding {
  const libc = koffi.load('libc.so.6');
  // open(2) is variadic; without O_CREAT the mode argument is never read, so two are declared.
  const open = libc.func('int open(const char *path, int flags)');
  const close = libc.func('int close(int fd)');
  const ioctl = libc.func('int ioctl(int fd, unsigned long request, void *arg)');
  const mmap = libc.func('void *mmap(void *addr, size_t length, int prot, int flags, int fd, long offset)');
  const munmap = libc.func('int munmap(void *addr, size_t length)');
  const write = libc.func('long write(int fd, const void *buf, size_t count)');

  // errno is read immediately after the failing call, before any other JavaScript runs.
  const call = (f: () => number): number => {
    for (;;) {
      const r = f();
      if (r >= 0) return r;
      const e = koffi.errno();
      if (e !== Errno.EINTR) return -e;
    }
  };

  return {
    name: 'koffi',
    listNodes: () => listVideoNodes(),
    open: (path, flags) => call(() => open(path, flags) as number),
    close: (fd) => {
      // close(2) must not be retried on EINTR (the descriptor is already gone on Linux).
      const r = close(fd) as number;
      return r < 0 ? -koffi.errno() : r;
    },
    ioctl: (fd, request, arg) => {
      checkIoctlArg(request, arg);
      return call(() => ioctl(fd, request, arg) as number);
    },
    mmap: (fd, length, offset) => {
      const address = mmap(null, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset) as bigint | null;
      if (address === null || koffi.address(address) === MAP_FAILED) return -koffi.errno();
      const mapping: KoffiMapping = {
        address: koffi.address(address),
        length,
        bytes: new Uint8Array(koffi.view(address, length)),
      };
      return mapping;
    },
    munmap: (mapping) => {
      const m = mapping as KoffiMapping;
      const r = munmap(m.address, m.length) as number;
      return r < 0 ? -koffi.errno() : r;
    },
    write: (fd, data) => call(() => Number(write(fd, data, data.byteLength))),
    poller: (fd) => createUvPoller(fd),
  };
}

// koffi.node.poll wraps a libuv uv_poll_t (epoll on Linux). The native callback passes (status,
// events); a POLLERR (vanished device) arrives as a negative status, which also ends the wait.
type UvPollHandle = {
  start(opts: object, cb: (...args: unknown[]) => void): void;
  stop(): void;
  close(): void;
};

function createUvPoller(fd: number): Poller {
  // koffi calls this API experimental: should a release drop it, fall back to a 5 ms timer retry
  // (measured in docs/decisions/0041: same loop delay, a few ms more latency).
  if (typeof (koffi as { node?: { poll?: unknown } }).node?.poll !== 'function') return timerPoller();
  let handle: UvPollHandle | undefined;
  let pending: (() => void) | undefined;
  let closed = false;
  const onEvent = () => {
    handle?.stop();
    const resolve = pending;
    pending = undefined;
    resolve?.();
  };
  return {
    wait() {
      if (closed) return Promise.resolve();
      return new Promise<void>((resolve) => {
        pending = resolve;
        if (handle) handle.start({ readable: true }, onEvent);
        else handle = koffi.node.poll(fd, { readable: true }, onEvent) as unknown as UvPollHandle;
      });
    },
    close() {
      if (closed) return;
      closed = true;
      handle?.close();
      handle = undefined;
      onEvent();
    },
  };
}

function timerPoller(): Poller {
  let timer: NodeJS.Timeout | undefined;
  let pending: (() => void) | undefined;
  return {
    wait: () =>
      new Promise<void>((resolve) => {
        pending = resolve;
        timer = setTimeout(() => {
          pending = undefined;
          resolve();
        }, 5);
      }),
    close() {
      clearTimeout(timer);
      pending?.();
      pending = undefined;
    },
  };
}
