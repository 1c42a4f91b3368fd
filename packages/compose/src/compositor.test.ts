import { isDeepsegError, rgbToYuyv } from '@deepseg/yuyv';
import { describe, expect, it } from 'vitest';
import { createCompositor } from './compositor.ts';
import type { RefineOptions } from './options.ts';

const W = 64;
const H = 32;

/** A YUYV frame of constant luma `y` (U = V = 128), with `person` luma inside a rectangle. */
function frame(
  y: number,
  person?: { x0: number; x1: number; y0: number; y1: number; y: number },
): Uint8Array {
  const f = new Uint8Array(W * H * 2);
  for (let yy = 0; yy < H; yy++) {
    for (let x = 0; x < W; x++) {
      const inside = person && x >= person.x0 && x < person.x1 && yy >= person.y0 && yy < person.y1;
      f[(yy * W + x) * 2] = inside ? person.y : y;
      f[(yy * W + x) * 2 + 1] = 128;
    }
  }
  return f;
}

function yuvOf(rgb: [number, number, number]): [number, number, number] {
  const out = new Uint8Array(4);
  rgbToYuyv(new Uint8Array([...rgb, ...rgb]), out, { width: 2, height: 1 });
  return [out[0]!, out[1]!, out[3]!];
}

const plain: RefineOptions = { temporal: false, guided: false, minBlobArea: 0, lightWrap: 0 };

