// Tensor layout bookkeeping. Every value in the ONNX graph remembers how its physical element order
// relates to the TFLite tensor it stands for: physical = transpose(logical, perm), i.e. physical axis
// i is logical axis perm[i]. 4-D activations live as NCHW (perm [0,3,1,2]) inside the graph; graph
// inputs and outputs keep the TFLite order (identity perm).

/** The perm that turns a logical NHWC tensor into physical NCHW. */
export const NCHW: readonly number[] = [0, 3, 1, 2];

/** The identity perm of a rank. */
export function identity(rank: number): number[] {
  return Array.from({ length: rank }, (_, i) => i);
}

export function samePerm(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function invertPerm(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => {
    inv[p] = i;
  });
  return inv;
}

/** Physical shape of a logical shape under `perm`. */
export function permuteShape(shape: readonly number[], perm: readonly number[]): number[] {
  return perm.map((p) => shape[p] as number);
}

export function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = (s[i + 1] as number) * (shape[i + 1] as number);
  return s;
}

type NumericArray = Float32Array | Int32Array;

/** Transposes row-major `data` of logical `shape` into the physical order `perm` (see module doc). */
export function transposeData<T extends NumericArray>(
  data: T,
  shape: readonly number[],
  perm: readonly number[],
): T {
  if (samePerm(perm, identity(perm.length))) return data;
  const out = new (data.constructor as new (n: number) => T)(data.length);
  const outShape = permuteShape(shape, perm);
  const inStrides = strides(shape);
  // Stride in the source of each physical (output) axis.
  const src = perm.map((p) => inStrides[p] as number);
  const rank = outShape.length;
  const idx = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = data[offset] as number;
    for (let a = rank - 1; a >= 0; a--) {
      idx[a] = (idx[a] as number) + 1;
      offset += src[a] as number;
      if ((idx[a] as number) < (outShape[a] as number)) break;
      offset -= (src[a] as number) * (outShape[a] as number);
      idx[a] = 0;
    }
  }
  return out;
}

/**
 * True when a value whose non-unit axes keep their relative order between two perms: then changing
 * perm is a pure Reshape (no data movement).
 */
export function isReshapeOnly(
  shape: readonly number[],
  from: readonly number[],
  to: readonly number[],
): boolean {
  const a = from.filter((p) => shape[p] !== 1);
  const b = to.filter((p) => shape[p] !== 1);
  return samePerm(a, b);
}

/**
 * True when reshaping a tensor stored as (inShape, inPerm) to (outShape, outPerm) is a physical Reshape
 * without data movement. Checked exactly by following every element.
 */
export function reshapeKeepsOrder(
  inShape: readonly number[],
  inPerm: readonly number[],
  outShape: readonly number[],
  outPerm: readonly number[],
): boolean {
  const n = product(inShape);
  if (n !== product(outShape)) return false;
  if (isIdentity(inPerm) && isIdentity(outPerm)) return true;
  const iota = new Int32Array(n);
  for (let i = 0; i < n; i++) iota[i] = i;
  const a = transposeData(iota, inShape, inPerm);
  const b = transposeData(iota, outShape, outPerm);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function isIdentity(perm: readonly number[]): boolean {
  return perm.every((p, i) => p === i);
}

/**
 * Candidate physical perm for the output of a reshape, derived from the input's perm: groups of
 * logical axes whose products match are kept together in the input's physical group order.
 * Returns undefined when the shapes do not split into such groups.
 */
export function carriedReshapePerm(
  inShape: readonly number[],
  inPerm: readonly number[],
  outShape: readonly number[],
): number[] | undefined {
  const groups: { ins: number[]; outs: number[] }[] = [];
  let i = 0;
  let j = 0;
  while (i < inShape.length || j < outShape.length) {
    const g = { ins: [] as number[], outs: [] as number[] };
    let pi = 1;
    let po = 1;
    do {
      if (g.ins.length === 0 && i < inShape.length) {
        pi *= inShape[i] as number;
        g.ins.push(i++);
      } else if (g.outs.length === 0 && j < outShape.length) {
        po *= outShape[j] as number;
        g.outs.push(j++);
      } else if (pi < po && i < inShape.length) {
        pi *= inShape[i] as number;
        g.ins.push(i++);
      } else if (po < pi && j < outShape.length) {
        po *= outShape[j] as number;
        g.outs.push(j++);
      } else break;
    } while (pi !== po || g.ins.length === 0 || g.outs.length === 0);
    if (pi !== po) return undefined;
    groups.push(g);
  }
  // Order groups by where their first input axis sits physically.
  const pos = invertPerm(inPerm);
  const ordered = [...groups].sort(
    (a, b) =>
      Math.min(...a.ins.map((x) => pos[x] as number)) - Math.min(...b.ins.map((x) => pos[x] as number)),
  );
  const perm = ordered.flatMap((g) => g.outs);
  return perm.length === outShape.length ? perm : undefined;
}
