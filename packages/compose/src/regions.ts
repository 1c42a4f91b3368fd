/**
 * Removes connected regions smaller than `minArea` pixels (4-connected): person blobs (`m ≥
 * threshold`) are set to 0 when `foreground`, else background holes (`m < threshold`) not touching
 * the border are set to 1. `visited` (n bytes) and `queue` (n ints) are scratch. Returns how many
 * regions were removed.
 */
export function removeSmallRegions(
  mask: Float32Array,
  width: number,
  height: number,
  minArea: number,
  foreground: boolean,
  visited: Uint8Array,
  queue: Int32Array,
  threshold = 0.5,
): number {
  const n = width * height;
  visited.fill(0);
  let removed = 0;
  for (let start = 0; start < n; start++) {
    if (visited[start] !== 0 || mask[start]! >= threshold !== foreground) continue;
    // Breadth-first flood fill; the region's pixels stay listed in queue[0, tail).
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    visited[start] = 1;
    let border = false;
    while (head < tail) {
      const i = queue[head++]!;
      const x = i % width;
      const y = (i - x) / width;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1) border = true;
      if (x > 0) tail = visit(i - 1, mask, visited, queue, tail, foreground, threshold);
      if (x < width - 1) tail = visit(i + 1, mask, visited, queue, tail, foreground, threshold);
      if (y > 0) tail = visit(i - width, mask, visited, queue, tail, foreground, threshold);
      if (y < height - 1) tail = visit(i + width, mask, visited, queue, tail, foreground, threshold);
    }
    if (tail < minArea && (foreground || !border)) {
      const value = foreground ? 0 : 1;
      for (let k = 0; k < tail; k++) mask[queue[k]!] = value;
      removed++;
    }
  }
  return removed;
}

function visit(
  j: number,
  mask: Float32Array,
  visited: Uint8Array,
  queue: Int32Array,
  tail: number,
  foreground: boolean,
  threshold: number,
): number {
  if (visited[j] === 0 && mask[j]! >= threshold === foreground) {
    visited[j] = 1;
    queue[tail++] = j;
  }
  return tail;
}
