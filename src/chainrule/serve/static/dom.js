// Small DOM and number helpers shared by every panel (no framework, no build step).

/** Create an element: h('button', {class: 'x', onclick: f}, 'text', child, ...). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'html') el.innerHTML = v; // only ever HTML built and escaped by the Python side
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style') Object.assign(el.style, v); // CSSOM: allowed by the page's CSP
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** A number with 4 significant digits, as chainrule prints it everywhere ("−" for minus). */
export function fmt(x, sig = 4) {
  if (x === null || x === undefined) return '—';
  if (typeof x === 'boolean') return String(x);
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : (x > 0 ? 'inf' : '-inf');
  if (x === 0) return '0';
  const a = Math.abs(x);
  let s;
  if (a >= 1e-4 && a < 10 ** sig) {
    s = Number(x.toPrecision(sig)).toString();
  } else {
    const [m, e] = x.toExponential(sig - 1).split('e');
    s = `${Number(m)}e${e[0] === '-' ? '-' : '+'}${e.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  return s.replace('-', '−');
}

/** Parse a number shown by fmt() back (for tests and copy-paste). */
export function unfmt(s) {
  return Number(String(s).replace('−', '-'));
}

export function shapeText(shape) {
  if (!shape || !shape.length) return 'scalar';
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** Canvas backing store sized for the screen's pixel ratio; returns the 2-D context. */
export function fitCanvas(canvas, cssWidth, cssHeight) {
  const r = Math.min(window.devicePixelRatio || 1, 2);
  const w = Math.max(1, Math.round(cssWidth * r)), hh = Math.max(1, Math.round(cssHeight * r));
  if (canvas.width !== w || canvas.height !== hh) {
    canvas.width = w;
    canvas.height = hh;
  }
  canvas.style.width = `${cssWidth}px`;
  canvas.style.height = `${cssHeight}px`;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(r, 0, 0, r, 0, 0);
  return ctx;
}

export function cssVar(name, fallback = '#000') {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/** Start a file download of `text` (the export). */
export function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
