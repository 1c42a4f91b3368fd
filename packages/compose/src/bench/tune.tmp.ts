import { createCompositor } from '../compositor.ts';
import type { RefineOptions } from '../options.ts';
import { clipFrames, clipMasks, MODEL_SIZE, panFrames } from './clip.ts';
import { centroidX, FlickerMeter, lagFrames, smoothLuma } from './metrics.ts';

const W = 960,
  H = 540;
const frames = clipFrames(W, H, 150)!;
const masks = await clipMasks('clip', frames, W, H);
const panned = panFrames(frames, W, H, 48, 40);
const pmasks = await clipMasks('pan48-40', panned, W, H);
const lum = frames.map((f) => smoothLuma(f, W, H));
const plum = panned.map((f) => smoothLuma(f, W, H));
async function run(fr: Uint8Array[], ms: Float32Array[], ls: Float32Array[], refine: RefineOptions) {
  const c = await createCompositor({ width: W, height: H, refine });
  const meter = new FlickerMeter();
  const cx: number[] = [];
  const a = new Float32Array(W * H);
  for (let t = 0; t < fr.length; t++) {
    c.refineMask(fr[t]!, ms[t]!, { width: MODEL_SIZE, height: MODEL_SIZE }, a);
    meter.add(ls[t]!, a);
    cx.push(centroidX(a, W));
  }
  return { f: meter.result(), cx };
}
const pbase = await run(panned, pmasks, plum, {
  temporal: false,
  guided: false,
  minBlobArea: 0,
  coverage: [0, 1],
});
const variants: Record<string, RefineOptions> = JSON.parse(process.argv[2] ?? '{}');
for (const [name, r] of Object.entries(variants)) {
  const n = await run(frames, masks, lum, r);
  const p = await run(panned, pmasks, plum, r);
  const lag = lagFrames(pbase.cx, p.cx);
  console.log(
    name,
    'flicker',
    (n.f.meanAbsChange * 1000).toFixed(2),
    (((n.f.meanAbsChange * 1000) / 4.07) * 100).toFixed(0) + '%',
    'pops',
    n.f.popsPerMillion.toFixed(0),
    'lag',
    lag.lag,
  );
}
