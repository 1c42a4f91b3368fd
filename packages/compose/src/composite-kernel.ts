import type { MaskWeightedBlur } from './blur-background.ts';
import type { Layout } from './layout.ts';

/** Parameters of {@link compositeRefined}. */
export interface KernelParams {
  /** Slope of q = a·Y/255 + b on the mask grid (0 without guided filtering). */
  meanA: Float32Array;
  /** Offset of q on the mask grid (the mask itself without guided filtering). */
  meanB: Float32Array;
  /** Coverage band: alpha = smoothstep(low, high, q). */
  low: number;
  high: number;
  /** Light-wrap strength 0..1 (screen blend of background luma onto the person's edge). */
  lightWrap: number;
  /** Scratch rows of gridWidth + 1 floats. */
  rowA: Float32Array;
  rowB: Float32Array;
  /** Per grid cell: 0 background, 1 person, 2 edge (gridWidth·gridHeight bytes). */
  cellClass: Uint8Array;
}

/** Where the compositor reads the background from. */
export type BackgroundSource =
  | { kind: 'frame'; frame: Uint8Array }
  /** A colour: `row` is one frame row of it (YUYV). */
  | { kind: 'color'; row: Uint8Array }
  | { kind: 'blur'; blur: MaskWeightedBlur };

const BG = 0;
const FG = 1;
const EDGE = 2;

/**
 * The fused full-resolution pass. Per frame row it interpolates the grid coefficients vertically
 * and classifies every grid interval as surely background, surely person or edge (q = a·Y + b is
 * linear in x and in Y, so its extremes over an interval lie at the interval's ends and Y ∈ {0,
 * 255}). Runs of background or person pixel pairs are copied with native `set`; edge pairs evaluate
 * the guided-filter output with the frame's own luma (edge-aware upsampling), map it through the
 * coverage smoothstep, add light wrapping and blend. Chroma uses the mean alpha of the pixel pair.
 */
/** Background for pairs [a, b) of the row at byte offset o. */
function background(
  out: Uint8Array,
  o: number,
  a: number,
  b: number,
  bgFrame: Uint8Array | null,
  colorRow: Uint8Array | null,
  blur: MaskWeightedBlur | null,
): void {
  if (a >= b) return;
  if (bgFrame !== null) out.set(bgFrame.subarray(o + a * 4, o + b * 4), o + a * 4);
  else if (colorRow !== null) out.set(colorRow.subarray(a * 4, b * 4), o + a * 4);
  else blur!.fill(out, o, a, b);
}

/**
 * Classifies every grid cell (the square between grid samples gx, gx+1 and gy, gy+1) as surely
 * background, surely person or edge: q = a·Y + b is bilinear in the cell and linear in Y, so its
 * extremes lie at the cell's corners with Y ∈ {0, 255}.
 */
