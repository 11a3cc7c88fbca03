// Train mode: the data and the decision boundary redrawn live, the loss and accuracy
// curves, play / pause / one iteration / rewind, the speed, and every setting of the run.

import { clear, cssVar, fitCanvas, fmt, h } from './dom.js';
import { CLASS_RGB, classColor } from './colors.js';
import { Boundary, paint } from './boundary.js';
import { drawCurves, History } from './curves.js';

const FIELDS = [
  ['train', 'Train', 'select', ['script', 'engine']],
  ['dataset', 'Data set', 'select', ['spiral', 'moons', 'circles', 'xor', 'gaussian']],
  ['points', 'Points per class', 'number', { min: 1, max: 2500, step: 1 }],
  ['classes', 'Classes', 'number', { min: 2, max: 6, step: 1 }],
  ['noise', 'Noise', 'number', { min: 0, step: 0.05, placeholder: 'default' }],
  ['hidden', 'Hidden layer sizes', 'text', { placeholder: 'e.g. 1000 or 16,16', inputmode: 'numeric' }],
  ['activation', 'Activation', 'select', ['relu', 'leaky_relu', 'tanh', 'sigmoid']],
  ['loss', 'Loss', 'select', ['softmax', 'hinge']],
  ['step_size', 'Step size η', 'number', { min: 0, step: 'any' }],
  ['reg', 'Regularisation λ', 'number', { min: 0, step: 'any' }],
  ['optimizer', 'Optimizer', 'select', ['gd', 'sgd', 'momentum', 'adam']],
  ['batch_size', 'Batch size', 'number', { min: 1, step: 1, placeholder: 'full batch' }],
  ['seed', 'Seed', 'number', { min: 0, step: 1 }],
];
const LABELS = { softmax: 'softmax cross-entropy', hinge: 'hinge (multiclass SVM)', gd: 'gradient descent',
  sgd: 'SGD (mini-batches)', momentum: 'momentum', adam: 'Adam', leaky_relu: 'leaky ReLU', relu: 'ReLU',
  tanh: 'tanh', sigmoid: 'sigmoid', custom: 'your own data',
  script: 'your script (python)', engine: "chainrule's engine" };
const SCRIPT_FIELDS = new Set(['train', 'seed']); // what still applies when the learner's script trains

export class TrainView {
  constructor(root, hooks) {
    this.hooks = hooks; // {send, onSettings, state}
    this.hist = new History(200000);
    this.boundary = new Boundary();
    this.small = document.createElement('canvas');
    this.latest = null; this.drawnSeq = -1;
    this.data = null; this.box = { x0: -1, x1: 1, y0: -1, y1: 1 };
    this.activation = 'relu'; this.classes = 2;
    this.drawTimes = [];
    this.build(root);
    const loop = () => { this.tick(); this.raf = requestAnimationFrame(loop); };
    this.raf = requestAnimationFrame(loop);
    new ResizeObserver(() => { this.drawPoints(); this.drawnSeq = -1; this.curvesDirty = true; }).observe(this.stage);
  }

