import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepsegError } from '@deepseg/yuyv';
import { resolveModelFile } from './convert.ts';
import { oneLine, segmentError } from './errors.ts';
import { manifestFormat } from './manifest.ts';
import { modelsDir as defaultModelsDir } from './paths.ts';
import { getModel, type RegistryOptions } from './registry.ts';

/** Progress of a {@link pullModel} download. */
export interface PullProgress {
  /** Bytes of the file on disk so far (including a resumed part). */
  received: number;
  /** Expected size from the manifest. */
  total: number;
  /** Bytes that were already on disk when this attempt started (resume). */
  resumedFrom: number;
}

/** Options of {@link pullModel}. */
export interface PullOptions extends RegistryOptions {
  /** Called as bytes arrive (at most once per received chunk). */
  onProgress?: (progress: PullProgress) => void;
  /**
   * Download from `${baseUrl}/${file}` instead of the manifest's URL (mirrors, tests). Default:
   * `DEEPSEG_MODEL_BASE_URL`, else the manifest's URL.
   */
  baseUrl?: string;
  /** Aborts the download (the partial file is kept for a later resume). */
  signal?: AbortSignal;
  /** A download that receives nothing for this long fails (then retries). Default 30000 ms. */
  timeoutMs?: number;
  /** Attempts after a stall or network error, each resuming with an HTTP Range request. Default 3. */
  retries?: number;
  /** Convert a TFLite download to ONNX right away (into the cache folder). Default true. */
  convert?: boolean;
  /** Folder for converted models. Default: `modelCacheDir()`. */
  cacheDir?: string;
}

/** What {@link pullModel} did. */
export interface PullResult {
  id: string;
  /** The verified model file. */
  path: string;
  /** The ONNX to run (the file itself for ONNX models, the converted file for TFLite). */
  onnxPath?: string;
  /** True when a verified file was already there and nothing was downloaded. */
  alreadyPresent: boolean;
  /** True when the download continued a partial file. */
  resumed: boolean;
}

class Retriable extends Error {}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Downloads a pullable model (a manifest with an `url` source) into the models folder: progress
 * callbacks, resume with HTTP Range after a stall or an interruption (or a clean restart when the
 * server ignores Range), size and sha256 verified before an atomic rename; TFLite files are then
 * converted to ONNX. A corrupt or mismatched download is deleted; only an interrupted one leaves a
 * hidden `.<file>.part` behind, which the next pull resumes.
 *
 * @throws ERR_UNKNOWN_MODEL, ERR_MODEL_NOT_PULLABLE, ERR_DOWNLOAD_FAILED (HTTP status, network),
 *   ERR_DOWNLOAD_TIMEOUT, ERR_MODEL_CHECKSUM (size or sha256), ERR_ABORTED, ERR_MODEL_CORRUPT (conversion)
 * @example
 * await pullModel('deeplab-v3', { onProgress: ({ received, total }) => console.log(received / total) });
 */
