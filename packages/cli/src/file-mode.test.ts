import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand, sharedFile } from '@deepseg/fixtures/shared';
import { createSegmenter } from '@deepseg/segment';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { runMain } from './__fixtures__/test-io.ts';
import { openFileSource } from './file-io.ts';
import { openY4mReader } from './y4m.ts';

const dir = mkdtempSync(join(tmpdir(), 'deepseg-file-'));
const clip = sharedFile('media/doctor_desk_5s_960x540.mp4');
const photo = sharedFile('media/portrait-doctor-640.jpg');
const ffmpeg = hasCommand('ffmpeg');

// #00FF00 in BT.601 limited-range YUV
const GREEN = { y: 145, u: 54, v: 34 };

describe.skipIf(!clip || !ffmpeg)('file mode on the real clip', () => {
  it('keeps the person and paints the background green where the same model says background', async () => {
    const out = join(dir, 'green.y4m');
    const size = { width: 480, height: 270 };
    const r = await runMain([
      '--input',
      clip!,
      '--output',
      out,
      '--frames',
      '4',
      '--size',
      `${size.width}x${size.height}`,
      '--background',
      'color=#00FF00',
      '--quiet',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);

    // the same frames through the same model, directly
    const source = await openFileSource(clip!, { ...size, frames: 4 });
    const seg = await createSegmenter();
    const mask = seg.createMask();
    const reader = await openY4mReader(out);
    expect(reader.header).toMatchObject({ ...size, chroma: '422' });
    const composed = new Uint8Array(size.width * size.height * 2);
    let frames = 0;
    for await (const frame of source.frames(new AbortController().signal)) {
      await seg.segment({ data: frame.data, ...size, format: 'YUYV' }, mask);
      expect(await reader.read(composed)).toBe(true);
      let bg = 0;
      let bgGreen = 0;
      let fg = 0;
      let fgKept = 0;
      for (let y = 0; y < size.height; y++) {
        for (let x = 0; x < size.width; x += 2) {
          const m =
            mask[
              Math.floor((y * seg.output.height) / size.height) * seg.output.width +
                Math.floor((x * seg.output.width) / size.width)
            ]!;
          const o = (y * size.width + x) * 2;
          if (m < 0.02) {
            bg++;
            if (
              Math.abs(composed[o]! - GREEN.y) <= 4 &&
              Math.abs(composed[o + 1]! - GREEN.u) <= 4 &&
              Math.abs(composed[o + 3]! - GREEN.v) <= 4
            )
              bgGreen++;
          } else if (m > 0.98) {
            fg++;
            if (Math.abs(composed[o]! - frame.data[o]!) <= 6) fgKept++;
          }
        }
      }
      expect(bg).toBeGreaterThan(size.width * size.height * 0.1);
      expect(fg).toBeGreaterThan(size.width * size.height * 0.05);
      expect(bgGreen / bg).toBeGreaterThan(0.97);
      expect(fgKept / fg).toBeGreaterThan(0.95);
      frames++;
    }
    expect(frames).toBe(4);
    expect(await reader.read(composed)).toBe(false);
    await reader.close();
    await seg.dispose();
  });

  it('writes an mp4 through ffmpeg and a y4m with --output-size and --mirror', async () => {
    const mp4 = join(dir, 'out.mp4');
    const r = await runMain(['--input', clip!, '--output', mp4, '--frames', '3', '--quiet']);
    expect(r.code).toBe(0);
    expect(existsSync(mp4)).toBe(true);
    const y4m = join(dir, 'small.y4m');
    const r2 = await runMain([
      '--input',
      mp4,
      '--output',
      y4m,
      '--output-size',
      '320x180',
      '--mirror',
      '--quiet',
    ]);
    expect(r2.code).toBe(0);
    const reader = await openY4mReader(y4m);
    expect(reader.header).toMatchObject({ width: 320, height: 180 });
    const buf = new Uint8Array(320 * 180 * 2);
    let n = 0;
    while (await reader.read(buf)) n++;
    expect(n).toBe(3);
    await reader.close();
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});

describe.skipIf(!photo)('file mode on the real photo', () => {
  it('composites an image input onto an image background into a PNG', async () => {
    // the background: a real image made here (a horizontal gradient), written with sharp
    const bgPath = join(dir, 'gradient.png');
    const w = 64;
    const h = 48;
    const rgb = Buffer.alloc(w * h * 3);
    for (let i = 0; i < w * h; i++) rgb.set([(i % w) * 4, 40, 200], i * 3);
    await sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
      .png()
      .toFile(bgPath);
    const out = join(dir, 'portrait.png');
    const r = await runMain(['--input', photo!, '--output', out, '--background', bgPath, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const meta = await sharp(out).metadata();
    const src = await sharp(photo!).metadata();
    expect(meta.width).toBe(src.width! - (src.width! % 2));
    expect(meta.height).toBe(src.height);
    // a top corner of a portrait is background: it must now be the gradient's blue, not the office
    const { data } = await sharp(out)
      .extract({ left: 0, top: 0, width: 8, height: 8 })
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(data[2]!).toBeGreaterThan(150); // blue channel of the gradient
  });
});
