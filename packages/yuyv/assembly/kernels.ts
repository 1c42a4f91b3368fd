// AssemblyScript source of the WebAssembly SIMD kernels of @deepseg/yuyv. Compiled by
// `pnpm build:wasm` (scripts/build-wasm.mjs) into src/wasm-binary.ts, which is committed; a test
// checks that the committed binary equals a fresh build of this file.
//
// Memory is imported from JavaScript (src/wasm.ts), which lays out every buffer and passes byte
// addresses. Nothing here allocates. Fixed point: `mulr(a, b) = (a·b + 2^14) >> 15` is the scalar twin
// of i16x8.q15mulr_sat_s, so SIMD bodies and scalar tails give bit-identical results.

function mulr(a: i32, b: i32): i32 {
  return (a * b + 0x4000) >> 15;
}

function clamp255(v: i32): i32 {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

// ---------------------------------------------------------------------------------------------------
// Packed 4:2:2 (YUYV, UYVY) → RGB24 / BGR24 / RGBA.
//
// With d = (Y − yOff) << 6 and c = (U|V − 128) << 6, every channel in 1/16 code values is
// mulr(d, cY) + mulr(c, k…) (coefficients are the real ones × 8192), then (x + 8) >> 4, saturated.

// Converts 16 pixels — y: 16 lumas, uv: 8 U then 8 V (one per pixel pair) — and stores them at d.
// Returns the bytes written (48 or 64).
function store16(
  y: v128,
  uv: v128,
  d: usize,
  bpp: i32,
  bgr: i32,
  k: v128,
  kY: v128,
  kRV: v128,
  kGU: v128,
  kGV: v128,
  kBU: v128,
): usize {
  const v8 = i16x8.splat(8);
  const v128c = i16x8.splat(128);
  const ylo = i16x8.add(i16x8.q15mulr_sat_s(i16x8.shl(i16x8.sub(i16x8.extend_low_i8x16_u(y), k), 6), kY), v8);
  const yhi = i16x8.add(
    i16x8.q15mulr_sat_s(i16x8.shl(i16x8.sub(i16x8.extend_high_i8x16_u(y), k), 6), kY),
    v8,
  );
  const u = i16x8.shl(i16x8.sub(i16x8.extend_low_i8x16_u(uv), v128c), 6);
  const v = i16x8.shl(i16x8.sub(i16x8.extend_high_i8x16_u(uv), v128c), 6);
  const rc = i16x8.q15mulr_sat_s(v, kRV);
  const gc = i16x8.add(i16x8.q15mulr_sat_s(u, kGU), i16x8.q15mulr_sat_s(v, kGV));
  const bc = i16x8.q15mulr_sat_s(u, kBU);
  let r = i8x16.narrow_i16x8_u(
    i16x8.shr_s(i16x8.add(ylo, i16x8.shuffle(rc, rc, 0, 0, 1, 1, 2, 2, 3, 3)), 4),
    i16x8.shr_s(i16x8.add(yhi, i16x8.shuffle(rc, rc, 4, 4, 5, 5, 6, 6, 7, 7)), 4),
  );
  const g = i8x16.narrow_i16x8_u(
    i16x8.shr_s(i16x8.add(ylo, i16x8.shuffle(gc, gc, 0, 0, 1, 1, 2, 2, 3, 3)), 4),
    i16x8.shr_s(i16x8.add(yhi, i16x8.shuffle(gc, gc, 4, 4, 5, 5, 6, 6, 7, 7)), 4),
  );
  let bb = i8x16.narrow_i16x8_u(
    i16x8.shr_s(i16x8.add(ylo, i16x8.shuffle(bc, bc, 0, 0, 1, 1, 2, 2, 3, 3)), 4),
    i16x8.shr_s(i16x8.add(yhi, i16x8.shuffle(bc, bc, 4, 4, 5, 5, 6, 6, 7, 7)), 4),
  );
  if (bgr) {
    const t = r;
    r = bb;
    bb = t;
  }
  if (bpp === 3) {
    const rg0 = i8x16.shuffle(r, g, 0, 16, 0, 1, 17, 0, 2, 18, 0, 3, 19, 0, 4, 20, 0, 5);
    v128.store(d, i8x16.shuffle(rg0, bb, 0, 1, 16, 3, 4, 17, 6, 7, 18, 9, 10, 19, 12, 13, 20, 15));
    const rg1 = i8x16.shuffle(r, g, 21, 0, 6, 22, 0, 7, 23, 0, 8, 24, 0, 9, 25, 0, 10, 26);
    v128.store(d, i8x16.shuffle(rg1, bb, 0, 21, 2, 3, 22, 5, 6, 23, 8, 9, 24, 11, 12, 25, 14, 15), 16);
    const rg2 = i8x16.shuffle(r, g, 0, 11, 27, 0, 12, 28, 0, 13, 29, 0, 14, 30, 0, 15, 31, 0);
    v128.store(d, i8x16.shuffle(rg2, bb, 26, 1, 2, 27, 4, 5, 28, 7, 8, 29, 10, 11, 30, 13, 14, 31), 32);
    return 48;
  }
  const alpha = i8x16.splat(-1);
  const rgLo = i8x16.shuffle(r, g, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const rgHi = i8x16.shuffle(r, g, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  const baLo = i8x16.shuffle(bb, alpha, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const baHi = i8x16.shuffle(bb, alpha, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  v128.store(d, i16x8.shuffle(rgLo, baLo, 0, 8, 1, 9, 2, 10, 3, 11));
  v128.store(d, i16x8.shuffle(rgLo, baLo, 4, 12, 5, 13, 6, 14, 7, 15), 16);
  v128.store(d, i16x8.shuffle(rgHi, baHi, 0, 8, 1, 9, 2, 10, 3, 11), 32);
  v128.store(d, i16x8.shuffle(rgHi, baHi, 4, 12, 5, 13, 6, 14, 7, 15), 48);
  return 64;
}

// Scalar twin of store16 for one pixel pair.
function storePair(
  y0: i32,
  y1: i32,
  u: i32,
  v: i32,
  d: usize,
  bpp: i32,
  bgr: i32,
  yOff: i32,
  cY: i32,
  cRV: i32,
  cGU: i32,
  cGV: i32,
  cBU: i32,
): void {
  const uu = (u - 128) << 6;
  const vv = (v - 128) << 6;
  const rc = mulr(vv, cRV);
  const gc = mulr(uu, cGU) + mulr(vv, cGV);
  const bc = mulr(uu, cBU);
  const rPos: usize = bgr ? 2 : 0;
  const bPos: usize = 2 - rPos;
  const a = mulr((y0 - yOff) << 6, cY) + 8;
  store<u8>(d + rPos, clamp255((a + rc) >> 4));
  store<u8>(d + 1, clamp255((a + gc) >> 4));
  store<u8>(d + bPos, clamp255((a + bc) >> 4));
  const e = d + <usize>bpp;
  const b = mulr((y1 - yOff) << 6, cY) + 8;
  store<u8>(e + rPos, clamp255((b + rc) >> 4));
  store<u8>(e + 1, clamp255((b + gc) >> 4));
  store<u8>(e + bPos, clamp255((b + bc) >> 4));
  if (bpp === 4) {
    store<u8>(d + 3, 255);
    store<u8>(e + 3, 255);
  }
}

export function packedToRgb(
  src: usize,
  dst: usize,
  pairs: i32,
  uyvy: i32,
  bpp: i32,
  bgr: i32,
  yOff: i32,
  cY: i32,
  cRV: i32,
  cGU: i32,
  cGV: i32,
  cBU: i32,
): void {
  const k = i16x8.splat(<i16>yOff);
  const kY = i16x8.splat(<i16>cY);
  const kRV = i16x8.splat(<i16>cRV);
  const kGU = i16x8.splat(<i16>cGU);
  const kGV = i16x8.splat(<i16>cGV);
  const kBU = i16x8.splat(<i16>cBU);
  const blocks = pairs >> 3;
  let s = src;
  let d = dst;
  for (let i = 0; i < blocks; i++) {
    const a = v128.load(s);
    const b = v128.load(s, 16);
    let y: v128;
    let uv: v128;
    if (uyvy) {
      y = i8x16.shuffle(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
      uv = i8x16.shuffle(a, b, 0, 4, 8, 12, 16, 20, 24, 28, 2, 6, 10, 14, 18, 22, 26, 30);
    } else {
      y = i8x16.shuffle(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
      uv = i8x16.shuffle(a, b, 1, 5, 9, 13, 17, 21, 25, 29, 3, 7, 11, 15, 19, 23, 27, 31);
    }
    d += store16(y, uv, d, bpp, bgr, k, kY, kRV, kGU, kGV, kBU);
    s += 32;
  }
  const yPos: usize = uyvy ? 1 : 0;
  const uPos: usize = 1 - yPos;
  for (let p = blocks << 3; p < pairs; p++) {
    const q = src + ((<usize>p) << 2);
    storePair(
      load<u8>(q + yPos),
      load<u8>(q + yPos + 2),
      load<u8>(q + uPos),
      load<u8>(q + uPos + 2),
      d,
      bpp,
      bgr,
      yOff,
      cY,
      cRV,
      cGU,
      cGV,
      cBU,
    );
    d += <usize>(2 * bpp);
  }
}

/**
 * Planar YUV (I420, I422: nv12 = 0; NV12: nv12 = 1) → RGB24 / BGR24 / RGBA. `uBase`/`vBase` are the
 * chroma planes (for NV12 both point into the UV plane), `chromaShift` is 1 for 4:2:0.
 */
export function planarToRgb(
  src: usize,
  dst: usize,
  width: i32,
  height: i32,
  uBase: usize,
  vBase: usize,
  cStride: i32,
  chromaShift: i32,
  nv12: i32,
  bpp: i32,
  bgr: i32,
  yOff: i32,
  cY: i32,
  cRV: i32,
  cGU: i32,
  cGV: i32,
  cBU: i32,
): void {
  const k = i16x8.splat(<i16>yOff);
  const kY = i16x8.splat(<i16>cY);
  const kRV = i16x8.splat(<i16>cRV);
  const kGU = i16x8.splat(<i16>cGU);
  const kGV = i16x8.splat(<i16>cGV);
  const kBU = i16x8.splat(<i16>cBU);
  let d = dst;
  for (let row = 0; row < height; row++) {
    const yRow = src + <usize>(row * width);
    const cRow = <usize>((row >> chromaShift) * cStride);
    const uRow = uBase + cRow;
    const vRow = vBase + cRow;
    let x = 0;
    for (; x + 16 <= width; x += 16) {
      const y = v128.load(yRow + x);
      let uv: v128;
      if (nv12) {
        const t = v128.load(uRow + x);
        uv = i8x16.shuffle(t, t, 0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
      } else {
        uv = v128.load64_lane(vRow + (x >> 1), v128.load64_zero(uRow + (x >> 1)), 1);
      }
      d += store16(y, uv, d, bpp, bgr, k, kY, kRV, kGU, kGV, kBU);
    }
    for (; x < width; x += 2) {
      const p = <usize>(x >> 1);
      const u = nv12 ? load<u8>(uRow + 2 * p) : load<u8>(uRow + p);
      const v = nv12 ? load<u8>(vRow + 2 * p) : load<u8>(vRow + p);
      storePair(load<u8>(yRow + x), load<u8>(yRow + x + 1), u, v, d, bpp, bgr, yOff, cY, cRV, cGU, cGV, cBU);
      d += <usize>(2 * bpp);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Compositing. Alpha is Q15 (0..32767); out = bg + mulr(fg − bg, alpha).
//
// The mask is upscaled separably without ever building a full-size mask: each mask row that a frame
// row needs is upsampled horizontally once into a frame-wide Q15 "slot" (two slots, by row parity;
// columns outside the ROI hold the outside alpha), and every frame row lerps its two slots vertically
// on the fly inside the blend loop. A third slot holds the outside alpha for rows outside the ROI.

let slotRow0: i32 = -1;
let slotRow1: i32 = -1;

// Mask row k → `mrow` as f32 clamped to 0..1, padded with a copy of the last sample (so x0 + 1 is readable).
function maskRowF32(mrow: usize, mask: usize, k: i32, maskW: i32, maskU8: i32): void {
  const row = <usize>(k * maskW);
  if (maskU8) {
    const s: f32 = 1.0 / 255.0;
    for (let i = 0; i < maskW; i++) store<f32>(mrow + ((<usize>i) << 2), <f32>load<u8>(mask + row + i) * s);
  } else {
    const zero = f32x4.splat(0);
    const one = f32x4.splat(1);
    const src = mask + (row << 2);
    for (let i = 0; i < maskW; i += 4) {
      const o = (<usize>i) << 2;
      v128.store(mrow + o, f32x4.pmin(f32x4.pmax(v128.load(src + o), zero), one));
    }
  }
  store<f32>(mrow + ((<usize>maskW) << 2), load<f32>(mrow + ((<usize>(maskW - 1)) << 2)));
}

// Horizontal bilinear upsample of mask row k into slot (Q15) over the ROI columns; the rest = outsideQ.
function fillSlot(
  slot: usize,
  mrow: usize,
  mask: usize,
  k: i32,
  maskW: i32,
  maskU8: i32,
  width: i32,
  roiX: i32,
  roiW: i32,
  maskX: i32,
  identity: i32,
  axI0: usize,
  axF: usize,
  outsideQ: i32,
): void {
  maskRowF32(mrow, mask, k, maskW, maskU8);
  const scale = f32x4.splat(32767.0);
  const out = slot + ((<usize>roiX) << 1);
  if (identity) {
    const src = mrow + ((<usize>maskX) << 2);
    for (let i = 0; i < roiW; i += 8) {
      const o = (<usize>i) << 2;
      const lo = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(src + o), scale)));
      const hi = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(src + o, 16), scale)));
      v128.store(out + ((<usize>i) << 1), i16x8.narrow_i32x4_s(lo, hi));
    }
  } else {
    for (let i = 0; i < roiW; i += 8) {
      const t = axI0 + ((<usize>i) << 2);
      let p = v128.load64_zero(mrow + ((<usize>load<i32>(t)) << 2));
      p = v128.load64_lane(mrow + ((<usize>load<i32>(t, 4)) << 2), p, 1);
      let q = v128.load64_zero(mrow + ((<usize>load<i32>(t, 8)) << 2));
      q = v128.load64_lane(mrow + ((<usize>load<i32>(t, 12)) << 2), q, 1);
      let m0 = f32x4.shuffle(p, q, 0, 2, 4, 6);
      let m1 = f32x4.shuffle(p, q, 1, 3, 5, 7);
      const f = axF + ((<usize>i) << 2);
      const lo = i32x4.trunc_sat_f32x4_s(
        f32x4.nearest(f32x4.mul(f32x4.add(m0, f32x4.mul(f32x4.sub(m1, m0), v128.load(f))), scale)),
      );
      p = v128.load64_zero(mrow + ((<usize>load<i32>(t, 16)) << 2));
      p = v128.load64_lane(mrow + ((<usize>load<i32>(t, 20)) << 2), p, 1);
      q = v128.load64_zero(mrow + ((<usize>load<i32>(t, 24)) << 2));
      q = v128.load64_lane(mrow + ((<usize>load<i32>(t, 28)) << 2), q, 1);
      m0 = f32x4.shuffle(p, q, 0, 2, 4, 6);
      m1 = f32x4.shuffle(p, q, 1, 3, 5, 7);
      const hi = i32x4.trunc_sat_f32x4_s(
        f32x4.nearest(f32x4.mul(f32x4.add(m0, f32x4.mul(f32x4.sub(m1, m0), v128.load(f, 16))), scale)),
      );
      v128.store(out + ((<usize>i) << 1), i16x8.narrow_i32x4_s(lo, hi));
    }
  }
  // The vector loop may run up to 7 columns past the ROI: restore the outside alpha there.
  for (let x = roiX + roiW; x < width; x++) store<i16>(slot + ((<usize>x) << 1), <i16>outsideQ);
}

// Blends n bytes with one Q15 alpha per byte.
function blendBytes(fg: usize, bg: usize, dst: usize, alpha: usize, n: i32): void {
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const f = v128.load(fg + i);
    const b = v128.load(bg + i);
    const alo = v128.load(alpha + ((<usize>i) << 1));
    const ahi = v128.load(alpha + ((<usize>i) << 1), 16);
    // flat runs: the blend would round to bg (or fg) exactly, see packedBlendRow
    const lowA = i16x8.splat(64);
    const highA = i16x8.splat(32767 - 64);
    if (i16x8.all_true(i16x8.lt_s(alo, lowA)) && i16x8.all_true(i16x8.lt_s(ahi, lowA))) {
      if (dst !== bg) v128.store(dst + i, b);
      continue;
    }
    if (i16x8.all_true(i16x8.gt_s(alo, highA)) && i16x8.all_true(i16x8.gt_s(ahi, highA))) {
      if (dst !== fg) v128.store(dst + i, f);
      continue;
    }
    const blo = i16x8.extend_low_i8x16_u(b);
    const bhi = i16x8.extend_high_i8x16_u(b);
    const lo = i16x8.add(blo, i16x8.q15mulr_sat_s(i16x8.sub(i16x8.extend_low_i8x16_u(f), blo), alo));
    const hi = i16x8.add(bhi, i16x8.q15mulr_sat_s(i16x8.sub(i16x8.extend_high_i8x16_u(f), bhi), ahi));
    v128.store(dst + i, i8x16.narrow_i16x8_u(lo, hi));
  }
  for (; i < n; i++) {
    const b = <i32>load<u8>(bg + i);
    const a = <i32>load<i16>(alpha + ((<usize>i) << 1));
    store<u8>(dst + i, b + mulr(<i32>load<u8>(fg + i) - b, a));
  }
}

// Chroma alpha of pixel pairs: out[p] = avgr(a[2p], a[2p+1]) for p < pairs (+ slack).
function pairAlpha(out: usize, a: usize, pairs: i32): void {
  for (let p = 0; p < pairs; p += 8) {
    const v0 = v128.load(a + ((<usize>p) << 2));
    const v1 = v128.load(a + ((<usize>p) << 2), 16);
    const e = i16x8.shuffle(v0, v1, 0, 2, 4, 6, 8, 10, 12, 14);
    const o = i16x8.shuffle(v0, v1, 1, 3, 5, 7, 9, 11, 13, 15);
    v128.store(out + ((<usize>p) << 1), i16x8.avgr_u(e, o));
  }
}

/**
 * Composites a frame. layout: 0 YUYV, 1 UYVY, 2 I422, 3 I420, 4 NV12. `fg`, `bg`, `dst` are whole
 * frames; `dst` may equal `fg` or `bg`. `work` is scratch (see src/composite.ts for its size).
 * `identity` = the ROI maps 1:1 onto mask columns (full-resolution masks), so no horizontal filter.
 */
export function composite(
  fg: usize,
  bg: usize,
  dst: usize,
  width: i32,
  height: i32,
  layout: i32,
  mask: usize,
  maskW: i32,
  maskU8: i32,
  maskX: i32,
  identity: i32,
  roiX: i32,
  roiY: i32,
  roiW: i32,
  roiH: i32,
  axI0: usize,
  axF: usize,
  ayI0: usize,
  ayStep: usize,
  ayF: usize,
  outsideQ: i32,
  work: usize,
): void {
  slotRow0 = -1;
  slotRow1 = -1;
  const rowBytes = <usize>(((width + 32) & ~15) << 1);
  const slot0 = work;
  const slot1 = slot0 + rowBytes;
  const slotC = slot1 + rowBytes;
  const mrow = slotC + rowBytes;
  let alphaA = mrow + <usize>(((maskW + 16) & ~7) << 2);
  let alphaB = alphaA + rowBytes;
  const chroma = alphaB + rowBytes;
  const perByte = chroma + rowBytes;
  const oq = i16x8.splat(<i16>outsideQ);
  for (let x = 0; x < width; x += 8) {
    const o = (<usize>x) << 1;
    v128.store(slot0 + o, oq);
    v128.store(slot1 + o, oq);
    v128.store(slotC + o, oq);
  }
  const pairs = width >> 1;
  const ySize = <usize>(width * height);
  for (let y = 0; y < height; y++) {
    let s0 = slotC;
    let s1 = slotC;
    let fy = 0;
    if (y >= roiY && y < roiY + roiH) {
      const j = (<usize>(y - roiY)) << 2;
      const k0 = load<i32>(ayI0 + j);
      const k1 = k0 + load<i32>(ayStep + j);
      fy = <i32>(load<f32>(ayF + j) * 32768.0 + 0.5);
      if (fy > 32767) fy = 32767;
      s0 = (k0 & 1) === 0 ? slot0 : slot1;
      s1 = (k1 & 1) === 0 ? slot0 : slot1;
      if ((k0 & 1) === 0 ? slotRow0 !== k0 : slotRow1 !== k0) {
        fillSlot(s0, mrow, mask, k0, maskW, maskU8, width, roiX, roiW, maskX, identity, axI0, axF, outsideQ);
        if ((k0 & 1) === 0) slotRow0 = k0;
        else slotRow1 = k0;
      }
      if ((k1 & 1) === 0 ? slotRow0 !== k1 : slotRow1 !== k1) {
        fillSlot(s1, mrow, mask, k1, maskW, maskU8, width, roiX, roiW, maskX, identity, axI0, axF, outsideQ);
        if ((k1 & 1) === 0) slotRow0 = k1;
        else slotRow1 = k1;
      }
    }
    if (layout <= 1) {
      const off = <usize>(y * width * 2);
      packedBlendRow(fg + off, bg + off, dst + off, s0, s1, fy, width, layout);
      continue;
    }
    const vfy = i16x8.splat(<i16>fy);
    for (let x = 0; x < width; x += 8) {
      const o = (<usize>x) << 1;
      const h0 = v128.load(s0 + o);
      v128.store(alphaA + o, i16x8.add(h0, i16x8.q15mulr_sat_s(i16x8.sub(v128.load(s1 + o), h0), vfy)));
    }
    const off = <usize>(y * width);
    blendBytes(fg + off, bg + off, dst + off, alphaA, width);
    if (layout === 2) {
      pairAlpha(chroma, alphaA, pairs);
      const c = ySize + <usize>(y * pairs);
      blendBytes(fg + c, bg + c, dst + c, chroma, pairs);
      const c2 = c + (ySize >> 1);
      blendBytes(fg + c2, bg + c2, dst + c2, chroma, pairs);
      continue;
    }
    if ((y & 1) === 0) {
      const t = alphaA;
      alphaA = alphaB;
      alphaB = t;
      continue;
    }
    // 4:2:0: chroma alpha is the mean over the 2x2 block (alphaB = the even row)
    pairAlpha(chroma, alphaA, pairs);
    pairAlpha(perByte, alphaB, pairs);
    for (let p = 0; p < pairs; p += 8) {
      const o = (<usize>p) << 1;
      v128.store(chroma + o, i16x8.avgr_u(v128.load(chroma + o), v128.load(perByte + o)));
    }
    const cy = <usize>(y >> 1);
    if (layout === 3) {
      const c = ySize + cy * <usize>pairs;
      blendBytes(fg + c, bg + c, dst + c, chroma, pairs);
      const c2 = c + (ySize >> 2);
      blendBytes(fg + c2, bg + c2, dst + c2, chroma, pairs);
    } else {
      for (let p = 0; p < pairs; p++) {
        const a = load<i16>(chroma + ((<usize>p) << 1));
        store<i16>(perByte + ((<usize>p) << 2), a);
        store<i16>(perByte + ((<usize>p) << 2), a, 2);
      }
      const c = ySize + cy * <usize>width;
      blendBytes(fg + c, bg + c, dst + c, perByte, width);
    }
  }
}

// One row of packed 4:2:2: alpha = lerp of two slots; luma with its own alpha, chroma with the
// pair's mean alpha.
function packedBlendRow(
  fg: usize,
  bg: usize,
  dst: usize,
  s0: usize,
  s1: usize,
  fy: i32,
  width: i32,
  uyvy: i32,
): void {
  const vfy = i16x8.splat(<i16>fy);
  const lowA = i16x8.splat(64);
  const highA = i16x8.splat(32767 - 64);
  let x = 0;
  for (; x + 8 <= width; x += 8) {
    const ao = (<usize>x) << 1;
    const h0 = v128.load(s0 + ao);
    const a = i16x8.add(h0, i16x8.q15mulr_sat_s(i16x8.sub(v128.load(s1 + ao), h0), vfy));
    const i = (<usize>x) << 1;
    // Flat regions (|fg − bg|·alpha < 0.5 everywhere): the result is bg (or fg) to within 0.5.
    if (i16x8.all_true(i16x8.lt_s(a, lowA))) {
      if (dst !== bg) v128.store(dst + i, v128.load(bg + i));
      continue;
    }
    if (i16x8.all_true(i16x8.gt_s(a, highA))) {
      if (dst !== fg) v128.store(dst + i, v128.load(fg + i));
      continue;
    }
    const e = i16x8.shuffle(a, a, 0, 2, 4, 6, 0, 2, 4, 6);
    const o = i16x8.shuffle(a, a, 1, 3, 5, 7, 1, 3, 5, 7);
    const c = i16x8.avgr_u(e, o);
    let alo: v128;
    let ahi: v128;
    if (uyvy) {
      alo = i16x8.shuffle(a, c, 8, 0, 8, 1, 9, 2, 9, 3);
      ahi = i16x8.shuffle(a, c, 10, 4, 10, 5, 11, 6, 11, 7);
    } else {
      alo = i16x8.shuffle(a, c, 0, 8, 1, 8, 2, 9, 3, 9);
      ahi = i16x8.shuffle(a, c, 4, 10, 5, 10, 6, 11, 7, 11);
    }
    const f = v128.load(fg + i);
    const b = v128.load(bg + i);
    const blo = i16x8.extend_low_i8x16_u(b);
    const bhi = i16x8.extend_high_i8x16_u(b);
    const lo = i16x8.add(blo, i16x8.q15mulr_sat_s(i16x8.sub(i16x8.extend_low_i8x16_u(f), blo), alo));
    const hi = i16x8.add(bhi, i16x8.q15mulr_sat_s(i16x8.sub(i16x8.extend_high_i8x16_u(f), bhi), ahi));
    v128.store(dst + i, i8x16.narrow_i16x8_u(lo, hi));
  }
  const yPos: usize = uyvy ? 1 : 0;
  const cPos: usize = 1 - yPos;
  for (; x < width; x += 2) {
    const ao = (<usize>x) << 1;
    const h0 = <i32>load<i16>(s0 + ao);
    const h1 = <i32>load<i16>(s0 + ao, 2);
    const a0 = h0 + mulr(<i32>load<i16>(s1 + ao) - h0, fy);
    const a1 = h1 + mulr(<i32>load<i16>(s1 + ao, 2) - h1, fy);
    const ac = (a0 + a1 + 1) >> 1;
    const i = (<usize>x) << 1;
    blend1(fg, bg, dst, i + yPos, a0);
    blend1(fg, bg, dst, i + yPos + 2, a1);
    blend1(fg, bg, dst, i + cPos, ac);
    blend1(fg, bg, dst, i + cPos + 2, ac);
  }
}

function blend1(fg: usize, bg: usize, dst: usize, i: usize, a: i32): void {
  const b = <i32>load<u8>(bg + i);
  store<u8>(dst + i, b + mulr(<i32>load<u8>(fg + i) - b, a));
}

// ---------------------------------------------------------------------------------------------------
// Model input tensors from packed frames (YUYV, UYVY, RGB24, BGR24, RGBA), bilinear.
//
// Tensor pixels are produced four at a time. For each, the 8 source bytes around its two horizontal
// taps are loaded from both source rows, blended vertically as Q7 (value·128) in i16, and a
// per-column swizzle (built in src/tensor.ts) arranges them as [a0 b0 a1 b1 a2 b2 0 0] (channel k of
// tap a and tap b); one i32x4.dot_i16x8_s with the Q14 weights [1−fx, fx] gives the three channels
// (Q21). The four pixels are transposed to channel vectors, converted (YUV → RGB for YUV sources),
// normalised and clamped with one multiply-add per coefficient (normalisation is folded into the
// colour matrix; clamping to the normalised image of 0..255 equals clamping before normalising), and
// stored. Column records are 32 bytes: swizzle (16), byte offset from the span start (i32), Q14
// weights (i32: 1−fx low, fx high). `cols` must be ≥ 4; the last group overlaps the previous one.

export function tensorPacked(
  src: usize,
  stride: i32,
  firstRow: i32,
  spanStart: i32,
  ayI0: usize,
  ayStep: usize,
  ayF: usize,
  rows: i32,
  cols: i32,
  columns: usize,
  yuv: i32,
  yGain: f32,
  yOff: f32,
  rV: f32,
  gU: f32,
  gV: f32,
  bU: f32,
  swap: i32,
  m0: f32,
  m1: f32,
  m2: f32,
  a0: f32,
  a1: f32,
  a2: f32,
  dst: usize,
  firstOut: i32,
  rowStep: i32,
  nchw: i32,
  plane: i32,
): void {
  const s: f32 = 1.0 / (128.0 * 16384.0);
  // Per tensor channel t: out_t = clamp(C0·kY_t + C1·kU_t + C2·kV_t + bias_t, lo_t, hi_t).
  let kY0: f32 = 0,
    kU0: f32 = 0,
    kV0: f32 = 0,
    b0: f32 = 0,
    lo0: f32 = 0,
    hi0: f32 = 0;
  let kY1: f32 = 0,
    kU1: f32 = 0,
    kV1: f32 = 0,
    b1: f32 = 0,
    lo1: f32 = 0,
    hi1: f32 = 0;
  let kY2: f32 = 0,
    kU2: f32 = 0,
    kV2: f32 = 0,
    b2: f32 = 0,
    lo2: f32 = 0,
    hi2: f32 = 0;
  for (let t = 0; t < 3; t++) {
    const m = t === 0 ? m0 : t === 1 ? m1 : m2;
    const a = t === 0 ? a0 : t === 1 ? a1 : a2;
    let ky: f32 = 0;
    let ku: f32 = 0;
    let kv: f32 = 0;
    let bias: f32 = a;
    if (yuv) {
      const c = swap ? 2 - t : t; // colour written to tensor channel t: 0 R, 1 G, 2 B
      const cu: f32 = c === 1 ? gU : c === 2 ? bU : 0;
      const cv: f32 = c === 0 ? rV : c === 1 ? gV : 0;
      ky = yGain * s * m;
      ku = cu * s * m;
      kv = cv * s * m;
      bias = (-yGain * yOff - <f32>128 * (cu + cv)) * m + a;
    } else if (t === 0) ky = s * m;
    else if (t === 1) ku = s * m;
    else kv = s * m;
    const e0 = a;
    const e1 = <f32>255 * m + a;
    const lo = min<f32>(e0, e1);
    const hi = max<f32>(e0, e1);
    if (t === 0) {
      kY0 = ky;
      kU0 = ku;
      kV0 = kv;
      b0 = bias;
      lo0 = lo;
      hi0 = hi;
    } else if (t === 1) {
      kY1 = ky;
      kU1 = ku;
      kV1 = kv;
      b1 = bias;
      lo1 = lo;
      hi1 = hi;
    } else {
      kY2 = ky;
      kU2 = ku;
      kV2 = kv;
      b2 = bias;
      lo2 = lo;
      hi2 = hi;
    }
  }
  const vkY0 = f32x4.splat(kY0);
  const vkU0 = f32x4.splat(kU0);
  const vkV0 = f32x4.splat(kV0);
  const vb0 = f32x4.splat(b0);
  const vlo0 = f32x4.splat(lo0);
  const vhi0 = f32x4.splat(hi0);
  const vkY1 = f32x4.splat(kY1);
  const vkU1 = f32x4.splat(kU1);
  const vkV1 = f32x4.splat(kV1);
  const vb1 = f32x4.splat(b1);
  const vlo1 = f32x4.splat(lo1);
  const vhi1 = f32x4.splat(hi1);
  const vkY2 = f32x4.splat(kY2);
  const vkU2 = f32x4.splat(kU2);
  const vkV2 = f32x4.splat(kV2);
  const vb2 = f32x4.splat(b2);
  const vlo2 = f32x4.splat(lo2);
  const vhi2 = f32x4.splat(hi2);
  const cs = (<usize>plane) << 2;
  const last = columns + ((<usize>(cols - 4)) << 5);
  for (let j = 0; j < rows; j++) {
    const y0 = load<i32>(ayI0 + ((<usize>j) << 2));
    const y1 = y0 + load<i32>(ayStep + ((<usize>j) << 2));
    let fy = <i32>(load<f32>(ayF + ((<usize>j) << 2)) * 32768.0 + 0.5);
    if (fy > 32767) fy = 32767;
    const r0 = src + <usize>((y0 - firstRow) * stride + spanStart);
    const r1 = src + <usize>((y1 - firstRow) * stride + spanStart);
    const vfy = i16x8.splat(<i16>fy);
    const rowOut = dst + ((<usize>(firstOut + j * rowStep)) << 2);
    let col = columns;
    for (;;) {
      if (col > last) col = last; // the final group overlaps: same values rewritten
      const p0 = pixelTaps(r0, r1, col, vfy);
      const p1 = pixelTaps(r0, r1, col + 32, vfy);
      const p2 = pixelTaps(r0, r1, col + 64, vfy);
      const p3 = pixelTaps(r0, r1, col + 96, vfy);
      const t0 = f32x4.shuffle(p0, p1, 0, 4, 1, 5);
      const t1 = f32x4.shuffle(p2, p3, 0, 4, 1, 5);
      const t2 = f32x4.shuffle(p0, p1, 2, 6, 3, 7);
      const t3 = f32x4.shuffle(p2, p3, 2, 6, 3, 7);
      const c0 = f32x4.shuffle(t0, t1, 0, 1, 4, 5);
      const c1 = f32x4.shuffle(t0, t1, 2, 3, 6, 7);
      const c2 = f32x4.shuffle(t2, t3, 0, 1, 4, 5);
      const o0 = f32x4.pmin(
        f32x4.pmax(
          f32x4.add(f32x4.add(f32x4.mul(c0, vkY0), f32x4.mul(c1, vkU0)), f32x4.add(f32x4.mul(c2, vkV0), vb0)),
          vlo0,
        ),
        vhi0,
      );
      const o1 = f32x4.pmin(
        f32x4.pmax(
          f32x4.add(f32x4.add(f32x4.mul(c0, vkY1), f32x4.mul(c1, vkU1)), f32x4.add(f32x4.mul(c2, vkV1), vb1)),
          vlo1,
        ),
        vhi1,
      );
      const o2 = f32x4.pmin(
        f32x4.pmax(
          f32x4.add(f32x4.add(f32x4.mul(c0, vkY2), f32x4.mul(c1, vkU2)), f32x4.add(f32x4.mul(c2, vkV2), vb2)),
          vlo2,
        ),
        vhi2,
      );
      const i = (col - columns) >> 5; // first of the four tensor columns
      if (nchw) {
        const o = rowOut + (i << 2);
        v128.store(o, o0);
        v128.store(o + cs, o1);
        v128.store(o + 2 * cs, o2);
      } else {
        const o = rowOut + i * 12;
        v128.store(o, f32x4.shuffle(f32x4.shuffle(o0, o1, 0, 4, 1, 5), o2, 0, 1, 4, 2));
        v128.store(o, f32x4.shuffle(f32x4.shuffle(o1, o2, 1, 5, 2, 6), o0, 0, 1, 6, 2), 16);
        v128.store(o, f32x4.shuffle(o2, f32x4.shuffle(o0, o1, 3, 7, 3, 7), 2, 4, 5, 3), 32);
      }
      if (col === last) break;
      col += 128;
    }
  }
}

// The three channels of one tensor pixel as f32 (Q21 units), from its column record at `col`.
function pixelTaps(r0: usize, r1: usize, col: usize, vfy: v128): v128 {
  const o = <usize>load<i32>(col, 16);
  const a = i16x8.extend_low_i8x16_u(v128.load64_zero(r0 + o));
  const b = i16x8.extend_low_i8x16_u(v128.load64_zero(r1 + o));
  const v = i16x8.add(i16x8.shl(a, 7), i16x8.q15mulr_sat_s(i16x8.shl(i16x8.sub(b, a), 7), vfy));
  const taps = i8x16.swizzle(v, v128.load(col));
  return f32x4.convert_i32x4_s(i32x4.dot_i16x8_s(taps, v128.load32_splat(col, 20)));
}

// ---------------------------------------------------------------------------------------------------
// Mask resize (f32 math, float or uint8 in and out), placed into a ROI of the destination.

function rowF32(mrow: usize, src: usize, k: i32, srcW: i32, srcU8: i32): void {
  const row = <usize>(k * srcW);
  if (srcU8) {
    const s: f32 = 1.0 / 255.0;
    for (let i = 0; i < srcW; i++) store<f32>(mrow + ((<usize>i) << 2), <f32>load<u8>(src + row + i) * s);
  } else {
    memory.copy(mrow, src + (row << 2), (<usize>srcW) << 2);
  }
  store<f32>(mrow + ((<usize>srcW) << 2), load<f32>(mrow + ((<usize>(srcW - 1)) << 2)));
}

// Horizontal bilinear of source row k into `out` (roiW floats, + up to 3 written past).
function hrowF32(
  out: usize,
  mrow: usize,
  src: usize,
  k: i32,
  srcW: i32,
  srcU8: i32,
  roiW: i32,
  axI0: usize,
  axF: usize,
): void {
  rowF32(mrow, src, k, srcW, srcU8);
  for (let i = 0; i < roiW; i += 4) {
    const t = axI0 + ((<usize>i) << 2);
    let p = v128.load64_zero(mrow + ((<usize>load<i32>(t)) << 2));
    p = v128.load64_lane(mrow + ((<usize>load<i32>(t, 4)) << 2), p, 1);
    let q = v128.load64_zero(mrow + ((<usize>load<i32>(t, 8)) << 2));
    q = v128.load64_lane(mrow + ((<usize>load<i32>(t, 12)) << 2), q, 1);
    const m0 = f32x4.shuffle(p, q, 0, 2, 4, 6);
    const m1 = f32x4.shuffle(p, q, 1, 3, 5, 7);
    v128.store(
      out + ((<usize>i) << 2),
      f32x4.add(m0, f32x4.mul(f32x4.sub(m1, m0), v128.load(axF + ((<usize>i) << 2)))),
    );
  }
}

export function resizeMask(
  src: usize,
  srcW: i32,
  srcU8: i32,
  dst: usize,
  dstW: i32,
  dstH: i32,
  dstU8: i32,
  roiX: i32,
  roiY: i32,
  roiW: i32,
  roiH: i32,
  axI0: usize,
  axF: usize,
  ayI0: usize,
  ayStep: usize,
  ayF: usize,
  fill: f32,
  keep: i32,
  work: usize,
): void {
  const slotBytes = <usize>(((roiW + 8) & ~3) << 2);
  const h0 = work;
  const h1 = h0 + slotBytes;
  const mrow = h1 + slotBytes;
  let k0Have = -1;
  let k1Have = -1;
  const shift: usize = dstU8 ? 0 : 2;
  const fillU8 = <u8>(<i32>(fill + 0.5));
  for (let y = 0; y < dstH; y++) {
    const row = dst + ((<usize>(y * dstW)) << shift);
    if (!keep) {
      const inside = y >= roiY && y < roiY + roiH;
      const a = inside ? roiX : dstW;
      const b = inside ? roiX + roiW : dstW;
      if (dstU8) {
        memory.fill(row, fillU8, <usize>a);
        memory.fill(row + b, fillU8, <usize>(dstW - b));
      } else {
        for (let x = 0; x < a; x++) store<f32>(row + ((<usize>x) << 2), fill);
        for (let x = b; x < dstW; x++) store<f32>(row + ((<usize>x) << 2), fill);
      }
    }
    if (y < roiY || y >= roiY + roiH) continue;
    const j = (<usize>(y - roiY)) << 2;
    const k0 = load<i32>(ayI0 + j);
    const k1 = k0 + load<i32>(ayStep + j);
    // rows arrive in order: reuse the previous pair when possible (slots h0 = k0, h1 = k1)
    if (k0 !== k0Have) {
      if (k0 === k1Have) memory.copy(h0, h1, slotBytes);
      else hrowF32(h0, mrow, src, k0, srcW, srcU8, roiW, axI0, axF);
      k0Have = k0;
    }
    if (k1 !== k1Have) {
      if (k1 === k0) memory.copy(h1, h0, slotBytes);
      else hrowF32(h1, mrow, src, k1, srcW, srcU8, roiW, axI0, axF);
      k1Have = k1;
    }
    const fy = f32x4.splat(load<f32>(ayF + j));
    const out = row + ((<usize>roiX) << shift);
    let i = 0;
    if (dstU8) {
      const s = f32x4.splat(255.0);
      const half = f32x4.splat(0.5);
      for (; i + 8 <= roiW; i += 8) {
        const o = (<usize>i) << 2;
        const a0 = v128.load(h0 + o);
        const a1 = v128.load(h0 + o, 16);
        const lo = f32x4.add(a0, f32x4.mul(f32x4.sub(v128.load(h1 + o), a0), fy));
        const hi = f32x4.add(a1, f32x4.mul(f32x4.sub(v128.load(h1 + o, 16), a1), fy));
        const ilo = i32x4.trunc_sat_f32x4_s(f32x4.add(f32x4.mul(lo, s), half));
        const ihi = i32x4.trunc_sat_f32x4_s(f32x4.add(f32x4.mul(hi, s), half));
        const w = i16x8.narrow_i32x4_s(ilo, ihi);
        v128.store64_lane(out + i, i8x16.narrow_i16x8_u(w, w), 0);
      }
      for (; i < roiW; i++) {
        const a = load<f32>(h0 + ((<usize>i) << 2));
        const v = a + (load<f32>(h1 + ((<usize>i) << 2)) - a) * f32x4.extract_lane(fy, 0);
        store<u8>(out + i, <u8>max<i32>(0, min<i32>(255, <i32>(v * 255.0 + 0.5))));
      }
    } else {
      for (; i + 4 <= roiW; i += 4) {
        const o = (<usize>i) << 2;
        const a = v128.load(h0 + o);
        v128.store(out + o, f32x4.add(a, f32x4.mul(f32x4.sub(v128.load(h1 + o), a), fy)));
      }
      for (; i < roiW; i++) {
        const a = load<f32>(h0 + ((<usize>i) << 2));
        store<f32>(
          out + ((<usize>i) << 2),
          a + (load<f32>(h1 + ((<usize>i) << 2)) - a) * f32x4.extract_lane(fy, 0),
        );
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Horizontal mirror of packed 4:2:2 rows (YUYV, UYVY), in place or not: 4-byte pairs are reversed
// and the two lumas of each pair swapped.

export function mirrorPacked(src: usize, dst: usize, width: i32, height: i32, uyvy: i32): void {
  const rowBytes = width << 1;
  const a: usize = uyvy ? 1 : 0; // first luma byte of a pair
  for (let y = 0; y < height; y++) {
    const s = src + <usize>(y * rowBytes);
    const d = dst + <usize>(y * rowBytes);
    let l = 0;
    let r = rowBytes - 16;
    for (; l + 16 <= r; l += 16, r -= 16) {
      const vl = v128.load(s + l);
      const vr = v128.load(s + r);
      if (uyvy) {
        v128.store(d + l, i8x16.shuffle(vr, vr, 12, 15, 14, 13, 8, 11, 10, 9, 4, 7, 6, 5, 0, 3, 2, 1));
        v128.store(d + r, i8x16.shuffle(vl, vl, 12, 15, 14, 13, 8, 11, 10, 9, 4, 7, 6, 5, 0, 3, 2, 1));
      } else {
        v128.store(d + l, i8x16.shuffle(vr, vr, 14, 13, 12, 15, 10, 9, 8, 11, 6, 5, 4, 7, 2, 1, 0, 3));
        v128.store(d + r, i8x16.shuffle(vl, vl, 14, 13, 12, 15, 10, 9, 8, 11, 6, 5, 4, 7, 2, 1, 0, 3));
      }
    }
    // middle pairs [l, r + 16), swapped pairwise from both ends (in-place safe)
    let pl: i32 = l;
    let pr: i32 = r + 12;
    while (pl <= pr) {
      const wl = load<u32>(s + <usize>pl);
      const wr = load<u32>(s + <usize>pr);
      store<u32>(d + <usize>pl, swapLuma(wr, a));
      store<u32>(d + <usize>pr, swapLuma(wl, a));
      pl += 4;
      pr -= 4;
    }
  }
}

function swapLuma(w: u32, a: usize): u32 {
  // bytes a and a + 2 hold the two lumas
  const sh = <u32>(a << 3);
  const m: u32 = 0xff << sh;
  const y0 = (w >> sh) & 0xff;
  const y1 = (w >> (sh + 16)) & 0xff;
  return (w & ~(m | (m << 16))) | (y1 << sh) | (y0 << (sh + 16));
}

// ---------------------------------------------------------------------------------------------------
// RGB24 / BGR24 / RGBA → packed 4:2:2 (YUYV, UYVY). Luma per pixel, chroma from the pair's mean.
// Coefficients are Q15 (real × 32768, all |c| < 1). Y·128 = Σ mulr(c << 7, k) + yOff·128, chroma·128 =
// Σ mulr((c0 + c1) << 6, k) + 128·128; then (x + 64) >> 7, saturated.

export function rgbToPacked(
  src: usize,
  dst: usize,
  pairs: i32,
  bpp: i32,
  bgr: i32,
  uyvy: i32,
  yOff: i32,
  yR: i32,
  yG: i32,
  yB: i32,
  uR: i32,
  uG: i32,
  uB: i32,
  vR: i32,
  vG: i32,
  vB: i32,
): void {
  const kYR = i16x8.splat(<i16>yR);
  const kYG = i16x8.splat(<i16>yG);
  const kYB = i16x8.splat(<i16>yB);
  const kUR = i16x8.splat(<i16>uR);
  const kUG = i16x8.splat(<i16>uG);
  const kUB = i16x8.splat(<i16>uB);
  const kVR = i16x8.splat(<i16>vR);
  const kVG = i16x8.splat(<i16>vG);
  const kVB = i16x8.splat(<i16>vB);
  const yBias = i16x8.splat(<i16>(yOff * 128 + 64));
  const cBias = i16x8.splat(<i16>(128 * 128 + 64));
  const blocks = pairs >> 3;
  let s = src;
  let d = dst;
  for (let i = 0; i < blocks; i++) {
    let r: v128;
    let g: v128;
    let b: v128;
    if (bpp === 3) {
      const v0 = v128.load(s);
      const v1 = v128.load(s, 16);
      const v2 = v128.load(s, 32);
      r = i8x16.shuffle(
        i8x16.shuffle(v0, v1, 0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 0, 0, 0, 0, 0),
        v2,
        0,
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        8,
        9,
        10,
        17,
        20,
        23,
        26,
        29,
      );
      g = i8x16.shuffle(
        i8x16.shuffle(v0, v1, 1, 4, 7, 10, 13, 16, 19, 22, 25, 28, 31, 0, 0, 0, 0, 0),
        v2,
        0,
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        8,
        9,
        10,
        18,
        21,
        24,
        27,
        30,
      );
      b = i8x16.shuffle(
        i8x16.shuffle(v0, v1, 2, 5, 8, 11, 14, 17, 20, 23, 26, 29, 0, 0, 0, 0, 0, 0),
        v2,
        0,
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        8,
        9,
        16,
        19,
        22,
        25,
        28,
        31,
      );
      s += 48;
    } else {
      const v0 = v128.load(s);
      const v1 = v128.load(s, 16);
      const v2 = v128.load(s, 32);
      const v3 = v128.load(s, 48);
      r = i8x16.shuffle(
        i8x16.shuffle(v0, v1, 0, 4, 8, 12, 16, 20, 24, 28, 0, 0, 0, 0, 0, 0, 0, 0),
        i8x16.shuffle(v2, v3, 0, 4, 8, 12, 16, 20, 24, 28, 0, 0, 0, 0, 0, 0, 0, 0),
        0,
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        16,
        17,
        18,
        19,
        20,
        21,
        22,
        23,
      );
      g = i8x16.shuffle(
        i8x16.shuffle(v0, v1, 1, 5, 9, 13, 17, 21, 25, 29, 0, 0, 0, 0, 0, 0, 0, 0),
        i8x16.shuffle(v2, v3, 1, 5, 9, 13, 17, 21, 25, 29, 0, 0, 0, 0, 0, 0, 0, 0),
        0,
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        16,
        17,
        18,
        19,
        20,
        21,
        22,
        23,
      );
      b = i8x16.shuffle(
        i8x16.shuffle(v0, v1, 2, 6, 10, 14, 18, 22, 26, 30, 0, 0, 0, 0, 0, 0, 0, 0),
        i8x16.shuffle(v2, v3, 2, 6, 10, 14, 18, 22, 26, 30, 0, 0, 0, 0, 0, 0, 0, 0),
        0,
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        16,
        17,
        18,
        19,
        20,
        21,
        22,
        23,
      );
      s += 64;
    }
    if (bgr) {
      const t = r;
      r = b;
      b = t;
    }
    const rl = i16x8.shl(i16x8.extend_low_i8x16_u(r), 7);
    const gl = i16x8.shl(i16x8.extend_low_i8x16_u(g), 7);
    const bl = i16x8.shl(i16x8.extend_low_i8x16_u(b), 7);
    const rh = i16x8.shl(i16x8.extend_high_i8x16_u(r), 7);
    const gh = i16x8.shl(i16x8.extend_high_i8x16_u(g), 7);
    const bh = i16x8.shl(i16x8.extend_high_i8x16_u(b), 7);
    const ylo = i16x8.shr_s(
      i16x8.add(
        i16x8.add(i16x8.q15mulr_sat_s(rl, kYR), i16x8.q15mulr_sat_s(gl, kYG)),
        i16x8.add(i16x8.q15mulr_sat_s(bl, kYB), yBias),
      ),
      7,
    );
    const yhi = i16x8.shr_s(
      i16x8.add(
        i16x8.add(i16x8.q15mulr_sat_s(rh, kYR), i16x8.q15mulr_sat_s(gh, kYG)),
        i16x8.add(i16x8.q15mulr_sat_s(bh, kYB), yBias),
      ),
      7,
    );
    const rs = i16x8.shl(i16x8.extadd_pairwise_i8x16_u(r), 6);
    const gs = i16x8.shl(i16x8.extadd_pairwise_i8x16_u(g), 6);
    const bs = i16x8.shl(i16x8.extadd_pairwise_i8x16_u(b), 6);
    const u = i16x8.shr_s(
      i16x8.add(
        i16x8.add(i16x8.q15mulr_sat_s(rs, kUR), i16x8.q15mulr_sat_s(gs, kUG)),
        i16x8.add(i16x8.q15mulr_sat_s(bs, kUB), cBias),
      ),
      7,
    );
    const v = i16x8.shr_s(
      i16x8.add(
        i16x8.add(i16x8.q15mulr_sat_s(rs, kVR), i16x8.q15mulr_sat_s(gs, kVG)),
        i16x8.add(i16x8.q15mulr_sat_s(bs, kVB), cBias),
      ),
      7,
    );
    const yb = i8x16.narrow_i16x8_u(ylo, yhi);
    const uv = i8x16.narrow_i16x8_u(u, v);
    if (uyvy) {
      v128.store(d, i8x16.shuffle(yb, uv, 16, 0, 24, 1, 17, 2, 25, 3, 18, 4, 26, 5, 19, 6, 27, 7));
      v128.store(d, i8x16.shuffle(yb, uv, 20, 8, 28, 9, 21, 10, 29, 11, 22, 12, 30, 13, 23, 14, 31, 15), 16);
    } else {
      v128.store(d, i8x16.shuffle(yb, uv, 0, 16, 1, 24, 2, 17, 3, 25, 4, 18, 5, 26, 6, 19, 7, 27));
      v128.store(d, i8x16.shuffle(yb, uv, 8, 20, 9, 28, 10, 21, 11, 29, 12, 22, 13, 30, 14, 23, 15, 31), 16);
    }
    d += 32;
  }
  const rPos: usize = bgr ? 2 : 0;
  const bPos: usize = 2 - rPos;
  const yPos: usize = uyvy ? 1 : 0;
  const uPos: usize = 1 - yPos;
  for (let p = blocks << 3; p < pairs; p++) {
    const q = src + <usize>(p * 2 * bpp);
    const r0 = <i32>load<u8>(q + rPos);
    const g0 = <i32>load<u8>(q + 1);
    const b0 = <i32>load<u8>(q + bPos);
    const r1 = <i32>load<u8>(q + <usize>bpp + rPos);
    const g1 = <i32>load<u8>(q + <usize>bpp + 1);
    const b1 = <i32>load<u8>(q + <usize>bpp + bPos);
    const o = dst + <usize>(p << 2);
    store<u8>(
      o + yPos,
      clamp255((mulr(r0 << 7, yR) + mulr(g0 << 7, yG) + mulr(b0 << 7, yB) + yOff * 128 + 64) >> 7),
    );
    store<u8>(
      o + yPos + 2,
      clamp255((mulr(r1 << 7, yR) + mulr(g1 << 7, yG) + mulr(b1 << 7, yB) + yOff * 128 + 64) >> 7),
    );
    const rs = (r0 + r1) << 6;
    const gs = (g0 + g1) << 6;
    const bs = (b0 + b1) << 6;
    store<u8>(o + uPos, clamp255((mulr(rs, uR) + mulr(gs, uG) + mulr(bs, uB) + 128 * 128 + 64) >> 7));
    store<u8>(o + uPos + 2, clamp255((mulr(rs, vR) + mulr(gs, vG) + mulr(bs, vB) + 128 * 128 + 64) >> 7));
  }
}

// ---------------------------------------------------------------------------------------------------
// Packed 4:2:2 ↔ planar (I422, I420, NV12) repacking. 4:2:2 → 4:2:0 averages the two rows' chroma
// (rounding half up, i8x16.avgr_u); 4:2:0 → 4:2:2 repeats it.

export function packedToPlanar(
  src: usize,
  dst: usize,
  width: i32,
  height: i32,
  uyvy: i32,
  uBase: usize,
  vBase: usize,
  cStride: i32,
  chromaShift: i32,
  nv12: i32,
): void {
  const rowBytes = width << 1;
  const yPos: usize = uyvy ? 1 : 0;
  const uPos: usize = 1 - yPos;
  for (let row = 0; row < height; row++) {
    const s = src + <usize>(row * rowBytes);
    const yRow = dst + <usize>(row * width);
    const writeChroma = chromaShift === 0 || (row & 1) === 0;
    const below = chromaShift === 1 ? <usize>rowBytes : 0; // 4:2:0: blend with the next row
    const cRow = <usize>((row >> chromaShift) * cStride);
    const uRow = uBase + cRow;
    const vRow = vBase + cRow;
    let x = 0;
    for (; x + 16 <= width; x += 16) {
      const o = <usize>(x << 1);
      const a = v128.load(s + o);
      const b = v128.load(s + o, 16);
      let y: v128;
      let uv: v128;
      if (uyvy) {
        y = i8x16.shuffle(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
        uv = i8x16.shuffle(a, b, 0, 4, 8, 12, 16, 20, 24, 28, 2, 6, 10, 14, 18, 22, 26, 30);
      } else {
        y = i8x16.shuffle(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        uv = i8x16.shuffle(a, b, 1, 5, 9, 13, 17, 21, 25, 29, 3, 7, 11, 15, 19, 23, 27, 31);
      }
      v128.store(yRow + x, y);
      if (!writeChroma) continue;
      if (below) {
        const c = v128.load(s + o + below);
        const d = v128.load(s + o + below, 16);
        let uv2: v128;
        if (uyvy) uv2 = i8x16.shuffle(c, d, 0, 4, 8, 12, 16, 20, 24, 28, 2, 6, 10, 14, 18, 22, 26, 30);
        else uv2 = i8x16.shuffle(c, d, 1, 5, 9, 13, 17, 21, 25, 29, 3, 7, 11, 15, 19, 23, 27, 31);
        uv = i8x16.avgr_u(uv, uv2);
      }
      const p = <usize>(x >> 1);
      if (nv12) {
        v128.store(
          uRow + (p << 1),
          i8x16.shuffle(uv, uv, 0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15),
        );
      } else {
        v128.store64_lane(uRow + p, uv, 0);
        v128.store64_lane(vRow + p, uv, 1);
      }
    }
    for (; x < width; x += 2) {
      const o = <usize>(x << 1);
      store<u8>(yRow + x, load<u8>(s + o + yPos));
      store<u8>(yRow + x + 1, load<u8>(s + o + yPos + 2));
      if (!writeChroma) continue;
      let u = <i32>load<u8>(s + o + uPos);
      let v = <i32>load<u8>(s + o + uPos + 2);
      if (below) {
        u = (u + <i32>load<u8>(s + o + below + uPos) + 1) >> 1;
        v = (v + <i32>load<u8>(s + o + below + uPos + 2) + 1) >> 1;
      }
      const p = <usize>(x >> 1);
      if (nv12) {
        store<u8>(uRow + (p << 1), <u8>u);
        store<u8>(uRow + (p << 1) + 1, <u8>v);
      } else {
        store<u8>(uRow + p, <u8>u);
        store<u8>(vRow + p, <u8>v);
      }
    }
  }
}

export function planarToPacked(
  src: usize,
  dst: usize,
  width: i32,
  height: i32,
  uyvy: i32,
  uBase: usize,
  vBase: usize,
  cStride: i32,
  chromaShift: i32,
  nv12: i32,
  limited: i32,
): void {
  const rowBytes = width << 1;
  const yPos: usize = uyvy ? 1 : 0;
  const uPos: usize = 1 - yPos;
  // Full → limited range in the same pass (JPEG's YUV to the pipeline's), as rangeToLimited maps it.
  const lm = i16x8.splat(220);
  const lk = i16x8.splat(4224);
  const cm = i16x8.splat(225);
  const ck = i16x8.splat(4096);
  for (let row = 0; row < height; row++) {
    const yRow = src + <usize>(row * width);
    const d = dst + <usize>(row * rowBytes);
    const cRow = <usize>((row >> chromaShift) * cStride);
    const uRow = uBase + cRow;
    const vRow = vBase + cRow;
    let x = 0;
    for (; x + 16 <= width; x += 16) {
      let y = v128.load(yRow + x);
      let uv: v128;
      if (nv12) {
        const t = v128.load(uRow + x);
        uv = i8x16.shuffle(t, t, 0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
      } else {
        uv = v128.load64_lane(vRow + (x >> 1), v128.load64_zero(uRow + (x >> 1)), 1);
      }
      if (limited) {
        y = toLimited(y, lm, lk);
        uv = toLimited(uv, cm, ck);
      }
      const o = d + <usize>(x << 1);
      if (uyvy) {
        v128.store(o, i8x16.shuffle(y, uv, 16, 0, 24, 1, 17, 2, 25, 3, 18, 4, 26, 5, 19, 6, 27, 7));
        v128.store(o, i8x16.shuffle(y, uv, 20, 8, 28, 9, 21, 10, 29, 11, 22, 12, 30, 13, 23, 14, 31, 15), 16);
      } else {
        v128.store(o, i8x16.shuffle(y, uv, 0, 16, 1, 24, 2, 17, 3, 25, 4, 18, 5, 26, 6, 19, 7, 27));
        v128.store(o, i8x16.shuffle(y, uv, 8, 20, 9, 28, 10, 21, 11, 29, 12, 22, 13, 30, 14, 23, 15, 31), 16);
      }
    }
    for (; x < width; x += 2) {
      const p = <usize>(x >> 1);
      const o = d + <usize>(x << 1);
      const y0: i32 = load<u8>(yRow + x);
      const y1: i32 = load<u8>(yRow + x + 1);
      const u: i32 = nv12 ? load<u8>(uRow + (p << 1)) : load<u8>(uRow + p);
      const v: i32 = nv12 ? load<u8>(uRow + (p << 1) + 1) : load<u8>(vRow + p);
      store<u8>(o + yPos, limited ? (y0 * 220 + 4224) >> 8 : y0);
      store<u8>(o + yPos + 2, limited ? (y1 * 220 + 4224) >> 8 : y1);
      store<u8>(o + uPos, limited ? (u * 225 + 4096) >> 8 : u);
      store<u8>(o + uPos + 2, limited ? (v * 225 + 4096) >> 8 : v);
    }
  }
}

// (v·m + k) >> 8 on each of 16 bytes: rangeToLimited's mapping with one coefficient pair.
function toLimited(v: v128, m: v128, k: v128): v128 {
  const lo = i16x8.shr_u(i16x8.add(i16x8.mul(i16x8.extend_low_i8x16_u(v), m), k), 8);
  const hi = i16x8.shr_u(i16x8.add(i16x8.mul(i16x8.extend_high_i8x16_u(v), m), k), 8);
  return i8x16.narrow_i16x8_u(lo, hi);
}

// ---------------------------------------------------------------------------------------------------
// Model input tensors with the area (box) filter, from packed frames. Separable: each source row the
// tensor needs is filtered horizontally once (f32, 3 channels per tensor column), then accumulated
// into the tensor row with its vertical weight. `coef` holds 18 f32: per tensor channel t,
// [kY, kU, kV, bias, lo, hi] (out_t = clamp(C0·kY + C1·kU + C2·kV + bias, lo, hi), C in 0..255 units).
// Channel k of pixel x is at byte `x·bpp + off_k` (RGB), or for packed 4:2:2 (bpp = 0) Y at
// `2x + off_0`, U at `4(x >> 1) + off_1`, V at `4(x >> 1) + off_2`.

export function tensorArea(
  src: usize,
  stride: i32,
  firstRow: i32,
  bpp: i32,
  off0: i32,
  off1: i32,
  off2: i32,
  cols: i32,
  rows: i32,
  axStart: usize,
  axCount: usize,
  axOff: usize,
  axW: usize,
  ayStart: usize,
  ayCount: usize,
  ayOff: usize,
  ayW: usize,
  coef: usize,
  dst: usize,
  firstOut: i32,
  rowStep: i32,
  pixStep: i32,
  chanStep: i32,
  hrow: usize,
  acc: usize,
): void {
  let cached = -1;
  const n = cols * 3;
  for (let j = 0; j < rows; j++) {
    const jj = (<usize>j) << 2;
    for (let i = 0; i < n; i += 4) v128.store(acc + ((<usize>i) << 2), f32x4.splat(0));
    const y0 = load<i32>(ayStart + jj);
    const count = load<i32>(ayCount + jj);
    const wOff = load<i32>(ayOff + jj);
    for (let t = 0; t < count; t++) {
      const y = y0 + t;
      if (y !== cached) {
        areaRow(
          hrow,
          src + <usize>((y - firstRow) * stride),
          bpp,
          off0,
          off1,
          off2,
          cols,
          axStart,
          axCount,
          axOff,
          axW,
        );
        cached = y;
      }
      const wy = f32x4.splat(load<f32>(ayW + ((<usize>(wOff + t)) << 2)));
      for (let i = 0; i < n; i += 4) {
        const o = (<usize>i) << 2;
        v128.store(acc + o, f32x4.add(v128.load(acc + o), f32x4.mul(v128.load(hrow + o), wy)));
      }
    }
    let out = dst + ((<usize>(firstOut + j * rowStep)) << 2);
    const cs = (<usize>chanStep) << 2;
    const ps = (<usize>pixStep) << 2;
    for (let c = 0; c < cols; c++) {
      const a = acc + <usize>(c * 12);
      const c0 = load<f32>(a);
      const c1 = load<f32>(a, 4);
      const c2 = load<f32>(a, 8);
      for (let t = 0; t < 3; t++) {
        const k = coef + <usize>(t * 24);
        let v = c0 * load<f32>(k) + c1 * load<f32>(k, 4) + c2 * load<f32>(k, 8) + load<f32>(k, 12);
        v = max<f32>(load<f32>(k, 16), min<f32>(load<f32>(k, 20), v));
        store<f32>(out + <usize>t * cs, v);
      }
      out += ps;
    }
  }
}

function areaRow(
  hrow: usize,
  row: usize,
  bpp: i32,
  off0: i32,
  off1: i32,
  off2: i32,
  cols: i32,
  axStart: usize,
  axCount: usize,
  axOff: usize,
  axW: usize,
): void {
  for (let c = 0; c < cols; c++) {
    const cc = (<usize>c) << 2;
    const x0 = load<i32>(axStart + cc);
    const count = load<i32>(axCount + cc);
    const w0 = axW + ((<usize>load<i32>(axOff + cc)) << 2);
    let s0: f32 = 0;
    let s1: f32 = 0;
    let s2: f32 = 0;
    for (let t = 0; t < count; t++) {
      const x = x0 + t;
      const w = load<f32>(w0 + ((<usize>t) << 2));
      let p0: usize;
      let p1: usize;
      let p2: usize;
      if (bpp === 0) {
        p0 = row + <usize>(2 * x + off0);
        p1 = row + <usize>(4 * (x >> 1) + off1);
        p2 = row + <usize>(4 * (x >> 1) + off2);
      } else {
        const b = row + <usize>(x * bpp);
        p0 = b + <usize>off0;
        p1 = b + <usize>off1;
        p2 = b + <usize>off2;
      }
      s0 += w * <f32>load<u8>(p0);
      s1 += w * <f32>load<u8>(p1);
      s2 += w * <f32>load<u8>(p2);
    }
    const o = hrow + <usize>(c * 12);
    store<f32>(o, s0);
    store<f32>(o, s1, 4);
    store<f32>(o, s2, 8);
  }
}

// ---------------------------------------------------------------------------------------------------
// RGB24 / BGR24 / RGBA → planar (I422, I420, NV12). Same arithmetic as rgbToPacked; 4:2:0 chroma comes
// from the 2×2 block: Σ of four pixels << 5 (≤ 32640), so chroma·128 = Σ mulr(sum << 5, k) + 128·128.

// Channel c (0 R, 1 G, 2 B in memory order) of 16 pixels at s.
function rgbChannel(s: usize, bpp: i32, c: i32): v128 {
  if (bpp === 4) {
    const v0 = v128.load(s);
    const v1 = v128.load(s, 16);
    const v2 = v128.load(s, 32);
    const v3 = v128.load(s, 48);
    let lo: v128;
    let hi: v128;
    if (c === 0) {
      lo = i8x16.shuffle(v0, v1, 0, 4, 8, 12, 16, 20, 24, 28, 0, 0, 0, 0, 0, 0, 0, 0);
      hi = i8x16.shuffle(v2, v3, 0, 4, 8, 12, 16, 20, 24, 28, 0, 0, 0, 0, 0, 0, 0, 0);
    } else if (c === 1) {
      lo = i8x16.shuffle(v0, v1, 1, 5, 9, 13, 17, 21, 25, 29, 0, 0, 0, 0, 0, 0, 0, 0);
      hi = i8x16.shuffle(v2, v3, 1, 5, 9, 13, 17, 21, 25, 29, 0, 0, 0, 0, 0, 0, 0, 0);
    } else {
      lo = i8x16.shuffle(v0, v1, 2, 6, 10, 14, 18, 22, 26, 30, 0, 0, 0, 0, 0, 0, 0, 0);
      hi = i8x16.shuffle(v2, v3, 2, 6, 10, 14, 18, 22, 26, 30, 0, 0, 0, 0, 0, 0, 0, 0);
    }
    return i8x16.shuffle(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
  }
  const v0 = v128.load(s);
  const v1 = v128.load(s, 16);
  const v2 = v128.load(s, 32);
  if (c === 0) {
    const t = i8x16.shuffle(v0, v1, 0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 0, 0, 0, 0, 0);
    return i8x16.shuffle(t, v2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 17, 20, 23, 26, 29);
  }
  if (c === 1) {
    const t = i8x16.shuffle(v0, v1, 1, 4, 7, 10, 13, 16, 19, 22, 25, 28, 31, 0, 0, 0, 0, 0);
    return i8x16.shuffle(t, v2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 18, 21, 24, 27, 30);
  }
  const t = i8x16.shuffle(v0, v1, 2, 5, 8, 11, 14, 17, 20, 23, 26, 29, 0, 0, 0, 0, 0, 0);
  return i8x16.shuffle(t, v2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 19, 22, 25, 28, 31);
}

function lumaHalf(r: v128, g: v128, b: v128, kR: v128, kG: v128, kB: v128, bias: v128): v128 {
  return i16x8.shr_s(
    i16x8.add(
      i16x8.add(i16x8.q15mulr_sat_s(i16x8.shl(r, 7), kR), i16x8.q15mulr_sat_s(i16x8.shl(g, 7), kG)),
      i16x8.add(i16x8.q15mulr_sat_s(i16x8.shl(b, 7), kB), bias),
    ),
    7,
  );
}

function chroma8(rs: v128, gs: v128, bs: v128, kR: v128, kG: v128, kB: v128, bias: v128): v128 {
  return i16x8.shr_s(
    i16x8.add(
      i16x8.add(i16x8.q15mulr_sat_s(rs, kR), i16x8.q15mulr_sat_s(gs, kG)),
      i16x8.add(i16x8.q15mulr_sat_s(bs, kB), bias),
    ),
    7,
  );
}

export function rgbToPlanar(
  src: usize,
  dst: usize,
  width: i32,
  height: i32,
  bpp: i32,
  bgr: i32,
  uBase: usize,
  vBase: usize,
  cStride: i32,
  chromaShift: i32,
  nv12: i32,
  yOff: i32,
  yR: i32,
  yG: i32,
  yB: i32,
  uR: i32,
  uG: i32,
  uB: i32,
  vR: i32,
  vG: i32,
  vB: i32,
): void {
  const kYR = i16x8.splat(<i16>yR);
  const kYG = i16x8.splat(<i16>yG);
  const kYB = i16x8.splat(<i16>yB);
  const kUR = i16x8.splat(<i16>uR);
  const kUG = i16x8.splat(<i16>uG);
  const kUB = i16x8.splat(<i16>uB);
  const kVR = i16x8.splat(<i16>vR);
  const kVG = i16x8.splat(<i16>vG);
  const kVB = i16x8.splat(<i16>vB);
  const yBias = i16x8.splat(<i16>(yOff * 128 + 64));
  const cBias = i16x8.splat(<i16>(128 * 128 + 64));
  const rc = bgr ? 2 : 0;
  const bc = 2 - rc;
  const rowBytes = <usize>(width * bpp);
  const cShift = chromaShift ? 5 : 6;
  for (let row = 0; row < height; row++) {
    const s = src + <usize>row * rowBytes;
    const yRow = dst + <usize>(row * width);
    const writeChroma = chromaShift === 0 || (row & 1) === 0;
    const below: usize = chromaShift ? rowBytes : 0;
    const cRow = <usize>((row >> chromaShift) * cStride);
    const uRow = uBase + cRow;
    const vRow = vBase + cRow;
    let x = 0;
    for (; x + 16 <= width; x += 16) {
      const p = s + <usize>(x * bpp);
      const r = rgbChannel(p, bpp, rc);
      const g = rgbChannel(p, bpp, 1);
      const b = rgbChannel(p, bpp, bc);
      const ylo = lumaHalf(
        i16x8.extend_low_i8x16_u(r),
        i16x8.extend_low_i8x16_u(g),
        i16x8.extend_low_i8x16_u(b),
        kYR,
        kYG,
        kYB,
        yBias,
      );
      const yhi = lumaHalf(
        i16x8.extend_high_i8x16_u(r),
        i16x8.extend_high_i8x16_u(g),
        i16x8.extend_high_i8x16_u(b),
        kYR,
        kYG,
        kYB,
        yBias,
      );
      v128.store(yRow + x, i8x16.narrow_i16x8_u(ylo, yhi));
      if (!writeChroma) continue;
      let rs = i16x8.extadd_pairwise_i8x16_u(r);
      let gs = i16x8.extadd_pairwise_i8x16_u(g);
      let bs = i16x8.extadd_pairwise_i8x16_u(b);
      if (below) {
        rs = i16x8.add(rs, i16x8.extadd_pairwise_i8x16_u(rgbChannel(p + below, bpp, rc)));
        gs = i16x8.add(gs, i16x8.extadd_pairwise_i8x16_u(rgbChannel(p + below, bpp, 1)));
        bs = i16x8.add(bs, i16x8.extadd_pairwise_i8x16_u(rgbChannel(p + below, bpp, bc)));
      }
      rs = i16x8.shl(rs, cShift);
      gs = i16x8.shl(gs, cShift);
      bs = i16x8.shl(bs, cShift);
      const u = chroma8(rs, gs, bs, kUR, kUG, kUB, cBias);
      const v = chroma8(rs, gs, bs, kVR, kVG, kVB, cBias);
      const uv = i8x16.narrow_i16x8_u(u, v);
      const q = <usize>(x >> 1);
      if (nv12) {
        v128.store(
          uRow + (q << 1),
          i8x16.shuffle(uv, uv, 0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15),
        );
      } else {
        v128.store64_lane(uRow + q, uv, 0);
        v128.store64_lane(vRow + q, uv, 1);
      }
    }
    for (; x < width; x += 2) {
      const p = s + <usize>(x * bpp);
      const r0 = <i32>load<u8>(p + <usize>rc);
      const g0 = <i32>load<u8>(p + 1);
      const b0 = <i32>load<u8>(p + <usize>bc);
      const r1 = <i32>load<u8>(p + <usize>(bpp + rc));
      const g1 = <i32>load<u8>(p + <usize>(bpp + 1));
      const b1 = <i32>load<u8>(p + <usize>(bpp + bc));
      store<u8>(
        yRow + x,
        clamp255((mulr(r0 << 7, yR) + mulr(g0 << 7, yG) + mulr(b0 << 7, yB) + yOff * 128 + 64) >> 7),
      );
      store<u8>(
        yRow + x + 1,
        clamp255((mulr(r1 << 7, yR) + mulr(g1 << 7, yG) + mulr(b1 << 7, yB) + yOff * 128 + 64) >> 7),
      );
      if (!writeChroma) continue;
      let rs = r0 + r1;
      let gs = g0 + g1;
      let bs = b0 + b1;
      if (below) {
        const p2 = p + below;
        rs += <i32>load<u8>(p2 + <usize>rc) + <i32>load<u8>(p2 + <usize>(bpp + rc));
        gs += <i32>load<u8>(p2 + 1) + <i32>load<u8>(p2 + <usize>(bpp + 1));
        bs += <i32>load<u8>(p2 + <usize>bc) + <i32>load<u8>(p2 + <usize>(bpp + bc));
      }
      rs <<= cShift;
      gs <<= cShift;
      bs <<= cShift;
      const u = clamp255((mulr(rs, uR) + mulr(gs, uG) + mulr(bs, uB) + 128 * 128 + 64) >> 7);
      const v = clamp255((mulr(rs, vR) + mulr(gs, vG) + mulr(bs, vB) + 128 * 128 + 64) >> 7);
      const q = <usize>(x >> 1);
      if (nv12) {
        store<u8>(uRow + (q << 1), <u8>u);
        store<u8>(uRow + (q << 1) + 1, <u8>v);
      } else {
        store<u8>(uRow + q, <u8>u);
        store<u8>(vRow + q, <u8>v);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// YUYV ↔ UYVY: swap the two bytes of every 16-bit pair.

export function swapPacked(src: usize, dst: usize, bytes: i32): void {
  let i = 0;
  for (; i + 16 <= bytes; i += 16) {
    const v = v128.load(src + i);
    v128.store(dst + i, i8x16.shuffle(v, v, 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14));
  }
  for (; i < bytes; i += 2) {
    const a = load<u8>(src + i);
    store<u8>(dst + i, load<u8>(src + i + 1));
    store<u8>(dst + i + 1, a);
  }
}

// ---------------------------------------------------------------------------------------------------
// RGB ↔ RGB channel reordering (scalar; RGBA alpha copied, or 255 from a 3-byte format).

export function rgbToRgb(
  src: usize,
  dst: usize,
  pixels: i32,
  sBpp: i32,
  sR: i32,
  sG: i32,
  sB: i32,
  dBpp: i32,
  dR: i32,
  dG: i32,
  dB: i32,
): void {
  let s = src;
  let d = dst;
  const sa = sBpp === 4;
  for (let i = 0; i < pixels; i++) {
    const r = load<u8>(s + <usize>sR);
    const g = load<u8>(s + <usize>sG);
    const b = load<u8>(s + <usize>sB);
    store<u8>(d + <usize>dR, r);
    store<u8>(d + <usize>dG, g);
    store<u8>(d + <usize>dB, b);
    if (dBpp === 4) store<u8>(d + 3, sa ? load<u8>(s + 3) : 255);
    s += <usize>sBpp;
    d += <usize>dBpp;
  }
}

// ---------------------------------------------------------------------------------------------------
// Horizontal mirror of `rows` rows of `units` units of `size` bytes (planes, RGB); in place allowed.

export function mirrorUnits(src: usize, dst: usize, rowBytes: i32, rows: i32, units: i32, size: i32): void {
  for (let y = 0; y < rows; y++) {
    const s = src + <usize>(y * rowBytes);
    const d = dst + <usize>(y * rowBytes);
    let l = 0;
    let r = units - 1;
    while (l <= r) {
      const lo = <usize>(l * size);
      const ro = <usize>(r * size);
      if (size === 1) {
        const a = load<u8>(s + lo);
        store<u8>(d + lo, load<u8>(s + ro));
        store<u8>(d + ro, a);
      } else if (size === 2) {
        const a = load<u16>(s + lo);
        store<u16>(d + lo, load<u16>(s + ro));
        store<u16>(d + ro, a);
      } else if (size === 4) {
        const a = load<u32>(s + lo);
        store<u32>(d + lo, load<u32>(s + ro));
        store<u32>(d + ro, a);
      } else {
        const a0 = load<u8>(s + lo);
        const a1 = load<u8>(s + lo + 1);
        const a2 = load<u8>(s + lo + 2);
        const b0 = load<u8>(s + ro);
        const b1 = load<u8>(s + ro + 1);
        const b2 = load<u8>(s + ro + 2);
        store<u8>(d + lo, b0);
        store<u8>(d + lo + 1, b1);
        store<u8>(d + lo + 2, b2);
        store<u8>(d + ro, a0);
        store<u8>(d + ro + 1, a1);
        store<u8>(d + ro + 2, a2);
      }
      l++;
      r--;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Guided composite of YUYV frames: the last step of the fast guided filter fused with the blend.
// Per pixel, q = a·Y + b with a, b bilinear from low-resolution grids (a in 1/255 units is folded into
// the slots), alpha = smoothstep(low, high, q); light wrap screens the background's luma onto the
// person where alpha < 1 (f' = Y + (1 − alpha)·wrap·g·(255 − Y)/255); out = g + (f' − g)·alpha + 0.5,
// chroma with the pair's mean alpha. f32 math, 8 pixels per step. Grid rows are upsampled
// horizontally once into frame-wide f32 slots (two per grid, by row parity) and lerped vertically on
// the fly. The background row is either one row (`bgFactor` = 0: row y at bg + y·bgStride; stride 0
// for a colour) or the lerp of two frame-wide rows of a background at 1/bgFactor vertical resolution
// (weights in 1/256, as `(r0·(256 − w) + r1·w + 128) >> 8`). With `bgTab` ≠ 0 those rows are not
// given but made here from three f32 planes (Y, U, V; `bgStride` = plane width) at 1/bgFactor
// resolution: upsampled horizontally (tables at bgTab: luma column i32 + f32 per pixel, then chroma
// column i32 + f32 per pair) and rounded to code values, once per low-resolution row (two row slots).

let gSlotRow0: i32 = -1;
let gSlotRow1: i32 = -1;
let bSlotRow0: i32 = -1;
let bSlotRow1: i32 = -1;

// One row of a low-resolution plane → `n` samples at frame resolution, bilinear: interval j (samples
// j, j + 1) covers outputs start[j] .. start[j + 1] − 1, with per-output weights `w`; four at a time
// (the last group of an interval spills into the next one, written afterwards; `out` has 4 spare).
function upsampleRow(row: usize, pw: i32, start: usize, w: usize, out: usize): void {
  const last = pw - 1;
  for (let j = 0; j < pw; j++) {
    const x0 = load<i32>(start + ((<usize>j) << 2));
    const x1 = load<i32>(start + ((<usize>j) << 2), 4);
    if (x1 <= x0) continue;
    const a = load<f32>(row + ((<usize>j) << 2));
    const d = load<f32>(row + ((<usize>(j < last ? j + 1 : j)) << 2)) - a;
    const va = f32x4.splat(a);
    const vd = f32x4.splat(d);
    for (let x = x0; x < x1; x += 4) {
      const o = (<usize>x) << 2;
      v128.store(out + o, f32x4.add(va, f32x4.mul(vd, v128.load(w + o))));
    }
  }
}

// Low-resolution row k of the Y, U, V planes → one frame-wide YUYV row: luma per pixel, chroma at the
// pair's centre, rounded to codes. `tab` (words): luma column, luma weight [width]; pair column, pair
// weight [width / 2]; luma interval starts, pair interval starts [pw + 1 each]. `fl`, `fc`: scratch.
function fillBgSlot(
  dst: usize,
  planes: usize,
  pw: i32,
  ph: i32,
  k: i32,
  width: i32,
  tab: usize,
  fl: usize,
  fc: usize,
): void {
  const plane = (<usize>(pw * ph)) << 2;
  const ry = planes + ((<usize>(k * pw)) << 2);
  const pairs = width >> 1;
  const lw = tab + ((<usize>width) << 2);
  const pwt = tab + ((<usize>(width * 2 + pairs)) << 2);
  const ls = tab + ((<usize>(width * 2 + pairs * 2)) << 2);
  const ps = ls + ((<usize>(pw + 1)) << 2);
  const fv = fc + ((<usize>(pairs + 8)) << 2);
  upsampleRow(ry, pw, ls, lw, fl);
  upsampleRow(ry + plane, pw, ps, pwt, fc);
  upsampleRow(ry + plane + plane, pw, ps, pwt, fv);
  const half = f32x4.splat(0.5);
  for (let i = 0; i < pairs; i += 4) {
    const ci = (<usize>i) << 2;
    const li = (<usize>i) << 3;
    // Signed truncation (see guidedSpan): the unsigned narrow below clamps negatives to 0 either way.
    const ys = i16x8.narrow_i32x4_u(
      i32x4.trunc_sat_f32x4_s(f32x4.add(v128.load(fl + li), half)),
      i32x4.trunc_sat_f32x4_s(f32x4.add(v128.load(fl + li, 16), half)),
    );
    const uv = i16x8.narrow_i32x4_u(
      i32x4.trunc_sat_f32x4_s(f32x4.add(v128.load(fc + ci), half)),
      i32x4.trunc_sat_f32x4_s(f32x4.add(v128.load(fv + ci), half)),
    );
    const bytes = i8x16.narrow_i16x8_u(ys, uv);
    v128.store(
      dst + ((<usize>i) << 2),
      i8x16.shuffle(bytes, bytes, 0, 8, 1, 12, 2, 9, 3, 13, 4, 10, 5, 14, 6, 11, 7, 15),
    );
  }
}
const OUTSIDE_B: f32 = -1.0e9;

// Grid row k of a and b → frame-wide slots over the roi columns (the rest holds the outside values,
// written once per call). Interval g (grid columns g, g + 1) covers columns ivStart[g] ..
// ivStart[g + 1] − 1; within it the value is c_g + (c_g+1 − c_g)·fx, four columns at a time (the last
// group of an interval spills into the next one, which is written afterwards).
function fillGuidedSlot(
  sa: usize,
  sb: usize,
  ga: usize,
  gb: usize,
  k: i32,
  gw: i32,
  roiEnd: i32,
  width: i32,
  ivStart: usize,
  axF: usize,
): void {
  const off = (<usize>(k * gw)) << 2;
  const ra = ga + off;
  const rb = gb + off;
  const last = gw - 1;
  const scale = f32x4.splat(<f32>1.0 / <f32>255.0);
  for (let g = 0; g < gw; g++) {
    const x0 = load<i32>(ivStart + ((<usize>g) << 2));
    const x1 = load<i32>(ivStart + ((<usize>g) << 2), 4);
    if (x1 <= x0) continue;
    const g1 = g < last ? g + 1 : g;
    const a0 = load<f32>(ra + ((<usize>g) << 2));
    const b0 = load<f32>(rb + ((<usize>g) << 2));
    const va = f32x4.splat(a0);
    const vb = f32x4.splat(b0);
    const da = f32x4.splat(load<f32>(ra + ((<usize>g1) << 2)) - a0);
    const db = f32x4.splat(load<f32>(rb + ((<usize>g1) << 2)) - b0);
    for (let x = x0; x < x1; x += 4) {
      const j = (<usize>x) << 2;
      const f = v128.load(axF + j);
      v128.store(sa + j, f32x4.mul(f32x4.add(va, f32x4.mul(da, f)), scale));
      v128.store(sb + j, f32x4.add(vb, f32x4.mul(db, f)));
    }
  }
  const end = roiEnd + 4 < width ? roiEnd + 4 : width;
  for (let x = roiEnd; x < end; x++) {
    store<f32>(sa + ((<usize>x) << 2), 0);
    store<f32>(sb + ((<usize>x) << 2), OUTSIDE_B);
  }
}

// Scalar twin of the vector body for one pixel's alpha.
function guidedAlpha(a: f32, b: f32, y: f32, low: f32, inv: f32): f32 {
  let t = (a * y + b - low) * inv;
  t = min<f32>(max<f32>(t, 0), 1);
  return t * t * (3 - 2 * t);
}

function lumaOut(f: f32, g: f32, al: f32, wrapK: f32): i32 {
  const fw = f + (1 - al) * wrapK * g * (255 - f);
  return clamp255(<i32>(g + (fw - g) * al + 0.5));
}

function chromaOut(f: f32, g: f32, ac: f32): i32 {
  return clamp255(<i32>(g + (f - g) * ac + 0.5));
}

// Per grid cell (interval g between grid rows k and k + 1): 0 = surely background, 1 = surely
// person, 2 = edge. q = a·Y/255 + b with a, b bilinear in the cell and Y/255 in 0..1, so q lies in
// [min b + min(min a, 0), max b + max(max a, 0)] over the corners: a conservative bound. A pure
// cell's pixels would evaluate to exactly the background / the frame, so they are copied instead.
function classifyCells(ga: usize, gb: usize, gw: i32, gh: i32, low: f32, high: f32, cls: usize): void {
  const lastX = gw - 1;
  const lastY = gh - 1;
  const vzero = f32x4.splat(0);
  const vlow = f32x4.splat(low - <f32>1e-4);
  const vhigh = f32x4.splat(high + <f32>1e-4);
  const two = i32x4.splat(2);
  for (let k = 0; k < gh; k++) {
    const r0 = (<usize>(k * gw)) << 2;
    const r1 = (<usize>((k < lastY ? k + 1 : k) * gw)) << 2;
    const row = cls + <usize>(k * gw);
    let g = 0;
    // Four cells at a time while their right corners (g + 1 .. g + 4) exist; pmin/pmax are single
    // instructions, where min/max carry NaN handling (a cell with a NaN corner stays an edge).
    for (; g + 5 <= gw; g += 4) {
      const c0 = (<usize>g) << 2;
      const a00 = v128.load(ga + r0 + c0);
      const a01 = v128.load(ga + r0 + c0, 4);
      const a10 = v128.load(ga + r1 + c0);
      const a11 = v128.load(ga + r1 + c0, 4);
      const b00 = v128.load(gb + r0 + c0);
      const b01 = v128.load(gb + r0 + c0, 4);
      const b10 = v128.load(gb + r1 + c0);
      const b11 = v128.load(gb + r1 + c0, 4);
      const aHi = f32x4.pmax(f32x4.pmax(f32x4.pmax(a00, a01), f32x4.pmax(a10, a11)), vzero);
      const aLo = f32x4.pmin(f32x4.pmin(f32x4.pmin(a00, a01), f32x4.pmin(a10, a11)), vzero);
      const bHi = f32x4.pmax(f32x4.pmax(b00, b01), f32x4.pmax(b10, b11));
      const bLo = f32x4.pmin(f32x4.pmin(b00, b01), f32x4.pmin(b10, b11));
      const all = f32x4.add(
        f32x4.add(f32x4.add(a00, a01), f32x4.add(a10, a11)),
        f32x4.add(f32x4.add(b00, b01), f32x4.add(b10, b11)),
      );
      // pmin/pmax may drop a NaN corner; a NaN sum (or infinities of both signs) keeps the cell an edge.
      const notNaN = f32x4.eq(all, all);
      const bg = v128.and(f32x4.le(f32x4.add(bHi, aHi), vlow), notNaN);
      const fg = v128.andnot(v128.and(f32x4.ge(f32x4.add(bLo, aLo), vhigh), notNaN), bg);
      // 2 + 2·bg + fg with masks of −1: 0 background, 1 person, 2 edge.
      const c = i32x4.add(i32x4.add(two, i32x4.shl(bg, 1)), fg);
      const bytes = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(c, c), c);
      v128.store32_lane(row + <usize>g, bytes, 0);
    }
    for (; g < gw; g++) {
      const c0 = (<usize>g) << 2;
      const c1 = (<usize>(g < lastX ? g + 1 : g)) << 2;
      const a00 = load<f32>(ga + r0 + c0);
      const a01 = load<f32>(ga + r0 + c1);
      const a10 = load<f32>(ga + r1 + c0);
      const a11 = load<f32>(ga + r1 + c1);
      const b00 = load<f32>(gb + r0 + c0);
      const b01 = load<f32>(gb + r0 + c1);
      const b10 = load<f32>(gb + r1 + c0);
      const b11 = load<f32>(gb + r1 + c1);
      const aHi = max<f32>(max<f32>(max<f32>(a00, a01), max<f32>(a10, a11)), 0);
      const aLo = min<f32>(min<f32>(min<f32>(a00, a01), min<f32>(a10, a11)), 0);
      const bHi = max<f32>(max<f32>(b00, b01), max<f32>(b10, b11));
      const bLo = min<f32>(min<f32>(b00, b01), min<f32>(b10, b11));
      // A margin far above float rounding keeps the bound conservative for the per-pixel arithmetic.
      let c: u8 = 2;
      if (bHi + aHi <= low - <f32>1e-4) c = 0;
      else if (bLo + aLo >= high + <f32>1e-4) c = 1;
      store<u8>(row + <usize>g, c);
    }
  }
}

// Evaluates pixels x0 .. x1 − 1 (x0 even, x1 even ≤ limit ≤ width) of one row: eight at a time while
// a whole group fits before `limit` (a group may run past x1; the caller writes what lies beyond
// afterwards), then pairs. Conversions are the signed ones and the clamp uses pmin/pmax, because V8
// lowers f32x4.convert_i32x4_u, i32x4.trunc_sat_f32x4_u and f32x4.min/max to 7–11 x64 instructions
// each. The bytes come out the same: the converted values are bytes, the truncated ones are narrowed
// unsigned afterwards, and pmin/pmax give the same alpha (a NaN stays NaN, −0 squares to +0).
function guidedSpan(
  frow: usize,
  bgp: usize,
  drow: usize,
  pa0: usize,
  pa1: usize,
  pb0: usize,
  pb1: usize,
  fy: f32,
  x0: i32,
  x1: i32,
  limit: i32,
  low: f32,
  high: f32,
  inv: f32,
  wrapK: f32,
): void {
  const vfy = f32x4.splat(fy);
  const vlo = f32x4.splat(low);
  const vhi = f32x4.splat(high);
  const vinv = f32x4.splat(inv);
  const vwrap = f32x4.splat(wrapK);
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const two = f32x4.splat(2);
  const three = f32x4.splat(3);
  const v255 = f32x4.splat(255);
  const half = f32x4.splat(0.5);
  const lo8 = i16x8.splat(0xff);
  const lo16 = i32x4.splat(0xffff);
  let x = x0;
  for (; x < x1 && x + 8 <= limit; x += 8) {
    const s = (<usize>x) << 2;
    const a0l = v128.load(pa0 + s);
    const a0h = v128.load(pa0 + s, 16);
    const b0l = v128.load(pb0 + s);
    const b0h = v128.load(pb0 + s, 16);
    const al = f32x4.add(a0l, f32x4.mul(f32x4.sub(v128.load(pa1 + s), a0l), vfy));
    const ah = f32x4.add(a0h, f32x4.mul(f32x4.sub(v128.load(pa1 + s, 16), a0h), vfy));
    const bl = f32x4.add(b0l, f32x4.mul(f32x4.sub(v128.load(pb1 + s), b0l), vfy));
    const bh = f32x4.add(b0h, f32x4.mul(f32x4.sub(v128.load(pb1 + s, 16), b0h), vfy));
    const i = (<usize>x) << 1;
    const f = v128.load(frow + i);
    // Lumas are the low bytes of the 16-bit lanes, chroma the high ones (U, V alternating).
    const fy = v128.and(f, lo8);
    const yl = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(fy));
    const yh = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(fy));
    const ql = f32x4.add(f32x4.mul(al, yl), bl);
    const qh = f32x4.add(f32x4.mul(ah, yh), bh);
    // Surely background / surely person: the result is the background / the frame, exactly.
    if (i32x4.all_true(v128.and(f32x4.le(ql, vlo), f32x4.le(qh, vlo)))) {
      v128.store(drow + i, v128.load(bgp + i));
      continue;
    }
    if (i32x4.all_true(v128.and(f32x4.ge(ql, vhi), f32x4.ge(qh, vhi)))) {
      v128.store(drow + i, f);
      continue;
    }
    const tl = f32x4.pmin(f32x4.pmax(f32x4.mul(f32x4.sub(ql, vlo), vinv), zero), one);
    const th = f32x4.pmin(f32x4.pmax(f32x4.mul(f32x4.sub(qh, vlo), vinv), zero), one);
    const alpl = f32x4.mul(f32x4.mul(tl, tl), f32x4.sub(three, f32x4.mul(two, tl)));
    const alph = f32x4.mul(f32x4.mul(th, th), f32x4.sub(three, f32x4.mul(two, th)));
    const g = v128.load(bgp + i);
    const gy = v128.and(g, lo8);
    const gl = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(gy));
    const gh = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(gy));
    const fwl = f32x4.add(
      yl,
      f32x4.mul(f32x4.mul(f32x4.mul(f32x4.sub(one, alpl), vwrap), gl), f32x4.sub(v255, yl)),
    );
    const fwh = f32x4.add(
      yh,
      f32x4.mul(f32x4.mul(f32x4.mul(f32x4.sub(one, alph), vwrap), gh), f32x4.sub(v255, yh)),
    );
    const ol = f32x4.add(f32x4.add(gl, f32x4.mul(f32x4.sub(fwl, gl), alpl)), half);
    const oh = f32x4.add(f32x4.add(gh, f32x4.mul(f32x4.sub(fwh, gh), alph)), half);
    const ev = i8x16.shuffle(alpl, alph, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
    const od = i8x16.shuffle(alpl, alph, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
    const ac = f32x4.mul(f32x4.add(ev, od), half);
    const fc = i16x8.shr_u(f, 8);
    const gc = i16x8.shr_u(g, 8);
    const fu = f32x4.convert_i32x4_s(v128.and(fc, lo16));
    const fv = f32x4.convert_i32x4_s(i32x4.shr_u(fc, 16));
    const gu = f32x4.convert_i32x4_s(v128.and(gc, lo16));
    const gv = f32x4.convert_i32x4_s(i32x4.shr_u(gc, 16));
    const ou = f32x4.add(f32x4.add(gu, f32x4.mul(f32x4.sub(fu, gu), ac)), half);
    const ov = f32x4.add(f32x4.add(gv, f32x4.mul(f32x4.sub(fv, gv), ac)), half);
    const ys = i16x8.narrow_i32x4_u(i32x4.trunc_sat_f32x4_s(ol), i32x4.trunc_sat_f32x4_s(oh));
    const uv = i16x8.narrow_i32x4_u(i32x4.trunc_sat_f32x4_s(ou), i32x4.trunc_sat_f32x4_s(ov));
    const bytes = i8x16.narrow_i16x8_u(ys, uv);
    v128.store(drow + i, i8x16.shuffle(bytes, bytes, 0, 8, 1, 12, 2, 9, 3, 13, 4, 10, 5, 14, 6, 11, 7, 15));
  }
  for (; x < x1; x += 2) {
    const s = (<usize>x) << 2;
    const i = (<usize>x) << 1;
    const f0 = <f32>load<u8>(frow + i);
    const f1 = <f32>load<u8>(frow + i, 2);
    const g0 = <f32>load<u8>(bgp + i);
    const g1 = <f32>load<u8>(bgp + i, 2);
    let a = load<f32>(pa0 + s);
    let b = load<f32>(pb0 + s);
    const al0 = guidedAlpha(
      a + (load<f32>(pa1 + s) - a) * fy,
      b + (load<f32>(pb1 + s) - b) * fy,
      f0,
      low,
      inv,
    );
    a = load<f32>(pa0 + s, 4);
    b = load<f32>(pb0 + s, 4);
    const al1 = guidedAlpha(
      a + (load<f32>(pa1 + s, 4) - a) * fy,
      b + (load<f32>(pb1 + s, 4) - b) * fy,
      f1,
      low,
      inv,
    );
    const ac = (al0 + al1) * 0.5;
    store<u8>(drow + i, lumaOut(f0, g0, al0, wrapK));
    store<u8>(drow + i, chromaOut(<f32>load<u8>(frow + i, 1), <f32>load<u8>(bgp + i, 1), ac), 1);
    store<u8>(drow + i, lumaOut(f1, g1, al1, wrapK), 2);
    store<u8>(drow + i, chromaOut(<f32>load<u8>(frow + i, 3), <f32>load<u8>(bgp + i, 3), ac), 3);
  }
}

// Vertical blend of two background rows (weights (256 − w)/256 and w/256) over n bytes.
function blendRows(r0: usize, r1: usize, dst: usize, n: usize, w: i32): void {
  const vw = i16x8.splat(<i16>w);
  const viw = i16x8.splat(<i16>(256 - w));
  const r = i16x8.splat(128);
  let i: usize = 0;
  for (; i + 16 <= n; i += 16) {
    const h0 = v128.load(r0 + i);
    const h1 = v128.load(r1 + i);
    const lo = i16x8.shr_u(
      i16x8.add(
        i16x8.add(i16x8.mul(i16x8.extend_low_i8x16_u(h0), viw), i16x8.mul(i16x8.extend_low_i8x16_u(h1), vw)),
        r,
      ),
      8,
    );
    const hi = i16x8.shr_u(
      i16x8.add(
        i16x8.add(
          i16x8.mul(i16x8.extend_high_i8x16_u(h0), viw),
          i16x8.mul(i16x8.extend_high_i8x16_u(h1), vw),
        ),
        r,
      ),
      8,
    );
    v128.store(dst + i, i8x16.narrow_i16x8_u(lo, hi));
  }
  for (; i < n; i++) {
    store<u8>(dst + i, (<i32>load<u8>(r0 + i) * (256 - w) + <i32>load<u8>(r1 + i) * w + 128) >> 8);
  }
}

// The runs of equal cell class along a frame row of grid row `crow` (3 words each: start, end,
// class); background before the roi's first interval and after its end. Returns the count.
function rowRuns(crow: usize, gw: i32, ivStart: usize, roiEnd: i32, width: i32, runs: usize): i32 {
  let nRuns = 0;
  let start = 0;
  let cur = 0;
  for (let g = 0; g < gw; g++) {
    const x0 = load<i32>(ivStart + ((<usize>g) << 2));
    const x1 = load<i32>(ivStart + ((<usize>g) << 2), 4);
    if (x1 <= x0) continue;
    const c = <i32>load<u8>(crow + <usize>g);
    if (c !== cur) {
      if (x0 > start) nRuns = pushRun(runs, nRuns, start, x0, cur);
      start = x0;
      cur = c;
    }
  }
  if (roiEnd < width && cur !== 0) {
    nRuns = pushRun(runs, nRuns, start, roiEnd, cur);
    start = roiEnd;
    cur = 0;
  }
  return pushRun(runs, nRuns, start, width, cur);
}

// Appends run `n` (start, end, class) to `runs`; returns the new count.
function pushRun(runs: usize, n: i32, start: i32, end: i32, cls: i32): i32 {
  const r = runs + <usize>(n * 12);
  store<i32>(r, start);
  store<i32>(r, end, 4);
  store<i32>(r, cls, 8);
  return n + 1;
}

// Copies n bytes with 16-byte vector moves (memory.copy on shared memory is a slow out-of-line
// relaxed memmove in V8); the regions do not overlap.
function copyBytes(dst: usize, src: usize, n: usize): void {
  let i: usize = 0;
  for (; i + 16 <= n; i += 16) v128.store(dst + i, v128.load(src + i));
  for (; i < n; i++) store<u8>(dst + i, load<u8>(src + i));
}

// Scratch of guidedComposite after its eleven slots: the cell classes (gw·gh bytes, rounded up to 16),
// then the runs of one row (3 i32 each, at most gw + 2).
export function guidedComposite(
  fg: usize,
  bg: usize,
  bgStride: i32,
  bgRows: i32,
  bgFactor: i32,
  bgTab: usize,
  dst: usize,
  width: i32,
  height: i32,
  gridA: usize,
  gridB: usize,
  gw: i32,
  gh: i32,
  roiEnd: i32,
  ivStart: usize,
  axF: usize,
  ayI0: usize,
  ayI1: usize,
  ayF: usize,
  low: f32,
  high: f32,
  wrap: f32,
  work: usize,
): void {
  gSlotRow0 = -1;
  gSlotRow1 = -1;
  bSlotRow0 = -1;
  bSlotRow1 = -1;
  const slotBytes = <usize>(((width + 16) & ~7) << 2);
  const sa0 = work;
  const sa1 = sa0 + slotBytes;
  const sb0 = sa1 + slotBytes;
  const sb1 = sb0 + slotBytes;
  const soa = sb1 + slotBytes;
  const sob = soa + slotBytes;
  const bgRow = sob + slotBytes;
  const bgSlot0 = bgRow + slotBytes;
  const bgSlot1 = bgSlot0 + slotBytes;
  const bgLuma = bgSlot1 + slotBytes;
  const bgChroma = bgLuma + slotBytes;
  const cls = bgChroma + slotBytes;
  const runs = cls + ((<usize>(gw * gh) + 15) & ~15);
  for (let x = 0; x < width + 8; x++) {
    const j = (<usize>x) << 2;
    store<f32>(soa + j, 0);
    store<f32>(sob + j, OUTSIDE_B);
    store<f32>(sa0 + j, 0);
    store<f32>(sb0 + j, OUTSIDE_B);
    store<f32>(sa1 + j, 0);
    store<f32>(sb1 + j, OUTSIDE_B);
  }
  classifyCells(gridA, gridB, gw, gh, low, high, cls);
  const inv: f32 = high > low ? <f32>1.0 / (high - low) : <f32>1.0e6;
  const wrapK: f32 = wrap / <f32>255.0;
  const stride = <usize>(width << 1);
  let runsRow = -1;
  let nRuns = 0;
  for (let y = 0; y < height; y++) {
    const frow = fg + <usize>y * stride;
    const drow = dst + <usize>y * stride;
    // Background row: direct, or the slots of the low-resolution rows around it (blended when first
    // needed: rows the person fills need none).
    let bgp: usize;
    let blendA: usize = 0;
    let blendB: usize = 0;
    let blendW = 0;
    if (bgFactor === 0) {
      bgp = bg + <usize>(y * bgStride);
    } else {
      let p = (<f64>y + 0.5) / <f64>bgFactor - 0.5;
      if (p < 0) p = 0;
      if (p > <f64>(bgRows - 1)) p = <f64>(bgRows - 1);
      const y0 = <i32>Math.floor(p);
      const y1 = y0 + 1 < bgRows ? y0 + 1 : y0;
      blendW = <i32>Math.floor((p - <f64>y0) * 256 + 0.5);
      if (bgTab !== 0) {
        if ((y0 & 1) === 0 ? bSlotRow0 !== y0 : bSlotRow1 !== y0) {
          fillBgSlot(
            (y0 & 1) === 0 ? bgSlot0 : bgSlot1,
            bg,
            bgStride,
            bgRows,
            y0,
            width,
            bgTab,
            bgLuma,
            bgChroma,
          );
          if ((y0 & 1) === 0) bSlotRow0 = y0;
          else bSlotRow1 = y0;
        }
        if ((y1 & 1) === 0 ? bSlotRow0 !== y1 : bSlotRow1 !== y1) {
          fillBgSlot(
            (y1 & 1) === 0 ? bgSlot0 : bgSlot1,
            bg,
            bgStride,
            bgRows,
            y1,
            width,
            bgTab,
            bgLuma,
            bgChroma,
          );
          if ((y1 & 1) === 0) bSlotRow0 = y1;
          else bSlotRow1 = y1;
        }
        bgp = (y0 & 1) === 0 ? bgSlot0 : bgSlot1;
        blendB = (y1 & 1) === 0 ? bgSlot0 : bgSlot1;
      } else {
        bgp = bg + <usize>(y0 * bgStride);
        blendB = bg + <usize>(y1 * bgStride);
      }
      if (blendW !== 0) {
        blendA = bgp;
        bgp = bgRow;
      }
    }
    const j = (<usize>y) << 2;
    const k0 = load<i32>(ayI0 + j);
    if (k0 < 0) {
      if (blendA !== 0) blendRows(blendA, blendB, drow, stride, blendW);
      else copyBytes(drow, bgp, stride);
      continue;
    }
    // Runs of equal class along the row: background left of the roi, the cells of grid row k0,
    // background right of it (the same for every frame row of grid row k0).
    if (k0 !== runsRow) {
      nRuns = rowRuns(cls + <usize>(k0 * gw), gw, ivStart, roiEnd, width, runs);
      runsRow = k0;
    }
    let slotsReady = false;
    let pa0 = soa;
    let pa1 = soa;
    let pb0 = sob;
    let pb1 = sob;
    let fy: f32 = 0;
    for (let n = 0; n < nRuns; n++) {
      const r = runs + <usize>(n * 12);
      const xs = load<i32>(r);
      const xe = load<i32>(r, 4);
      const c = load<i32>(r, 8);
      const pureEnd = c !== 2 && (xe & 1) !== 0;
      // Pixels evaluated here: the edge run (pairs, groups of eight may run 6 pixels on), or the one pair
      // a pure run shares with the next run.
      const es = c === 2 ? xs & ~1 : xe - 1;
      const ee = c === 2 ? (xe + 1) & ~1 : xe + 1;
      if (c === 2 || pureEnd) {
        if (blendA !== 0) {
          const b0 = (<usize>es) << 1;
          const b1 = min<usize>((<usize>ee + 6) << 1, stride);
          blendRows(blendA + b0, blendB + b0, bgRow + b0, b1 - b0, blendW);
        }
        if (!slotsReady) {
          const k1 = load<i32>(ayI1 + j);
          fy = load<f32>(ayF + j);
          // Grid rows k0 and k1 in their slots (even rows in slot 0, odd in slot 1).
          for (let t = 0; t < 2; t++) {
            const k = t === 0 ? k0 : k1;
            if ((k & 1) === 0) {
              if (gSlotRow0 !== k) {
                fillGuidedSlot(sa0, sb0, gridA, gridB, k, gw, roiEnd, width, ivStart, axF);
                gSlotRow0 = k;
              }
            } else if (gSlotRow1 !== k) {
              fillGuidedSlot(sa1, sb1, gridA, gridB, k, gw, roiEnd, width, ivStart, axF);
              gSlotRow1 = k;
            }
          }
          pa0 = (k0 & 1) === 0 ? sa0 : sa1;
          pb0 = (k0 & 1) === 0 ? sb0 : sb1;
          pa1 = (k1 & 1) === 0 ? sa0 : sa1;
          pb1 = (k1 & 1) === 0 ? sb0 : sb1;
          slotsReady = true;
        }
      }
      if (c === 2) {
        guidedSpan(frow, bgp, drow, pa0, pa1, pb0, pb1, fy, es, ee, width, low, high, inv, wrapK);
        continue;
      }
      // Pure run: whole pairs inside it are copied (background rows blended straight into the
      // output); a pair it shares with the next run is evaluated (a pair shared with the previous run
      // was evaluated by that run).
      const ps = (xs + 1) & ~1;
      const pe = xe & ~1;
      if (pe > ps) {
        const o = (<usize>ps) << 1;
        const bytes = (<usize>(pe - ps)) << 1;
        if (c === 1) copyBytes(drow + o, frow + o, bytes);
        else if (blendA !== 0) blendRows(blendA + o, blendB + o, drow + o, bytes, blendW);
        else copyBytes(drow + o, bgp + o, bytes);
      }
      if (pureEnd) guidedSpan(frow, bgp, drow, pa0, pa1, pb0, pb1, fy, es, ee, ee, low, high, inv, wrapK);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Separable box means of f32 planes, in place: `count` planes of width·height floats one after the
// other at `data`, each filtered `passes` times with a (2r+1)² window clipped at the borders (each
// output divides by the number of samples inside). Row sums in f64 (scalar), column sums in f64x2
// with the same order of operations, so results equal @deepseg/compose's JavaScript boxMean bit for
// bit. `tmp`: width·height floats; `sums`: width doubles (+ 1 for an odd width).

function boxRows(src: usize, dst: usize, width: i32, height: i32, r: i32): void {
  const inv: f64 = 1.0 / <f64>(2 * r + 1);
  for (let y = 0; y < height; y++) {
    const s = src + ((<usize>(y * width)) << 2);
    const d = dst + ((<usize>(y * width)) << 2);
    let sum: f64 = 0;
    for (let x = 0; x <= r && x < width; x++) sum += <f64>load<f32>(s + ((<usize>x) << 2));
    let x = 0;
    for (; x <= r && x < width; x++) {
      const hi = min<i32>(x + r, width - 1);
      store<f32>(d + ((<usize>x) << 2), <f32>(sum / <f64>(hi + 1)));
      if (x + r + 1 < width) sum += <f64>load<f32>(s + ((<usize>(x + r + 1)) << 2));
    }
    const end = width - r - 1;
    for (; x < end; x++) {
      sum -= <f64>load<f32>(s + ((<usize>(x - r - 1)) << 2));
      store<f32>(d + ((<usize>x) << 2), <f32>(sum * inv));
      sum += <f64>load<f32>(s + ((<usize>(x + r + 1)) << 2));
    }
    for (; x < width; x++) {
      if (x - r - 1 >= 0) sum -= <f64>load<f32>(s + ((<usize>(x - r - 1)) << 2));
      const lo = max<i32>(x - r, 0);
      store<f32>(d + ((<usize>x) << 2), <f32>(sum / <f64>(width - 1 - lo + 1)));
      if (x + r + 1 < width) sum += <f64>load<f32>(s + ((<usize>(x + r + 1)) << 2));
    }
  }
}

// Two f32 samples at p, widened to f64x2.
function pairF64(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

function boxCols(src: usize, dst: usize, width: i32, height: i32, r: i32, sums: usize): void {
  const pairs = width >> 1;
  const odd = width & 1;
  memory.fill(sums, 0, (<usize>width) << 3);
  for (let y = 0; y <= r && y < height; y++) {
    const s = src + ((<usize>(y * width)) << 2);
    for (let i = 0; i < pairs; i++) {
      const q = sums + ((<usize>i) << 4);
      v128.store(q, f64x2.add(v128.load(q), pairF64(s + ((<usize>i) << 3))));
    }
    if (odd) {
      const q = sums + ((<usize>(width - 1)) << 3);
      store<f64>(q, load<f64>(q) + <f64>load<f32>(s + ((<usize>(width - 1)) << 2)));
    }
  }
  for (let y = 0; y < height; y++) {
    const lo = max<i32>(y - r, 0);
    const hi = min<i32>(y + r, height - 1);
    const inv: f64 = 1.0 / <f64>(hi - lo + 1);
    const vinv = f64x2.splat(inv);
    const d = dst + ((<usize>(y * width)) << 2);
    const add = y + r + 1;
    const sub = y - r;
    const a = src + ((<usize>(add * width)) << 2);
    const b = src + ((<usize>(sub * width)) << 2);
    const doAdd = add < height;
    const doSub = sub >= 0;
    for (let i = 0; i < pairs; i++) {
      const q = sums + ((<usize>i) << 4);
      let v = v128.load(q);
      v128.store64_lane(d + ((<usize>i) << 3), f32x4.demote_f64x2_zero(f64x2.mul(v, vinv)), 0);
      if (doAdd) v = f64x2.add(v, pairF64(a + ((<usize>i) << 3)));
      if (doSub) v = f64x2.sub(v, pairF64(b + ((<usize>i) << 3)));
      v128.store(q, v);
    }
    if (odd) {
      const k = width - 1;
      const q = sums + ((<usize>k) << 3);
      let v = load<f64>(q);
      store<f32>(d + ((<usize>k) << 2), <f32>(v * inv));
      if (doAdd) v += <f64>load<f32>(a + ((<usize>k) << 2));
      if (doSub) v -= <f64>load<f32>(b + ((<usize>k) << 2));
      store<f64>(q, v);
    }
  }
}

// Small radii (the guided filter's and the blur's 2): each output sums its 2r + 1 window samples
// directly in f32, four outputs per vector (unaligned loads), then multiplies by 1/count — about 4×
// fewer operations per sample than the scalar f64 running sums below, which serve large radii.
const SMALL_BOX = 4;

function boxRowsSmall(src: usize, dst: usize, width: i32, height: i32, r: i32): void {
  const vinv = f32x4.splat(<f32>1.0 / <f32>(r * 2 + 1));
  const inv: f32 = <f32>1.0 / <f32>(r * 2 + 1);
  for (let y = 0; y < height; y++) {
    const s = src + ((<usize>(y * width)) << 2);
    const d = dst + ((<usize>(y * width)) << 2);
    for (let x = 0; x < width; x++) {
      if (x >= r && x + r < width) {
        // interior: vectors while four outputs fit, then scalar in the same order
        if (r === 2) {
          // The default radius, unrolled (the same additions in the same order).
          for (; x + 5 < width; x += 4) {
            const p = s + ((<usize>(x - 2)) << 2);
            let acc = f32x4.add(v128.load(p), v128.load(p, 4));
            acc = f32x4.add(acc, v128.load(p, 8));
            acc = f32x4.add(acc, v128.load(p, 12));
            acc = f32x4.add(acc, v128.load(p, 16));
            v128.store(d + ((<usize>x) << 2), f32x4.mul(acc, vinv));
          }
        }
        for (; x + 3 + r < width; x += 4) {
          let acc = v128.load(s + ((<usize>(x - r)) << 2));
          for (let k = 1; k <= 2 * r; k++) acc = f32x4.add(acc, v128.load(s + ((<usize>(x - r + k)) << 2)));
          v128.store(d + ((<usize>x) << 2), f32x4.mul(acc, vinv));
        }
        for (; x + r < width; x++) {
          let acc = load<f32>(s + ((<usize>(x - r)) << 2));
          for (let k = 1; k <= 2 * r; k++) acc += load<f32>(s + ((<usize>(x - r + k)) << 2));
          store<f32>(d + ((<usize>x) << 2), acc * inv);
        }
        if (x >= width) break;
      }
      const lo = max<i32>(x - r, 0);
      const hi = min<i32>(x + r, width - 1);
      let acc = load<f32>(s + ((<usize>lo) << 2));
      for (let k = lo + 1; k <= hi; k++) acc += load<f32>(s + ((<usize>k) << 2));
      store<f32>(d + ((<usize>x) << 2), acc * (<f32>1.0 / <f32>(hi - lo + 1)));
    }
  }
}

function boxColsSmall(src: usize, dst: usize, width: i32, height: i32, r: i32): void {
  const rowBytes = (<usize>width) << 2;
  for (let y = 0; y < height; y++) {
    const lo = max<i32>(y - r, 0);
    const hi = min<i32>(y + r, height - 1);
    const inv: f32 = <f32>1.0 / <f32>(hi - lo + 1);
    const vinv = f32x4.splat(inv);
    const first = src + <usize>lo * rowBytes;
    const d = dst + <usize>y * rowBytes;
    let x = 0;
    if (hi - lo === 4) {
      // Five-row windows (all but the border rows at the default radius 2), unrolled: the same
      // additions in the same order.
      const p1 = first + rowBytes;
      const p2 = p1 + rowBytes;
      const p3 = p2 + rowBytes;
      const p4 = p3 + rowBytes;
      for (; x + 4 <= width; x += 4) {
        const o = (<usize>x) << 2;
        let acc = f32x4.add(v128.load(first + o), v128.load(p1 + o));
        acc = f32x4.add(acc, v128.load(p2 + o));
        acc = f32x4.add(acc, v128.load(p3 + o));
        acc = f32x4.add(acc, v128.load(p4 + o));
        v128.store(d + o, f32x4.mul(acc, vinv));
      }
    }
    for (; x + 4 <= width; x += 4) {
      const o = (<usize>x) << 2;
      let acc = v128.load(first + o);
      for (let k = lo + 1; k <= hi; k++) acc = f32x4.add(acc, v128.load(src + <usize>k * rowBytes + o));
      v128.store(d + o, f32x4.mul(acc, vinv));
    }
    for (; x < width; x++) {
      const o = (<usize>x) << 2;
      let acc = load<f32>(first + o);
      for (let k = lo + 1; k <= hi; k++) acc += load<f32>(src + <usize>k * rowBytes + o);
      store<f32>(d + o, acc * inv);
    }
  }
}

export function boxMeanPlanes(
  data: usize,
  count: i32,
  width: i32,
  height: i32,
  radius: i32,
  passes: i32,
  tmp: usize,
  sums: usize,
): void {
  let r = radius;
  if (r > width - 1) r = width - 1;
  if (r > height - 1) r = height - 1;
  if (r <= 0) return;
  const rx = min<i32>(radius, width - 1);
  const ry = min<i32>(radius, height - 1);
  const planeBytes = (<usize>(width * height)) << 2;
  for (let c = 0; c < count; c++) {
    const p = data + <usize>c * planeBytes;
    for (let k = 0; k < passes; k++) {
      if (rx <= SMALL_BOX) boxRowsSmall(p, tmp, width, height, rx);
      else boxRows(p, tmp, width, height, rx);
      if (ry <= SMALL_BOX) boxColsSmall(tmp, p, width, height, ry);
      else boxCols(tmp, p, width, height, ry, sums);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Mask-weighted blur of a YUYV frame at low resolution (normalised convolution), into four f32 planes
// (Y, U, V, weight) of lw·lh at `planes`. Each low-resolution pixel averages four frame samples
// (columns sx[2i], sx[2i+1] as byte offsets of the luma, rows sy[2j], sy[2j+1] as byte offsets of the
// row) weighted by how surely its mask cell (gx[i], gy[j]; −1 = outside the mask) is background:
// w = 1 − smoothstep(0.1, 0.5, m) + 1e-4. Then `passes` box passes of `radius`, then Y, U, V divided
// by the blurred weight. f64 arithmetic as in JavaScript, so results equal a JS implementation.
export function weightedBlurPlanes(
  frame: usize,
  sx: usize,
  sy: usize,
  gx: usize,
  gy: usize,
  mask: usize,
  gw: i32,
  lw: i32,
  lh: i32,
  planes: usize,
  radius: i32,
  passes: i32,
  tmp: usize,
  sums: usize,
): void {
  const n = <usize>(lw * lh);
  const pY = planes;
  const pU = pY + (n << 2);
  const pV = pU + (n << 2);
  const pW = pV + (n << 2);
  for (let ly = 0; ly < lh; ly++) {
    const r0 = frame + <usize>load<i32>(sy + ((<usize>ly) << 3));
    const r1 = frame + <usize>load<i32>(sy + ((<usize>ly) << 3), 4);
    const cy = load<i32>(gy + ((<usize>ly) << 2));
    const o = (<usize>(ly * lw)) << 2;
    for (let lx = 0; lx < lw; lx++) {
      const x0 = <usize>load<i32>(sx + ((<usize>lx) << 3));
      const x1 = <usize>load<i32>(sx + ((<usize>lx) << 3), 4);
      const c0 = x0 & ~(<usize>3);
      const c1 = x1 & ~(<usize>3);
      const y = <f64>(
        (<i32>load<u8>(r0 + x0) + <i32>load<u8>(r0 + x1) + <i32>load<u8>(r1 + x0) + <i32>load<u8>(r1 + x1))
      );
      const u = <f64>(
        (<i32>load<u8>(r0 + c0, 1) +
          <i32>load<u8>(r0 + c1, 1) +
          <i32>load<u8>(r1 + c0, 1) +
          <i32>load<u8>(r1 + c1, 1))
      );
      const v = <f64>(
        (<i32>load<u8>(r0 + c0, 3) +
          <i32>load<u8>(r0 + c1, 3) +
          <i32>load<u8>(r1 + c0, 3) +
          <i32>load<u8>(r1 + c1, 3))
      );
      const cx = load<i32>(gx + ((<usize>lx) << 2));
      let w: f64 = 1;
      if (cy >= 0 && cx >= 0) {
        let t = (<f64>load<f32>(mask + ((<usize>(cy * gw + cx)) << 2)) - 0.1) * 2.5;
        t = t < 0 ? 0 : min<f64>(t, 1);
        w = 1 - t * t * (3 - 2 * t);
      }
      w += 1e-4;
      const d = o + ((<usize>lx) << 2);
      store<f32>(pY + d, <f32>(y * w));
      store<f32>(pU + d, <f32>(u * w));
      store<f32>(pV + d, <f32>(v * w));
      store<f32>(pW + d, <f32>(w * 4));
    }
  }
  boxMeanPlanes(planes, 4, lw, lh, radius, passes, tmp, sums);
  for (let i: usize = 0; i < n; i++) {
    const inv = 1 / <f64>load<f32>(pW + (i << 2));
    const j = i << 2;
    store<f32>(pY + j, <f32>(<f64>load<f32>(pY + j) * inv));
    store<f32>(pU + j, <f32>(<f64>load<f32>(pU + j) * inv));
    store<f32>(pV + j, <f32>(<f64>load<f32>(pV + j) * inv));
  }
}

// ---------------------------------------------------------------------------------------------------
// Grid-resolution mask refinement (the person mask at model resolution, a few thousand cells).

// 3×3 maximum of a w·h plane (borders clipped), from `src` into `dst` through `tmp`.
function max3x3(src: usize, dst: usize, tmp: usize, w: i32, h: i32): void {
  const rowBytes = (<usize>w) << 2;
  for (let y = 0; y < h; y++) {
    const s = src + <usize>y * rowBytes;
    const d = tmp + <usize>y * rowBytes;
    if (w === 1) {
      store<f32>(d, load<f32>(s));
      continue;
    }
    store<f32>(d, max<f32>(load<f32>(s), load<f32>(s, 4)));
    let x = 1;
    for (; x + 4 < w; x += 4) {
      const o = (<usize>x) << 2;
      v128.store(d + o, f32x4.max(f32x4.max(v128.load(s + o - 4), v128.load(s + o)), v128.load(s + o + 4)));
    }
    for (; x < w - 1; x++) {
      const o = (<usize>x) << 2;
      store<f32>(d + o, max<f32>(max<f32>(load<f32>(s + o - 4), load<f32>(s + o)), load<f32>(s + o + 4)));
    }
    const o = (<usize>(w - 1)) << 2;
    store<f32>(d + o, max<f32>(load<f32>(s + o - 4), load<f32>(s + o)));
  }
  for (let y = 0; y < h; y++) {
    const up = tmp + <usize>(y > 0 ? y - 1 : y) * rowBytes;
    const mid = tmp + <usize>y * rowBytes;
    const down = tmp + <usize>(y < h - 1 ? y + 1 : y) * rowBytes;
    const d = dst + <usize>y * rowBytes;
    let x = 0;
    for (; x + 4 <= w; x += 4) {
      const o = (<usize>x) << 2;
      v128.store(d + o, f32x4.max(f32x4.max(v128.load(up + o), v128.load(mid + o)), v128.load(down + o)));
    }
    for (; x < w; x++) {
      const o = (<usize>x) << 2;
      store<f32>(d + o, max<f32>(max<f32>(load<f32>(up + o), load<f32>(mid + o)), load<f32>(down + o)));
    }
  }
}

// One step of motion-adaptive temporal smoothing, one motion cell per grid cell: motion = the largest
// luma change (codes) over the 3×3 neighbourhood; rate = still + (moving − still)·smoothstep((motion −
// lo)·inv), at least catchUp·(raw − state)²; state += rate·(raw − state). prevGuide ← guide.
export function temporalStep(
  raw: usize,
  state: usize,
  guide: usize,
  prev: usize,
  w: i32,
  h: i32,
  still: f32,
  moving: f32,
  lo: f32,
  inv: f32,
  catchUp: f32,
  motion: usize,
  tmp: usize,
): void {
  const n = <usize>(w * h);
  const v255 = f32x4.splat(255);
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) {
    const o = i << 2;
    const g = v128.load(guide + o);
    v128.store(motion + o, f32x4.mul(f32x4.abs(f32x4.sub(g, v128.load(prev + o))), v255));
    v128.store(prev + o, g);
  }
  for (; i < n; i++) {
    const o = i << 2;
    const g = load<f32>(guide + o);
    store<f32>(motion + o, abs<f32>(g - load<f32>(prev + o)) * 255);
    store<f32>(prev + o, g);
  }
  max3x3(motion, motion, tmp, w, h);
  const vlo = f32x4.splat(lo);
  const vinv = f32x4.splat(inv);
  const vstill = f32x4.splat(still);
  const vspan = f32x4.splat(moving - still);
  const vcatch = f32x4.splat(catchUp);
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const two = f32x4.splat(2);
  const three = f32x4.splat(3);
  i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = i << 2;
    const t = f32x4.min(f32x4.max(f32x4.mul(f32x4.sub(v128.load(motion + o), vlo), vinv), zero), one);
    const m = f32x4.add(
      vstill,
      f32x4.mul(vspan, f32x4.mul(f32x4.mul(t, t), f32x4.sub(three, f32x4.mul(two, t)))),
    );
    const s = v128.load(state + o);
    const d = f32x4.sub(v128.load(raw + o), s);
    const rate = f32x4.max(m, f32x4.mul(f32x4.mul(vcatch, d), d));
    v128.store(state + o, f32x4.add(s, f32x4.mul(rate, d)));
  }
  for (; i < n; i++) {
    const o = i << 2;
    const t = min<f32>(max<f32>((load<f32>(motion + o) - lo) * inv, 0), 1);
    const m = still + (moving - still) * (t * t * (3 - 2 * t));
    const s = load<f32>(state + o);
    const d = load<f32>(raw + o) - s;
    const rate = max<f32>(m, catchUp * d * d);
    store<f32>(state + o, s + rate * d);
  }
}

// The guided filter's coefficients on a grid: fits q = a·I + b to p in every (2r+1)² window of the
// guide I and box-averages a and b into meanA, meanB (`coef`: meanA then meanB, w·h each). `stats`:
// 4·w·h floats of scratch; `tmp`, `sums`: scratch of boxMeanPlanes.
export function guidedCoefficients(
  guide: usize,
  p: usize,
  w: i32,
  h: i32,
  r: i32,
  eps: f32,
  stats: usize,
  coef: usize,
  tmp: usize,
  sums: usize,
): void {
  const n = <usize>(w * h);
  const plane = n << 2;
  const t0 = stats;
  const t1 = t0 + plane;
  const t2 = t1 + plane;
  const t3 = t2 + plane;
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) {
    const o = i << 2;
    const g = v128.load(guide + o);
    const q = v128.load(p + o);
    v128.store(t0 + o, g);
    v128.store(t1 + o, q);
    v128.store(t2 + o, f32x4.mul(g, g));
    v128.store(t3 + o, f32x4.mul(g, q));
  }
  for (; i < n; i++) {
    const o = i << 2;
    const g = load<f32>(guide + o);
    const q = load<f32>(p + o);
    store<f32>(t0 + o, g);
    store<f32>(t1 + o, q);
    store<f32>(t2 + o, g * g);
    store<f32>(t3 + o, g * q);
  }
  boxMeanPlanes(stats, 4, w, h, r, 1, tmp, sums);
  const ma = coef;
  const mb = coef + plane;
  const veps = f32x4.splat(eps);
  i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = i << 2;
    const mi = v128.load(t0 + o);
    const mp = v128.load(t1 + o);
    const varI = f32x4.sub(v128.load(t2 + o), f32x4.mul(mi, mi));
    const cov = f32x4.sub(v128.load(t3 + o), f32x4.mul(mi, mp));
    const a = f32x4.div(cov, f32x4.add(varI, veps));
    v128.store(ma + o, a);
    v128.store(mb + o, f32x4.sub(mp, f32x4.mul(a, mi)));
  }
  for (; i < n; i++) {
    const o = i << 2;
    const mi = load<f32>(t0 + o);
    const mp = load<f32>(t1 + o);
    const a = (load<f32>(t3 + o) - mi * mp) / (load<f32>(t2 + o) - mi * mi + eps);
    store<f32>(ma + o, a);
    store<f32>(mb + o, mp - a * mi);
  }
  boxMeanPlanes(coef, 2, w, h, r, 1, tmp, sums);
}

// ---------------------------------------------------------------------------------------------------
// Full → limited range, in place on n bytes: luma 16 + y·219/255, chroma 128 + (c − 128)·224/255,
// as (v·M + K) >> 8 with M = 220 / 225 and K = 4224 / 4096 (within 0.65 code of the exact values;
// every intermediate fits an unsigned 16-bit lane). mode: 0 luma only, 1 chroma only, 2 YUYV (luma
// at even bytes), 3 UYVY (luma at odd bytes).
export function rangeToLimited(p: usize, n: usize, mode: i32): void {
  const lm: i32 = 220;
  const lk: i32 = 4224;
  const cm: i32 = 225;
  const ck: i32 = 4096;
  const m0 = mode === 1 || mode === 3 ? cm : lm;
  const m1 = mode === 0 || mode === 3 ? lm : cm;
  const k0 = mode === 1 || mode === 3 ? ck : lk;
  const k1 = mode === 0 || mode === 3 ? lk : ck;
  const vm = i16x8(<i16>m0, <i16>m1, <i16>m0, <i16>m1, <i16>m0, <i16>m1, <i16>m0, <i16>m1);
  const vk = i16x8(<i16>k0, <i16>k1, <i16>k0, <i16>k1, <i16>k0, <i16>k1, <i16>k0, <i16>k1);
  let i: usize = 0;
  for (; i + 16 <= n; i += 16) {
    const v = v128.load(p + i);
    const lo = i16x8.shr_u(i16x8.add(i16x8.mul(i16x8.extend_low_i8x16_u(v), vm), vk), 8);
    const hi = i16x8.shr_u(i16x8.add(i16x8.mul(i16x8.extend_high_i8x16_u(v), vm), vk), 8);
    v128.store(p + i, i8x16.narrow_i16x8_u(lo, hi));
  }
  for (; i < n; i++) {
    const odd = (<i32>i & 1) === 1;
    const m = odd ? m1 : m0;
    const k = odd ? k1 : k0;
    store<u8>(p + i, (<i32>load<u8>(p + i) * m + k) >> 8);
  }
}

// ---------------------------------------------------------------------------------------------------
// dst[i] = max(0, min(src[i], 1)) over n floats; NaN stays NaN and −0 becomes +0, as
// Math.max(0, Math.min(v, 1)) does. src and dst may be the same.
export function clampUnit(src: usize, dst: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(dst + o, f32x4.max(zero, f32x4.min(v128.load(src + o), one)));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    store<f32>(dst + o, max<f32>(0, min<f32>(load<f32>(src + o), 1)));
  }
}

// ---------------------------------------------------------------------------------------------------
// Grid inputs of @deepseg/compose's refinement. Arithmetic in f64 in the order of the JavaScript it
// replaced, so results are the same bit for bit.

function clampUnitF64(v: f64): f64 {
  return v > 0 ? min<f64>(v, 1) : 0;
}

// The model's mask (rect rx, ry, rw×rh of a maskWidth-wide mask) onto a cw×ch grid: each cell the
// mean of its s×s block (edge blocks clipped) of values clamped to 0..1; s = 2 with an even rect
// clamps the mean instead (the same for values already in 0..1).
export function maskToGrid(
  mask: usize,
  maskWidth: i32,
  rx: i32,
  ry: i32,
  rw: i32,
  rh: i32,
  s: i32,
  dst: usize,
  cw: i32,
  ch: i32,
): void {
  const mstride = (<usize>maskWidth) << 2;
  if (s === 1) {
    for (let y = 0; y < ch; y++) {
      const src = mask + <usize>(ry + y) * mstride + ((<usize>rx) << 2);
      const d = dst + ((<usize>(y * cw)) << 2);
      for (let x = 0; x < cw; x++) {
        const o = (<usize>x) << 2;
        store<f32>(d + o, <f32>clampUnitF64(<f64>load<f32>(src + o)));
      }
    }
    return;
  }
  if (s === 2 && (rw & 1) === 0 && (rh & 1) === 0) {
    for (let cy = 0; cy < ch; cy++) {
      const r0 = mask + <usize>(ry + cy * 2) * mstride + ((<usize>rx) << 2);
      const r1 = r0 + mstride;
      const d = dst + ((<usize>(cy * cw)) << 2);
      for (let cx = 0; cx < cw; cx++) {
        const o = (<usize>cx) << 3;
        const v =
          (<f64>load<f32>(r0 + o) +
            <f64>load<f32>(r0 + o, 4) +
            <f64>load<f32>(r1 + o) +
            <f64>load<f32>(r1 + o, 4)) *
          0.25;
        store<f32>(d + ((<usize>cx) << 2), <f32>clampUnitF64(v));
      }
    }
    return;
  }
  for (let cy = 0; cy < ch; cy++) {
    const y0 = cy * s;
    const y1 = min<i32>(rh, y0 + s);
    for (let cx = 0; cx < cw; cx++) {
      const x0 = cx * s;
      const x1 = min<i32>(rw, x0 + s);
      let sum: f64 = 0;
      for (let y = y0; y < y1; y++) {
        const row = mask + <usize>(ry + y) * mstride + ((<usize>rx) << 2);
        for (let x = x0; x < x1; x++) sum += clampUnitF64(<f64>load<f32>(row + ((<usize>x) << 2)));
      }
      store<f32>(dst + ((<usize>(cy * cw + cx)) << 2), <f32>(sum / <f64>((y1 - y0) * (x1 - x0))));
    }
  }
}

// Luma at grid resolution: cell (gx, gy) = (f[r0 + c0] + f[r0 + c1] + f[r1 + c0] + f[r1 + c1]) · k with
// byte offsets r = rows[2gy], rows[2gy + 1] and c = cols[2gx], cols[2gx + 1] (i32 tables).
export function gridLuma(frame: usize, rows: usize, cols: usize, gw: i32, gh: i32, k: f64, dst: usize): void {
  for (let gy = 0; gy < gh; gy++) {
    const r0 = frame + <usize>load<i32>(rows + ((<usize>gy) << 3));
    const r1 = frame + <usize>load<i32>(rows + ((<usize>gy) << 3), 4);
    const d = dst + ((<usize>(gy * gw)) << 2);
    for (let gx = 0; gx < gw; gx++) {
      const c0 = <usize>load<i32>(cols + ((<usize>gx) << 3));
      const c1 = <usize>load<i32>(cols + ((<usize>gx) << 3), 4);
      const sum =
        <i32>load<u8>(r0 + c0) + <i32>load<u8>(r0 + c1) + <i32>load<u8>(r1 + c0) + <i32>load<u8>(r1 + c1);
      store<f32>(d + ((<usize>gx) << 2), <f32>(<f64>sum * k));
    }
  }
}

// Removes 4-connected regions smaller than minArea cells from a w×h f32 mask in place: person blobs
// (v ≥ threshold) become 0 when fg = 1; background holes (v < threshold) not touching the border
// become 1 when fg = 0. visited: w·h bytes; queue: w·h i32. Returns how many regions were removed.
export function removeRegions(
  mask: usize,
  w: i32,
  h: i32,
  minArea: i32,
  fg: i32,
  threshold: f64,
  visited: usize,
  queue: usize,
): i32 {
  const n = w * h;
  memory.fill(visited, 0, <usize>n);
  const want = fg !== 0;
  let removed = 0;
  for (let start = 0; start < n; start++) {
    if (load<u8>(visited + <usize>start) !== 0) continue;
    if (<f64>load<f32>(mask + ((<usize>start) << 2)) >= threshold !== want) continue;
    let head = 0;
    let tail = 0;
    store<i32>(queue, start);
    tail = 1;
    store<u8>(visited + <usize>start, 1);
    let border = false;
    while (head < tail) {
      const i = load<i32>(queue + ((<usize>head) << 2));
      head++;
      const y = i / w;
      const x = i - y * w;
      if (x === 0 || y === 0 || x === w - 1 || y === h - 1) border = true;
      if (x > 0) tail = visitCell(i - 1, mask, visited, queue, tail, want, threshold);
      if (x < w - 1) tail = visitCell(i + 1, mask, visited, queue, tail, want, threshold);
      if (y > 0) tail = visitCell(i - w, mask, visited, queue, tail, want, threshold);
      if (y < h - 1) tail = visitCell(i + w, mask, visited, queue, tail, want, threshold);
    }
    if (tail < minArea && (want || !border)) {
      const value: f32 = want ? 0 : 1;
      for (let k = 0; k < tail; k++)
        store<f32>(mask + ((<usize>load<i32>(queue + ((<usize>k) << 2))) << 2), value);
      removed++;
    }
  }
  return removed;
}

// (small enough that -O3 inlines it)
function visitCell(
  j: i32,
  mask: usize,
  visited: usize,
  queue: usize,
  tail: i32,
  want: bool,
  threshold: f64,
): i32 {
  if (load<u8>(visited + <usize>j) === 0 && <f64>load<f32>(mask + ((<usize>j) << 2)) >= threshold === want) {
    store<u8>(visited + <usize>j, 1);
    store<i32>(queue + ((<usize>tail) << 2), j);
    return tail + 1;
  }
  return tail;
}
