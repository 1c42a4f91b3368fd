import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand, sharedFile } from '@deepseg/fixtures/shared';
import { isDeepsegError } from '@deepseg/yuyv';
import { describe, expect, it } from 'vitest';
import {
  openY4mReader,
  openY4mWriter,
  parseY4mHeader,
  planarToYuyv,
  y4mFrameBytes,
  yuyvToPlanar422,
} from './y4m.ts';

const dir = mkdtempSync(join(tmpdir(), 'deepseg-y4m-'));
const clip = 'media/doctor_desk_5s_960x540.mp4';

describe('parseY4mHeader', () => {
  it('reads size, rate, colour space and ignores comments', () => {
    const h = parseY4mHeader('YUV4MPEG2 W640 H480 F30000:1001 Ip A1:1 C420jpeg XYSCSS=420JPEG');
    expect(h).toMatchObject({
      width: 640,
      height: 480,
      fpsNum: 30000,
      fpsDen: 1001,
      chroma: '420',
      colorspace: '420jpeg',
    });
    expect(y4mFrameBytes(h)).toBe(640 * 480 * 1.5);
    expect(parseY4mHeader('YUV4MPEG2 W4 H2 C422').chroma).toBe('422');
  });

  it('rejects files that are not y4m, 10-bit and odd widths', () => {
    for (const [line, text] of [
      ['RIFF', 'is not a YUV4MPEG2'],
      ['YUV4MPEG2 W640 H480 C420p10', 'C420p10'],
      ['YUV4MPEG2 W641 H480 C422', 'even width'],
      ['YUV4MPEG2 H480', 'no valid W/H'],
    ] as const) {
      try {
        parseY4mHeader(line, 'x.y4m');
        expect.unreachable();
      } catch (e) {
        expect(isDeepsegError(e, 'ERR_INPUT')).toBe(true);
        expect((e as Error).message).toContain(text);
      }
    }
  });
});

describe('planar <-> YUYV', () => {
  it('round-trips 4:2:2 exactly', () => {
    const w = 6;
    const h = 3;
    const yuyv = Uint8Array.from({ length: w * h * 2 }, (_, i) => (i * 37) & 255);
    const planar = new Uint8Array(w * h * 2);
    yuyvToPlanar422(yuyv, planar, w, h);
    const back = new Uint8Array(w * h * 2);
    planarToYuyv(planar, back, { width: w, height: h, chroma: '422' });
    expect(back).toEqual(yuyv);
  });

  it('reads mono as neutral chroma', () => {
    const out = new Uint8Array(8);
    planarToYuyv(Uint8Array.from([1, 2, 3, 4]), out, { width: 2, height: 2, chroma: 'mono' });
    expect([...out]).toEqual([1, 128, 2, 128, 3, 128, 4, 128]);
  });
});

describe('y4m files', () => {
  it('writes atomically: nothing at the destination until close, nothing left after abort', async () => {
    const path = join(dir, 'atomic.y4m');
    const w = await openY4mWriter(path, { width: 4, height: 2, fpsNum: 30, fpsDen: 1 });
    await w.write(new Uint8Array(16).fill(7));
    expect(existsSync(path)).toBe(false);
    await w.abort();
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.includes('atomic'))).toEqual([]);
  });

  it('writes a C422 file that reads back frame for frame', async () => {
    const path = join(dir, 'rt.y4m');
    const frames = [new Uint8Array(32).fill(10), Uint8Array.from({ length: 32 }, (_, i) => i)];
    const w = await openY4mWriter(path, { width: 4, height: 4, fpsNum: 25, fpsDen: 1 });
    for (const f of frames) await w.write(f);
    await w.close();
    expect(readFileSync(path).subarray(0, 40).toString('latin1')).toMatch(
      /^YUV4MPEG2 W4 H4 F25:1 Ip A1:1 C422/,
    );
    const r = await openY4mReader(path);
    const got = new Uint8Array(32);
    for (const f of frames) {
      expect(await r.read(got)).toBe(true);
      expect(got).toEqual(f);
    }
    expect(await r.read(got)).toBe(false);
    await r.close();
  });

  it('reports a truncated file', async () => {
    const path = join(dir, 'trunc.y4m');
    writeFileSync(path, Buffer.concat([Buffer.from('YUV4MPEG2 W4 H2 C422\nFRAME\n'), Buffer.alloc(5)]));
    const r = await openY4mReader(path);
    await expect(r.read(new Uint8Array(16))).rejects.toThrow(
      'is truncated: the last frame has 5 of 16 bytes',
    );
    await r.close();
  });

  it('reports a missing file as ERR_FILE_NOT_FOUND', async () => {
    await expect(openY4mReader(join(dir, 'none.y4m'))).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND' });
  });

  const media = sharedFile(clip);
  it.skipIf(!media || !hasCommand('ffmpeg'))(
    'reads ffmpeg 4:2:2 and 4:2:0 y4m of the real clip like ffmpeg decodes it',
    async () => {
      for (const pixFmt of ['yuv422p', 'yuv420p']) {
        const path = join(dir, `real-${pixFmt}.y4m`);
        execFileSync('ffmpeg', [
          '-v',
          'error',
          '-y',
          '-i',
          media!,
          '-vf',
          'scale=320:180:flags=bicubic',
          '-frames:v',
          '3',
          '-pix_fmt',
          pixFmt,
          path,
        ]);
        // ffmpeg's own conversion of the same file to packed YUYV is the reference
        const raw = execFileSync(
          'ffmpeg',
          ['-v', 'error', '-i', path, '-pix_fmt', 'yuyv422', '-f', 'rawvideo', '-'],
          { maxBuffer: 1 << 26 },
        );
        const ref = {
          frames: [0, 1, 2].map((i) => raw.subarray(i * 320 * 180 * 2, (i + 1) * 320 * 180 * 2)),
        };
        const r = await openY4mReader(path);
        expect(r.header).toMatchObject({
          width: 320,
          height: 180,
          chroma: pixFmt === 'yuv422p' ? '422' : '420',
        });
        const got = new Uint8Array(320 * 180 * 2);
        for (const expected of ref.frames) {
          expect(await r.read(got)).toBe(true);
          let lumaMax = 0;
          let lumaSum = 0;
          let chromaSum = 0;
          for (let i = 0; i < got.length; i += 2) {
            const d = Math.abs(got[i]! - expected[i]!);
            lumaMax = Math.max(lumaMax, d);
            lumaSum += d;
          }
          for (let i = 1; i < got.length; i += 2) chromaSum += Math.abs(got[i]! - expected[i]!);
          // luma is copied as is; 4:2:2 chroma too; 4:2:0 chroma is upsampled (ours: 3:1 vertical weights)
          expect(lumaMax).toBe(0);
          expect(lumaSum).toBe(0);
          expect(chromaSum / (got.length / 2)).toBeLessThan(pixFmt === 'yuv422p' ? 1e-9 : 1.5);
        }
        await r.close();
      }
    },
  );
});
