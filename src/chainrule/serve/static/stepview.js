// Step mode: the iteration's code with the current line highlighted, and for that line its
// formula (in the chosen notation), the shapes, the tiny example's numbers (click one to see
// its formula with the numbers in it), the full-size arrays as heatmaps, and the check.

import { clear, fitCanvas, fmt, h, shapeText } from './dom.js';
import { drawHeatmap } from './colors.js';

const ROLE = { input: 'read by this line', before: 'before this line', after: 'after this line',
  value: 'computed by this line', used: 'used by this line' };

function lineName(key) { // 37 → "line 37"; "network.py:12" → "network.py, line 12"
  const [file, n] = String(key).includes(':') ? String(key).split(':') : [null, key];
  return file ? `${file}, line ${n}` : `line ${n}`;
}

export class StepView {
  constructor(codeRoot, detailRoot, page, hooks) {
    this.page = page;
    this.stops = page.stops;
    this.hooks = hooks; // {send, onStop, entryLookup}
    this.pos = 0;
    this.notation = page.notation || 'code';
    this.heatmaps = new Map();
    this.buildCode(codeRoot);
    this.detail = detailRoot;
  }

  buildCode(root) {
    const byLine = new Map();
    this.stops.forEach((s, i) => s.lines.forEach((n) => { if (!byLine.has(n)) byLine.set(n, i); }));
    this.lineEls = new Map();
    const list = h('ol', { class: 'cr-code-lines', 'aria-label': 'Your code, one line per row' });
    for (const line of this.page.lines) {
      const key = line.key ?? line.n;
      if (line.header) { // another file of the learner's (a module the script imports)
        list.append(h('li', { class: 'cr-file-head', role: 'presentation' }, h('code', {}, line.header)));
        continue;
      }
      const at = byLine.get(key);
      const li = h('li', { class: at === undefined ? 'cr-line' : 'cr-line cr-stop-line', dataset: { n: line.n, key } },
        h('span', { class: 'cr-ln', 'aria-hidden': 'true' }, String(line.n)),
        h('code', { html: line.html || ' ' }));
      if (at !== undefined) {
        li.tabIndex = -1;
        li.addEventListener('click', () => this.go(at));
        li.title = `Go to line ${line.n}`;
      }
      this.lineEls.set(key, li);
      list.append(li);
    }
    this.position = h('span', { class: 'cr-pos', 'aria-live': 'polite' });
    this.back = h('button', { type: 'button', class: 'cr-btn', onclick: () => this.go(this.pos - 1),
      'aria-keyshortcuts': 'ArrowLeft', title: 'Previous line (←)' }, '◀ Back');
    this.next = h('button', { type: 'button', class: 'cr-btn cr-primary', onclick: () => this.go(this.pos + 1),
      'aria-keyshortcuts': 'ArrowRight', title: 'Next line (→)' }, 'Next ▶');
    this.jump = h('select', { class: 'cr-jump', 'aria-label': 'Go to a line' },
      h('optgroup', { label: 'Forward pass' }, ...this.stops.filter((s) => s.kind === 'forward').map((s) => this.option(s))),
      h('optgroup', { label: 'Backward pass and update' }, ...this.stops.filter((s) => s.kind === 'backward').map((s) => this.option(s))));
    this.jump.addEventListener('change', () => this.go(this.stops.findIndex((s) => s.id === this.jump.value)));
    this.scroller = h('div', { class: 'cr-code-scroll', tabindex: '0', 'aria-label': 'Code' }, list);
    root.append(h('div', { class: 'cr-nav' }, this.back, this.next, this.position), this.jump, this.scroller,
      h('p', { class: 'cr-hint' }, 'Keys: ← → step through the lines, Home / End first / last line.'));
  }

  option(s) {
    const line = s.lines.length ? `${s.where_first ?? lineName(s.lines[0])}: ` : '';
    return h('option', { value: s.id }, `${line}${s.kind === 'forward' ? s.title : s.code}`);
  }

  current() { return this.stops[this.pos]; }

  go(i, quiet = false) {
    if (typeof i === 'string') i = this.stops.findIndex((s) => s.id === i);
    if (i < 0 || i >= this.stops.length || Number.isNaN(i)) return;
    this.pos = i;
    const s = this.current();
    for (const el of this.lineEls.values()) { el.classList.remove('cr-current'); el.removeAttribute('aria-current'); }
    s.lines.forEach((n, k) => {
      const el = this.lineEls.get(n);
      if (!el) return;
      el.classList.add('cr-current');
      if (k === 0) {
        el.setAttribute('aria-current', 'step');
        this.scroller.scrollTop = Math.max(0, el.offsetTop - this.scroller.clientHeight / 3);
      }
    });
    this.back.disabled = i === 0;
    this.next.disabled = i === this.stops.length - 1;
    this.jump.value = s.id;
    this.position.textContent = `${i + 1} of ${this.stops.length} · ${s.kind === 'forward' ? 'forward' : 'backward'}`;
    this.render();
    if (!quiet) this.hooks.onStop(s);
  }

  setNotation(n) { this.notation = n; this.render(); }

