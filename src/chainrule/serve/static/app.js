// chainrule's live page. Written to the anywidget module contract, so that a notebook widget
// can load it as it is:  export default { render({ model, el }) }.  `model.get(name)` may give
// `page_url` and `ws_url` (a server) or `export` (a recorded run, no server needed).

import { Connection } from './conn.js';
import { ReplayConnection } from './replay.js';
import { StepView } from './stepview.js';
import { GraphView } from './graphview.js';
import { TrainView } from './trainview.js';
import { readFragment, writeFragment } from './share.js';
import { download, h } from './dom.js';

const TABS = [['step', 'Step'], ['graph', 'Graph'], ['train', 'Train']];

function wsUrl() {
  const u = new URL('ws', location.href);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.hash = '';
  return u.href;
}

function shell(el, page, exported) {
  const notation = h('select', { id: 'cr-notation', 'aria-label': 'Notation of the formulas' },
    ...page.notations.map((n) => h('option', { value: n.id, disabled: !n.available }, n.available ? n.label : `${n.label} (not in this report)`)));
  const share = h('button', { type: 'button', class: 'cr-btn', id: 'cr-share' }, 'Copy link');
  const exp = h('button', { type: 'button', class: 'cr-btn', id: 'cr-export', disabled: !!exported,
    title: exported ? 'This file is an export already' : 'Save this run as one HTML file and its run.json' }, 'Export');
  const tabs = h('nav', { class: 'cr-tabs', 'aria-label': 'Panels' },
    ...TABS.map(([id, label]) => h('button', { type: 'button', class: 'cr-tab', dataset: { tab: id }, 'aria-controls': `cr-panel-${id}` }, label)));
  const banner = h('div', { class: 'cr-banner', role: 'alert', hidden: true });
  const panel = (id, title, extra = {}) => h('section', { class: `cr-panel cr-panel-${id}`, id: `cr-panel-${id}`, 'aria-labelledby': `cr-h-${id}`, ...extra },
    h('h2', { class: 'cr-panel-title', id: `cr-h-${id}` }, title));
  const code = panel('code', page.script ? `Your script: ${page.script}` : 'One iteration of your loop');
  const detail = h('div', { class: 'cr-detail', id: 'cr-detail' });
  const stepPanel = h('section', { class: 'cr-panel cr-panel-step', id: 'cr-panel-step', 'aria-label': 'Step through the lines' }, code, detail);
  const graph = panel('graph', 'Computation graph');
  const train = panel('train', exported ? 'Train (a recorded run)' : 'Train');
  el.classList.add('cr-app');
  el.append(
    h('header', { class: 'cr-top' },
      h('div', { class: 'cr-brand' }, h('strong', {}, 'chainrule'), h('span', {}, page.title)),
      h('div', { class: 'cr-tools' }, h('label', { for: 'cr-notation', class: 'cr-sr' }, 'Notation'), notation, share, exp)),
    banner, tabs,
    h('main', { class: 'cr-main', dataset: { tab: 'step' } }, stepPanel, graph, train));
  return { notation, share, exp, tabs, banner, code, detail, graph, train, main: el.querySelector('.cr-main') };
}

