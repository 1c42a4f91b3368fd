/**
 * Scales packed YUYV frames (bilinear luma, bilinear chroma per pixel pair), with the coordinate
 * tables built once per size pair. Used when `--output-size` differs from the capture size.
 */
export class YuyvScaler {
  readonly #sw: number;
  readonly #sh: number;
  readonly #dw: number;
  readonly #dh: number;
  // luma: source x index and weight (0..256) per destination x; rows likewise
  readonly #lx: Int32Array;
  readonly #lwx: Int32Array;
  readonly #cx: Int32Array;
  readonly #cwx: Int32Array;
  readonly #ry: Int32Array;
  readonly #rwy: Int32Array;

  constructor(srcWidth: number, srcHeight: number, dstWidth: number, dstHeight: number) {
    this.#sw = srcWidth;
    this.#sh = srcHeight;
    this.#dw = dstWidth;
    this.#dh = dstHeight;
    this.#lx = new Int32Array(dstWidth);
    this.#lwx = new Int32Array(dstWidth);
    for (let x = 0; x < dstWidth; x++) {
      const f = Math.min(srcWidth - 1, Math.max(0, ((x + 0.5) * srcWidth) / dstWidth - 0.5));
      const i = Math.min(srcWidth - 2, Math.floor(f));
      this.#lx[x] = i;
      this.#lwx[x] = Math.round((f - i) * 256);
    }
    const scw = srcWidth >> 1;
    const dcw = dstWidth >> 1;
    this.#cx = new Int32Array(dcw);
    this.#cwx = new Int32Array(dcw);
    for (let x = 0; x < dcw; x++) {
      const f = Math.min(scw - 1, Math.max(0, ((x + 0.5) * scw) / dcw - 0.5));
      const i = Math.max(0, Math.min(scw - 2, Math.floor(f)));
      this.#cx[x] = i;
      this.#cwx[x] = Math.round((f - i) * 256);
    }
    this.#ry = new Int32Array(dstHeight);
    this.#rwy = new Int32Array(dstHeight);
    for (let y = 0; y < dstHeight; y++) {
      const f = Math.min(srcHeight - 1, Math.max(0, ((y + 0.5) * srcHeight) / dstHeight - 0.5));
      const i = Math.min(srcHeight - 2, Math.floor(f));
      this.#ry[y] = Math.max(0, i);
      this.#rwy[y] = Math.round((f - Math.max(0, i)) * 256);
    }
  }

  /** Scales `src` (source size) into `dst` (destination size). */
  scale(src: Uint8Array, dst: Uint8Array): void {
    const sStride = this.#sw * 2;
    const dStride = this.#dw * 2;
    const dcw = this.#dw >> 1;
    for (let y = 0; y < this.#dh; y++) {
      const r0 = this.#ry[y]! * sStride;
      const r1 = Math.min(this.#ry[y]! + 1, this.#sh - 1) * sStride;
      const wy = this.#rwy[y]!;
      const iy = 256 - wy;
      const o = y * dStride;
      for (let x = 0; x < this.#dw; x++) {
        const sx = this.#lx[x]! * 2;
        const wx = this.#lwx[x]!;
        const ix = 256 - wx;
        const top = src[r0 + sx]! * ix + src[r0 + sx + 2]! * wx;
        const bottom = src[r1 + sx]! * ix + src[r1 + sx + 2]! * wx;
        dst[o + x * 2] = (top * iy + bottom * wy + 32768) >> 16;
      }
      for (let x = 0; x < dcw; x++) {
        const sx = this.#cx[x]! * 4;
        const wx = this.#cwx[x]!;
        const ix = 256 - wx;
        const od = o + x * 4;
        const tu = src[r0 + sx + 1]! * ix + src[r0 + sx + 5]! * wx;
        const bu = src[r1 + sx + 1]! * ix + src[r1 + sx + 5]! * wx;
        dst[od + 1] = (tu * iy + bu * wy + 32768) >> 16;
        const tv = src[r0 + sx + 3]! * ix + src[r0 + sx + 7]! * wx;
        const bv = src[r1 + sx + 3]! * ix + src[r1 + sx + 7]! * wx;
        dst[od + 3] = (tv * iy + bv * wy + 32768) >> 16;
      }
    }
  }
}
