import { setTimeout as sleep } from 'node:timers/promises';
import { DeepsegError, isDeepsegError } from '@deepseg/yuyv';
import { type CliIo, cliVersion } from './cli-io.ts';
import { createFrameCompositor } from './compose-compositor.ts';
import { ExitCode } from './exit-codes.ts';
import { openFileSink, openFileSource } from './file-io.ts';
import { runHelp } from './help.ts';
import { loadRunOptions } from './load-options.ts';
import { createMjpegDecoder } from './mjpeg.ts';
import { parseArgs } from './parse-args.ts';
import { formatStatsLine } from './pipeline-stats.ts';
import type { FrameCompositor, FrameSink, FrameSource } from './pipeline-types.ts';
import { reportError } from './report-error.ts';
import { type BackgroundSpec, type RunOptions, runSpecs } from './run-options.ts';
import { type FrameDecoder, type RunSummary, Scheduler } from './scheduler.ts';
import { createSegmentEngine, type SegmentEngine } from './segment-engine.ts';

/** A human description of a background spec. */
export function describeBackground(bg: BackgroundSpec): string {
  if (bg.kind === 'blur') return `blur=${bg.radius}`;
  if (bg.kind === 'color') return `color=${bg.hex}`;
  return bg.path;
}

/**
 * Tries to open the camera once a second until it works (it was unplugged), the signal aborts
 * (resolves undefined), or it comes back with another size than the pipeline was built for.
 *
 * @throws DeepsegError other than "not there yet", and `ERR_FORMAT_UNSUPPORTED` for a size change.
 */
export async function reopenCamera(
  open: () => Promise<FrameSource>,
  signal: AbortSignal,
  size: { width: number; height: number },
): Promise<FrameSource | undefined> {
  const notYet = [
    'ERR_DEVICE_NOT_FOUND',
    'ERR_DEVICE_GONE',
    'ERR_NOT_CAPTURE_DEVICE',
    'ERR_PERMISSION',
    'ERR_DEVICE_BUSY',
  ];
  while (!signal.aborted) {
    await sleep(1000, undefined, { signal }).catch(() => {});
    if (signal.aborted) return undefined;
    let source: FrameSource;
    try {
      source = await open();
    } catch (e) {
      if (isDeepsegError(e) && notYet.includes(e.code)) continue;
      throw e;
    }
    if (source.width !== size.width || source.height !== size.height) {
      await source.close();
      throw new DeepsegError(
        'ERR_FORMAT_UNSUPPORTED',
        `The camera came back as ${source.width}x${source.height} instead of ${size.width}x${size.height}; restart deepseg`,
      );
    }
    return source;
  }
  return undefined;
}

/** The device side of the run command; loaded only when a camera or loopback device is involved. */
export interface DeviceLayer {
  openCamera(options: RunOptions, log: (line: string) => void): Promise<FrameSource>;
  openLoopback(
    options: RunOptions,
    size: { width: number; height: number; fps: number },
    log: (line: string) => void,
  ): Promise<FrameSink & { path: string }>;
  /** Resolves when a program opens the loopback device (on-demand mode); see on-demand.ts. */
  watchReaders?(path: string): ReaderWatch;
}

/** Counts the programs that have the virtual camera open. */
export interface ReaderWatch {
  readonly readers: number;
  /** Resolves once `readers > 0` (or the signal aborts). */
  waitForReader(signal: AbortSignal): Promise<void>;
  /** Resolves once no reader has held the device for `lingerMs` (or the signal aborts). */
  waitForIdle(lingerMs: number, signal: AbortSignal): Promise<void>;
  close(): void;
}

let deviceLayerLoader: () => Promise<DeviceLayer> = async () =>
  (await import('./device-layer.ts')).deviceLayer;

/** Replaces the device layer (tests use one built on @deepseg/v4l2/fake). */
export function setDeviceLayer(loader: () => Promise<DeviceLayer>): void {
  deviceLayerLoader = loader;
}

/**
 * `deepseg [options]`: camera (or --input file) → segmentation → compositing → v4l2loopback device
 * (or --output file). Resolves with the exit code; SIGINT/SIGTERM stop cleanly with 0.
 *
 * @throws DeepsegError for every user mistake (caught and printed by `main`).
 */
