// The page's settings in the URL fragment, so that a teacher can send a link to a setup:
// #dataset=moons&hidden=16,16&activation=tanh&stop=b3&notation=nielsen ...

const KEYS = ['dataset', 'points', 'classes', 'noise', 'hidden', 'activation', 'loss', 'step_size',
  'reg', 'optimizer', 'batch_size', 'seed'];

export function readFragment(hash = location.hash) {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const settings = {};
  for (const k of KEYS) {
    if (!p.has(k)) continue;
    const v = p.get(k);
    settings[k] = ['dataset', 'activation', 'loss', 'optimizer', 'hidden'].includes(k) ? v : v === '' ? null : Number(v);
  }
  return { settings, stop: p.get('stop'), notation: p.get('notation'), speed: p.has('speed') ? Number(p.get('speed')) : null,
    tab: p.get('tab') };
}

export function writeFragment({ settings, stop, notation, speed, tab }) {
  const p = new URLSearchParams();
  for (const k of KEYS) {
    if (!settings || settings[k] === undefined) continue;
    const v = settings[k];
    if (settings.dataset === 'custom' && ['dataset', 'points', 'classes', 'noise'].includes(k)) continue;
    p.set(k, v === null ? '' : Array.isArray(v) ? v.join(',') : String(v));
  }
  if (stop) p.set('stop', stop);
  if (notation && notation !== 'code') p.set('notation', notation);
  if (speed && speed !== 1) p.set('speed', String(speed));
  if (tab) p.set('tab', tab);
  const url = `${location.pathname}${location.search}#${p.toString()}`;
  try { history.replaceState(null, '', url); } catch (e) { /* a file:// page in some browsers */ }
  return url;
}
