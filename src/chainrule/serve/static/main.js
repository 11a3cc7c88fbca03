// Entry point of the page (served by chainrule serve, or inlined in an exported file).
import app from './app.js';

const data = document.getElementById('cr-export-data');
const cfg = data ? { export: JSON.parse(data.textContent) } : {};
const model = { get: (k) => cfg[k], set() {}, on() {}, save_changes() {} };
app.render({ model, el: document.getElementById('cr-root') });
