// The seam between the device logic and the operating system, after node-serialport's bindings:
// the koffi binding (`./koffi-binding.ts`, libc over FFI) and the fake (`./fake-binding.ts`) implement
// it; everything above (discovery, capture, output) is shared. Calls return a negative errno instead
// of throwing, so errno is read right after the failing call and turned into a DeepsegError in one
// place (`errors.ts`).

/** A mapped driver buffer. `bytes` is only valid until `munmap`. */
export interface Mapping {
  readonly bytes: Uint8Array;
}

/** Waits for a descriptor to become readable without blocking the event loop. */
export interface Poller {
  /**
   * Resolves when the descriptor is readable, has an error or hang-up pending (a vanished device),
   * or the poller was closed. Only one wait may be pending at a time.
   */
  wait(): Promise<void>;
  /** Stops watching; a pending wait resolves. Must be called before the descriptor is closed. */
  close(): void;
}

/** The system calls the package needs. Every method returns a negative errno on failure. */
export interface V4l2Binding {
  /** `'koffi'` for the real binding, `'fake'` for the scriptable fake. */
  readonly name: string;
  /** Paths of the `/dev/video*` nodes that exist, in numeric order. */
  listNodes(): string[];
  /** open(2) with `flags` (OpenFlag bits); the descriptor, or -errno. */
  open(path: string, flags: number): number;
  /** close(2); 0 or -errno. */
  close(fd: number): number;
  /**
   * ioctl(2) with an in/out argument whose length must equal the size encoded in `request`
   * (checked by `checkIoctlArg`). EINTR is retried inside. 0 (or the positive result), or -errno.
   */
  ioctl(fd: number, request: number, arg: Uint8Array): number;
  /** mmap(2) of a driver buffer, shared read/write; the mapping, or -errno. */
  mmap(fd: number, length: number, offset: number): Mapping | number;
  /** munmap(2); afterwards `mapping.bytes` must not be touched. 0 or -errno. */
  munmap(mapping: Mapping): number;
  /** write(2) of a whole frame (EINTR retried); bytes written, or -errno (-EAGAIN when it would block). */
  write(fd: number, data: Uint8Array): number;
  /** A readiness watcher for `fd`, integrated with the event loop. */
  poller(fd: number): Poller;
}
