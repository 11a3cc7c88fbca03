// The computation graph: each node's value and gradient (tiny example); the backward pass
// runs edge by edge as the Step panel moves through the backward lines.

import { clear, cssVar, fitCanvas, fmt, h, shapeText } from './dom.js';
import { drawHeatmap } from './colors.js';


function flat(data) {
  if (data === null || data === undefined) return null;
  if (!Array.isArray(data)) return { rows: 1, cols: 1, grid: Float32Array.of(data) };
  const rows = Array.isArray(data[0]) ? data : [data];
  const cols = rows[0] ? rows[0].length : 0;
  const grid = new Float32Array(rows.length * cols);
  rows.forEach((r, i) => r.forEach((v, j) => { grid[i * cols + j] = v; }));
  return { rows: rows.length, cols, grid };
}

function stats(data) {
  const f = flat(data);
  if (!f || !f.grid.length) return '';
  let lo = Infinity, hi = -Infinity, s = 0;
  for (const v of f.grid) { lo = Math.min(lo, v); hi = Math.max(hi, v); s += v; }
  return `min ${fmt(lo)}, max ${fmt(hi)}, mean ${fmt(s / f.grid.length)}`;
}

export class GraphView {
  constructor(root, graph, stops, onPick) {
    this.graph = graph;
    this.stops = stops;
    this.onPick = onPick;
    this.stop = null;
    this.t0 = performance.now();
    this.canvas = h('canvas', { class: 'cr-graph-canvas', role: 'img',
      'aria-label': 'Computation graph of the network: values flow left to right, gradients right to left.' });
    this.tip = h('div', { class: 'cr-tip', role: 'tooltip', hidden: true });
    this.list = h('ul', { class: 'cr-graph-list' });
    this.wrap = h('div', { class: 'cr-graph-wrap' }, this.canvas, this.tip);
    root.append(this.wrap,
      h('p', { class: 'cr-hint' }, 'Hover a node for its shape, values and the line that computes its gradient; click it to go to that line.'),
      h('details', { class: 'cr-graph-nodes' }, h('summary', {}, 'Nodes as a list'), this.list));
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.canvas.addEventListener('mouseleave', () => { this.tip.hidden = true; });
    this.canvas.addEventListener('click', (e) => { const n = this.hit(e); if (n) this.pick(n); });
    this.byId = new Map(graph.nodes.map((n) => [n.id, n]));
    this.fillList();
    new ResizeObserver(() => this.draw()).observe(this.wrap);
    const tick = () => { if (this.animating()) this.draw(); this.raf = requestAnimationFrame(tick); };
    this.raf = requestAnimationFrame(tick);
  }

  fillList() {
    clear(this.list);
    for (const n of this.graph.nodes) {
      const e = this.gradEdge(n);
      this.list.append(h('li', {}, h('button', { type: 'button', onclick: () => this.pick(n) },
        `${n.text} = ${n.name}, shape ${shapeText(n.shape)}`,
        e ? `; gradient from ${e.where ?? `line ${e.backward_line}`}: ${e.backward_code}` : '; no gradient line')));
    }
  }

  gradEdge(n) {
    return this.graph.edges.find((e) => e.src === n.id && e.step !== null && e.step !== undefined);
  }

  pick(n) {
    const fwd = this.stops.find((s) => s.kind === 'forward' && s.name === n.name);
    const id = n.step !== null && n.step !== undefined ? `b${n.step}` : fwd ? fwd.id : null;
    if (id) this.onPick(id);
  }

  setStop(stop) {
    this.stop = stop;
    this.t0 = performance.now();
    this.draw();
  }

  level() { // how far the backward pass has got: index of the current backward line, else -1
    return this.stop && this.stop.kind === 'backward' ? this.stop.index : -1;
  }

  animating() {
    const k = this.level();
    return k >= 0 && this.graph.edges.some((e) => e.step === k) && performance.now() - this.t0 < 1600;
  }

  // Where node n is drawn: its box {x, y, w, h} in CSS pixels.  A wide panel keeps the graph's
  // own layout (scaled down to fit, never up); a narrow one turns it: values flow top to bottom.
  box(n) {
    const g = this.graph, gw = g.width || 1200, gh = g.height || 520;
    if (this.narrow) { // the rows of the layout become columns, spread over the whole width
      const ys = this.graph.nodes.map((m) => m.y), lo = Math.min(...ys), hi = Math.max(...ys);
      const rows = new Set(ys.map((y) => Math.round(y * 10))).size;
      const w = Math.min(118, (this.width - 12) / rows - 8), hh = 58;
      const u = hi > lo ? (n.y - lo) / (hi - lo) : 0.5;
      const cx = 6 + w / 2 + u * (this.width - w - 12), cy = 6 + hh / 2 + n.x * (this.height - hh - 12);
      return { x: cx - w / 2, y: cy - hh / 2, w, h: hh };
    }
    const k = this.k, w = (n.width ? n.width * gw : 112) * k, hh = Math.max(44, (n.height ? n.height * gh : 60) * k);
    const cx = Math.min(this.width - w / 2 - 2, Math.max(w / 2 + 2, n.x * this.width));
    const cy = Math.min(this.height - hh / 2 - 2, Math.max(hh / 2 + 2, n.y * this.height));
    return { x: cx - w / 2, y: cy - hh / 2, w, h: hh };
  }

