/**
 * Separable box mean with a window of (2·radius+1)² clipped at the borders (each output divides by
 * the number of pixels actually inside the window). `tmp` is a caller-owned scratch buffer of
 * `width·height` floats; `src` and `dst` may be the same array.
 */
export function boxMean(
  src: Float32Array,
  dst: Float32Array,
  width: number,
  height: number,
  radius: number,
  tmp: Float32Array,
): void {
  const r = Math.min(radius, width - 1, height - 1, 1 << 20);
  if (r <= 0) {
    if (src !== dst) dst.set(src);
    return;
  }
  horizontalBoxMean(src, tmp, width, height, Math.min(radius, width - 1));
  verticalBoxMean(tmp, dst, width, height, Math.min(radius, height - 1));
}

function horizontalBoxMean(
  src: Float32Array,
  dst: Float32Array,
  width: number,
  height: number,
  r: number,
): void {
  const inv = 1 / (2 * r + 1);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let x = 0; x <= r && x < width; x++) sum += src[row + x]!;
    // Left border: the window grows.
    let x = 0;
    for (; x <= r && x < width; x++) {
      dst[row + x] = sum / (Math.min(x + r, width - 1) + 1);
      if (x + r + 1 < width) sum += src[row + x + r + 1]!;
    }
    // Interior: full window, no branches.
    const end = width - r - 1;
    for (; x < end; x++) {
      sum -= src[row + x - r - 1]!;
      dst[row + x] = sum * inv;
      sum += src[row + x + r + 1]!;
    }
    // Right border: the window shrinks.
    for (; x < width; x++) {
      if (x - r - 1 >= 0) sum -= src[row + x - r - 1]!;
      dst[row + x] = sum / (width - 1 - Math.max(x - r, 0) + 1);
      if (x + r + 1 < width) sum += src[row + x + r + 1]!;
    }
  }
}

// Column sums in float64 so the running add/subtract does not drift.
function verticalBoxMean(
  src: Float32Array,
  dst: Float32Array,
  width: number,
  height: number,
  r: number,
): void {
  const sums = scratchSums(width);
  sums.fill(0, 0, width);
  for (let y = 0; y <= r && y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) sums[x]! += src[row + x]!;
  }
  for (let y = 0; y < height; y++) {
    const lo = Math.max(y - r, 0);
    const hi = Math.min(y + r, height - 1);
    const inv = 1 / (hi - lo + 1);
    const row = y * width;
    const add = y + r + 1;
    const sub = y - r;
    if (add < height && sub >= 0) {
      const a = add * width;
      const s = sub * width;
      for (let x = 0; x < width; x++) {
        const v = sums[x]!;
        dst[row + x] = v * inv;
        sums[x] = v + src[a + x]! - src[s + x]!;
      }
      continue;
    }
    for (let x = 0; x < width; x++) dst[row + x] = sums[x]! * inv;
    if (add < height) {
      const a = add * width;
      for (let x = 0; x < width; x++) sums[x]! += src[a + x]!;
    }
    if (sub >= 0) {
      const s = sub * width;
      for (let x = 0; x < width; x++) sums[x]! -= src[s + x]!;
    }
  }
}

// One column-sum row, grown on demand and reused (only a wider grid than ever before allocates).
let sumsBuffer = new Float64Array(0);
function scratchSums(width: number): Float64Array {
  if (sumsBuffer.length < width) sumsBuffer = new Float64Array(width);
  return sumsBuffer;
}

/**
 * Grey-level dilation (`grow > 0`: max filter) or erosion (`grow < 0`: min filter) with a square
 * window of radius |grow|, separable. `tmp` is scratch of `width·height`; `src` and `dst` may alias.
 */
export function morph(
  src: Float32Array,
  dst: Float32Array,
  width: number,
  height: number,
  grow: number,
  tmp: Float32Array,
): void {
  const r = Math.abs(grow);
  if (grow > 0) {
    maxRows(src, tmp, width, height, r);
    maxCols(tmp, dst, width, height, r);
  } else {
    // min(x) = −max(−x)
    for (let i = 0; i < width * height; i++) dst[i] = -src[i]!;
    maxRows(dst, tmp, width, height, r);
    maxCols(tmp, dst, width, height, r);
    for (let i = 0; i < width * height; i++) dst[i] = -dst[i]!;
  }
}

function maxRows(src: Float32Array, dst: Float32Array, width: number, height: number, r: number): void {
  if (r === 1 && width >= 2) {
    for (let y = 0; y < height; y++) {
      const row = y * width;
      const last = row + width - 1;
      // max2, not Math.max of three: the hot loop of the temporal motion grid.
      let a = src[row]!;
      let b = src[row + 1]!;
      dst[row] = max2(a, b);
      for (let k = row + 1; k < last; k++) {
        const c = src[k + 1]!;
        dst[k] = max2(max2(a, b), c);
        a = b;
        b = c;
      }
      dst[last] = max2(a, b);
    }
    return;
  }
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const hi = Math.min(x + r, width - 1);
      let v = src[row + Math.max(x - r, 0)]!;
      for (let k = row + Math.max(x - r, 0) + 1; k <= row + hi; k++) v = Math.max(v, src[k]!);
      dst[row + x] = v;
    }
  }
}

function maxCols(src: Float32Array, dst: Float32Array, width: number, height: number, r: number): void {
  if (r === 1 && height >= 2) {
    for (let y = 0; y < height; y++) {
      const row = y * width;
      const up = y > 0 ? row - width : row;
      const down = y < height - 1 ? row + width : row;
      for (let x = 0; x < width; x++) {
        const a = src[up + x]!;
        const b = src[row + x]!;
        const c = src[down + x]!;
        dst[row + x] = max2(max2(a, b), c);
      }
    }
    return;
  }
  for (let y = 0; y < height; y++) {
    const lo = Math.max(y - r, 0);
    const hi = Math.min(y + r, height - 1);
    const row = y * width;
    for (let x = 0; x < width; x++) dst[row + x] = src[lo * width + x]!;
    for (let k = lo + 1; k <= hi; k++) {
      const o = k * width;
      for (let x = 0; x < width; x++) dst[row + x] = Math.max(dst[row + x]!, src[o + x]!);
    }
  }
}

/**
 * @internal The larger of two numbers (neither NaN): a ternary the JIT inlines, measurably faster than
 * `Math.max` in the per-cell loops.
 */
export function max2(a: number, b: number): number {
  // biome-ignore lint/complexity/useMathMinMax: Math.max is slower in these hot loops (measured)
  return a > b ? a : b;
}