  render() {
    const s = this.current();
    const d = clear(this.detail);
    const where = s.where ?? (s.lines.length ? `${lineName(s.lines[0])}${s.lines.length > 1 ? `–${String(s.lines[s.lines.length - 1]).split(':').pop()}` : ''}` : '');
    d.append(h('header', { class: 'cr-detail-head' },
      h('h2', { id: 'cr-stop-title' }, s.title),
      h('span', { class: `cr-badge ${s.kind}` }, s.kind === 'forward' ? 'forward' : s.holds_label || 'backward'),
      where ? h('span', { class: 'cr-where' }, where) : null));
    d.append(h('pre', { class: 'cr-snippet' }, h('code', {}, s.code)));
    if (s.verdict) d.append(h('div', { class: 'cr-verdict-box', html: s.verdict.html }));
    d.append(this.formulaBox(s));
    if (s.holds_html) d.append(h('p', { class: 'cr-holds' }, h('strong', {}, 'After this line: '), h('span', { html: s.holds_html })));
    this.entryBox = h('div', { class: 'cr-entry', 'aria-live': 'polite', id: 'cr-entry' },
      h('p', { class: 'cr-hint' }, 'Click any number below: its formula appears here, with the real numbers put in.'));
    d.append(this.entryBox);
    d.append(this.shapesBox(s), this.valuesBox(s));
    this.fullBox = h('section', { class: 'cr-full', 'aria-labelledby': 'cr-full-title' },
      h('h3', { id: 'cr-full-title' }, 'Full size'), h('p', { class: 'cr-hint' }, 'Loading the full-size arrays…'));
    d.append(this.fullBox);
    if (s.chain_html) d.append(h('section', { class: 'cr-prose' }, h('h3', {}, 'Chain rule'), h('div', { html: s.chain_html })));
    if (s.shape_reason_html) d.append(h('section', { class: 'cr-prose' }, h('h3', {}, 'Why these shapes'), h('div', { html: s.shape_reason_html })));
    clearTimeout(this.fullTimer); // stepping quickly asks the server once, for the line it stops at
    this.fullTimer = setTimeout(() => this.hooks.send({ type: 'full', stop: s.id }), 200);
  }

  formulaBox(s) {
    const mathml = s.formula[this.notation];
    const box = h('section', { class: 'cr-formula', 'aria-label': 'Formula' });
    if (mathml) box.append(h('div', { class: 'cr-math', html: mathml }));
    else {
      box.append(h('div', { class: 'cr-math', html: s.formula.code || '' }));
      if (this.notation !== 'code') box.append(h('p', { class: 'cr-hint' }, 'This line has no formula in that textbook notation; shown in your code\'s names.'));
    }
    const tb = (s.textbook || {})[this.notation];
    if (tb) box.append(h('p', { class: 'cr-translation' }, h('strong', {}, `${tb.name}: `), h('span', { html: tb.translation_html })));
    if (s.index_formula) box.append(h('details', { class: 'cr-index', open: true }, h('summary', {}, 'One entry at a time (index form)'), h('div', { class: 'cr-math', html: s.index_formula })));
    return box;
  }

  shapesBox(s) {
    return h('section', { class: 'cr-shapes', 'aria-label': 'Shapes' }, h('h3', {}, 'Shapes (your full network)'),
      h('ul', { class: 'cr-chips' }, ...s.shapes.map(([name, , text]) => h('li', {}, h('code', {}, name), ' ', text))));
  }

  valuesBox(s) {
    const net = this.page.network.tiny;
    const title = net ? `Numbers (tiny example: N = ${net.N}, h = ${net.h}, K = ${net.K})` : 'Numbers (first rows and columns)';
    const box = h('section', { class: 'cr-values', 'aria-label': 'Numbers' }, h('h3', {}, title));
    const grid = h('div', { class: 'cr-matrices' });
    s.values.forEach((v, vi) => grid.append(this.matrix(s, v, vi)));
    box.append(grid);
    return box;
  }

  matrix(s, v, vi) {
    const rows = v.shape.length === 0 ? [[v.data]] : v.shape.length === 1 ? [v.data] : v.data;
    const table = h('table', { class: 'cr-mat', dataset: { value: vi, name: v.name } });
    rows.forEach((r, i) => {
      const tr = h('tr');
      r.forEach((x, j) => {
        const idx = v.shape.length === 0 ? [] : v.shape.length === 1 ? [j] : [i, j];
        const label = `${v.name}[${idx.join(',')}] = ${fmt(x)}`;
        const b = h('button', { type: 'button', class: 'cr-cell', 'aria-label': label, dataset: { v: x, idx: idx.join(',') },
          onclick: () => this.pickEntry(s, vi, idx, b) }, fmt(x));
        if (x === 0) b.classList.add('cr-zero');
        tr.append(h('td', {}, b));
      });
      table.append(tr);
    });
    return h('figure', { class: `cr-matrix cr-role-${v.role}` },
      h('figcaption', {}, h('span', { class: 'cr-sym', html: v.symbol }), ' ', h('code', {}, v.name), ' ',
        h('span', { class: 'cr-dim' }, shapeText(v.shape)), ' ', h('span', { class: 'cr-role' }, ROLE[v.role] || ''),
        v.examples ? h('span', { class: 'cr-examples' }, ` · ${v.examples}`) : null),
      h('div', { class: 'cr-bracket' }, table),
      v.note_html ? h('p', { class: 'cr-note', html: v.note_html }) : null);
  }