  build(root) {
    this.bCanvas = h('canvas', { id: 'cr-boundary', class: 'cr-boundary', role: 'img',
      'aria-label': 'Decision boundary: the colour of each region is the class the network predicts there' });
    this.pCanvas = h('canvas', { id: 'cr-points', class: 'cr-points', 'aria-hidden': 'true' });
    this.pCanvas.addEventListener('click', (e) => this.click(e));
    this.stageNote = h('p', { class: 'cr-stage-note', hidden: true });
    this.stage = h('div', { class: 'cr-stage' }, this.bCanvas, this.pCanvas, this.stageNote);
    this.play = h('button', { type: 'button', class: 'cr-btn cr-primary', 'aria-pressed': 'false', id: 'cr-play',
      onclick: () => this.hooks.send({ type: this.playing ? 'pause' : 'play' }), 'aria-keyshortcuts': 'Space' }, '▶ Train');
    this.one = h('button', { type: 'button', class: 'cr-btn', id: 'cr-one', title: 'One iteration (.)',
      onclick: () => this.hooks.send({ type: 'step', n: 1 }) }, '+1 iteration');
    this.rewind = h('button', { type: 'button', class: 'cr-btn', id: 'cr-rewind', title: 'Back to the same starting weights (r)',
      onclick: () => this.hooks.send({ type: 'rewind' }) }, '⟲ Rewind');
    this.speed = h('select', { id: 'cr-speed', 'aria-label': 'Speed: iterations per frame' },
      ...[1, 2, 5, 10, 20, 50, 100].map((v) => h('option', { value: v }, `${v} it/frame`)));
    this.speed.addEventListener('change', () => { this.hooks.send({ type: 'speed', value: Number(this.speed.value) }); this.hooks.onSettings(); });
    this.readout = h('dl', { class: 'cr-readout', 'aria-live': 'off' });
    this.status = h('p', { class: 'cr-status', role: 'status', 'aria-live': 'polite' });
    this.curves = h('canvas', { class: 'cr-curves', role: 'img', 'aria-label': 'Loss (red) and accuracy (green) per iteration' });
    this.tool = h('fieldset', { class: 'cr-tool' }, h('legend', {}, 'Click on the plot to'));
    this.upload = h('input', { type: 'file', accept: '.csv,text/csv', id: 'cr-upload', class: 'cr-file' });
    this.upload.addEventListener('change', () => this.sendFile());
    this.form = h('form', { class: 'cr-settings', onsubmit: (e) => e.preventDefault() });
    this.inputs = {};
    for (const [key, label, kind, opt] of FIELDS) {
      const id = `cr-set-${key}`;
      let input;
      if (kind === 'select') input = h('select', { id, name: key }, ...opt.map((v) => h('option', { value: v }, LABELS[v] || v)));
      else input = h('input', { id, name: key, type: kind, ...opt });
      input.addEventListener('change', () => this.changed(key));
      this.inputs[key] = input;
      this.form.append(h('div', { class: 'cr-field', dataset: { key } }, h('label', { for: id }, label), input,
        h('span', { class: 'cr-field-error', id: `${id}-error`, 'aria-live': 'polite' })));
    }
    if (!this.hooks.script) this.form.querySelector('[data-key=train]').hidden = true; // the built-in network: the engine only
    this.form.append(h('div', { class: 'cr-field cr-upload-field' }, h('label', { for: 'cr-upload' }, 'Your own CSV (x, y, label)'), this.upload));
    this.printedBox = h('figure', { class: 'cr-printed', hidden: true },
      h('figcaption', {}, 'Your script printed'), h('pre', { 'aria-live': 'off' }));
    this.notices = h('ul', { class: 'cr-notices' });
    root.append(
      h('div', { class: 'cr-train-top' }, this.stage,
        h('div', { class: 'cr-side' }, h('div', { class: 'cr-buttons' }, this.play, this.one, this.rewind, this.speed),
          this.readout, this.status, this.printedBox, this.tool)),
      this.curves,
      h('details', { class: 'cr-more', open: true }, h('summary', {}, 'Settings (the link in the address bar keeps them)'), this.form, this.notices));
  }

  // ------------------------------------------------------------------ messages
  run(msg) {
    this.settings = msg.settings;
    const b = msg.boundary || { mode: 'weights' };
    this.mode = b.mode;
    this.stageNote.hidden = b.mode !== 'none';
    this.stageNote.textContent = b.mode === 'none' ? b.note : '';
    this.activation = b.activation || msg.settings.activation;
    this.classes = msg.data.classes;
    this.engine = msg.engine;
    this.hist.reset();
    this.latest = null; this.grid = null; this.drawnSeq = -1; this.curvesDirty = true;
    this.hooks.state.finished = '';
    for (const [key] of FIELDS) {
      const v = msg.settings[key], input = this.inputs[key];
      if (key === 'dataset') this.datasetOptions(v === 'custom' ? msg.data.name : null);
      input.value = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(',') : String(v);
      this.fieldError(key, '');
    }
    const script = msg.settings.train === 'script';
    this.form.classList.toggle('cr-script-mode', script);
    for (const el of this.form.querySelectorAll('.cr-field')) {
      const key = el.dataset.key;
      el.classList.toggle('cr-off', script && !SCRIPT_FIELDS.has(key));
    }
    this.inputs.points.disabled = this.inputs.classes.disabled = this.inputs.noise.disabled = msg.settings.dataset === 'custom';
    this.buildTool();
    this.tool.hidden = script; // clicked points train chainrule's engine, not the script
    clear(this.notices);
    for (const n of msg.data.notices || []) this.notices.append(h('li', {}, n));
    this.showPrinted([]);
    if (script) {
      const sz = msg.sizes || [];
      const one = sz[sz.length - 1] === 1 && b.mode !== 'none' ? ' (one yes/no output: two classes)' : '';
      const parts = [msg.data.n ? `${msg.data.n} points, ${msg.data.classes} classes` : '',
        sz.length > 1 ? `network ${sz.join(' → ')}${one}` : ''].filter(Boolean);
      const notes = [b.mode === 'none' ? '' : b.note, b.loss_note || ''].filter(Boolean).join(' ');
      this.status.textContent = `${b.script}, run by python in its own process${parts.length ? `: ${parts.join(', ')}` : ''}. ${notes}`;
    } else {
      const note = this.hooks.note ? ` ${this.hooks.note}` : '';
      this.status.textContent = `${msg.data.name}: ${msg.data.n} points, ${msg.data.classes} classes, network ${msg.sizes.join(' → ')}, ${msg.engine} engine.${note}`;
    }
    this.hooks.onSettings();
  }

