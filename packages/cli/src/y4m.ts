import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DeepsegError } from '@deepseg/yuyv';

/** Chroma layouts of YUV4MPEG2 that deepseg reads. Every 4:2:0 siting variant is read as 4:2:0. */
export type Y4mChroma = '420' | '422' | '444' | 'mono';

/** The stream header of a .y4m file. */
export interface Y4mHeader {
  width: number;
  height: number;
  /** Frames per second as a fraction, e.g. 30000/1001. */
  fpsNum: number;
  fpsDen: number;
  chroma: Y4mChroma;
  /** The `C` tag as written, e.g. `420jpeg`. */
  colorspace: string;
  interlace: string;
  aspect: string;
}

const MAGIC = 'YUV4MPEG2';

/**
 * Parses a y4m stream header line (without the trailing newline).
 *
 * @throws DeepsegError `ERR_INPUT` for a missing magic, size, or an unsupported colour space.
 */
export function parseY4mHeader(line: string, path = 'input'): Y4mHeader {
  const tokens = line.split(' ').filter((t) => t.length > 0);
  if (tokens[0] !== MAGIC) {
    throw new DeepsegError(
      'ERR_INPUT',
      `${path} is not a YUV4MPEG2 (.y4m) file: it does not start with "${MAGIC}"`,
      {
        path,
      },
    );
  }
  let width = 0;
  let height = 0;
  let fpsNum = 30;
  let fpsDen = 1;
  let colorspace = '420jpeg';
  let interlace = 'p';
  let aspect = '1:1';
  for (const t of tokens.slice(1)) {
    const v = t.slice(1);
    switch (t[0]) {
      case 'W':
        width = Number(v);
        break;
      case 'H':
        height = Number(v);
        break;
      case 'F': {
        const [n, d] = v.split(':').map(Number);
        if (n && d) {
          fpsNum = n;
          fpsDen = d;
        }
        break;
      }
      case 'C':
        colorspace = v;
        break;
      case 'I':
        interlace = v;
        break;
      case 'A':
        aspect = v;
        break;
      default:
        break; // X (comments) and unknown tags are ignored, as the format says
    }
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 2 || height < 2) {
    throw new DeepsegError(
      'ERR_INPUT',
      `${path} has no valid W/H in its y4m header: "${line.slice(0, 80)}"`,
      { path },
    );
  }
  let chroma: Y4mChroma;
  if (['420', '420jpeg', '420mpeg2', '420paldv'].includes(colorspace)) chroma = '420';
  else if (colorspace === '422') chroma = '422';
  else if (colorspace === '444') chroma = '444';
  else if (colorspace === 'mono') chroma = 'mono';
  else {
    throw new DeepsegError(
      'ERR_INPUT',
      `${path} uses y4m colour space C${colorspace}; deepseg reads 420*, 422, 444 and mono (8-bit). Convert with: ffmpeg -i ${path} -pix_fmt yuv422p out.y4m`,
      { path },
    );
  }
  if (width % 2 !== 0) {
    throw new DeepsegError('ERR_INPUT', `${path} is ${width} pixels wide; YUYV needs an even width`, {
      path,
    });
  }
  return { width, height, fpsNum, fpsDen, chroma, colorspace, interlace, aspect };
}

/** Bytes of one planar frame of this header (without the FRAME line). */
export function y4mFrameBytes(h: Pick<Y4mHeader, 'width' | 'height' | 'chroma'>): number {
  const luma = h.width * h.height;
  const cw = Math.ceil(h.width / 2);
  switch (h.chroma) {
    case '420':
      return luma + 2 * cw * Math.ceil(h.height / 2);
    case '422':
      return luma + 2 * cw * h.height;
    case '444':
      return luma * 3;
    case 'mono':
      return luma;
  }
}

/**
 * Converts one planar y4m frame into packed YUYV (`dst` holds width×height×2 bytes). 4:2:0 chroma is
 * interpolated between the two nearest chroma rows; 4:4:4 chroma is averaged over each pixel pair.
 */
