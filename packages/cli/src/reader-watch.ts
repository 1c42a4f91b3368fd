import { readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { DeepsegError } from '@deepseg/yuyv';
import koffi from 'koffi';
import type { ReaderWatch } from './run-command.ts';

const IN_CLOSE_WRITE = 0x08;
const IN_CLOSE_NOWRITE = 0x10;
const IN_OPEN = 0x20;
const IN_NONBLOCK = 0x800;
const IN_CLOEXEC = 0x80000;
const EAGAIN = 11;

type UvPollHandle = { stop(): void; close(): void };

interface Libc {
  init(flags: number): number;
  addWatch(fd: number, path: string, mask: number): number;
  read(fd: number, buf: Uint8Array, n: number): number;
  close(fd: number): number;
}

let libc: Libc | undefined;
function loadLibc(): Libc {
  if (libc) return libc;
  const lib = koffi.load('libc.so.6');
  const init = lib.func('int inotify_init1(int flags)');
  const addWatch = lib.func('int inotify_add_watch(int fd, const char *path, uint32_t mask)');
  const read = lib.func('long read(int fd, _Out_ uint8_t *buf, size_t count)');
  const close = lib.func('int close(int fd)');
  libc = {
    init: (f) => init(f) as number,
    addWatch: (fd, p, m) => addWatch(fd, p, m) as number,
    read: (fd, b, n) => Number(read(fd, b, n)),
    close: (fd) => close(fd) as number,
  };
  return libc;
}

/**
 * Counts open descriptors of `path` held by other processes, from /proc/<pid>/fd. `complete` is false
 * when some processes could not be inspected (other users' processes without privileges).
 */
export function countOpeners(path: string, procDir = '/proc'): { count: number; complete: boolean } {
  let target = path;
  try {
    target = realpathSync(path);
  } catch {
    // keep the path as given
  }
  let count = 0;
  let complete = true;
  let pids: string[] = [];
  try {
    pids = readdirSync(procDir).filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid);
  } catch {
    return { count: 0, complete: false };
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`${procDir}/${pid}/fd`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') complete = false;
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`${procDir}/${pid}/fd/${fd}`) === target) count++;
      } catch {
        // the descriptor closed meanwhile
      }
    }
  }
  return { count, complete };
}

/**
 * Counts the programs that have a device node open, from inotify IN_OPEN / IN_CLOSE_* events on the
 * node (what Linux-Fake-Background-Webcam does). Node's `fs.watch` cannot do this: libuv subscribes
 * to IN_ATTRIB/IN_CREATE/IN_MODIFY/IN_DELETE/IN_MOVE only, never IN_OPEN/IN_CLOSE, so inotify is
 * called through koffi, and its descriptor is watched with libuv's poll (koffi.node.poll) so nothing
 * blocks the event loop. inotify merges identical consecutive events (two opens read together count
 * as one), so every event triggers a recount from /proc/<pid>/fd (our own process excluded); the
 * event count is used only when /proc cannot see every process (other users' programs).
 *
 * @throws DeepsegError `ERR_BACKEND_UNAVAILABLE` when inotify cannot watch the node.
 */
export function watchReaders(path: string): ReaderWatch {
  const c = loadLibc();
  const fd = c.init(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    throw new DeepsegError(
      'ERR_BACKEND_UNAVAILABLE',
      `inotify_init1 failed (errno ${koffi.errno()}); run without --on-demand`,
    );
  }
  if (c.addWatch(fd, path, IN_OPEN | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE) < 0) {
    const errno = koffi.errno();
    c.close(fd);
    throw new DeepsegError(
      'ERR_BACKEND_UNAVAILABLE',
      `Cannot watch ${path} with inotify (errno ${errno}); run without --on-demand`,
      {
        device: path,
        errno,
      },
    );
  }
  let readers = 0;
  let closed = false;
  const listeners = new Set<() => void>();
  const buf = new Uint8Array(4096);
  const view = new DataView(buf.buffer);
  const drain = () => {
    for (;;) {
      const n = c.read(fd, buf, buf.length);
      if (n <= 0) {
        if (n < 0 && koffi.errno() !== EAGAIN) break;
        break;
      }
      for (let o = 0; o + 16 <= n; ) {
        const mask = view.getUint32(o + 4, true);
        const len = view.getUint32(o + 12, true);
        if (mask & IN_OPEN) readers++;
        if (mask & (IN_CLOSE_WRITE | IN_CLOSE_NOWRITE)) readers = Math.max(0, readers - 1);
        o += 16 + len;
      }
    }
    const scan = countOpeners(path);
    if (scan.complete || scan.count > 0) readers = scan.count;
    for (const l of [...listeners]) l();
  };
  const handle = koffi.node.poll(fd, { readable: true }, drain) as unknown as UvPollHandle;
  return {
    get readers() {
      return readers;
    },
    waitForReader(signal) {
      return new Promise<void>((resolve) => {
        const check = () => {
          if (readers > 0 || signal.aborted || closed) {
            listeners.delete(check);
            signal.removeEventListener('abort', check);
            resolve();
          }
        };
        listeners.add(check);
        signal.addEventListener('abort', check, { once: true });
        check();
      });
    },
    waitForIdle(lingerMs, signal) {
      return new Promise<void>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const done = () => {
          if (timer) clearTimeout(timer);
          listeners.delete(check);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const check = () => {
          if (signal.aborted || closed) return done();
          if (readers === 0 && timer === undefined) timer = setTimeout(done, lingerMs);
          else if (readers > 0 && timer !== undefined) {
            clearTimeout(timer);
            timer = undefined;
          }
        };
        listeners.add(check);
        signal.addEventListener('abort', done, { once: true });
        check();
      });
    },
    close() {
      if (closed) return;
      closed = true;
      handle.close();
      c.close(fd);
      for (const l of [...listeners]) l();
    },
  };
}