  showPrinted(lines) {
    this.printedBox.hidden = !lines.length;
    const pre = this.printedBox.querySelector('pre');
    pre.textContent = lines.join('\n');
    pre.scrollTop = pre.scrollHeight; // the newest line in view
  }

  boundaryFrame(f) { this.grid = f; }

  datasetOptions(customName) {
    const sel = this.inputs.dataset;
    const old = sel.querySelector('option[value="custom"]');
    if (old) old.remove();
    if (customName) sel.append(h('option', { value: 'custom' }, `your data (${customName})`));
  }

  buildTool() {
    clear(this.tool).append(h('legend', {}, 'Click on the plot to'));
    const pick = this.toolValue || '0';
    const radio = (value, text, colour) => {
      const id = `cr-tool-${value}`;
      const input = h('input', { type: 'radio', name: 'cr-tool', id, value, checked: value === pick });
      input.addEventListener('change', () => { this.toolValue = value; });
      return h('label', { for: id, class: 'cr-tool-opt' }, input, colour ? h('span', { class: 'cr-swatch', style: { background: colour } }) : null, text);
    };
    for (let k = 0; k < Math.min(6, this.classes + 1); k++) {
      this.tool.append(radio(String(k), k < this.classes ? `add class ${k}` : `add a new class ${k}`, classColor(k)));
    }
    this.tool.append(radio('remove', 'remove the nearest point', null));
    this.toolValue = this.tool.querySelector('input:checked') ? pick : '0';
  }