function classifyCells(p: KernelParams, frame: Uint8Array, layout: Layout): void {
  const { meanA, meanB, cellClass } = p;
  const gw = layout.gridWidth;
  const gh = layout.gridHeight;
  const lo = p.low;
  const hi = p.high;
  const qmin = p.rowA;
  const qmax = p.rowB;
  for (let gy = 0; gy < gh; gy++) {
    const r = gy * gw;
    // Per column: extremes over the two rows of the cell.
    const r2 = (gy + 1 < gh ? gy + 1 : gy) * gw;
    for (let gx = 0; gx < gw; gx++) {
      const a0 = meanA[r + gx]! * 255;
      const b0 = meanB[r + gx]!;
      const a1 = meanA[r2 + gx]! * 255;
      const b1 = meanB[r2 + gx]!;
      qmin[gx] = Math.min(b0 + Math.min(a0, 0), b1 + Math.min(a1, 0));
      qmax[gx] = Math.max(b0 + Math.max(a0, 0), b1 + Math.max(a1, 0));
    }
    qmin[gw] = qmin[gw - 1]!;
    qmax[gw] = qmax[gw - 1]!;
    for (let gx = 0; gx < gw; gx++) {
      const mn = Math.min(qmin[gx]!, qmin[gx + 1]!);
      const mx = Math.max(qmax[gx]!, qmax[gx + 1]!);
      cellClass[r + gx] = mx <= lo ? BG : mn >= hi ? FG : EDGE;
    }
  }
  // Second look at the edge cells with the luma range actually present in them (instead of 0..255):
  // most cells near an edge turn out to be surely inside or outside.
  const { intervalStart: xs, rowIntervalStart: ys } = layout;
  const k255 = 1 / 255;
  const stride = layout.frameWidth * 2;
  for (let gy = 0; gy < gh; gy++) {
    const r = gy * gw;
    const r2 = (gy + 1 < gh ? gy + 1 : gy) * gw;
    const yStart = ys[gy]!;
    const yEnd = ys[gy + 1]!;
    for (let gx = 0; gx < gw; gx++) {
      if (cellClass[r + gx] !== EDGE) continue;
      const x0 = xs[gx]!;
      const x1 = xs[gx + 1]!;
      let ymin = 255;
      let ymax = 0;
      for (let y = yStart; y < yEnd; y++) {
        const o = y * stride;
        for (let i = o + x0 * 2; i < o + x1 * 2; i += 2) {
          const v = frame[i]!;
          ymin = Math.min(v, ymin);
          ymax = Math.max(v, ymax);
        }
      }
      if (ymin > ymax) continue;
      const g2 = gx + 1 < gw ? gx + 1 : gx;
      let mn = 1e9;
      let mx = -1e9;
      for (let k = 0; k < 4; k++) {
        const c = (k < 2 ? r : r2) + ((k & 1) === 0 ? gx : g2);
        const a = meanA[c]! * k255;
        const b = meanB[c]!;
        const q0 = b + a * ymin;
        const q1 = b + a * ymax;
        if (q0 < mn) mn = q0;
        if (q1 < mn) mn = q1;
        if (q0 > mx) mx = q0;
        if (q1 > mx) mx = q1;
      }
      cellClass[r + gx] = mx <= lo ? BG : mn >= hi ? FG : EDGE;
    }
  }
}

/**
 * The fused full-resolution pass. Runs of pixel pairs in cells classified as surely background or
 * surely person are copied with native `set`; pairs in edge cells evaluate the guided-filter output
 * q = a·Y + b with the frame's own luma (edge-aware upsampling; a and b bilinear from the grid), map
 * it through the coverage smoothstep, add light wrapping (screen blend of the background's luma
 * where alpha < 1) and blend. Chroma uses the mean alpha of the pixel pair.
 */