export async function pullModel(id: string, options: PullOptions = {}): Promise<PullResult> {
  const manifest = getModel(id, options);
  const source = manifest.source;
  if (source.type !== 'url') {
    throw segmentError(
      'ERR_MODEL_NOT_PULLABLE',
      `Model "${id}" has no download source (${source.type === 'npm' ? 'built in' : `place ${source.file} in the models folder yourself`})`,
      { model: id },
    );
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = options.retries ?? 3;
  const baseUrl = options.baseUrl ?? process.env.DEEPSEG_MODEL_BASE_URL;
  const url = baseUrl ? `${baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(source.file)}` : source.url;
  const dir = options.modelsDir ?? defaultModelsDir();
  mkdirSync(dir, { recursive: true });
  const dest = join(dir, source.file);
  const part = join(dir, `.${source.file}.part`);

  const finish = async (alreadyPresent: boolean, resumed: boolean): Promise<PullResult> => {
    const result: PullResult = { id, path: dest, alreadyPresent, resumed };
    if (manifestFormat(manifest) === 'onnx') result.onnxPath = dest;
    else if (options.convert !== false) {
      result.onnxPath = (await resolveModelFile(manifest, { ...options, formats: ['onnx'] })).path;
    }
    return result;
  };

  if (existsSync(dest) && sizeOf(dest) === source.size && (await sha256OfFile(dest)) === source.sha256) {
    return finish(true, false);
  }

  const fail = (
    code: 'ERR_DOWNLOAD_FAILED' | 'ERR_MODEL_CHECKSUM',
    message: string,
    cause?: unknown,
  ): never => {
    rmSync(part, { force: true });
    throw segmentError(code, message, {
      model: id,
      path: dest,
      cause,
      hint:
        code === 'ERR_MODEL_CHECKSUM'
          ? 'the server sent a different file; check baseUrl or try again later'
          : undefined,
    });
  };

  let resumed = false;
  for (let attempt = 0; ; attempt++) {
    if (options.signal?.aborted) {
      throw segmentError('ERR_ABORTED', `Download of "${id}" was aborted`, {
        model: id,
        cause: options.signal.reason,
      });
    }
    let offset = sizeOf(part);
    if (offset > source.size) {
      rmSync(part, { force: true });
      offset = 0;
    }
    if (offset === source.size) break;
    try {
      const r = await download(url, part, offset, source.size, timeoutMs, options);
      if (r.resumed) resumed = true;
      break;
    } catch (e) {
      if (isDeepsegError(e)) {
        if (e.code === 'ERR_ABORTED') throw e;
        rmSync(part, { force: true });
        throw e;
      }
      if (e instanceof Retriable && attempt < retries) continue;
      if (e instanceof Retriable && e.message.startsWith('stalled')) {
        throw segmentError(
          'ERR_DOWNLOAD_TIMEOUT',
          `Download of "${id}" from ${url} ${e.message}; run the pull again to resume`,
          {
            model: id,
            path: part,
            cause: e,
          },
        );
      }
      throw segmentError(
        'ERR_DOWNLOAD_FAILED',
        `Download of "${id}" from ${url} failed: ${oneLine(e)}; run the pull again to resume`,
        {
          model: id,
          path: part,
          cause: e,
        },
      );
    }
  }
  const got = sizeOf(part);
  if (got !== source.size) {
    fail(
      'ERR_MODEL_CHECKSUM',
      `Download of "${id}" has ${got} bytes but the manifest says ${source.size}; the file was deleted`,
    );
  }
  const sha = await sha256OfFile(part);
  if (sha !== source.sha256) {
    fail(
      'ERR_MODEL_CHECKSUM',
      `Download of "${id}" has sha256 ${sha} but the manifest says ${source.sha256}; the file was deleted`,
    );
  }
  renameSync(part, dest);
  return finish(false, resumed);
}

/** One HTTP attempt appending to `part` from `offset`. Throws Retriable for stalls and network errors. */
async function download(
  url: string,
  part: string,
  offset: number,
  total: number,
  timeoutMs: number,
  options: PullOptions,
): Promise<{ resumed: boolean }> {
  const controller = new AbortController();
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, timeoutMs);
  };
  const onAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  arm();
  const file = await open(part, offset > 0 ? 'r+' : 'w');
  try {
    let res: Response;
    try {
      res = await fetch(url, {
        headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
        signal: controller.signal,
        redirect: 'follow',
      });
    } catch (e) {
      throw aborted(e, stalled, options, timeoutMs);
    }
    let resumed = false;
    if (offset > 0 && res.status === 206) {
      const start = /bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1];
      if (Number(start) !== offset) throw new Retriable(`server resumed at ${start} instead of ${offset}`);
      resumed = true;
    } else if (res.status === 200) {
      offset = 0; // A server that ignores Range sends the whole file: restart cleanly.
      await file.truncate(0);
    } else {
      await res.body?.cancel();
      if (res.status >= 500 || res.status === 408 || res.status === 429)
        throw new Retriable(`HTTP ${res.status}`);
      throw segmentError(
        'ERR_DOWNLOAD_FAILED',
        `Download from ${url} failed: HTTP ${res.status} ${res.statusText}`.trim(),
        {
          hint: 'check the model id and baseUrl',
        },
      );
    }
    let position = offset;
    try {
      if (res.body === null) throw new Retriable('empty response body');
      for await (const chunk of res.body) {
        arm();
        const bytes = chunk as Uint8Array;
        if (position + bytes.length > total) {
          throw segmentError(
            'ERR_MODEL_CHECKSUM',
            `Download from ${url} is larger than the manifest's ${total} bytes; the file was deleted`,
          );
        }
        await file.write(bytes, 0, bytes.length, position);
        position += bytes.length;
        options.onProgress?.({ received: position, total, resumedFrom: offset });
      }
    } catch (e) {
      if (isDeepsegError(e)) throw e;
      throw aborted(e, stalled, options, timeoutMs);
    }
    return { resumed };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    await file.close();
  }
}

function aborted(e: unknown, stalled: boolean, options: PullOptions, timeoutMs: number): Error {
  if (options.signal?.aborted) {
    return segmentError('ERR_ABORTED', 'The download was aborted; run the pull again to resume', {
      cause: options.signal.reason,
    });
  }
  if (stalled) return new Retriable(`stalled: nothing received for ${timeoutMs} ms`);
  return new Retriable(oneLine(e));
}
