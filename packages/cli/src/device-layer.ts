import {
  type DeviceDescription,
  type DeviceInfo,
  describeDevice,
  type FormatInfo,
  fractionToFps,
  listDevices,
  openCapture,
  openOutput,
  type V4l2Binding,
} from '@deepseg/v4l2';
import { DeepsegError } from '@deepseg/yuyv';
import { chooseCaptureMode, type OfferedFormat, type OfferedSize } from './capture-mode.ts';
import { MODPROBE_LINE } from './doctor.ts';
import type { FrameSink, FrameSource, SourceFrame } from './pipeline-types.ts';
import { watchReaders } from './reader-watch.ts';
import type { DeviceLayer } from './run-command.ts';
import type { RunOptions } from './run-options.ts';

/** A real camera: a capture device that is neither a v4l2loopback node, a codec, nor a metadata node. */
export function isCamera(d: DeviceInfo): boolean {
  return (
    d.error === undefined &&
    d.caps.capture &&
    !d.isLoopback &&
    !d.caps.m2m &&
    !d.caps.metadata &&
    !d.caps.multiplanar
  );
}

/** Converts v4l2's format description into the shape {@link chooseCaptureMode} reads. */
export function offeredFormats(formats: readonly FormatInfo[]): OfferedFormat[] {
  return formats.map((f) => ({
    pixelFormat: f.pixelFormat,
    sizes: f.sizes.map((s): OfferedSize => {
      const discrete: number[] = [];
      let range: [number, number] | undefined;
      for (const i of s.intervals) {
        if (i.type === 'discrete') discrete.push(fractionToFps(i.interval));
        else range ??= [fractionToFps(i.max), fractionToFps(i.min)];
      }
      const fps = range ?? discrete;
      if (s.type === 'discrete') return { type: 'discrete', width: s.width, height: s.height, fps };
      return { ...s, fps, fpsRange: range !== undefined };
    }),
  }));
}

function camerasText(devices: readonly DeviceInfo[]): string {
  const cams = devices.filter(isCamera);
  return cams.length
    ? `cameras: ${cams.map((d) => `${d.path} (${d.card})`).join(', ')}`
    : 'no camera was found';
}

/** Options of {@link createDeviceLayer}. */
export interface DeviceLayerOptions {
  /** V4L2 binding; default the real one (tests pass `FakeV4l2` from `@deepseg/v4l2/fake`). */
  binding?: V4l2Binding;
  /** Counts readers of the loopback device (on-demand); default inotify (reader-watch.ts). */
  watchReaders?: DeviceLayer['watchReaders'];
}

/**
 * The device side of the command over @deepseg/v4l2: picks and opens the camera and the v4l2loopback
 * device (first of each with `auto`), and adapts them to the scheduler's source and sink.
 */
export function createDeviceLayer(options: DeviceLayerOptions = {}): DeviceLayer {
  const discovery = options.binding ? { binding: options.binding } : {};
  return {
    async openCamera(run: RunOptions, log): Promise<FrameSource> {
      let path = run.camera;
      let description: DeviceDescription;
      if (path === 'auto') {
        const devices = await listDevices(discovery);
        const camera = devices.find(isCamera);
        if (camera === undefined) {
          const denied = devices.find((d) => d.error?.code === 'ERR_PERMISSION');
          if (denied) {
            throw new DeepsegError(
              'ERR_PERMISSION',
              `Permission denied on ${denied.path}; join the video group (sudo usermod -aG video $USER, then log in again)`,
              { device: denied.path },
            );
          }
          throw new DeepsegError(
            'ERR_DEVICE_NOT_FOUND',
            'No camera found; plug one in and check `deepseg devices`, or read a file with --input <video>',
            { option: '--camera' },
          );
        }
        path = camera.path;
        description = await describeDevice(path, discovery);
      } else {
        description = await describeDevice(path, discovery);
        // A v4l2loopback device another program writes to is a valid camera (that is how the kernel
        // tests feed deepseg); one nobody writes to advertises no capture (exclusive_caps=1).
        if (!description.caps.capture) {
          const devices = await listDevices(discovery).catch(() => []);
          const what = description.isLoopback ? 'a v4l2loopback device nobody is writing to' : 'not a camera';
          throw new DeepsegError(
            'ERR_NOT_CAPTURE_DEVICE',
            `${path} is ${what}; choose a camera with --camera (${camerasText(devices)})`,
            { device: path, option: '--camera' },
          );
        }
      }
      const mode = chooseCaptureMode(path, offeredFormats(description.capture), run);
      const capture = await openCapture(path, {
        width: mode.width,
        height: mode.height,
        pixelFormat: mode.pixelFormat,
        ...(mode.fps !== undefined ? { fps: mode.fps } : {}),
        ...(options.binding ? { binding: options.binding } : {}),
      });
      for (const w of capture.warnings) log(`deepseg: ${path}: ${w}`);
      const fmt = capture.format;
      const fps = fmt.fps > 0 ? fmt.fps : (mode.fps ?? 30);
      // V4L2 timestamps are CLOCK_MONOTONIC microseconds; performance.now() runs on the same clock.
      const clockOffset = performance.now() - Number(process.hrtime.bigint() / 1000n) / 1000;
      return {
        width: fmt.width,
        height: fmt.height,
        pixelFormat: fmt.pixelFormat === 'MJPG' ? 'MJPEG' : 'YUYV',
        fps,
        live: true,
        label: `${path} (${description.card}, ${fmt.pixelFormat} ${fmt.width}x${fmt.height} @ ${Number(fps.toFixed(2))})`,
        async *frames(signal: AbortSignal): AsyncGenerator<SourceFrame> {
          for await (const f of capture.frames({ signal })) {
            yield { data: f.data, capturedAt: f.timestamp / 1000 + clockOffset, sequence: f.sequence };
          }
        },
        lostFrames: () => capture.stats.dropped,
        close: async () => capture.close(),
      };
    },

    async openLoopback(run: RunOptions, size, log): Promise<FrameSink & { path: string }> {
      let path = run.loopback;
      if (path === 'auto') {
        const devices = await listDevices(discovery);
        const loopback = devices.find(
          (d) => d.isLoopback && d.error === undefined && (d.caps.output || !d.caps.capture),
        );
        if (loopback === undefined) {
          throw new DeepsegError(
            'ERR_LOOPBACK_MISSING',
            `No free v4l2loopback device found; load one: ${MODPROBE_LINE} (then check \`deepseg doctor\`)`,
            { option: '--loopback', hint: MODPROBE_LINE },
          );
        }
        path = loopback.path;
      }
      const output = await openOutput(path, {
        width: size.width,
        height: size.height,
        pixelFormat: 'YUYV',
        fps: size.fps,
        ...(options.binding ? { binding: options.binding } : {}),
      });
      for (const w of output.warnings) log(`deepseg: ${path}: ${w}`);
      let gone: unknown;
      output.on('gone', (e: unknown) => {
        gone = e;
      });
      return {
        path,
        width: output.format.width,
        height: output.format.height,
        live: true,
        label: `${path} (v4l2loopback, YUYV ${output.format.width}x${output.format.height} @ ${Number(size.fps.toFixed(2))})`,
        write(yuyv) {
          if (gone !== undefined) throw gone;
          output.write(yuyv);
        },
        close: async () => output.close(),
        abort: async () => output.close(),
      };
    },

    watchReaders: options.watchReaders ?? watchReaders,
  };
}

/** The default device layer (real devices). */
export const deviceLayer: DeviceLayer = createDeviceLayer();
