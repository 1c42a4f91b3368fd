import { setTimeout as sleep } from 'node:timers/promises';
import { allocFrame, DeepsegError, freeFrame, isWasmFrame } from '@deepseg/yuyv';
import { Pacer } from './pacer.ts';
import { PipelineStats } from './pipeline-stats.ts';
import type { FrameCompositor, FrameSink, FrameSource, MaskEngine } from './pipeline-types.ts';
import { YuyvScaler } from './scale-yuyv.ts';
import { StillDetector } from './still-detector.ts';

/** Turns one compressed frame (MJPEG) into YUYV at the source size. */
export interface FrameDecoder {
  /** Resolves with a YUYV buffer owned by the decoder, valid until the next call. */
  decode(data: Uint8Array): Promise<Uint8Array>;
}

/** Settings of a {@link Scheduler} that may change while it runs (SIGHUP). */
export interface SchedulerSettings {
  /** Run the model on every Nth frame only (default 1). */
  inferEvery: number;
  /** Mean absolute luma change below which a frame is still and skips inference; 0 = off. */
  stillThreshold: number;
  /** Flip the output left-right. */
  mirror: boolean;
}

/** Fixed settings of a {@link Scheduler}. */
export interface SchedulerOptions extends SchedulerSettings {
  /**
   * Real-time: never wait for inference (the newest mask is reused while the model runs), pace
   * non-live sources to their frame rate. Off (file mode): every inferred frame waits for its own mask.
   */
  realtime: boolean;
  /** Stop after this many output frames. */
  maxFrames?: number | undefined;
  /** Force an inference after this many still-skipped frames (default 30). */
  maxStillSkip?: number;
  /** Called once per output frame, after the write (tests, --stats). */
  onFrame?: (stats: PipelineStats) => void;
}

/** What a finished run reports. */
export interface RunSummary {
  framesIn: number;
  framesOut: number;
  dropped: number;
  inferences: number;
  stillSkipped: number;
  maskReused: number;
  latencyP50: number;
  latencyP99: number;
  inferenceMs: number;
  /** Median per-frame stage times (ms): MJPEG decode (NaN for YUYV), refine + composite (+ scale, mirror), write. */
  decodeMs: number;
  compositeMs: number;
  writeMs: number;
  wallMs: number;
  cpuMs: number;
}

/**
 * The real-time pipeline: source → (MJPEG decode) → model (async, never awaited by the video path in
 * real-time mode; the newest mask is reused while it runs) → refine + composite → (scale, mirror) →
 * sink, paced to the frame rate. Stale frames from a live source are skipped, so the newest frame always
 * wins and no queue builds up. Every frame's dequeue→write latency goes into a preallocated ring.
 */
export class Scheduler {
  readonly stats = new PipelineStats();
  readonly #source: FrameSource;
  readonly #sink: FrameSink;
  readonly #engine: MaskEngine;
  readonly #compositor: FrameCompositor;
  readonly #decoder: FrameDecoder | undefined;
  readonly #options: SchedulerOptions;
  #settings: SchedulerSettings;
  #front: Float32Array;
  #back: Float32Array;
  #haveMask = false;
  #busy = false;
  #pending: Promise<void> | undefined;
  /** A run started with the engine's `start`, looked for with `poll` at each frame (real time). */
  #polling = false;
  #failure: unknown;
  readonly #still: StillDetector;
  #stillRun = 0;

