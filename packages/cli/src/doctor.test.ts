import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type DoctorEnvironment, MODPROBE_LINE, parseBoolArray, runDoctor } from './doctor.ts';
import { doctorCommand } from './doctor-command.ts';
import { ExitCode } from './exit-codes.ts';

/** A fake /sys + /dev tree (doctor reads files; only the tree is fake). */
function tree(options: {
  loaded: boolean;
  exclusiveCaps?: string;
  nodes?: string[];
  deniedNode?: string;
}): string {
  const root = mkdtempSync(join(tmpdir(), 'deepseg-doctor-'));
  mkdirSync(join(root, 'dev'));
  if (options.loaded) {
    mkdirSync(join(root, 'sys/module/v4l2loopback/parameters'), { recursive: true });
    writeFileSync(join(root, 'sys/module/v4l2loopback/version'), '0.12.7\n');
    if (options.exclusiveCaps !== undefined) {
      writeFileSync(
        join(root, 'sys/module/v4l2loopback/parameters/exclusive_caps'),
        `${options.exclusiveCaps}\n`,
      );
    }
  }
  for (const n of options.nodes ?? []) writeFileSync(join(root, 'dev', n), '');
  if (options.deniedNode) chmodSync(join(root, 'dev', options.deniedNode), 0);
  return root;
}

function env(root: string, over: Partial<DoctorEnvironment> = {}): DoctorEnvironment {
  return {
    root,
    nodeVersion: 'v20.20.2',
    listDevices: async () => [
      { path: '/dev/video0', card: 'HD Webcam', isLoopback: false, capture: true, formats: ['YUYV', 'MJPG'] },
      { path: '/dev/video2', card: 'deepseg', isLoopback: true, capture: false },
    ],
    listModels: async () => [
      { id: 'selfie-general', isDefault: true, available: true, path: '/m/selfie.onnx' },
    ],
    hasFfmpeg: () => true,
    hasTurboJpeg: () => true,
    ...over,
  };
}

describe('doctor', () => {
  it('reads bool-array module parameters', () => {
    expect(parseBoolArray('Y,N,N')).toEqual([true, false, false]);
    expect(parseBoolArray('1,0')).toEqual([true, false]);
  });

  it('passes a good setup', async () => {
    const f = await runDoctor(
      env(tree({ loaded: true, exclusiveCaps: 'Y,N,N,N', nodes: ['video0', 'video2'] })),
    );
    expect(f.filter((x) => x.status !== 'ok')).toEqual([]);
    expect(f.map((x) => x.title)).toContain('v4l2loopback exclusive_caps=1');
  });

  it('gives the modprobe line when v4l2loopback is not loaded', async () => {
    const f = await runDoctor(env(tree({ loaded: false }), { listDevices: async () => [] }));
    const p = f.find((x) => x.title.startsWith('the v4l2loopback kernel module is not loaded'));
    expect(p?.status).toBe('problem');
    expect(p?.fix).toContain(MODPROBE_LINE);
    expect(f.find((x) => x.title === 'no camera found')?.status).toBe('problem');
  });

  it('flags exclusive_caps=0 with the reload command', async () => {
    const f = await runDoctor(env(tree({ loaded: true, exclusiveCaps: 'N,N', nodes: ['video0', 'video2'] })));
    const p = f.find((x) => x.title.includes('exclusive_caps off'));
    expect(p?.status).toBe('problem');
    expect(p?.fix).toBe(`sudo modprobe -r v4l2loopback && ${MODPROBE_LINE}`);
  });

  it.skipIf(process.getuid?.() === 0)('flags device permissions with the video group fix', async () => {
    const f = await runDoctor(
      env(tree({ loaded: true, exclusiveCaps: 'Y', nodes: ['video0', 'video2'], deniedNode: 'video0' })),
    );
    const p = f.find((x) => x.title.startsWith('no read/write permission'));
    expect(p?.fix).toBe('sudo usermod -aG video $USER   (then log out and back in)');
  });

  it('flags a camera without YUYV/MJPEG, a missing default model and missing ffmpeg', async () => {
    const f = await runDoctor(
      env(tree({ loaded: true, exclusiveCaps: 'Y', nodes: ['video0', 'video2'] }), {
        listDevices: async () => [
          { path: '/dev/video0', card: 'IR cam', isLoopback: false, capture: true, formats: ['GREY'] },
          { path: '/dev/video2', card: 'deepseg', isLoopback: true, capture: false },
        ],
        listModels: async () => [
          {
            id: 'selfie-general',
            isDefault: true,
            available: false,
            fix: 'deepseg models pull selfie-general',
          },
        ],
        hasFfmpeg: () => false,
        hasTurboJpeg: () => false,
      }),
    );
    expect(f.find((x) => x.title.includes('offers GREY but not YUYV or MJPEG'))?.status).toBe('problem');
    expect(f.find((x) => x.title === 'the default model selfie-general is missing')?.fix).toBe(
      'deepseg models pull selfie-general',
    );
    expect(f.find((x) => x.title.startsWith('libturbojpeg is not installed'))).toMatchObject({
      status: 'warn',
      fix: 'sudo apt-get install libturbojpeg0',
    });
    expect(f.find((x) => x.title.startsWith('ffmpeg is not installed'))).toMatchObject({
      status: 'warn',
      fix: 'sudo apt-get install ffmpeg',
    });
  });

  it('exits 10 when a problem was found, 0 otherwise', async () => {
    let out = '';
    const io = {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => true },
      env: {},
      signals: { on: () => 0, off: () => 0 },
    };
    expect(await doctorCommand([], io, env(tree({ loaded: false })))).toBe(ExitCode.Doctor);
    expect(out).toContain('PROBLEM  the v4l2loopback kernel module is not loaded');
    expect(out).toContain(`fix: ${MODPROBE_LINE}`);
    expect(
      await doctorCommand([], io, env(tree({ loaded: true, exclusiveCaps: 'Y', nodes: ['video0'] }))),
    ).toBe(ExitCode.Ok);
  });
});
