// Binary frames of the page's WebSocket (see chainrule/serve/protocol.py for the layout).
// Little-endian; every field is 4-byte aligned, so the numbers are Float32Array views.

export const TRAIN = 1, DATA = 2, HEATMAP = 3, BOUNDARY = 4;
const HEADER = 20;

export function decode(buffer) {
  const v = new DataView(buffer);
  const kind = v.getUint8(0), count = v.getUint16(2, true), seq = v.getUint32(4, true);
  const a = v.getUint32(8, true), b = v.getUint32(12, true), c = v.getUint32(16, true);
  if (kind === TRAIN) {
    const dims = [];
    for (let k = 0; k < count; k++) dims.push([v.getUint32(HEADER + 8 * k, true), v.getUint32(HEADER + 8 * k + 4, true)]);
    let off = HEADER + 8 * count;
    const losses = new Float32Array(buffer, off, c); off += 4 * c;
    const accuracies = new Float32Array(buffer, off, c); off += 4 * c;
    const params = [];
    for (const [fi, fo] of dims) {
      const W = new Float32Array(buffer, off, fi * fo); off += 4 * fi * fo;
      const bias = new Float32Array(buffer, off, fo); off += 4 * fo;
      params.push({ W, b: bias, fanIn: fi, fanOut: fo });
    }
    return { kind: 'train', seq, iteration: a, first: b, losses, accuracies, params, bytes: buffer.byteLength };
  }
  if (kind === DATA) {
    const X = new Float32Array(buffer, HEADER, 2 * a);
    const y = new Float32Array(buffer, HEADER + 8 * a, a);
    return { kind: 'data', seq, n: a, classes: count, X, y };
  }
  if (kind === HEATMAP) {
    return { kind: 'heatmap', seq, rows: a, cols: b, grid: new Float32Array(buffer, HEADER, a * b) };
  }
  if (kind === BOUNDARY) { // the server's grid: class and probability per cell, top row first
    const n = a * b, cls = Uint8Array.from(new Float32Array(buffer, HEADER, n));
    return { kind: 'boundary', seq, G: a, K: Math.max(2, count), iteration: c, cls, conf: new Float32Array(buffer, HEADER + 4 * n, n) };
  }
  throw new Error(`unknown frame kind ${kind}`);
}
