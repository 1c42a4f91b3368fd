import { describe, expect, it } from 'vitest';
import {
  carriedReshapePerm,
  invertPerm,
  isReshapeOnly,
  NCHW,
  permuteShape,
  reshapeKeepsOrder,
  transposeData,
} from './layout.ts';

describe('layout helpers', () => {
  it('transposeData moves NHWC data to NCHW element by element', () => {
    // [1, 2, 3, 2] NHWC: value = h*100 + w*10 + c
    const shape = [1, 2, 3, 2];
    const nhwc = new Float32Array(12);
    for (let h = 0; h < 2; h++)
      for (let w = 0; w < 3; w++)
        for (let c = 0; c < 2; c++) nhwc[(h * 3 + w) * 2 + c] = h * 100 + w * 10 + c;
    const nchw = transposeData(nhwc, shape, NCHW);
    expect(permuteShape(shape, NCHW)).toEqual([1, 2, 2, 3]);
    expect(Array.from(nchw)).toEqual([0, 10, 20, 100, 110, 120, 1, 11, 21, 101, 111, 121]);
    // And back.
    expect(Array.from(transposeData(nchw, [1, 2, 2, 3], invertPerm(NCHW)))).toEqual(Array.from(nhwc));
  });

  it('isReshapeOnly: moving unit axes is a Reshape, moving real axes is not', () => {
    expect(isReshapeOnly([1, 1, 1, 8], NCHW, [0, 1, 2, 3])).toBe(true);
    expect(isReshapeOnly([1, 4, 4, 8], NCHW, [0, 1, 2, 3])).toBe(false);
    expect(isReshapeOnly([1, 1, 5, 8], NCHW, [0, 1, 2, 3])).toBe(false);
  });

  it('reshapeKeepsOrder accepts a channel split in NCHW and rejects a flatten of NCHW data', () => {
    // [1,H,W,C] stored NCHW → [1,H,W,g,C/g] stored [1,g,C/g,H,W]: no data movement.
    expect(reshapeKeepsOrder([1, 4, 5, 6], NCHW, [1, 4, 5, 2, 3], [0, 3, 4, 1, 2])).toBe(true);
    // Flattening H·W·C in TFLite order needs the data in NHWC order first.
    expect(reshapeKeepsOrder([1, 4, 5, 6], NCHW, [1, 120], [0, 1])).toBe(false);
    expect(reshapeKeepsOrder([1, 4, 5, 6], [0, 1, 2, 3], [1, 120], [0, 1])).toBe(true);
  });

  it('carriedReshapePerm derives the grouped layout', () => {
    expect(carriedReshapePerm([1, 4, 5, 6], NCHW, [1, 4, 5, 2, 3])).toEqual([0, 3, 4, 1, 2]);
    expect(carriedReshapePerm([1, 2, 3, 4, 5], [0, 1, 2, 3, 4], [1, 6, 4, 5])).toEqual([0, 1, 2, 3]);
  });
});
