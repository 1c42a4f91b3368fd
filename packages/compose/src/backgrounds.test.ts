import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeVideoFrames, hasCommand, sharedFile } from '@deepseg/fixtures/shared';
import { isDeepsegError, rgbToYuyv } from '@deepseg/yuyv';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { createCompositor } from './compositor.ts';
import type { BackgroundSpec } from './options.ts';

const dir = mkdtempSync(join(tmpdir(), 'deepseg-compose-'));
const clip = sharedFile('media/doctor_desk_5s_960x540.mp4');
const ffmpeg = hasCommand('ffmpeg');
const W = 64;
const H = 32;
const zeroMask = new Float32Array(4);
const g = { width: 2, height: 2 };
const plain = { temporal: false, guided: false, minBlobArea: 0, lightWrap: 0 } as const;

function yuvOf(rgb: [number, number, number]): [number, number, number] {
  const out = new Uint8Array(4);
  rgbToYuyv(new Uint8Array([...rgb, ...rgb]), out, { width: 2, height: 1 });
  return [out[0]!, out[1]!, out[3]!];
}

async function render(spec: BackgroundSpec, width = W, height = H): Promise<Uint8Array> {
  const c = await createCompositor({ width, height, refine: plain, background: spec });
  const out = new Uint8Array(width * height * 2);
  c.process(new Uint8Array(width * height * 2), zeroMask, g, out);
  await c.close();
  return out;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

const tick = () => new Promise((r) => setTimeout(r, 40));
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers) await c();
  rmSync(dir, { recursive: true, force: true });
});

describe('image backgrounds', () => {
  const red = sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 255, g: 0, b: 0 } } });

  it('fits with contain (black bars), cover and stretch, converted once to YUYV', async () => {
    const file = join(dir, 'red.png');
    await red.clone().png().toFile(file);
    const r = yuvOf([255, 0, 0]);
    const k = yuvOf([0, 0, 0]);
    const contain = await render({ type: 'image', source: file, fit: 'contain' });
    const px = (b: Uint8Array, x: number, y: number) => [
      b[(y * W + x) * 2],
      b[(((y * W + x) >> 1) << 2) + 1],
      b[(((y * W + x) >> 1) << 2) + 3],
    ];
    expect(px(contain, 4, 16)).toEqual(k);
    expect(px(contain, 32, 16)).toEqual(r);
    expect(px(contain, 60, 16)).toEqual(k);
    const cover = await render({ type: 'image', source: file, fit: 'cover' });
    expect(px(cover, 2, 2)).toEqual(r);
    const stretch = await render({
      type: 'image',
      source: await red.clone().jpeg({ quality: 100 }).toBuffer(),
      fit: 'stretch',
    });
    for (const [a, b] of px(stretch, 4, 16).map((v, i) => [v, r[i]]))
      expect(Math.abs(a! - b!)).toBeLessThanOrEqual(3);
  });

  it('reads other formats sharp supports (WebP, GIF, SVG)', async () => {
    const webp = await red.clone().webp({ lossless: true }).toBuffer();
    const gif = await red.clone().gif().toBuffer();
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="#ff0000"/></svg>',
    );
    for (const source of [webp, gif, svg]) {
      const out = await render({ type: 'image', source });
      expect(Math.abs(out[(16 * W + 32) * 2]! - yuvOf([255, 0, 0])[0])).toBeLessThanOrEqual(2);
    }
  });

  it('fails with stable codes on missing, empty and unreadable files', async () => {
    const empty = join(dir, 'empty.png');
    writeFileSync(empty, '');
    const text = join(dir, 'notes.jpg');
    writeFileSync(text, 'this is not an image');
    const cases: [BackgroundSpec, string][] = [
      [{ type: 'image', source: join(dir, 'missing.png') }, 'ERR_FILE_NOT_FOUND'],
      [{ type: 'image', source: dir }, 'ERR_FILE_NOT_FOUND'],
      [{ type: 'image', source: empty }, 'ERR_EMPTY_FILE'],
      [{ type: 'image', source: new Uint8Array(0) }, 'ERR_EMPTY_FILE'],
      [{ type: 'image', source: text }, 'ERR_UNREADABLE_IMAGE'],
      [{ type: 'image', source: new Uint8Array([1, 2, 3, 4]) }, 'ERR_UNREADABLE_IMAGE'],
      [
        {
          type: 'image',
          source: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0"/>'),
        },
        'ERR_UNREADABLE_IMAGE',
      ],
      [{ type: 'image', source: '' }, 'ERR_INVALID_OPTION'],
      [{ type: 'image', source: join(dir, 'x.png'), fit: 'tile' as 'cover' }, 'ERR_INVALID_OPTION'],
    ];
    for (const [spec, code] of cases) {
      const e = await rejection(createCompositor({ width: W, height: H, background: spec }));
      expect(isDeepsegError(e, code), `${JSON.stringify(spec)} → ${code}: ${String(e)}`).toBe(true);
    }
    const e = await rejection(
      createCompositor({ width: W, height: H, background: { type: 'image', source: text } }),
    );
    expect((e as Error).message).toMatch(/^.*notes\.jpg could not be decoded as an image .*; use JPEG, PNG/);
    expect((e as Error).message).not.toContain('\n');
  });
});

