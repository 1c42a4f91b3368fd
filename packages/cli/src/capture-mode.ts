import type { FrameSize } from '@deepseg/v4l2';
import { DeepsegError } from '@deepseg/yuyv';
import type { CaptureFormat } from './run-options.ts';

/** A frame size offered by a device (@deepseg/v4l2's discrete size or range), with its frame rates. */
export type OfferedSize = FrameSize & {
  /** Rates offered (discrete), or [min, max] of a range when `fpsRange` is true. */
  fps: number[];
  fpsRange?: boolean;
};

/** One capture format as offered by a camera. */
export interface OfferedFormat {
  /** V4L2 FourCC name: `YUYV`, `MJPG`, … */
  pixelFormat: string;
  sizes: OfferedSize[];
}

/** What to ask the camera for. */
export interface CaptureMode {
  pixelFormat: 'YUYV' | 'MJPG';
  width: number;
  height: number;
  /** undefined: keep the device's rate. */
  fps: number | undefined;
}

const PREFERRED = { width: 1280, height: 720 };

function fits(s: OfferedSize, width: number, height: number): boolean {
  if (s.type === 'discrete') return s.width === width && s.height === height;
  const ok = (v: number, min: number, max: number, step: number) =>
    v >= min && v <= max && (step <= 1 || (v - min) % step === 0);
  return ok(width, s.minWidth, s.maxWidth, s.stepWidth) && ok(height, s.minHeight, s.maxHeight, s.stepHeight);
}

function offersFps(s: OfferedSize, fps: number): boolean {
  if (s.type !== 'discrete' && s.fpsRange) return fps >= s.fps[0]! * 0.995 && fps <= s.fps[1]! * 1.005;
  return s.fps.some((f) => Math.abs(f - fps) <= fps * 0.005);
}

function maxFps(s: OfferedSize): number {
  return s.fps.length ? Math.max(...s.fps) : 0;
}

/** Candidate sizes of a format, largest first (stepwise ranges contribute common sizes within them). */
function candidateSizes(f: OfferedFormat): { width: number; height: number; size: OfferedSize }[] {
  const out: { width: number; height: number; size: OfferedSize }[] = [];
  const common = [
    [1920, 1080],
    [1280, 720],
    [960, 540],
    [800, 600],
    [640, 480],
    [640, 360],
    [320, 240],
  ] as const;
  for (const s of f.sizes) {
    if (s.type === 'discrete') out.push({ width: s.width, height: s.height, size: s });
    else for (const [w, h] of common) if (fits(s, w, h)) out.push({ width: w, height: h, size: s });
  }
  return out.sort((a, b) => b.width * b.height - a.width * a.height);
}

/**
 * Picks the capture format, size and rate: the requested ones when given (checked against what the
 * camera offers), else 1280×720 (or the largest size up to it) at 30 fps, in YUYV when it offers that
 * size at that rate, else MJPEG (webcams often give 720p30 only in MJPEG).
 *
 * @throws DeepsegError `ERR_FORMAT_UNSUPPORTED` listing what the camera offers.
 */
export function chooseCaptureMode(
  device: string,
  formats: readonly OfferedFormat[],
  wanted: {
    format: CaptureFormat;
    width: number | undefined;
    height: number | undefined;
    fps: number | undefined;
  },
): CaptureMode {
  const usable = formats.filter((f) => f.pixelFormat === 'YUYV' || f.pixelFormat === 'MJPG');
  const order: ('YUYV' | 'MJPG')[] =
    wanted.format === 'YUYV' ? ['YUYV'] : wanted.format === 'MJPEG' ? ['MJPG'] : ['YUYV', 'MJPG'];
  const offered = formats.map((f) => f.pixelFormat).join(', ') || 'nothing';
  if (usable.length === 0) {
    throw new DeepsegError(
      'ERR_FORMAT_UNSUPPORTED',
      `${device} offers ${offered} but deepseg needs YUYV or MJPEG; choose another --camera`,
      {
        device,
        option: '--camera',
      },
    );
  }
  const targetFps = wanted.fps ?? 30;
  type Pick = { format: 'YUYV' | 'MJPG'; width: number; height: number; size: OfferedSize };
  const attempts: ((p: Pick) => boolean)[] = [];
  if (wanted.width !== undefined && wanted.height !== undefined) {
    const w = wanted.width;
    const h = wanted.height;
    attempts.push((p) => p.width === w && p.height === h && offersFps(p.size, targetFps));
    if (wanted.fps === undefined) attempts.push((p) => p.width === w && p.height === h);
  } else {
    attempts.push(
      (p) => p.width === PREFERRED.width && p.height === PREFERRED.height && offersFps(p.size, targetFps),
      (p) => p.width * p.height <= PREFERRED.width * PREFERRED.height && offersFps(p.size, targetFps),
    );
    if (wanted.fps === undefined)
      attempts.push((p) => p.width * p.height <= PREFERRED.width * PREFERRED.height);
  }
  for (const accept of attempts) {
    for (const format of order) {
      const f = usable.find((x) => x.pixelFormat === format);
      if (!f) continue;
      for (const c of candidateSizes(f)) {
        const pick = { format, ...c };
        if (accept(pick)) {
          const fps = offersFps(c.size, targetFps) ? targetFps : maxFps(c.size) || undefined;
          return { pixelFormat: format, width: c.width, height: c.height, fps };
        }
      }
    }
  }
  const list = usable
    .map(
      (f) =>
        `${f.pixelFormat}: ${candidateSizes(f)
          .map((c) => `${c.width}x${c.height}@${c.size.fps.map((x) => Math.round(x * 100) / 100).join('/')}`)
          .join(' ')}`,
    )
    .join('; ');
  const asked = `${wanted.format === 'auto' ? '' : `${wanted.format} `}${wanted.width !== undefined ? `${wanted.width}x${wanted.height}` : 'up to 1280x720'}${wanted.fps !== undefined ? ` at ${wanted.fps} fps` : ''}`;
  throw new DeepsegError('ERR_FORMAT_UNSUPPORTED', `${device} does not offer ${asked}; it offers ${list}`, {
    device,
    option: '--size',
  });
}