  pickEntry(s, vi, idx, button) {
    for (const b of this.detail.querySelectorAll('.cr-cell.cr-picked')) b.classList.remove('cr-picked');
    button.classList.add('cr-picked');
    const cached = this.hooks.entryLookup && this.hooks.entryLookup(s.id, vi, idx);
    if (cached) this.showEntry(cached);
    else this.hooks.send({ type: 'entry', stop: s.id, value: vi, index: idx });
  }

  showEntry(e) {
    if (e.stop !== this.current().id || !this.entryBox) return;
    clear(this.entryBox);
    this.entryBox.dataset.result = String(e.result);
    this.entryBox.dataset.terms = JSON.stringify(e.terms);
    this.entryBox.dataset.ok = String(e.ok);
    this.entryBox.append(h('div', { class: 'cr-math cr-entry-math', role: 'math', 'aria-label': e.text },
      ...(e.rows || [e.mathml]).map((m) => h('div', { class: 'cr-entry-row', html: m }))));
    if (e.legend && e.legend.length) {
      this.entryBox.append(h('p', { class: 'cr-legend' }, 'where ',
        ...e.legend.flatMap(([sym, name], i) => [i ? ', ' : '', h('span', { html: sym }), ' is ', h('code', {}, name)])));
    }
    if (e.full) this.entryBox.append(h('p', { class: 'cr-hint' }, `Full size: ${e.name}[${e.index.join(',')}] of ${e.where}, a sum of ${e.n_terms} terms.`));
    if (!e.ok && e.why) this.entryBox.append(h('p', { class: 'cr-hint' }, `This is ${e.name}[${e.index.join(',')}]: ${e.why}.`));
    this.entryBox.append(h('p', { class: 'cr-hint' }, 'Indices count from 0, as in numpy.'));
  }

  heatmap(frame) { this.heatmaps.set(frame.seq, frame); }

  showFull(msg) {
    if (!this.fullBox || msg.stop !== this.current().id) return;
    const box = clear(this.fullBox);
    box.append(h('h3', { id: 'cr-full-title' }, 'Full size'));
    if (msg.unavailable) { box.append(h('p', { class: 'cr-hint' }, msg.unavailable)); return; }
    box.append(h('p', { class: 'cr-hint' }, `Every entry, from ${msg.where}. Blue is negative, red positive, white zero. Click the result's picture for one entry's formula with these numbers.`),
      h('button', { type: 'button', class: 'cr-btn cr-small', onclick: () => this.hooks.send({ type: 'full', stop: msg.stop }) }, 'Refresh with the current weights'));
    const grid = h('div', { class: 'cr-heatmaps' });
    msg.arrays.forEach((a, i) => {
      const f = this.heatmaps.get(msg.seqs[i]);
      this.heatmaps.delete(msg.seqs[i]);
      const canvas = h('canvas', { class: a.written ? 'cr-heat cr-clickable' : 'cr-heat', role: 'img',
        'aria-label': `${a.name}: shape ${shapeText(a.shape)}, min ${fmt(a.min)}, max ${fmt(a.max)}` });
      if (a.written && a.shape.length === 2) {
        canvas.title = 'Click a pixel: the formula of that entry with the full-size numbers';
        canvas.addEventListener('click', (ev) => {
          const r = canvas.getBoundingClientRect();
          const [gr, gc] = a.grid, [R, C] = a.shape;
          const i = Math.min(R - 1, Math.floor(((ev.clientY - r.top) / r.height) * gr) * Math.ceil(R / gr));
          const j = Math.min(C - 1, Math.floor(((ev.clientX - r.left) / r.width) * gc) * Math.ceil(C / gc));
          this.hooks.send({ type: 'full_entry', stop: msg.stop, index: [i, j] });
        });
      }
      const cell = a.grid && (a.grid[0] < (a.shape[0] || 1) || a.grid[1] < (a.shape[1] || a.shape[0]))
        ? ' (each pixel: the mean of a block)' : '';
      grid.append(h('figure', { class: 'cr-heatfig' }, canvas,
        h('figcaption', {}, h('code', {}, a.name), ` ${shapeText(a.shape)}${cell}`, h('br'),
          `min ${fmt(a.min)} · max ${fmt(a.max)} · mean ${fmt(a.mean)} · zeros ${(100 * a.zeros).toFixed(1)} %`)));
      if (f) requestAnimationFrame(() => {
        const w = Math.min(170, Math.max(60, grid.clientWidth / 3 - 12));
        const ratio = f.rows / f.cols, hh = Math.max(24, Math.min(150, w * ratio));
        const ctx = fitCanvas(canvas, w, hh);
        drawHeatmap(ctx, f.grid, f.rows, f.cols, 0, 0, w, hh);
      });
    });
    box.append(grid);
  }
}
