// A contact sheet PNG written with sharp: labelled tiles of frames, masks and composites.
import { yuyvToRgb } from '@deepseg/yuyv';
import sharp, { type OverlayOptions } from 'sharp';

/** One tile: a YUYV frame or an alpha map (0..1) of the source size, with a label. */
export type Tile = { label: string; yuyv: Uint8Array } | { label: string; alpha: Float32Array };

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Writes `tiles` (each `width`×`height`) as a grid of `columns`, each tile scaled to `tileWidth`
 * (keeping the aspect ratio) with its label above it; an optional crop (source pixels) zooms in.
 */
export async function writeContactSheet(
  path: string,
  tiles: Tile[],
  o: {
    width: number;
    height: number;
    columns: number;
    tileWidth: number;
    crop?: { x: number; y: number; width: number; height: number };
  },
): Promise<void> {
  const crop = o.crop ?? { x: 0, y: 0, width: o.width, height: o.height };
  const tw = o.tileWidth;
  const th = Math.round((tw * crop.height) / crop.width);
  const labelH = 22;
  const rows = Math.ceil(tiles.length / o.columns);
  const W = o.columns * tw;
  const H = rows * (th + labelH);
  const layers: OverlayOptions[] = [];
  let svg = `<svg width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg">`;
  for (let i = 0; i < tiles.length; i++) {
    const t = tiles[i]!;
    const rgb = new Uint8Array(o.width * o.height * 3);
    if ('yuyv' in t) yuyvToRgb(t.yuyv, rgb, { width: o.width, height: o.height });
    else {
      for (let p = 0; p < t.alpha.length; p++) {
        const v = Math.round(Math.min(1, Math.max(0, t.alpha[p]!)) * 255);
        rgb[p * 3] = v;
        rgb[p * 3 + 1] = v;
        rgb[p * 3 + 2] = v;
      }
    }
    const img = await sharp(rgb, { raw: { width: o.width, height: o.height, channels: 3 } })
      .extract({ left: crop.x, top: crop.y, width: crop.width, height: crop.height })
      .resize(tw, th, { kernel: crop.width < tw ? 'nearest' : 'lanczos3' })
      .png()
      .toBuffer();
    const x = (i % o.columns) * tw;
    const y = Math.floor(i / o.columns) * (th + labelH);
    layers.push({ input: img, left: x, top: y + labelH });
    svg += `<text x="${x + 6}" y="${y + 16}" font-family="sans-serif" font-size="15" fill="#fff">${escapeXml(t.label)}</text>`;
  }
  svg += '</svg>';
  layers.unshift({ input: Buffer.from(svg), left: 0, top: 0 });
  await sharp({ create: { width: W, height: H, channels: 3, background: { r: 30, g: 30, b: 30 } } })
    .composite(layers)
    .png()
    .toFile(path);
}