  dataFrame(f) {
    this.data = f;
    this.hooks.state.points = f.n;
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = 0; i < f.n; i++) {
      x0 = Math.min(x0, f.X[2 * i]); x1 = Math.max(x1, f.X[2 * i]);
      y0 = Math.min(y0, f.X[2 * i + 1]); y1 = Math.max(y1, f.X[2 * i + 1]);
    }
    if (!Number.isFinite(x0)) { x0 = y0 = -1; x1 = y1 = 1; }
    const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, half = Math.max(x1 - x0, y1 - y0, 1e-6) * 0.6;
    this.box = { x0: cx - half, x1: cx + half, y0: cy - half, y1: cy + half };
    this.drawPoints();
  }

  trainFrame(f) {
    this.hist.push(f.first, f.losses, f.accuracies);
    this.latest = f;
    this.curvesDirty = true;
    const st = this.hooks.state;
    st.iteration = f.iteration;
    st.loss = this.hist.last(this.hist.loss); st.accuracy = this.hist.last(this.hist.acc); // the newest measured
  }

  state(msg) {
    this.playing = msg.playing;
    this.hooks.state.playing = msg.playing;
    this.hooks.state.finished = msg.finished || '';
    this.play.textContent = msg.playing ? '❚❚ Pause' : '▶ Train';
    this.play.setAttribute('aria-pressed', String(msg.playing));
    this.play.disabled = this.one.disabled = !!msg.finished;
    this.play.title = msg.finished ? `Your script's ${msg.finished.replace(/^your /, '')}: rewind to run it again.` : '';
    this.speed.value = String(msg.speed);
    this.hooks.state.dropped = msg.dropped;
    if (msg.printed) this.showPrinted(msg.printed);
  }

  fieldError(key, message) {
    const el = document.getElementById(`cr-set-${key}-error`);
    if (el) el.textContent = message;
    if (this.inputs[key]) this.inputs[key].setAttribute('aria-invalid', message ? 'true' : 'false');
  }

  error(msg) {
    if (msg.option && this.inputs[msg.option]) this.fieldError(msg.option, msg.message);
    else this.status.textContent = msg.message;
  }

  // ------------------------------------------------------------------ input
  values() {
    const s = {};
    for (const [key, , kind] of FIELDS) {
      const raw = this.inputs[key].value.trim();
      if (key === 'hidden') s[key] = raw;
      else if (kind === 'number') s[key] = raw === '' ? null : Number(raw);
      else s[key] = raw;
    }
    return s;
  }

  changed(key) {
    if (key === 'optimizer' && this.hooks.defaultStep) this.inputs.step_size.value = this.hooks.defaultStep[this.inputs.optimizer.value];
    this.fieldError(key, '');
    this.hooks.send({ type: 'settings', settings: this.values() });
  }

  click(e) {
    const r = this.pCanvas.getBoundingClientRect();
    const x = this.box.x0 + ((e.clientX - r.left) / r.width) * (this.box.x1 - this.box.x0);
    const y = this.box.y1 - ((e.clientY - r.top) / r.height) * (this.box.y1 - this.box.y0);
    const tool = this.toolValue || '0';
    if (tool === 'remove') this.hooks.send({ type: 'points', remove: [[x, y]] });
    else this.hooks.send({ type: 'points', add: [[x, y, Number(tool)]] });
  }

  async sendFile() {
    const file = this.upload.files[0];
    if (!file) return;
    const limit = (this.hooks.limits || {}).upload_bytes || 1e6;
    if (file.size > limit) {
      this.fieldError('dataset', `${file.name} is ${(file.size / 1e6).toFixed(1)} MB; the page takes CSV files up to ${(limit / 1e6).toFixed(0)} MB.`);
      return;
    }
    this.hooks.send({ type: 'upload', name: file.name, text: await file.text() });
    this.upload.value = '';
  }

  // ------------------------------------------------------------------ drawing
  size() { return Math.max(200, Math.min(440, this.stage.clientWidth || 360)); }

  drawPoints() {
    const S = this.size();
    const ctx = fitCanvas(this.pCanvas, S, S);
    ctx.clearRect(0, 0, S, S);
    const f = this.data;
    if (!f) return;
    const b = this.box, r = f.n > 1500 ? 2.2 : 3;
    for (let i = 0; i < f.n; i++) {
      const px = ((f.X[2 * i] - b.x0) / (b.x1 - b.x0)) * S, py = ((b.y1 - f.X[2 * i + 1]) / (b.y1 - b.y0)) * S;
      ctx.beginPath(); ctx.arc(px, py, r, 0, 2 * Math.PI);
      ctx.fillStyle = classColor(f.y[i]); ctx.fill();
      ctx.lineWidth = 0.8; ctx.strokeStyle = 'rgba(255,255,255,0.9)'; ctx.stroke();
    }
  }

  tick() {
    const f = this.latest, st = this.hooks.state;
    if (f && f.seq !== this.drawnSeq) {
      let grid = null;
      if (f.params.length) grid = this.boundary.compute(f.params, this.activation, this.box);
      else if (this.grid) grid = { G: this.grid.G, cls: this.grid.cls, conf: this.grid.conf, K: this.grid.K, ms: 0 };
      const S = this.size(), ctx = fitCanvas(this.bCanvas, S, S);
      if (grid) {
        paint(grid, CLASS_RGB, this.small);
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(this.small, 0, 0, S, S);
      } else {
        ctx.fillStyle = cssVar('--panel', '#fff'); ctx.fillRect(0, 0, S, S);
      }
      this.drawnSeq = f.seq;
      st.frames_drawn += 1;
      const now = performance.now();
      this.drawTimes.push(now);
      while (this.drawTimes.length && now - this.drawTimes[0] > 1000) this.drawTimes.shift();
      st.fps = this.playing ? this.drawTimes.length : st.fps;
      st.fps_peak = Math.max(st.fps_peak || 0, st.fps);
      st.grid = grid ? grid.G : 0;
      st.boundary_ms = grid ? grid.ms : 0;
    }
    if (this.curvesDirty && (!this.lastCurves || performance.now() - this.lastCurves > 120)) {
      drawCurves(this.curves, this.hist, Math.max(240, this.curves.parentElement.clientWidth - 4), 150);
      this.curvesDirty = false; this.lastCurves = performance.now();
      this.showReadout();
    }
  }

  showReadout() {
    const st = this.hooks.state;
    clear(this.readout).append(
      h('dt', {}, 'iteration'), h('dd', { id: 'cr-iteration' }, String(st.iteration)),
      h('dt', {}, 'loss'), h('dd', { id: 'cr-loss' }, Number.isFinite(st.loss) ? fmt(st.loss) : '—'),
      h('dt', {}, 'accuracy'), h('dd', {}, Number.isFinite(st.accuracy) ? `${(100 * st.accuracy).toFixed(1)} %` : '—'),
      h('dt', {}, 'redraws/s'), h('dd', { id: 'cr-fps' }, String(st.fps)));
  }
}