export function compositeRefined(
  frame: Uint8Array,
  out: Uint8Array,
  layout: Layout,
  bg: BackgroundSource,
  p: KernelParams,
): void {
  const W = layout.frameWidth;
  const H = layout.frameHeight;
  const gw = layout.gridWidth;
  const gh = layout.gridHeight;
  const stride = W * 2;
  const { meanA, meanB, rowA, rowB, cellClass: cls } = p;
  const { colX0, colFx, intervalStart } = layout;
  const lo = p.low;
  const hi = p.high;
  const inv = hi > lo ? 1 / (hi - lo) : 1e6;
  const wrapK = p.lightWrap / 255;
  const { x: rx, y: ry, width: rw, height: rh } = layout.roi;
  const bgFrame = bg.kind === 'frame' ? bg.frame : null;
  const colorRow = bg.kind === 'color' ? bg.row : null;
  const blur = bg.kind === 'blur' ? bg.blur : null;
  const k255 = 1 / 255;
  const pStart = rx >> 1;
  const pEnd = (rx + rw + 1) >> 1;
  const pairs = W >> 1;
  classifyCells(p, frame, layout);

  for (let y = 0; y < H; y++) {
    const o = y * stride;
    if (blur !== null) blur.beginRow(y);
    if (y < ry || y >= ry + rh) {
      background(out, o, 0, pairs, bgFrame, colorRow, blur);
      continue;
    }
    let gyf = ((y + 0.5 - ry) * gh) / rh - 0.5;
    if (gyf < 0) gyf = 0;
    if (gyf > gh - 1) gyf = gh - 1;
    const y0 = Math.floor(gyf);
    const fy = gyf - y0;
    const ga = y0 * gw;
    const gb = (y0 + 1 < gh ? y0 + 1 : y0) * gw;
    // Vertical interpolation of a (scaled to Y codes) and b, only where this row has edge cells.
    let lastDone = -2;
    for (let gx = 0; gx < gw; gx++) {
      if (cls[ga + gx] !== EDGE) continue;
      const from = gx > lastDone ? gx : lastDone + 1;
      const to = gx + 1 < gw ? gx + 1 : gx;
      for (let k = from; k <= to; k++) {
        const a0 = meanA[ga + k]!;
        const b0 = meanB[ga + k]!;
        rowA[k] = (a0 + (meanA[gb + k]! - a0) * fy) * k255;
        rowB[k] = b0 + (meanB[gb + k]! - b0) * fy;
      }
      lastDone = to;
    }
    rowA[gw] = rowA[gw - 1]!;
    rowB[gw] = rowB[gw - 1]!;
    background(out, o, 0, pStart, bgFrame, colorRow, blur);
    let i = pStart;
    while (i < pEnd) {
      const x = i << 1;
      const k0 = colX0[x]!;
      const k1 = x + 1 < W ? colX0[x + 1]! : -1;
      const c0 = k0 < 0 ? BG : cls[ga + k0]!;
      const c1 = k1 < 0 ? BG : cls[ga + k1]!;
      if (c0 === c1 && c0 !== EDGE) {
        // A run of pure pairs: extend over the following cells of the same class.
        let g2 = (k1 < 0 ? k0 : k1) + 1;
        if (k0 < 0 && k1 < 0) g2 = 0;
        while (g2 < gw && cls[ga + g2] === c0) g2++;
        const e = Math.min(pEnd, Math.max(intervalStart[g2]! >> 1, i + 1));
        if (c0 === FG) out.set(frame.subarray(o + i * 4, o + e * 4), o + i * 4);
        else background(out, o, i, e, bgFrame, colorRow, blur);
        i = e;
        continue;
      }
      // Edge pair: background bytes, then the blend.
      const d = o + (i << 2);
      let g0: number;
      let gu: number;
      let g1: number;
      let gv: number;
      if (bgFrame !== null) {
        g0 = bgFrame[d]!;
        gu = bgFrame[d + 1]!;
        g1 = bgFrame[d + 2]!;
        gv = bgFrame[d + 3]!;
      } else if (colorRow !== null) {
        g0 = colorRow[0]!;
        gu = colorRow[1]!;
        g1 = colorRow[2]!;
        gv = colorRow[3]!;
      } else {
        const h = blur!.hrows;
        const s0 = blur!.r0 + (i << 2);
        const s1 = blur!.r1 + (i << 2);
        const w1 = blur!.w;
        const w0 = 256 - w1;
        g0 = (h[s0]! * w0 + h[s1]! * w1 + 128) >> 8;
        gu = (h[s0 + 1]! * w0 + h[s1 + 1]! * w1 + 128) >> 8;
        g1 = (h[s0 + 2]! * w0 + h[s1 + 2]! * w1 + 128) >> 8;
        gv = (h[s0 + 3]! * w0 + h[s1 + 3]! * w1 + 128) >> 8;
      }
      let f0 = frame[d]!;
      let f1 = frame[d + 2]!;
      let al0 = 0;
      let al1 = 0;
      if (c0 !== EDGE) al0 = c0 === FG ? 1 : 0;
      else {
        const fx = colFx[x]!;
        const ra = rowA[k0]!;
        const rb = rowB[k0]!;
        const q = (ra + (rowA[k0 + 1]! - ra) * fx) * f0 + rb + (rowB[k0 + 1]! - rb) * fx;
        let t = (q - lo) * inv;
        t = t < 0 ? 0 : Math.min(t, 1);
        al0 = t * t * (3 - 2 * t);
        f0 += (1 - al0) * wrapK * g0 * (255 - f0);
      }
      if (c1 !== EDGE) al1 = c1 === FG ? 1 : 0;
      else {
        const fx = colFx[x + 1]!;
        const ra = rowA[k1]!;
        const rb = rowB[k1]!;
        const q = (ra + (rowA[k1 + 1]! - ra) * fx) * f1 + rb + (rowB[k1 + 1]! - rb) * fx;
        let t = (q - lo) * inv;
        t = t < 0 ? 0 : Math.min(t, 1);
        al1 = t * t * (3 - 2 * t);
        f1 += (1 - al1) * wrapK * g1 * (255 - f1);
      }
      const ac = (al0 + al1) * 0.5;
      out[d] = g0 + (f0 - g0) * al0 + 0.5;
      out[d + 1] = gu + (frame[d + 1]! - gu) * ac + 0.5;
      out[d + 2] = g1 + (f1 - g1) * al1 + 0.5;
      out[d + 3] = gv + (frame[d + 3]! - gv) * ac + 0.5;
      i++;
    }
    background(out, o, pEnd, pairs, bgFrame, colorRow, blur);
  }
}
