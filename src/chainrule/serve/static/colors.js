// Colours: six class colours (colour-blind friendly, Okabe–Ito) and a diverging map for
// heatmaps (blue = negative, white = 0, red = positive), as in the report's matrices.

export const CLASS_RGB = [
  [0, 114, 178], [213, 94, 0], [0, 158, 115], [204, 121, 167], [230, 159, 0], [86, 180, 233],
];

export function classColor(k, alpha = 1) {
  const [r, g, b] = CLASS_RGB[k % CLASS_RGB.length];
  return `rgba(${r},${g},${b},${alpha})`;
}

/** RGB of value v on a symmetric diverging scale with limit `lim` (> 0). */
export function diverging(v, lim) {
  if (!Number.isFinite(v)) return [120, 120, 120];
  const t = lim > 0 ? Math.max(-1, Math.min(1, v / lim)) : 0;
  const s = Math.sqrt(Math.abs(t)); // perceptual boost for small values
  const blue = [33, 102, 172], red = [178, 24, 43];
  const end = t < 0 ? blue : red;
  return [255 + (end[0] - 255) * s, 255 + (end[1] - 255) * s, 255 + (end[2] - 255) * s].map(Math.round);
}

/** Draw a grid (Float32Array rows×cols, row-major) as a heatmap into a canvas context. */
export function drawHeatmap(ctx, grid, rows, cols, x, y, w, hgt, lim) {
  if (lim === undefined) {
    lim = 0;
    for (const g of grid) if (Number.isFinite(g)) lim = Math.max(lim, Math.abs(g));
  }
  const img = new ImageData(cols, rows);
  for (let i = 0; i < rows * cols; i++) {
    const [r, g, b] = diverging(grid[i], lim);
    img.data[4 * i] = r; img.data[4 * i + 1] = g; img.data[4 * i + 2] = b; img.data[4 * i + 3] = 255;
  }
  const off = new OffscreenCanvas(cols, rows);
  off.getContext('2d').putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, x, y, w, hgt);
  return lim;
}
