import { isDeepsegError } from '@deepseg/yuyv';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BLUR, parseBackground, parseSize, resolveRunOptions } from './run-options.ts';

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(isDeepsegError(e, 'ERR_INVALID_OPTION')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('did not throw');
}

describe('parseBackground', () => {
  it('reads blur, colours and files', () => {
    expect(parseBackground('blur')).toEqual({ kind: 'blur', radius: DEFAULT_BLUR });
    expect(parseBackground('blur=24')).toEqual({ kind: 'blur', radius: 24 });
    expect(parseBackground('color=#00ff00')).toEqual({ kind: 'color', hex: '#00FF00', rgb: [0, 255, 0] });
    expect(parseBackground('colour=#0f0')).toEqual({ kind: 'color', hex: '#00FF00', rgb: [0, 255, 0] });
    expect(parseBackground('color=green')).toEqual({ kind: 'color', hex: '#00FF00', rgb: [0, 255, 0] });
    expect(parseBackground('#123456')).toEqual({ kind: 'color', hex: '#123456', rgb: [0x12, 0x34, 0x56] });
    expect(parseBackground('beach.jpg')).toEqual({ kind: 'file', path: 'beach.jpg' });
  });

  it('names the option and the allowed forms on bad input', () => {
    expect(message(() => parseBackground('color=#12345'))).toBe(
      'Expected color=#RRGGBB (or one of green, blue, black, white, red, gray, grey, magenta) for --background but received "color=#12345"',
    );
    expect(message(() => parseBackground('blur=0'))).toBe(
      'Expected blur=N with N an integer from 1 to 200 for --background but received "blur=0"',
    );
  });
});

describe('parseSize', () => {
  it('reads WxH and rejects odd widths and junk', () => {
    expect(parseSize('1280x720', '--size')).toEqual({ width: 1280, height: 720 });
    expect(parseSize('640*480', '--size')).toEqual({ width: 640, height: 480 });
    expect(message(() => parseSize('641x480', '--size'))).toBe(
      'Expected an even width for --size (YUYV packs pixel pairs) but received "641x480"',
    );
    expect(message(() => parseSize('big', '--output-size'))).toBe(
      'Expected a size like 1280x720 for --output-size but received "big"',
    );
  });
});

describe('resolveRunOptions', () => {
  it('defaults to auto devices, blur and realtime-friendly settings', () => {
    const o = resolveRunOptions({});
    expect(o).toMatchObject({
      camera: 'auto',
      loopback: 'auto',
      format: 'auto',
      background: { kind: 'blur', radius: DEFAULT_BLUR },
      inferEvery: 1,
      stillThreshold: 0,
      mirror: false,
      onDemand: false,
    });
    expect(o.width).toBeUndefined();
  });

  it('converts every option', () => {
    const o = resolveRunOptions({
      size: '640x480',
      fps: '15',
      format: 'mjpg',
      'output-size': '320x240',
      threads: '2',
      threshold: '0.6',
      smoothing: 0.5,
      feather: '3',
      mirror: 'true',
      'infer-every': '2',
      'skip-still': true,
      'on-demand': true,
      frames: '10',
    });
    expect(o).toMatchObject({
      width: 640,
      height: 480,
      fps: 15,
      format: 'MJPEG',
      outputWidth: 320,
      outputHeight: 240,
      threads: 2,
      threshold: 0.6,
      smoothing: 0.5,
      feather: 3,
      mirror: true,
      inferEvery: 2,
      stillThreshold: 1.5,
      onDemand: true,
      frames: 10,
    });
  });

  it('names the option, the allowed values and what was received', () => {
    expect(message(() => resolveRunOptions({ format: 'NV12' }))).toBe(
      'Expected one of auto, YUYV, MJPEG for --format but received "NV12"',
    );
    expect(message(() => resolveRunOptions({ threshold: '2' }))).toBe(
      'Expected a number from 0 to 1 for --threshold but received "2"',
    );
    expect(message(() => resolveRunOptions({ 'infer-every': '0' }))).toBe(
      'Expected an integer from 1 to 1000 for --infer-every but received "0"',
    );
    expect(message(() => resolveRunOptions({ width: '640' }))).toContain('Give both width and height');
  });

  it('names the config file key when the value came from there', () => {
    expect(
      message(() => resolveRunOptions({ threads: 0 }, { threads: '"threads" in /etc/deepseg.json' })),
    ).toBe('Expected an integer from 1 to 64 for "threads" in /etc/deepseg.json but received 0');
  });

  it('refuses --input with --camera and --output with --loopback', () => {
    expect(message(() => resolveRunOptions({ input: 'a.mp4', camera: '/dev/video0' }))).toBe(
      'Give either --input or --camera, not both',
    );
    expect(message(() => resolveRunOptions({ output: 'a.y4m', loopback: '/dev/video9' }))).toBe(
      'Give either --output or --loopback, not both',
    );
  });
});