export async function runCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs(argv, runSpecs, 'deepseg');
  if (values.help === true) {
    io.stdout.write(runHelp(runSpecs));
    return ExitCode.Ok;
  }
  if (values.version === true) {
    io.stdout.write(`${cliVersion()}\n`);
    return ExitCode.Ok;
  }
  if (positionals.length > 0) {
    throw new DeepsegError(
      'ERR_USAGE',
      `Unexpected argument "${positionals[0]}"; commands are devices, doctor, models; options start with -- (see \`deepseg --help\`)`,
    );
  }
  let options = loadRunOptions(values);
  const log = (line: string) => {
    if (!options.quiet) io.stderr.write(`${line}\n`);
  };
  const fileToFile = options.input !== undefined && options.output !== undefined;
  const realtime = !fileToFile || options.realtime;
  const devices = fileToFile ? undefined : await deviceLayerLoader();

  const stop = new AbortController();
  const onStop = () => stop.abort();
  const cleanups: (() => Promise<void> | void)[] = [];
  let source: FrameSource | undefined;
  let sink: (FrameSink & { path?: string }) | undefined;
  let engine: SegmentEngine | undefined;
  let compositor: FrameCompositor | undefined;
  let scheduler: Scheduler | undefined;
  let finished = false;
  io.signals.on('SIGINT', onStop);
  io.signals.on('SIGTERM', onStop);
  const onHup = () => {
    void reload();
  };
  io.signals.on('SIGHUP', onHup);

  const reload = async () => {
    try {
      const next = loadRunOptions(values);
      const restartNeeded = (
        [
          'camera',
          'loopback',
          'width',
          'height',
          'fps',
          'format',
          'model',
          'threads',
          'input',
          'output',
        ] as const
      ).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(options[k]));
      if (
        JSON.stringify(next.background) !== JSON.stringify(options.background) ||
        next.background.kind === 'file'
      ) {
        await compositor?.setBackground(next.background);
      }
      compositor?.setRefine?.({
        threshold: next.threshold,
        smoothing: next.smoothing,
        feather: next.feather,
      });
      scheduler?.update({
        inferEvery: next.inferEvery,
        stillThreshold: next.stillThreshold,
        mirror: next.mirror,
      });
      options = next;
      log(
        `deepseg: reloaded (background ${describeBackground(next.background)})${restartNeeded.length ? `; restart to apply: ${restartNeeded.join(', ')}` : ''}`,
      );
    } catch (e) {
      io.stderr.write('deepseg: reload failed, keeping the previous settings: ');
      reportError(
        e,
        { ...io, stderr: { write: (s: string) => io.stderr.write(s.replace(/^deepseg: /, '')) } },
        options.debug,
      );
    }
  };

  let statsTimer: NodeJS.Timeout | undefined;
  try {
    // One MJPEG decoder per frame size for the whole run: its buffers live in WebAssembly memory, which
    // is never returned, so camera restarts (on-demand, unplug) reuse it instead of allocating anew.
    let decoderFor: { key: string; decoder: FrameDecoder } | undefined;
    const mjpegDecoder = (width: number, height: number): FrameDecoder => {
      const key = `${width}x${height}`;
      if (decoderFor?.key !== key) decoderFor = { key, decoder: createMjpegDecoder(width, height) };
      return decoderFor.decoder;
    };
    const openSource = async (): Promise<FrameSource> => {
      if (options.input !== undefined) {
        return openFileSource(options.input, {
          width: options.width,
          height: options.height,
          // an image feeding a virtual camera repeats until stopped; in file mode it is one frame
          frames: options.frames ?? (realtime ? Number.POSITIVE_INFINITY : undefined),
          fps: options.fps,
        });
      }
      return devices!.openCamera(options, log);
    };
    // the source first (a missing input or camera fails fast), then the model: its output size shapes the compositor
    source = await openSource();
    const frameSize = { width: source.width, height: source.height };
    engine = await createSegmentEngine({ model: options.model, threads: options.threads });
    cleanups.push(() => engine?.close());
    const outWidth = options.outputWidth ?? source.width;
    const outHeight = options.outputHeight ?? source.height;
    if (options.output !== undefined) {
      sink = await openFileSink(options.output, { width: outWidth, height: outHeight, fps: source.fps });
    } else {
      sink = await devices!.openLoopback(
        options,
        { width: outWidth, height: outHeight, fps: source.fps },
        log,
      );
    }
    compositor = await createFrameCompositor({
      width: source.width,
      height: source.height,
      maskWidth: engine.maskWidth,
      maskHeight: engine.maskHeight,
      background: options.background,
      refine: { threshold: options.threshold, smoothing: options.smoothing, feather: options.feather },
      realtime,
    });
    cleanups.push(() => compositor?.close());
    log(`deepseg: ${source.label} -> ${sink.label}`);
    log(`deepseg: model ${engine.label}; background ${describeBackground(options.background)}`);
    if (options.input === undefined && options.camera === 'auto') {
      log(
        'deepseg: change with --camera /dev/videoN, --loopback /dev/videoM, --background color=#00FF00 or <image>, --model <id> (see --help)',
      );
    }
    if (options.stats) {
      statsTimer = setInterval(() => {
        if (!scheduler) return;
        const line = formatStatsLine(scheduler.stats.sample());
        if (io.stderr.isTTY) io.stderr.write(`\r${line}\x1b[K`);
        else io.stderr.write(`${line}\n`);
      }, 1000);
    }
    let total: RunSummary | undefined;
    const watch =
      options.onDemand && options.output === undefined && options.input === undefined
        ? devices?.watchReaders?.(sink.path!)
        : undefined;
    if (
      options.onDemand &&
      watch === undefined &&
      options.output === undefined &&
      options.input === undefined
    ) {
      log('deepseg: --on-demand is not available here; streaming continuously');
    }
    if (watch) cleanups.push(() => watch.close());
    for (;;) {
      if (watch) {
        if (watch.readers === 0) {
          if (source) {
            await source.close();
            source = undefined;
            log('deepseg: no program is reading the virtual camera; camera released (on-demand)');
          }
          await watch.waitForReader(stop.signal);
          if (stop.signal.aborted) break;
          log('deepseg: a program opened the virtual camera; starting the camera');
        }
        source ??= await openSource();
      }
      const session = new AbortController();
      const abortSession = () => session.abort();
      stop.signal.addEventListener('abort', abortSession, { once: true });
      if (watch) void watch.waitForIdle(options.onDemandLingerMs, session.signal).then(abortSession);
      scheduler = new Scheduler(
        {
          source: source!,
          sink,
          engine,
          compositor,
          decoder: source!.pixelFormat === 'MJPEG' ? mjpegDecoder(source!.width, source!.height) : undefined,
          allocateMask: engine.allocateMask,
        },
        {
          inferEvery: options.inferEvery,
          stillThreshold: options.stillThreshold,
          mirror: options.mirror,
          realtime,
          maxFrames: options.frames,
        },
      );
      try {
        total = await scheduler.run(session.signal);
      } catch (error) {
        stop.signal.removeEventListener('abort', abortSession);
        // An unplugged camera is waited for and reopened; everything else ends the run.
        if (
          !isDeepsegError(error, 'ERR_DEVICE_GONE') ||
          options.input !== undefined ||
          error.device === sink.path
        ) {
          throw error;
        }
        log(
          `deepseg: ${error.message.replace(/\.$/, '')}; waiting for the camera to come back (Ctrl+C to stop)`,
        );
        await source?.close().catch(() => {});
        source = undefined;
        source = await reopenCamera(openSource, stop.signal, frameSize);
        if (source === undefined) break;
        log(`deepseg: camera back: ${source.label}`);
        continue;
      }
      stop.signal.removeEventListener('abort', abortSession);
      if (
        !watch ||
        stop.signal.aborted ||
        (options.frames !== undefined && total.framesOut >= options.frames)
      )
        break;
    }
    finished = true;
    if (statsTimer) clearInterval(statsTimer);
    if (options.stats && io.stderr.isTTY) io.stderr.write('\n');
    await sink.close();
    if (total) {
      log(
        `deepseg: ${total.framesOut} frames written, ${total.dropped} dropped, ${total.inferences} inferences; latency p50 ${total.latencyP50.toFixed(1)} ms, p99 ${total.latencyP99.toFixed(1)} ms; CPU ${(total.cpuMs / Math.max(1, total.framesOut)).toFixed(1)} ms/frame`,
      );
    }
    return ExitCode.Ok;
  } catch (error) {
    if (!finished) await sink?.abort().catch(() => {});
    throw error;
  } finally {
    if (statsTimer) clearInterval(statsTimer);
    io.signals.off('SIGINT', onStop);
    io.signals.off('SIGTERM', onStop);
    io.signals.off('SIGHUP', onHup);
    await source?.close().catch(() => {});
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => {});
  }
}
