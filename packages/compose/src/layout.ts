import { DeepsegError } from '@deepseg/yuyv';

/** Where the model's mask lies in the frame (frame pixels). Default: the whole frame. */
export interface Roi {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Geometry of a mask handed to the compositor. */
export interface MaskGeometry {
  /** Mask width in pixels (the model's output width). */
  width: number;
  /** Mask height in pixels. */
  height: number;
  /** The frame rectangle the mask covers (the model saw this crop, stretched). Default: the whole frame. */
  roi?: Roi;
}

/**
 * Precomputed mapping between a frame and a mask grid: sample offsets for the luma guide and the
 * bilinear tables of the full-resolution pass. Built once per (frame, mask, roi) geometry.
 */
export interface Layout {
  frameWidth: number;
  frameHeight: number;
  gridWidth: number;
  gridHeight: number;
  roi: Roi;
  /** Mean size of one mask cell in frame pixels. */
  cell: number;
  /** Byte offsets (within a row) of the 2 luma samples per grid column: [x0, x1] pairs. */
  sampleCols: Int32Array;
  /** Byte offsets of the 2 sample rows per grid row. */
  sampleRows: Int32Array;
  /** Per frame column: left grid column of the bilinear pair, or -1 outside the roi. */
  colX0: Int32Array;
  /** Per frame column: bilinear weight of the right grid column. */
  colFx: Float32Array;
}

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/**
 * Validates a mask geometry against the frame and builds its {@link Layout}.
 *
 * @throws DeepsegError `ERR_INVALID_OPTION` for a zero or non-integer size or a roi outside the frame.
 */
export function createLayout(frameWidth: number, frameHeight: number, g: MaskGeometry): Layout {
  if (typeof g !== 'object' || g === null) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      'Expected a mask geometry { width, height, roi? } but received nothing',
      {
        option: 'geometry',
      },
    );
  }
  if (!isInt(g.width, 1, 4096) || !isInt(g.height, 1, 4096)) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected integer mask geometry.width and geometry.height from 1 to 4096 but received ${g.width}×${g.height}`,
      { option: 'geometry.width' },
    );
  }
  const roi = g.roi ?? { x: 0, y: 0, width: frameWidth, height: frameHeight };
  if (
    !isInt(roi.x, 0, frameWidth - 1) ||
    !isInt(roi.y, 0, frameHeight - 1) ||
    !isInt(roi.width, 1, frameWidth - roi.x) ||
    !isInt(roi.height, 1, frameHeight - roi.y)
  ) {
    throw new DeepsegError(
      'ERR_INVALID_OPTION',
      `Expected geometry.roi inside the ${frameWidth}×${frameHeight} frame but received ${JSON.stringify(roi)}`,
      { option: 'geometry.roi' },
    );
  }
  const gw = g.width;
  const gh = g.height;
  const sx = roi.width / gw;
  const sy = roi.height / gh;
  const sampleCols = new Int32Array(gw * 2);
  for (let gx = 0; gx < gw; gx++) {
    for (let k = 0; k < 2; k++) {
      const x = Math.min(roi.x + roi.width - 1, Math.floor(roi.x + (gx + 0.25 + 0.5 * k) * sx));
      sampleCols[gx * 2 + k] = x * 2;
    }
  }
  const sampleRows = new Int32Array(gh * 2);
  for (let gy = 0; gy < gh; gy++) {
    for (let k = 0; k < 2; k++) {
      const y = Math.min(roi.y + roi.height - 1, Math.floor(roi.y + (gy + 0.25 + 0.5 * k) * sy));
      sampleRows[gy * 2 + k] = y * frameWidth * 2;
    }
  }
  const colX0 = new Int32Array(frameWidth).fill(-1);
  const colFx = new Float32Array(frameWidth);
  for (let x = roi.x; x < roi.x + roi.width; x++) {
    let gxf = ((x + 0.5 - roi.x) * gw) / roi.width - 0.5;
    if (gxf < 0) gxf = 0;
    if (gxf > gw - 1) gxf = gw - 1;
    const x0 = Math.floor(gxf);
    colX0[x] = x0;
    colFx[x] = gxf - x0;
  }
  return {
    frameWidth,
    frameHeight,
    gridWidth: gw,
    gridHeight: gh,
    roi: { x: roi.x, y: roi.y, width: roi.width, height: roi.height },
    cell: (sx + sy) / 2,
    sampleCols,
    sampleRows,
    colX0,
    colFx,
  };
}