describe('createCompositor / process', () => {
  it('shows the colour where the mask is 0 and the frame where it is 1, exactly', async () => {
    const c = await createCompositor({
      width: W,
      height: H,
      refine: plain,
      background: { type: 'color', color: '#00ff00' },
    });
    const f = frame(90);
    for (let i = 0; i < f.length; i += 4) f[i + 1] = 100 + (i % 7);
    const out = new Uint8Array(f.length);
    c.process(f, new Float32Array(16 * 8), { width: 16, height: 8 }, out);
    const [gy, gu, gv] = yuvOf([0, 255, 0]);
    for (let i = 0; i < out.length; i += 4)
      expect([out[i], out[i + 1], out[i + 2], out[i + 3]]).toEqual([gy, gu, gy, gv]);
    c.process(f, new Float32Array(16 * 8).fill(1), { width: 16, height: 8 }, out);
    expect(Buffer.from(out).equals(Buffer.from(f))).toBe(true);
  });

  it('treats the frame outside the roi as background', async () => {
    const c = await createCompositor({
      width: W,
      height: H,
      refine: plain,
      background: { type: 'color', color: [0, 0, 0] },
    });
    const f = frame(200);
    const out = new Uint8Array(f.length);
    c.process(
      f,
      new Float32Array(4 * 4).fill(1),
      { width: 4, height: 4, roi: { x: 16, y: 8, width: 32, height: 16 } },
      out,
    );
    const [by] = yuvOf([0, 0, 0]);
    expect(out[(4 * W + 4) * 2]).toBe(by);
    expect(out[(16 * W + 32) * 2]).toBe(200);
    expect(out[(16 * W + 60) * 2]).toBe(by);
    expect(out[(28 * W + 32) * 2]).toBe(by);
  });

  it('uses only the maskRect part of a letterboxed mask', async () => {
    const c = await createCompositor({
      width: W,
      height: H,
      refine: plain,
      background: { type: 'color', color: [0, 0, 0] },
    });
    // 8×8 mask whose rows 2..5 hold the frame; the letterbox rows are 1 and must be ignored
    const mask = new Float32Array(64).fill(1);
    for (let y = 2; y < 6; y++) for (let x = 0; x < 8; x++) mask[y * 8 + x] = 0;
    const f = frame(200);
    const out = new Uint8Array(f.length);
    c.process(f, mask, { width: 8, height: 8, maskRect: { x: 0, y: 2, width: 8, height: 4 } }, out);
    expect(out.filter((_, i) => i % 2 === 0).every((v) => v === yuvOf([0, 0, 0])[0])).toBe(true);
  });

  it('composites with the alpha refineMask reports (the WebAssembly pass agrees with the JS one)', async () => {
    const opts = { width: W, height: H, refine: { temporal: false as const, lightWrap: 0 } };
    const c = await createCompositor({ ...opts, background: { type: 'color', color: '#2040c0' } });
    const r = await createCompositor({ ...opts, background: { type: 'color', color: '#2040c0' } });
    const f = frame(60, { x0: 21, x1: 50, y0: 5, y1: 30, y: 170 });
    for (let i = 0; i < f.length; i += 2) f[i] = Math.min(255, f[i]! + ((i * 7) % 23));
    const mask = new Float32Array(16 * 8);
    for (let y = 0; y < 8; y++)
      for (let x = 0; x < 16; x++) mask[y * 16 + x] = x >= 5 && x < 13 && y >= 1 ? 0.9 : 0.05;
    const out = new Uint8Array(f.length);
    const alpha = new Float32Array(W * H);
    c.process(f, mask, { width: 16, height: 8 }, out);
    r.refineMask(f, mask, { width: 16, height: 8 }, alpha);
    const [gy] = yuvOf([0x20, 0x40, 0xc0]);
    let soft = 0;
    for (let p = 0; p < W * H; p++) {
      const expected = gy + (f[p * 2]! - gy) * alpha[p]!;
      expect(Math.abs(out[p * 2]! - expected)).toBeLessThanOrEqual(1);
      if (alpha[p]! > 0.02 && alpha[p]! < 0.98) soft++;
    }
    expect(soft).toBeGreaterThan(10);
  });
  it('upsamples edge-aware: the edge lands on the frame edge, not on the coarse mask grid', async () => {
    // person (bright) from x = 27; the 8-wide mask only knows "about a third of the way"
    const f = frame(40, { x0: 27, x1: W, y0: 0, y1: H, y: 200 });
    const mask = new Float32Array(8 * 4);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) mask[y * 8 + x] = x >= 3 ? 1 : 0;
    const alpha = new Float32Array(W * H);
    const guided = await createCompositor({
      width: W,
      height: H,
      refine: { ...plain, guided: { radius: 1, eps: 1e-4 } },
    });
    guided.refineMask(f, mask, { width: 8, height: 4 }, alpha);
    const row = Array.from(alpha.subarray(16 * W, 17 * W));
    for (let x = 0; x < 26; x++) expect(row[x]).toBeLessThan(0.05);
    for (let x = 27; x < W; x++) expect(row[x]).toBeGreaterThan(0.95);
    const bilinear = await createCompositor({ width: W, height: H, refine: plain });
    bilinear.refineMask(f, mask, { width: 8, height: 4 }, alpha);
    // plain bilinear upsampling puts the edge on the coarse grid (q = 0.5 at x = 24)
    expect(alpha[16 * W + 25]).toBeGreaterThan(0.5);
    expect(row[25]).toBeLessThan(0.05);
  });

  it('smooths a flickering mask on a still frame but follows it at once when the frame moves', async () => {
    const c = await createCompositor({
      width: W,
      height: H,
      refine: {
        ...plain,
        temporal: { still: 0.1, moving: 1, motionLow: 3, motionHigh: 12, catchUp: 0 },
        coverage: [0, 1],
      },
    });
    const alpha = new Float32Array(W * H);
    const g = { width: 8, height: 4 };
    const still = frame(100);
    c.refineMask(still, new Float32Array(32).fill(0), g, alpha);
    c.refineMask(still, new Float32Array(32).fill(1), g, alpha);
    // smoothstep(0, 1, 0.1) = 0.028
    expect(alpha[100]).toBeCloseTo(0.028, 3);
    c.refineMask(frame(140), new Float32Array(32).fill(1), g, alpha);
    expect(alpha[100]).toBeCloseTo(1, 5);
  });

  it('does not let the person bleed into the blurred background', async () => {
    const c = await createCompositor({
      width: 128,
      height: 64,
      refine: { ...plain, coverage: [0.5, 0.5] },
      background: { type: 'blur', radius: 16 },
    });
    const f = new Uint8Array(128 * 64 * 2);
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 128; x++) {
        f[(y * 128 + x) * 2] = x >= 48 && x < 80 && y >= 16 && y < 48 ? 220 : 40;
        f[(y * 128 + x) * 2 + 1] = 128;
      }
    }
    const mask = new Float32Array(32 * 16);
    for (let y = 4; y < 12; y++) for (let x = 12; x < 20; x++) mask[y * 32 + x] = 1;
    const out = new Uint8Array(f.length);
    c.process(f, mask, { width: 32, height: 16 }, out);
    // right next to the person (1..20 px away) the background stays at its own luma
    for (const x of [27, 35, 44, 46, 82, 84, 90, 100])
      expect(Math.abs(out[(32 * 128 + x) * 2]! - 40)).toBeLessThanOrEqual(2);
    for (const y of [2, 8, 14, 50, 60])
      expect(Math.abs(out[(y * 128 + 64) * 2]! - 40)).toBeLessThanOrEqual(2);
    expect(out[(32 * 128 + 64) * 2]).toBe(220);
  });

  it('applies light wrap only at the edge, brightening the person there', async () => {
    const mk = (lightWrap: number) =>
      createCompositor({
        width: W,
        height: H,
        refine: { ...plain, lightWrap },
        background: { type: 'color', color: '#ffffff' },
      });
    const f = frame(60);
    const mask = new Float32Array(8 * 4);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) mask[y * 8 + x] = x >= 4 ? 1 : 0;
    const a = new Uint8Array(f.length);
    const b = new Uint8Array(f.length);
    (await mk(0)).process(f, mask, { width: 8, height: 4 }, a);
    (await mk(0.5)).process(f, mask, { width: 8, height: 4 }, b);
    const y = 16;
    let brighter = 0;
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 2;
      expect(b[i]!).toBeGreaterThanOrEqual(a[i]!);
      if (b[i]! > a[i]! + 1) brighter++;
    }
    expect(brighter).toBeGreaterThan(0);
    expect(b[(y * W + 62) * 2]).toBe(60); // deep inside the person: untouched
  });

  it('switches the background between frames and keeps the old one when loading fails', async () => {
    const c = await createCompositor({
      width: W,
      height: H,
      refine: plain,
      background: { type: 'color', color: '#ff0000' },
    });
    const f = frame(100);
    const zero = new Float32Array(4);
    const out = new Uint8Array(f.length);
    const red = yuvOf([255, 0, 0]);
    const blue = yuvOf([0, 0, 255]);
    const failing = c.setBackground({ type: 'image', source: '/nonexistent/beach.jpg' });
    c.process(f, zero, { width: 2, height: 2 }, out);
    expect(out[0]).toBe(red[0]);
    await expect(failing).rejects.toSatisfy((e) => isDeepsegError(e, 'ERR_FILE_NOT_FOUND'));
    c.process(f, zero, { width: 2, height: 2 }, out);
    expect([out[0], out[1], out[3]]).toEqual(red);
    expect(c.background).toEqual({ type: 'color', color: '#ff0000' });
    const swapping = c.setBackground({ type: 'color', color: '#0000ff' });
    await swapping;
    c.process(f, zero, { width: 2, height: 2 }, out);
    expect([out[0], out[1], out[3]]).toEqual(blue);
  });

  it('lets the last of overlapping background changes win', async () => {
    const c = await createCompositor({
      width: W,
      height: H,
      refine: plain,
      background: { type: 'color', color: '#ff0000' },
    });
    const png = await (await import('sharp'))
      .default({
        create: { width: 4, height: 4, channels: 3, background: { r: 255, g: 255, b: 255 } },
      })
      .png()
      .toBuffer();
    const slow = c.setBackground({ type: 'image', source: png });
    const fast = c.setBackground({ type: 'color', color: '#0000ff' });
    await Promise.all([slow, fast]);
    expect(c.background.type).toBe('color');
  });
});

