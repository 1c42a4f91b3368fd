import { isDeepsegError } from '@deepseg/yuyv';
import { describe, expect, it } from 'vitest';
import { closest, parseArgs } from './parse-args.ts';
import { runSpecs } from './run-options.ts';

describe('parseArgs', () => {
  it('reads long, inline, short, clustered and negated forms', () => {
    const { values, positionals } = parseArgs(
      [
        '--camera',
        '/dev/video2',
        '--background=blur=20',
        '-s',
        '640x480',
        '-r30',
        '--mirror',
        '--no-stats',
        'extra',
      ],
      runSpecs,
      'deepseg',
    );
    expect(values).toEqual({
      camera: '/dev/video2',
      background: 'blur=20',
      size: '640x480',
      fps: '30',
      mirror: true,
      stats: false,
    });
    expect(positionals).toEqual(['extra']);
  });

  it('accepts the option names backscrub and LFBW users know', () => {
    const { values } = parseArgs(
      ['--webcam-path', '/dev/video0', '--v4l2loopback-path', '/dev/video9'],
      runSpecs,
      'deepseg',
    );
    expect(values).toEqual({ camera: '/dev/video0', loopback: '/dev/video9' });
  });

  it('takes a negative-looking number as a value and stops at --', () => {
    const { values, positionals } = parseArgs(['--threshold', '-0.5', '--', '--mirror'], runSpecs, 'deepseg');
    expect(values.threshold).toBe('-0.5');
    expect(positionals).toEqual(['--mirror']);
  });

  it('rejects an unknown option with a suggestion', () => {
    try {
      parseArgs(['--backgrond', 'blur'], runSpecs, 'deepseg');
      expect.unreachable();
    } catch (e) {
      expect(isDeepsegError(e, 'ERR_USAGE')).toBe(true);
      expect((e as Error).message).toBe(
        'Unknown option --backgrond for `deepseg` (did you mean --background?); see `deepseg --help`',
      );
    }
  });

  it('rejects a missing value', () => {
    expect(() => parseArgs(['--camera'], runSpecs, 'deepseg')).toThrow('--camera needs a value <path>');
    expect(() => parseArgs(['--camera', '--mirror'], runSpecs, 'deepseg')).toThrow('--camera needs a value');
  });

  it('rejects a bad boolean value', () => {
    expect(() => parseArgs(['--mirror=maybe'], runSpecs, 'deepseg')).toThrow(
      'Expected one of true, false for --mirror but received "maybe"',
    );
  });
});

describe('closest', () => {
  it('finds near misses and prefixes only', () => {
    expect(closest('threshhold', ['threshold', 'threads'])).toBe('threshold');
    expect(closest('back', ['background'])).toBe('background');
    expect(closest('zzzzzz', ['threshold'])).toBeUndefined();
  });
});
