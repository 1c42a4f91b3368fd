import { SampleRing } from './latency-ring.ts';

/** A snapshot of {@link PipelineStats} over an interval (see {@link PipelineStats.sample}). */
export interface StatsSample {
  /** Output frames per second over the interval. */
  fps: number;
  /** Median inference time (ms) of the recent inferences. */
  inferenceMs: number;
  /** Inferences per second over the interval. */
  inferencesPerSecond: number;
  /** Median and 99th percentile dequeue→write latency (ms) of the recent frames. */
  latencyP50: number;
  latencyP99: number;
  /** Frames dropped so far: stale frames skipped so the newest wins, plus frames the driver lost. */
  dropped: number;
  /** Process CPU (all threads) over the interval, percent of one core. */
  cpuPercent: number;
}

/**
 * Counters and rings of one pipeline run. Per-frame work only writes into preallocated rings and
 * counters; percentiles are computed when a sample is asked for.
 */
export class PipelineStats {
  /** Dequeue→write latency of each output frame (ms), newest 2048. */
  readonly latency = new SampleRing(2048);
  /** Duration of each inference (ms), newest 256. */
  readonly inference = new SampleRing(256);
  /** Per-frame stage times (ms), newest 512 each: MJPEG decode, refine + composite, write. */
  readonly decode = new SampleRing(512);
  readonly composite = new SampleRing(512);
  readonly write = new SampleRing(512);
  framesIn = 0;
  framesOut = 0;
  /** Stale frames skipped because a newer one was already waiting. */
  staleDropped = 0;
  /** Frames the source lost before we saw them (driver sequence gaps). */
  sourceLost = 0;
  inferences = 0;
  /** Frames whose inference was skipped because the picture was still. */
  stillSkipped = 0;
  /** Frames that reused the previous mask because inference was still running. */
  maskReused = 0;
  readonly startedAt = performance.now();
  readonly startCpu = process.cpuUsage();
  #lastAt = this.startedAt;
  #lastCpu = this.startCpu;
  #lastOut = 0;
  #lastInferences = 0;

  /** Total dropped frames (stale + lost by the source). */
  get dropped(): number {
    return this.staleDropped + this.sourceLost;
  }

  /** CPU milliseconds (user + system, every thread of the process) since the run started. */
  cpuMs(): number {
    const u = process.cpuUsage(this.startCpu);
    return (u.user + u.system) / 1000;
  }

  /** Figures since the previous call (or the start). */
  sample(): StatsSample {
    const now = performance.now();
    const cpu = process.cpuUsage();
    const wall = Math.max(1e-3, now - this.#lastAt);
    const cpuMs = (cpu.user - this.#lastCpu.user + cpu.system - this.#lastCpu.system) / 1000;
    const s: StatsSample = {
      fps: ((this.framesOut - this.#lastOut) * 1000) / wall,
      inferenceMs: this.inference.percentile(50),
      inferencesPerSecond: ((this.inferences - this.#lastInferences) * 1000) / wall,
      latencyP50: this.latency.percentile(50),
      latencyP99: this.latency.percentile(99),
      dropped: this.dropped,
      cpuPercent: (cpuMs / wall) * 100,
    };
    this.#lastAt = now;
    this.#lastCpu = cpu;
    this.#lastOut = this.framesOut;
    this.#lastInferences = this.inferences;
    return s;
  }
}

function fixed(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}

/** The `--stats` line for a sample. */
export function formatStatsLine(s: StatsSample): string {
  return (
    `fps ${fixed(s.fps)} | infer ${fixed(s.inferenceMs)} ms (${fixed(s.inferencesPerSecond)}/s)` +
    ` | latency p50 ${fixed(s.latencyP50)} ms p99 ${fixed(s.latencyP99)} ms | dropped ${s.dropped} | cpu ${fixed(s.cpuPercent, 0)}%`
  );
}