describe('video backgrounds', () => {
  it.skipIf(!clip || !ffmpeg)(
    'decodes a real video with ffmpeg, advances frame by frame and matches the decode by ffmpeg itself',
    async () => {
      const c = await createCompositor({
        width: 320,
        height: 180,
        refine: plain,
        background: { type: 'video', source: clip!, fit: 'stretch', pacing: 'frame', readAhead: 3 },
      });
      closers.push(() => c.close());
      const f = new Uint8Array(320 * 180 * 2);
      const out = new Uint8Array(f.length);
      const seen: Uint8Array[] = [];
      for (let t = 0; t < 4; t++) {
        c.process(f, zeroMask, g, out);
        seen.push(out.slice());
        await tick(); // the decoder delivers between frames, as between camera frames
      }
      const ref = decodeVideoFrames('media/doctor_desk_5s_960x540.mp4', {
        width: 320,
        height: 180,
        pixFmt: 'yuyv422',
        count: 4,
      })!;
      for (let t = 0; t < 4; t++) {
        let diff = 0;
        for (let i = 0; i < f.length; i++) diff += Math.abs(seen[t]![i]! - ref.frames[t]![i]!);
        expect(diff / f.length).toBeLessThan(0.5);
      }
      let changed = 0;
      for (let i = 0; i < f.length; i++) if (seen[0]![i] !== seen[3]![i]) changed++;
      expect(changed).toBeGreaterThan(1000);
    },
  );

  it.skipIf(!ffmpeg)('loops: after the last frame the first one comes again', async () => {
    const file = join(dir, 'five.mp4');
    const { execFileSync } = await import('node:child_process');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=64x32:rate=10',
      '-frames:v',
      '5',
      '-pix_fmt',
      'yuv420p',
      file,
    ]);
    const c = await createCompositor({
      width: W,
      height: H,
      refine: plain,
      background: { type: 'video', source: file, pacing: 'frame' },
    });
    closers.push(() => c.close());
    const f = new Uint8Array(W * H * 2);
    const seen: Uint8Array[] = [];
    for (let t = 0; t < 11; t++) {
      const out = new Uint8Array(f.length);
      c.process(f, zeroMask, g, out);
      seen.push(out);
      await tick();
    }
    const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
    expect(same(seen[0]!, seen[1]!)).toBe(false);
    expect(same(seen[5]!, seen[0]!)).toBe(true);
    expect(same(seen[10]!, seen[0]!)).toBe(true);
    expect(same(seen[7]!, seen[2]!)).toBe(true);
  });

  it.skipIf(!clip || !ffmpeg)(
    'never stalls: realtime pacing repeats the frame when nothing new is due',
    async () => {
      const c = await createCompositor({
        width: 160,
        height: 90,
        refine: plain,
        background: { type: 'video', source: clip!, pacing: 'realtime' },
      });
      closers.push(() => c.close());
      const f = new Uint8Array(160 * 90 * 2);
      const a = new Uint8Array(f.length);
      const b = new Uint8Array(f.length);
      c.process(f, zeroMask, g, a);
      c.process(f, zeroMask, g, b); // microseconds later: the same video frame
      expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    },
  );

  it.skipIf(!clip || !ffmpeg)('swaps from a video back to a colour while frames flow', async () => {
    const c = await createCompositor({
      width: 160,
      height: 90,
      refine: plain,
      background: { type: 'video', source: clip!, pacing: 'frame' },
    });
    closers.push(() => c.close());
    const f = new Uint8Array(160 * 90 * 2);
    const out = new Uint8Array(f.length);
    const swap = c.setBackground({ type: 'color', color: '#000000' });
    c.process(f, zeroMask, g, out); // still the video
    expect(out.some((v, i) => i % 2 === 0 && v > 60)).toBe(true);
    await swap;
    c.process(f, zeroMask, g, out);
    expect(out.every((v, i) => (i % 2 === 0 ? v === 16 : v === 128))).toBe(true);
  });

  it.skipIf(!ffmpeg)(
    'fails with ERR_NOT_A_VIDEO for images and garbage, ERR_FFMPEG_MISSING without ffmpeg',
    async () => {
      const png = join(dir, 'still.png');
      await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
        .png()
        .toFile(png);
      const junk = join(dir, 'junk.mp4');
      writeFileSync(junk, 'definitely not a video container');
      const empty = join(dir, 'empty.mp4');
      writeFileSync(empty, '');
      const cases: [BackgroundSpec, string][] = [
        [{ type: 'video', source: png }, 'ERR_NOT_A_VIDEO'],
        [{ type: 'video', source: junk }, 'ERR_NOT_A_VIDEO'],
        [{ type: 'video', source: empty }, 'ERR_EMPTY_FILE'],
        [{ type: 'video', source: join(dir, 'missing.mp4') }, 'ERR_FILE_NOT_FOUND'],
        [{ type: 'video', source: junk, ffmpeg: '/nonexistent/bin/ffmpeg' }, 'ERR_FFMPEG_MISSING'],
        [{ type: 'video', source: junk, readAhead: 1 }, 'ERR_INVALID_OPTION'],
      ];
      const c = await createCompositor({
        width: W,
        height: H,
        refine: plain,
        background: { type: 'color', color: '#0000ff' },
      });
      for (const [spec, code] of cases) {
        const e = await rejection(c.setBackground(spec));
        expect(isDeepsegError(e, code), `${JSON.stringify(spec)} → ${code}: ${String(e)}`).toBe(true);
      }
      // nothing half-applied: the colour is still there
      expect(c.background).toEqual({ type: 'color', color: '#0000ff' });
      const out = new Uint8Array(W * H * 2);
      c.process(new Uint8Array(out.length), zeroMask, g, out);
      expect(out[0]).toBe(yuvOf([0, 0, 255])[0]);
    },
  );
});