export function planarToYuyv(
  src: Uint8Array,
  dst: Uint8Array,
  h: Pick<Y4mHeader, 'width' | 'height' | 'chroma'>,
): void {
  const { width, height } = h;
  const cw = width >> 1;
  const luma = width * height;
  if (h.chroma === 'mono') {
    for (let i = 0, o = 0; i < luma; i += 2, o += 4) {
      dst[o] = src[i]!;
      dst[o + 1] = 128;
      dst[o + 2] = src[i + 1]!;
      dst[o + 3] = 128;
    }
    return;
  }
  if (h.chroma === '444') {
    const u = luma;
    const v = 2 * luma;
    for (let i = 0, o = 0; i < luma; i += 2, o += 4) {
      dst[o] = src[i]!;
      dst[o + 1] = (src[u + i]! + src[u + i + 1]! + 1) >> 1;
      dst[o + 2] = src[i + 1]!;
      dst[o + 3] = (src[v + i]! + src[v + i + 1]! + 1) >> 1;
    }
    return;
  }
  const ch = h.chroma === '422' ? height : Math.ceil(height / 2);
  const uOff = luma;
  const vOff = luma + cw * ch;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const out = row * 2;
    if (h.chroma === '422') {
      const c = uOff + y * cw;
      const cv = vOff + y * cw;
      for (let x = 0; x < cw; x++) {
        const o = out + x * 4;
        dst[o] = src[row + 2 * x]!;
        dst[o + 1] = src[c + x]!;
        dst[o + 2] = src[row + 2 * x + 1]!;
        dst[o + 3] = src[cv + x]!;
      }
    } else {
      // 4:2:0 (jpeg/mpeg2 siting): luma row y lies between chroma rows; weight 3:1 toward the nearer one.
      const cy = y >> 1;
      const other = y & 1 ? Math.min(cy + 1, ch - 1) : Math.max(cy - 1, 0);
      const a = cy * cw;
      const b = other * cw;
      for (let x = 0; x < cw; x++) {
        const o = out + x * 4;
        dst[o] = src[row + 2 * x]!;
        dst[o + 1] = (3 * src[uOff + a + x]! + src[uOff + b + x]! + 2) >> 2;
        dst[o + 2] = src[row + 2 * x + 1]!;
        dst[o + 3] = (3 * src[vOff + a + x]! + src[vOff + b + x]! + 2) >> 2;
      }
    }
  }
}

/** Converts packed YUYV into planar 4:2:2 (Y plane, U plane, V plane), as a C422 y4m frame. */
export function yuyvToPlanar422(src: Uint8Array, dst: Uint8Array, width: number, height: number): void {
  const luma = width * height;
  const cw = width >> 1;
  const uOff = luma;
  const vOff = luma + cw * height;
  for (let i = 0, p = 0; p < cw * height; i += 4, p++) {
    dst[2 * p] = src[i]!;
    dst[uOff + p] = src[i + 1]!;
    dst[2 * p + 1] = src[i + 2]!;
    dst[vOff + p] = src[i + 3]!;
  }
}