describe('dilate and feather', () => {
  // 64×32 frame, 16×8 mask (cells of 4×4 px), person from mask column 8 (frame x = 32)
  const mask = new Float32Array(16 * 8);
  for (let y = 0; y < 8; y++) for (let x = 8; x < 16; x++) mask[y * 16 + x] = 1;
  const g = { width: 16, height: 8 };
  const alphaRow = async (refine: RefineOptions) => {
    const c = await createCompositor({
      width: W,
      height: H,
      refine: { ...plain, coverage: [0.5, 0.5], ...refine },
    });
    const a = new Float32Array(W * H);
    c.refineMask(frame(100), mask, g, a);
    return Array.from(a.subarray(16 * W, 17 * W));
  };
  const firstPerson = (row: number[]) => row.findIndex((v) => v > 0.5);

  it('grows and shrinks the person by whole mask cells', async () => {
    const base = firstPerson(await alphaRow({}));
    expect(firstPerson(await alphaRow({ dilate: 8 }))).toBe(base - 8);
    expect(firstPerson(await alphaRow({ dilate: -8 }))).toBe(base + 8);
  });

  it('places the soft edge outward, inward or across the boundary', async () => {
    const soft = (row: number[]) => row.map((v, x) => (v > 0.02 && v < 0.98 ? x : -1)).filter((x) => x >= 0);
    const opts = (direction: 'inward' | 'outward' | 'both'): RefineOptions => ({
      coverage: [0, 1],
      feather: { radius: 16, direction },
    });
    const both = soft(await alphaRow(opts('both')));
    const out = soft(await alphaRow(opts('outward')));
    const inn = soft(await alphaRow(opts('inward')));
    expect(both.length).toBeGreaterThan(8);
    // outward: the soft band lies left of (outside) the boundary at x = 32; inward: right of it
    expect(Math.max(...out)).toBeLessThan(Math.max(...both));
    expect(Math.min(...inn)).toBeGreaterThan(Math.min(...both));
    expect(Math.min(...out)).toBeLessThan(32);
    expect(Math.max(...inn)).toBeGreaterThan(32);
  });
});

