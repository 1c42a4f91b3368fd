import { describe, expect, it } from 'vitest';
import { removeSmallRegions } from './regions.ts';

const W = 10;
const H = 8;

function grid(rows: string[]): Float32Array {
  return Float32Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0));
}
function show(m: Float32Array): string[] {
  const rows: string[] = [];
  for (let y = 0; y < H; y++)
    rows.push(Array.from(m.subarray(y * W, (y + 1) * W), (v) => (v >= 0.5 ? '#' : '.')).join(''));
  return rows;
}

describe('removeSmallRegions', () => {
  const scratch = () => [new Uint8Array(W * H), new Int32Array(W * H)] as const;

  it('removes person blobs smaller than the minimum area and keeps the rest', () => {
    const m = grid([
      '#.........',
      '..........',
      '...####...',
      '...####...',
      '...####...',
      '..........',
      '........##',
      '........##',
    ]);
    const removed = removeSmallRegions(m, W, H, 5, true, ...scratch());
    expect(removed).toBe(2);
    expect(show(m)).toEqual([
      '..........',
      '..........',
      '...####...',
      '...####...',
      '...####...',
      '..........',
      '..........',
      '..........',
    ]);
  });

  it('takes a soft rim into the blob with a lower threshold', () => {
    const m = new Float32Array(W * H);
    m[3 * W + 3] = 1;
    m[3 * W + 4] = 0.4; // rim
    m[6 * W + 6] = 0.4; // a lone faint cell
    removeSmallRegions(m, W, H, 5, true, ...scratch(), 0.25);
    expect(Array.from(m).every((v) => v === 0)).toBe(true);
  });

  it('fills small holes inside the person but not background touching the border', () => {
    const m = grid([
      '..........',
      '.########.',
      '.#..#####.',
      '.#..#####.',
      '.########.',
      '.########.',
      '..........',
      '..........',
    ]);
    removeSmallRegions(m, W, H, 5, false, ...scratch());
    expect(show(m)).toEqual([
      '..........',
      '.########.',
      '.########.',
      '.########.',
      '.########.',
      '.########.',
      '..........',
      '..........',
    ]);
  });
});