/** A y4m file opened for reading frame by frame into YUYV. */
export interface Y4mReader {
  readonly header: Y4mHeader;
  /** Reads the next frame as YUYV into `dst`; false at the end of the file. */
  read(dst: Uint8Array): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Opens a .y4m file. Frames are converted to packed YUYV on read, so 4:2:2, 4:2:0, 4:4:4 and mono
 * files all work; buffers are reused between frames.
 *
 * @throws DeepsegError `ERR_FILE_NOT_FOUND` for a missing file, `ERR_INPUT` for a malformed one.
 */
export async function openY4mReader(path: string): Promise<Y4mReader> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (cause) {
    throw fileError(path, cause, '--input');
  }
  try {
    const probe = Buffer.alloc(1024);
    const { bytesRead } = await fh.read(probe, 0, probe.length, 0);
    const nl = probe.subarray(0, bytesRead).indexOf(10);
    if (nl === -1) {
      throw new DeepsegError('ERR_INPUT', `${path} is not a YUV4MPEG2 (.y4m) file: no header line`, { path });
    }
    const header = parseY4mHeader(probe.toString('latin1', 0, nl), path);
    const frameBytes = y4mFrameBytes(header);
    const planar = Buffer.alloc(frameBytes);
    const tag = Buffer.alloc(256);
    let position = nl + 1;
    return {
      header,
      async read(dst: Uint8Array): Promise<boolean> {
        const { bytesRead: tagRead } = await fh.read(tag, 0, tag.length, position);
        if (tagRead === 0) return false;
        const end = tag.subarray(0, tagRead).indexOf(10);
        if (end === -1 || tag.toString('latin1', 0, 5) !== 'FRAME') {
          throw new DeepsegError('ERR_INPUT', `${path} is corrupt: expected FRAME at byte ${position}`, {
            path,
          });
        }
        position += end + 1;
        const { bytesRead: got } = await fh.read(planar, 0, frameBytes, position);
        if (got < frameBytes) {
          throw new DeepsegError(
            'ERR_INPUT',
            `${path} is truncated: the last frame has ${got} of ${frameBytes} bytes`,
            {
              path,
            },
          );
        }
        position += frameBytes;
        planarToYuyv(planar, dst, header);
        return true;
      },
      close: () => fh.close(),
    };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** A y4m file being written; nothing appears at the destination until {@link Y4mWriter.close}. */
export interface Y4mWriter {
  /** Appends one YUYV frame. */
  write(yuyv: Uint8Array): Promise<void>;
  /** Flushes and atomically renames the temporary file into place. */
  close(): Promise<void>;
  /** Deletes the temporary file; the destination is left as it was. */
  abort(): Promise<void>;
}

/** A temporary sibling of `path` that keeps its extension (ffmpeg chooses containers by extension). */
export function tempPathFor(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.${process.pid}.tmp${basename(path).match(/\.[^.]+$/)?.[0] ?? ''}`,
  );
}

/**
 * Creates a C422 y4m writer (lossless for YUYV). Writes go to a temporary file beside `path`, renamed
 * over `path` on close, so an error never leaves a half-written file.
 *
 * @throws DeepsegError `ERR_OUTPUT` when the folder does not exist or is not writable.
 */
export async function openY4mWriter(
  path: string,
  options: { width: number; height: number; fpsNum: number; fpsDen: number },
): Promise<Y4mWriter> {
  const tmp = tempPathFor(path);
  let fh: FileHandle;
  try {
    fh = await open(tmp, 'w');
  } catch (cause) {
    throw fileError(path, cause, '--output');
  }
  const { width, height } = options;
  const header = `${MAGIC} W${width} H${height} F${options.fpsNum}:${options.fpsDen} Ip A1:1 C422 XYSCSS=422\n`;
  const frameTag = Buffer.from('FRAME\n', 'latin1');
  const planar = Buffer.alloc(width * height * 2);
  let position = 0;
  let done = false;
  const headerBytes = Buffer.from(header, 'latin1');
  await fh.write(headerBytes, 0, headerBytes.length, 0);
  position = headerBytes.length;
  return {
    async write(yuyv: Uint8Array) {
      yuyvToPlanar422(yuyv, planar, width, height);
      await fh.write(frameTag, 0, frameTag.length, position);
      position += frameTag.length;
      await fh.write(planar, 0, planar.length, position);
      position += planar.length;
    },
    async close() {
      if (done) return;
      done = true;
      await fh.close();
      await rename(tmp, path);
    },
    async abort() {
      if (done) return;
      done = true;
      await fh.close().catch(() => {});
      await unlink(tmp).catch(() => {});
    },
  };
}

/** Maps an fs error on a user-given path to a one-line DeepsegError. */
export function fileError(path: string, cause: unknown, option: string): DeepsegError {
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new DeepsegError(
      'ERR_FILE_NOT_FOUND',
      option === '--output'
        ? `Cannot write ${path}: its folder does not exist; create it or choose another ${option}`
        : `${path} does not exist; check the ${option} path`,
      { path, option, cause },
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new DeepsegError(
      'ERR_PERMISSION',
      `Permission denied on ${path}; check its permissions or choose another ${option}`,
      {
        path,
        option,
        cause,
      },
    );
  }
  if (code === 'EISDIR') {
    return new DeepsegError('ERR_FILE', `${path} is a folder, not a file; give a file for ${option}`, {
      path,
      option,
      cause,
    });
  }
  return new DeepsegError('ERR_FILE', `Cannot open ${path} for ${option}: ${code ?? String(cause)}`, {
    path,
    option,
    cause,
  });
}