describe('setRefine', () => {
  it('changes the refinement between frames and validates it', async () => {
    const c = await createCompositor({
      width: W,
      height: H,
      refine: plain,
      background: { type: 'color', color: '#000000' },
    });
    const f = frame(100);
    const mask = new Float32Array(4).fill(0.6);
    const a = new Float32Array(W * H);
    c.refineMask(f, mask, { width: 2, height: 2 }, a);
    expect(a[100]).toBeCloseTo(0.784, 3); // smoothstep(0.25, 0.75, 0.6) = 0.7²·(3 − 1.4)
    c.setRefine({ ...plain, coverage: [0.7, 0.7] });
    c.refineMask(f, mask, { width: 2, height: 2 }, a);
    expect(a[100]).toBe(0);
    expect(c.refine.coverage).toEqual([0.7, 0.7]);
    expect(() => c.setRefine({ lightWrap: 2 })).toThrow(/options\.refine\.lightWrap/);
    expect(c.refine.coverage).toEqual([0.7, 0.7]);
  });
});

describe('validation', () => {
  const bad = async (p: Promise<unknown>, code: string, option?: string) => {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isDeepsegError(e, code)).toBe(true);
    if (option) expect((e as { option?: string }).option).toBe(option);
    return e as Error;
  };

  it('rejects bad compositor options with the option named', async () => {
    const e = await bad(createCompositor({ width: 63, height: 32 }), 'ERR_INVALID_OPTION', 'options.width');
    expect(e.message).toContain('63');
    await bad(createCompositor({ width: 0, height: 32 }), 'ERR_INVALID_OPTION', 'options.width');
    await bad(createCompositor({ width: 64, height: 0 }), 'ERR_INVALID_OPTION', 'options.height');
    await bad(
      createCompositor({ width: 64, height: 32, refine: { coverage: [0.8, 0.2] } }),
      'ERR_INVALID_OPTION',
      'options.refine.coverage',
    );
    await bad(
      createCompositor({ width: 64, height: 32, refine: { temporal: { still: 0 } } }),
      'ERR_INVALID_OPTION',
      'options.refine.temporal.still',
    );
    await bad(
      createCompositor({
        width: 64,
        height: 32,
        refine: { feather: { radius: 4, direction: 'up' as 'both' } },
      }),
      'ERR_INVALID_OPTION',
      'options.refine.feather.direction',
    );
    const t = await bad(
      createCompositor({ width: 64, height: 32, background: { type: 'sky' } as never }),
      'ERR_INVALID_OPTION',
      'background.type',
    );
    expect(t.message).toBe(
      'Expected one of blur, color, image, video for background.type but received "sky"',
    );
    await bad(
      createCompositor({ width: 64, height: 32, background: { type: 'color', color: '#12345' } }),
      'ERR_INVALID_OPTION',
      'background.color',
    );
    await bad(
      createCompositor({ width: 64, height: 32, background: { type: 'blur', radius: 0 } }),
      'ERR_INVALID_OPTION',
      'background.radius',
    );
  });

  it('rejects wrong buffers and geometry per frame', async () => {
    const c = await createCompositor({ width: W, height: H });
    const f = frame(0);
    const out = new Uint8Array(f.length);
    const m = new Float32Array(16);
    const g = { width: 4, height: 4 };
    const call = (fn: () => void, code: string) => {
      try {
        fn();
        expect.unreachable();
      } catch (e) {
        expect(isDeepsegError(e, code)).toBe(true);
      }
    };
    call(() => c.process(f.subarray(2), m, g, out), 'ERR_BUFFER_TOO_SMALL');
    call(() => c.process(f, new Float32Array(15), g, out), 'ERR_BUFFER_TOO_SMALL');
    call(() => c.process(f, m, g, new Uint8Array(10)), 'ERR_BUFFER_TOO_SMALL');
    call(() => c.process(f, m, g, f), 'ERR_BUFFER_TOO_SMALL');
    call(() => c.process(f, m, { width: 0, height: 4 }, out), 'ERR_INVALID_OPTION');
    call(
      () => c.process(f, m, { ...g, roi: { x: 60, y: 0, width: 10, height: 4 } }, out),
      'ERR_INVALID_OPTION',
    );
    call(
      () => c.process(f, m, { ...g, maskRect: { x: 1, y: 0, width: 4, height: 4 } }, out),
      'ERR_INVALID_OPTION',
    );
    await c.close();
    call(() => c.process(f, m, g, out), 'ERR_CLOSED');
    await bad(c.setBackground({ type: 'blur' }), 'ERR_CLOSED');
  });
});