export default {
  async render({ model, el }) {
    const get = (k) => (model && model.get ? model.get(k) : undefined);
    const exported = get('export');
    const page = exported ? exported.page : await (await fetch(get('page_url') || 'api/page')).json();
    const ui = shell(el, page, exported);
    const state = { mode: 'step', line: null, stop: null, iteration: 0, loss: null, accuracy: null,
      frames_drawn: 0, fps: 0, fps_peak: 0, playing: false, notation: page.notation, engine: null, connected: false };
    const conn = exported ? new ReplayConnection(exported) : new Connection(get('ws_url') || wsUrl());
    const frag = readFragment();
    let hello = null;
    const say = (text) => { ui.banner.textContent = text; ui.banner.hidden = !text; };
    const setMode = (mode) => {
      state.mode = mode;
      ui.main.dataset.tab = mode;
      for (const b of ui.tabs.children) b.setAttribute('aria-pressed', String(b.dataset.tab === mode));
      share();
    };
    const share = () => writeFragment({ settings: trainView && trainView.settings, stop: state.stop,
      notation: state.notation, speed: trainView ? Number(trainView.speed.value) : 1, tab: state.mode === 'step' ? null : state.mode });
    const entries = exported ? exported.entries : null;
    const stepView = new StepView(ui.code, ui.detail, page, {
      send: (m) => conn.send(m),
      entryLookup: entries ? (stop, v, idx) => entries[`${stop}|${v}|${idx.join(',')}`] : null,
      onStop: (s) => { state.stop = s.id; state.line = s.lines[0] ?? null; graphView.setStop(s); share(); },
    });
    const graphView = new GraphView(ui.graph, page.graph, page.stops, (id) => { stepView.go(id); setMode('graph'); });
    const trainView = new TrainView(ui.train, { send: (m) => conn.send(m), onSettings: share, state, script: page.script,
      get defaultStep() { return hello && hello.default_step; }, get limits() { return hello && hello.limits; },
      get note() { return hello && hello.note; } });
    window.chainrule = {
      state, page,
      history: () => trainView.hist.losses(),
      go: (id) => stepView.go(id),
      send: (m) => conn.send(m),
      train: (n) => conn.send({ type: 'step', n }),
      connection: conn,
    };

    conn.on('open', () => { state.connected = true; say(''); });
    conn.on('close', () => { state.connected = false; say('The connection to chainrule serve is closed. Start it again (chainrule serve) and reload this page.'); });
    conn.on('hello', (m) => {
      hello = m;
      conn.send({ type: 'settings', settings: frag.settings });
      if (frag.speed) conn.send({ type: 'speed', value: frag.speed });
    });
    const refreshFull = () => conn.send({ type: 'full', stop: stepView.current().id });
    conn.on('run', (m) => { state.engine = m.engine; state.iteration = m.iteration; state.loss = null; trainView.run(m); refreshFull(); });
    conn.on('data', (f) => trainView.dataFrame(f));
    conn.on('train', (f) => trainView.trainFrame(f));
    conn.on('boundary', (f) => trainView.boundaryFrame(f));
    conn.on('printed', (m) => trainView.showPrinted(m.lines));
    conn.on('state', (m) => { const was = state.playing; trainView.state(m); if (was && !m.playing) refreshFull(); });
    conn.on('heatmap', (f) => stepView.heatmap(f));
    conn.on('full', (m) => stepView.showFull(m));
    conn.on('entry', (m) => stepView.showEntry(m));
    conn.on('error', (m) => { if (m.option && trainView.inputs[m.option]) trainView.error(m); else say(m.message); });
    conn.on('notice', (m) => say(m.message));
    conn.on('export', (m) => {
      download('chainrule-run.html', m.html, 'text/html');
      download('run.json', JSON.stringify(m.run, null, 1), 'application/json');
      say('');
    });

    ui.notation.value = frag.notation && page.notations.some((n) => n.id === frag.notation && n.available) ? frag.notation : page.notation;
    state.notation = ui.notation.value;
    stepView.setNotation(state.notation);
    ui.notation.addEventListener('change', () => { state.notation = ui.notation.value; stepView.setNotation(state.notation); share(); });
    ui.share.addEventListener('click', async () => {
      const url = location.href;
      try { await navigator.clipboard.writeText(url); say('Link copied: it opens this page with these settings.'); } catch (e) { say(`Link: ${url}`); }
      setTimeout(() => say(''), 4000);
    });
    ui.exp.addEventListener('click', () => { say('Preparing the export…'); conn.send({ type: 'export' }); });
    for (const b of ui.tabs.children) {
      b.addEventListener('click', () => {
        setMode(b.dataset.tab);
        // the tabs stick to the top: show the new panel from its beginning, just below them
        const top = ui.main.getBoundingClientRect().top + window.scrollY - ui.tabs.offsetHeight;
        if (window.scrollY > top) window.scrollTo(0, top);
      });
    }
    ui.train.addEventListener('pointerdown', () => { if (state.mode !== 'train' && window.innerWidth > 900) state.mode = 'train'; });
    ui.graph.addEventListener('pointerdown', () => { if (window.innerWidth > 900) state.mode = 'graph'; });

    const keys = (e) => {
      const t = e.target;
      if (e.altKey || e.ctrlKey || e.metaKey || (t && /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(t.tagName) && e.key === ' ')) return;
      if (t && /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName)) return;
      const k = e.key;
      if (k === 'ArrowRight' || k === 'j') stepView.go(stepView.pos + 1);
      else if (k === 'ArrowLeft' || k === 'k') stepView.go(stepView.pos - 1);
      else if (k === 'Home') stepView.go(0);
      else if (k === 'End') stepView.go(page.stops.length - 1);
      else if (k === ' ') conn.send({ type: state.playing ? 'pause' : 'play' });
      else if (k === '.') conn.send({ type: 'step', n: 1 });
      else if (k === 'r') conn.send({ type: 'rewind' });
      else return;
      if (['ArrowRight', 'ArrowLeft', 'j', 'k', 'Home', 'End'].includes(k) && state.mode === 'train') setMode('step');
      e.preventDefault();
    };
    document.addEventListener('keydown', keys);
    const start = frag.stop && page.stops.some((s) => s.id === frag.stop) ? frag.stop : 0;
    stepView.go(start);
    setMode(frag.tab && TABS.some(([id]) => id === frag.tab) ? frag.tab : 'step');
    return () => { document.removeEventListener('keydown', keys); conn.close(); cancelAnimationFrame(trainView.raf); cancelAnimationFrame(graphView.raf); };
  },
};
