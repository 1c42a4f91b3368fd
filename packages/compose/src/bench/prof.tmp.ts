import { createCompositor } from '../compositor.ts';
import { clipFrames, clipMasks, MODEL_SIZE } from './clip.ts';

const base = clipFrames(960, 540, 30)!;
const masks = await clipMasks('clip', base, 960, 540);
const [w, h] = [1280, 720];
const frames = clipFrames(w, h, 30)!;
const out = new Uint8Array(w * h * 2);
const kind = process.argv[2] ?? 'color';
for (const sub of [1, 2] as const) {
  const c = await createCompositor({
    width: w,
    height: h,
    refine: { guided: { subsample: sub } },
    background: kind === 'blur' ? { type: 'blur' } : { type: 'color', color: '#00ff00' },
  });
  const g = { width: MODEL_SIZE, height: MODEL_SIZE };
  for (let i = 0; i < 30; i++) c.process(frames[i % 30]!, masks[i % 30]!, g, out);
  const t: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    c.process(frames[i % 30]!, masks[i % 30]!, g, out);
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  console.log(kind, 'sub', sub, 'median', t[100]!.toFixed(2), 'min', t[0]!.toFixed(2));
}
