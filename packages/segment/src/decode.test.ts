import { describe, expect, it } from 'vitest';
import { decodePersonProbability } from './decode.ts';
import type { OutputGeometry } from './manifest.ts';

const geo = (o: Partial<OutputGeometry>): OutputGeometry => ({
  width: 2,
  height: 1,
  layout: 'NHWC',
  channels: 1,
  person: 0,
  decode: 'probability',
  ...o,
});

const decode = (raw: number[], o: Partial<OutputGeometry>): number[] => {
  const g = geo(o);
  const dst = new Float32Array(g.width * g.height);
  decodePersonProbability(Float32Array.from(raw), dst, g);
  return Array.from(dst);
};

describe('decodePersonProbability', () => {
  it('passes probabilities through, clamped to 0..1', () => {
    expect(decode([0.25, 1.5], {})).toEqual([0.25, 1]);
    expect(decode([-0.5, 0.75], {})).toEqual([0, 0.75]);
  });

  it('applies a sigmoid to logits', () => {
    const [a, b] = decode([0, Math.log(3)], { decode: 'sigmoid' });
    expect(a).toBeCloseTo(0.5, 6);
    expect(b).toBeCloseTo(0.75, 6);
  });

  it('takes the person channel of a 2-channel softmax in NHWC and NCHW', () => {
    // pixel 0: logits (bg 0, person ln 3) → 0.75; pixel 1: (ln 3, 0) → 0.25
    const nhwc = decode([0, Math.log(3), Math.log(3), 0], { channels: 2, person: 1, decode: 'softmax' });
    const nchw = decode([0, Math.log(3), Math.log(3), 0], {
      channels: 2,
      person: 1,
      decode: 'softmax',
      layout: 'NCHW',
    });
    expect(nhwc[0]).toBeCloseTo(0.75, 6);
    expect(nhwc[1]).toBeCloseTo(0.25, 6);
    // NCHW: channel 0 = [0, ln3], channel 1 = [ln3, 0]
    expect(nchw[0]).toBeCloseTo(0.75, 6);
    expect(nchw[1]).toBeCloseTo(0.25, 6);
    // already-softmaxed 2-channel output (SINet, PP-HumanSeg): read channel 1 as is
    expect(decode([0.9, 0.2, 0.1, 0.8], { channels: 2, person: 1, layout: 'NCHW' })).toEqual([
      Math.fround(0.1),
      Math.fround(0.8),
    ]);
  });

  it('decodes 21-class VOC logits (person = 15) by softmax and by argmax', () => {
    const pixel = (personLogit: number) =>
      Array.from({ length: 21 }, (_, k) => (k === 15 ? personLogit : k === 0 ? 2 : 0));
    const raw = [...pixel(5), ...pixel(-5)];
    const soft = decode(raw, { channels: 21, person: 15, decode: 'softmax' });
    const e = (x: number) => Math.exp(x);
    expect(soft[0]).toBeCloseTo(e(5) / (e(5) + e(2) + 19), 5);
    expect(soft[1]).toBeCloseTo(e(-5) / (e(-5) + e(2) + 19), 5);
    expect(decode(raw, { channels: 21, person: 15, decode: 'argmax' })).toEqual([1, 0]);
  });
});