  draw() {
    const gw = this.graph.width || 1200, gh = this.graph.height || 520;
    const room = Math.max(260, this.wrap.clientWidth);
    this.narrow = room < 560;
    this.k = Math.max(0.8, Math.min(1, room / gw)); // smaller boxes would not hold their text: scroll instead
    const W = this.narrow ? room : Math.max(room, Math.round(gw * this.k));
    const H = this.narrow ? Math.max(420, Math.round(gw * 0.62)) : Math.max(160, Math.round(gh * this.k));
    this.width = W; this.height = H;
    const ctx = fitCanvas(this.canvas, W, H);
    ctx.clearRect(0, 0, W, H);
    const k = this.level();
    const ink = cssVar('--ink', '#222'), soft = cssVar('--ink-soft', '#666');
    const back = cssVar('--grad', '#d55e00'), line = cssVar('--line', '#ccc');
    const now = (performance.now() - this.t0) / 700;
    for (const e of this.graph.edges) {
      const a = this.byId.get(e.src), b = this.byId.get(e.dst);
      if (!a || !b) continue;
      const p = this.box(a), q = this.box(b);
      const x1 = p.x + p.w / 2, y1 = p.y + p.h / 2, x2 = q.x + q.w / 2, y2 = q.y + q.h / 2;
      const active = e.step === k, done = e.step !== null && e.step !== undefined && e.step < k;
      ctx.strokeStyle = active || done ? back : line;
      ctx.lineWidth = active ? 3 : done ? 2 : 1.5;
      ctx.beginPath(); ctx.moveTo(x1, y1); ctx.lineTo(x2, y2); ctx.stroke();
      if (active) { // a pulse running backwards, from the edge's end to its start
        const t = Math.min(1, now % 1.2);
        ctx.fillStyle = back;
        ctx.beginPath(); ctx.arc(x2 + (x1 - x2) * t, y2 + (y1 - y2) * t, 5, 0, 2 * Math.PI); ctx.fill();
      }
    }
    const current = this.stop ? this.stop.node : null;
    for (const n of this.graph.nodes) {
      const { x, y, w, h: hh } = this.box(n);
      const on = current === n.id || current === n.name;
      ctx.fillStyle = cssVar(n.kind === 'param' ? '--param-bg' : n.kind === 'data' ? '--data-bg' : '--node-bg', '#fff');
      ctx.strokeStyle = on ? back : soft; ctx.lineWidth = on ? 3 : 1;
      roundRect(ctx, x, y, w, hh, 8); ctx.fill(); ctx.stroke();
      const room = w - 34;
      ctx.fillStyle = ink; ctx.font = 'bold 15px system-ui, sans-serif'; ctx.textAlign = 'left';
      ctx.fillText(clip(ctx, n.text, room), x + 8, y + 19);
      ctx.font = '11px system-ui, sans-serif'; ctx.fillStyle = soft;
      let ty = y + 33;
      if (n.name && n.name !== n.text && hh >= 54) { ctx.font = '11px ui-monospace, monospace'; ctx.fillText(clip(ctx, n.name, room), x + 8, ty); ty += 13; ctx.font = '11px system-ui, sans-serif'; }
      ctx.fillText(n.shape.length ? shapeText(n.shape) : 'scalar', x + 8, ty);
      const v = flat(n.value), g = this.gradAt(n, k);
      if (v && v.grid.length > 1) drawHeatmap(ctx, v.grid, v.rows, v.cols, x + w - 26, y + 6, 20, 20);
      if (g) {
        const f = flat(g.data);
        if (f) drawHeatmap(ctx, f.grid, f.rows, f.cols, x + w - 26, y + hh - 26, 20, 20);
        ctx.fillStyle = back; ctx.font = '10px system-ui, sans-serif';
        ctx.fillText('∂L', x + w - 44, y + hh - 10);
      }
    }
  }

  gradAt(n, k) {
    let found = null;
    for (const g of n.grads || []) if (g.step <= k) found = g;
    return found;
  }

  hit(e) {
    const r = this.canvas.getBoundingClientRect(), mx = e.clientX - r.left, my = e.clientY - r.top;
    return this.graph.nodes.find((n) => {
      const { x, y, w, h: hh } = this.box(n);
      return mx >= x && mx <= x + w && my >= y && my <= y + hh;
    });
  }

  hover(e) {
    const n = this.hit(e);
    this.canvas.style.cursor = n ? 'pointer' : 'default';
    if (!n) { this.tip.hidden = true; return; }
    const edge = this.gradEdge(n), g = this.gradAt(n, 1e9);
    clear(this.tip).append(
      h('strong', {}, `${n.text} = ${n.name}`), h('br'),
      `shape ${shapeText(n.shape)} in your full network`, h('br'),
      n.value !== null && n.value !== undefined ? `value (tiny example): ${stats(n.value)}` : 'value: —', h('br'),
      g ? `gradient (tiny example): ${stats(g.data)}` : 'no gradient (nothing is learned here)', h('br'),
      edge ? h('span', {}, 'gradient computed by ', edge.where ?? `line ${edge.backward_line}`, ': ', h('code', {}, edge.backward_code)) : '');
    const r = this.wrap.getBoundingClientRect();
    const b = this.box(n);
    this.tip.hidden = false;
    this.tip.style.left = `${Math.max(0, Math.min(b.x, r.width - 280))}px`;
    this.tip.style.top = `${b.y + b.h + 6}px`;
  }
}

function clip(ctx, text, room) { // the text, cut with … to fit `room` pixels
  if (ctx.measureText(text).width <= room) return text;
  let t = text;
  while (t.length > 1 && ctx.measureText(`${t}…`).width > room) t = t.slice(0, -1);
  return `${t}…`;
}

function roundRect(ctx, x, y, w, hh, r) {
  ctx.beginPath();
  ctx.moveTo(x + r, y); ctx.arcTo(x + w, y, x + w, y + hh, r); ctx.arcTo(x + w, y + hh, x, y + hh, r);
  ctx.arcTo(x, y + hh, x, y, r); ctx.arcTo(x, y, x + w, y, r); ctx.closePath();
}