  constructor(
    parts: {
      source: FrameSource;
      sink: FrameSink;
      engine: MaskEngine;
      compositor: FrameCompositor;
      decoder?: FrameDecoder | undefined;
      /** Allocates a mask buffer (e.g. on a SharedArrayBuffer for the worker); default a plain Float32Array. */
      allocateMask?: () => Float32Array;
    },
    options: SchedulerOptions,
  ) {
    this.#source = parts.source;
    this.#sink = parts.sink;
    this.#engine = parts.engine;
    this.#compositor = parts.compositor;
    this.#decoder = parts.decoder;
    if (this.#source.pixelFormat === 'MJPEG' && this.#decoder === undefined) {
      throw new DeepsegError('ERR_INVALID_OPTION', 'An MJPEG source needs a decoder', { option: 'decoder' });
    }
    this.#options = options;
    this.#settings = {
      inferEvery: options.inferEvery,
      stillThreshold: options.stillThreshold,
      mirror: options.mirror,
    };
    const size = this.#engine.maskWidth * this.#engine.maskHeight;
    const alloc = parts.allocateMask ?? (() => new Float32Array(size));
    this.#front = alloc();
    this.#back = alloc();
    this.#still = new StillDetector(this.#source.width, this.#source.height);
  }

  /** The settings in force. */
  get settings(): Readonly<SchedulerSettings> {
    return this.#settings;
  }

  /** Changes settings between two frames (SIGHUP). */
  update(settings: Partial<SchedulerSettings>): void {
    this.#settings = { ...this.#settings, ...settings };
    this.#still.reset();
  }

  #swapMasks(): void {
    const t = this.#front;
    this.#front = this.#back;
    this.#back = t;
    this.#haveMask = true;
    this.stats.inferences++;
    this.#busy = false;
  }

  /** Real time: takes the polled run's mask if it is ready (never waits). */
  #pollInference(): void {
    if (!this.#polling) return;
    let ms: number | undefined;
    try {
      ms = this.#engine.poll?.();
    } catch (e) {
      this.#polling = false;
      this.#busy = false;
      this.#failure = e;
      return;
    }
    if (ms === undefined) return;
    this.#polling = false;
    this.#swapMasks();
    this.stats.inference.push(ms);
  }

  /**
   * Lets a polled run still going finish (milliseconds): the counts add up, the engine is not closed
   * under it, and it is idle for the next run.
   */
  async #settlePolled(): Promise<void> {
    for (let waited = 0; this.#polling && waited < 10_000; waited += 2) {
      await sleep(2);
      this.#pollInference();
    }
  }

  #startInference(yuyv: Uint8Array): void {
    this.#busy = true;
    const { width, height } = this.#source;
    const engine = this.#engine;
    if (this.#options.realtime && engine.start && engine.poll) {
      try {
        engine.start(yuyv, width, height, this.#back);
      } catch (e) {
        this.#busy = false;
        throw e;
      }
      this.#polling = true;
      return;
    }
    const started = performance.now();
    let promise: Promise<void>;
    try {
      promise = this.#engine.infer(yuyv, width, height, this.#back);
    } catch (e) {
      this.#busy = false;
      throw e;
    }
    this.#pending = promise.then(
      () => {
        this.#swapMasks();
        this.stats.inference.push(performance.now() - started);
      },
      (e: unknown) => {
        this.#failure = e;
        this.#busy = false;
      },
    );
  }

  /** Decides whether this frame goes to the model; starts it if so. */
  #maybeInfer(yuyv: Uint8Array, index: number): void {
    const s = this.#settings;
    if (index % s.inferEvery !== 0 && this.#haveMask) return;
    if (this.#busy) {
      this.stats.maskReused++;
      return;
    }
    if (s.stillThreshold > 0 && this.#haveMask) {
      const diff = this.#still.difference(yuyv);
      if (diff < s.stillThreshold && this.#stillRun < (this.#options.maxStillSkip ?? 30)) {
        this.#stillRun++;
        this.stats.stillSkipped++;
        return;
      }
    }
    this.#stillRun = 0;
    if (s.stillThreshold > 0) this.#still.remember(yuyv);
    this.#startInference(yuyv);
  }

  /**
   * Runs until the source ends, `signal` aborts, or `maxFrames` frames were written. Does not close
   * the parts: the caller owns them.
   *
   * @throws whatever a part throws (DeepsegError with a code); a failed inference ends the run.
   */
  async run(signal: AbortSignal): Promise<RunSummary> {
    const { width, height } = this.#source;
    const frameBytes = width * height * 2;
    // In WebAssembly memory: the compositor's kernel writes `composed` in place, and the sink writes it
    // from there; a camera frame is copied into `staged` once, and the compositor and the model's
    // pre-processing both read it there (each would copy it otherwise).
    const composed = allocFrame(frameBytes);
    const staged = allocFrame(frameBytes);
    const pace = this.#options.realtime && !this.#source.live ? new Pacer(this.#source.fps) : undefined;
    try {
      return await this.#loop(signal, composed, staged, pace);
    } finally {
      pace?.close();
      // also when the loop failed (camera gone): the engine must be idle for the next run
      await this.#settlePolled();
      freeFrame(composed);
      freeFrame(staged);
    }
  }

  async #loop(
    signal: AbortSignal,
    composed: Uint8Array,
    staged: Uint8Array,
    pace: Pacer | undefined,
  ): Promise<RunSummary> {
    const source = this.#source;
    const sink = this.#sink;
    const { width, height } = source;
    const frameBytes = width * height * 2;
    const scaled =
      sink.width !== width || sink.height !== height
        ? new Uint8Array(sink.width * sink.height * 2)
        : undefined;
    const scaler = scaled ? new YuyvScaler(width, height, sink.width, sink.height) : undefined;
    const interval = 1000 / source.fps;
    const stats = this.stats;
    let index = 0;
    let staleRun = 0;
    let lastCaptured: number | undefined;
    let arrival: number | undefined;
    for await (const frame of source.frames(signal)) {
      const dequeued = performance.now();
      stats.framesIn++;
      if (this.#failure !== undefined) throw this.#failure;
      // Newest frame wins: a live frame older than 1.5 frame intervals means a newer one is already
      // queued. The interval is what really arrives (a running average of capture-time deltas), not
      // just what the driver announces: a camera in low light, or a v4l2loopback feeder, may be slower.
      if (source.live && frame.capturedAt !== undefined) {
        if (lastCaptured !== undefined) {
          const delta = frame.capturedAt - lastCaptured;
          if (delta > 0 && delta < 2000)
            arrival = arrival === undefined ? delta : arrival * 0.9 + delta * 0.1;
        }
        lastCaptured = frame.capturedAt;
        const age = dequeued - frame.capturedAt;
        if (staleRun < 3 && age > 1.5 * Math.max(interval, arrival ?? 0) && age < 2000) {
          stats.staleDropped++;
          staleRun++;
          continue;
        }
      }
      staleRun = 0;
      if (source.lostFrames) stats.sourceLost = source.lostFrames();
      let yuyv = frame.data;
      if (this.#decoder) {
        const t = performance.now();
        yuyv = await this.#decoder.decode(frame.data);
        stats.decode.push(performance.now() - t);
      } else if (yuyv.length > frameBytes) yuyv = yuyv.subarray(0, frameBytes);
      else if (yuyv.length < frameBytes) {
        throw new DeepsegError(
          'ERR_INPUT',
          `A frame from ${source.label} has ${yuyv.length} bytes; ${width}x${height} YUYV needs ${frameBytes}`,
        );
      }
      if (!isWasmFrame(yuyv)) {
        staged.set(yuyv);
        yuyv = staged;
      }
      // File mode: every inferred frame waits for its own mask, so the model starts first. Real time:
      // the model starts once this frame is written — the mask serves the next frames either way, and
      // the model then does not run beside the compositor (two busy threads on two cores that share
      // caches each take up to three times the CPU time; measured, see decision 0063).
      const realtime = this.#options.realtime;
      if (!realtime) this.#maybeInfer(yuyv, index);
      if (!realtime && this.#pending) {
        await this.#pending;
        this.#pending = undefined;
        if (this.#failure !== undefined) throw this.#failure;
      }
      this.#pollInference();
      if (this.#failure !== undefined) throw this.#failure;
      const tc = performance.now();
      this.#compositor.process(yuyv, this.#haveMask ? this.#front : null, composed);
      let out = composed;
      if (scaler && scaled) {
        scaler.scale(composed, scaled);
        out = scaled;
      }
      if (this.#settings.mirror) mirrorYuyvInPlace(out, sink.width, sink.height);
      stats.composite.push(performance.now() - tc);
      if (pace) await pace.wait(signal);
      if (signal.aborted) break;
      const tw = performance.now();
      await sink.write(out);
      stats.write.push(performance.now() - tw);
      stats.framesOut++;
      stats.latency.push(performance.now() - dequeued);
      if (realtime) this.#maybeInfer(yuyv, index);
      index++;
      this.#options.onFrame?.(stats);
      if (this.#options.maxFrames !== undefined && stats.framesOut >= this.#options.maxFrames) break;
    }
    if (this.#pending) await this.#pending;
    await this.#settlePolled();
    if (this.#failure !== undefined) throw this.#failure;
    return {
      framesIn: stats.framesIn,
      framesOut: stats.framesOut,
      dropped: stats.dropped,
      inferences: stats.inferences,
      stillSkipped: stats.stillSkipped,
      maskReused: stats.maskReused,
      latencyP50: stats.latency.percentile(50),
      latencyP99: stats.latency.percentile(99),
      inferenceMs: stats.inference.percentile(50),
      decodeMs: stats.decode.percentile(50),
      compositeMs: stats.composite.percentile(50),
      writeMs: stats.write.percentile(50),
      wallMs: performance.now() - stats.startedAt,
      cpuMs: stats.cpuMs(),
    };
  }
}

/** Flips a YUYV frame left-right in place (pixel pairs swap, and Y0/Y1 within each pair). */
export function mirrorYuyvInPlace(buf: Uint8Array, width: number, height: number): void {
  const stride = width * 2;
  const pairs = width >> 1;
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    for (let a = 0, b = pairs - 1; a <= b; a++, b--) {
      const i = row + a * 4;
      const j = row + b * 4;
      const y0 = buf[i]!;
      const u = buf[i + 1]!;
      const y1 = buf[i + 2]!;
      const v = buf[i + 3]!;
      buf[i] = buf[j + 2]!;
      buf[i + 1] = buf[j + 1]!;
      buf[i + 2] = buf[j]!;
      buf[i + 3] = buf[j + 3]!;
      buf[j] = y1;
      buf[j + 1] = u;
      buf[j + 2] = y0;
      buf[j + 3] = v;
    }
  }
}
