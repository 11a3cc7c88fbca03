// Loss and accuracy curves: every iteration's numbers, reduced to one min–max pair per
// pixel column, so a 200 000-iteration run draws as fast as a short one.

import { cssVar, fitCanvas, fmt } from './dom.js';

export class History {
  constructor(cap) {
    this.cap = cap;
    this.loss = new Float32Array(1024);
    this.acc = new Float32Array(1024);
    this.n = 0;
  }

  reset() { this.n = 0; }

  push(first, losses, accs) {
    if (first !== this.n) this.n = Math.min(first, this.n); // a replay from the start: overwrite
    const need = this.n + losses.length;
    if (need > this.loss.length) {
      const size = Math.min(this.cap, Math.max(need, 2 * this.loss.length));
      const l = new Float32Array(size), a = new Float32Array(size);
      l.set(this.loss.subarray(0, this.n)); a.set(this.acc.subarray(0, this.n));
      this.loss = l; this.acc = a;
    }
    const room = Math.min(losses.length, this.loss.length - this.n);
    this.loss.set(losses.subarray(0, room), this.n);
    this.acc.set(accs.subarray(0, room), this.n);
    this.n += room;
  }

  losses() { return Array.from(this.loss.subarray(0, this.n), (v) => (Number.isFinite(v) ? v : null)); }

  last(arr) { // the newest finite value (a script's accuracy is measured once per frame), else null
    for (let i = this.n - 1; i >= 0; i--) if (Number.isFinite(arr[i])) return arr[i];
    return null;
  }
}

export function drawCurves(canvas, hist, width, height) {
  const ctx = fitCanvas(canvas, width, height);
  const pad = { l: 44, r: 40, t: 10, b: 24 };
  const w = width - pad.l - pad.r, hh = height - pad.t - pad.b;
  ctx.clearRect(0, 0, width, height);
  ctx.font = '11px system-ui, sans-serif';
  const ink = cssVar('--ink-soft', '#555'), grid = cssVar('--line', '#ddd');
  const n = hist.n;
  let top = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(hist.loss[i])) top = Math.max(top, hist.loss[i]);
  top = top > 0 ? niceTop(top) : 1;
  ctx.strokeStyle = grid; ctx.lineWidth = 1;
  ctx.fillStyle = ink;
  for (let k = 0; k <= 4; k++) {
    const y = pad.t + hh - (k / 4) * hh;
    ctx.beginPath(); ctx.moveTo(pad.l, y); ctx.lineTo(pad.l + w, y); ctx.stroke();
    ctx.textAlign = 'right'; ctx.fillText(fmt((top * k) / 4, 2), pad.l - 4, y + 4);
    ctx.textAlign = 'left'; ctx.fillText(`${25 * k}%`, pad.l + w + 4, y + 4);
  }
  ctx.textAlign = 'center';
  ctx.fillText(n ? `iteration (0 – ${n})` : 'iteration', pad.l + w / 2, height - 6);
  if (!n) return;
  const series = (arr, scale, colour) => { // one min–max pair per pixel column; NaN (not measured) is skipped
    ctx.strokeStyle = colour; ctx.fillStyle = colour; ctx.lineWidth = 1.6; ctx.beginPath();
    const cols = Math.max(1, Math.min(w, n));
    let started = false, points = 0, lastX = 0, lastY = 0;
    for (let c = 0; c < cols; c++) {
      const a = Math.floor((c * n) / cols), b = Math.max(a + 1, Math.floor(((c + 1) * n) / cols));
      let lo = Infinity, hi = -Infinity;
      for (let i = a; i < b; i++) { const v = arr[i]; if (v < lo) lo = v; if (v > hi) hi = v; }
      if (!Number.isFinite(lo)) continue;
      const x = pad.l + (n === 1 ? w : (c / Math.max(1, cols - 1)) * w);
      const y1 = pad.t + hh - Math.min(1, hi / scale) * hh, y0 = pad.t + hh - Math.min(1, lo / scale) * hh;
      if (!started) { ctx.moveTo(x, y1); started = true; } else ctx.lineTo(x, y1);
      if (y0 !== y1) ctx.lineTo(x, y0);
      points += 1; lastX = x; lastY = y0;
    }
    ctx.stroke();
    if (points === 1) { ctx.beginPath(); ctx.arc(lastX, lastY, 2.5, 0, 2 * Math.PI); ctx.fill(); }
  };
  series(hist.acc, 1, cssVar('--acc', '#0a7'));
  series(hist.loss, top, cssVar('--loss', '#c33'));
}

function niceTop(x) {
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}
