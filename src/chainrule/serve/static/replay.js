// An exported page has no server: this stands in for the WebSocket and replays the recorded
// run (the weights of each keyframe and every iteration's loss), with the same messages.

function f32(b64) {
  const bin = atob(b64), bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

const RECORDED = 'This is a recorded run (an export): it replays what was trained. Run chainrule serve to train with other settings or data.';

export class ReplayConnection {
  constructor(exported) {
    const run = exported.run;
    this.run = run;
    this.hello = exported.hello;
    this.handlers = new Map();
    this.X = f32(run.X); this.y = f32(run.y);
    this.losses = f32(run.losses); this.accs = f32(run.accuracies);
    this.keys = run.keyframes.map((k) => ({ iteration: k.iteration, params: this.unpack(f32(k.params)) }));
    this.pos = 0; this.seq = 0; this.playing = false; this.speed = 1; this.started = false;
    setTimeout(() => { this.emit('open', {}); this.emit('hello', this.hello); }, 0);
  }

  unpack(flat) {
    const params = [];
    let off = 0;
    for (const [fi, fo] of this.run.dims) {
      params.push({ W: flat.subarray(off, off + fi * fo), b: flat.subarray(off + fi * fo, off + fi * fo + fo), fanIn: fi, fanOut: fo });
      off += fi * fo + fo;
    }
    return params;
  }

  on(type, fn) {
    if (!this.handlers.has(type)) this.handlers.set(type, []);
    this.handlers.get(type).push(fn);
  }

  emit(type, msg) { for (const fn of this.handlers.get(type) || []) fn(msg); }

  frame(k) { // keyframe k, with the losses since the keyframe before it
    const key = this.keys[k], first = k ? this.keys[k - 1].iteration : 0;
    this.emit('train', { kind: 'train', seq: ++this.seq, iteration: key.iteration, first,
      losses: this.losses.subarray(first, key.iteration), accuracies: this.accs.subarray(first, key.iteration), params: key.params });
  }

  state() {
    this.emit('state', { type: 'state', playing: this.playing, iteration: this.keys[this.pos].iteration, speed: this.speed, sent: this.seq, dropped: 0 });
  }

  restart() {
    this.pos = 0;
    this.emit('run', { type: 'run', settings: this.run.settings, engine: this.run.engine, iteration: 0, sizes: this.run.sizes, data: this.run.data, boundary: this.run.boundary });
    this.emit('data', { kind: 'data', seq: ++this.seq, n: this.run.data.n, classes: this.run.data.classes, X: this.X, y: this.y });
    this.frame(0);
    this.state();
  }

  advance(n) {
    const target = this.keys[this.pos].iteration + n;
    while (this.pos + 1 < this.keys.length && this.keys[this.pos].iteration < target) { this.pos += 1; this.frame(this.pos); }
    if (this.pos + 1 >= this.keys.length) this.pause();
  }

  pause() {
    this.playing = false;
    clearInterval(this.timer);
    this.state();
  }

  send(msg) {
    const t = msg.type;
    if (t === 'settings') {
      if (this.started) this.emit('error', { type: 'error', message: RECORDED });
      this.started = true;
      this.restart();
    } else if (t === 'play' && !this.playing) {
      if (this.pos + 1 >= this.keys.length) this.restart();
      this.playing = true;
      this.timer = setInterval(() => this.advance(this.speed), 1000 / 30);
      this.state();
    } else if (t === 'pause') this.pause();
    else if (t === 'step') this.advance(msg.n || 1);
    else if (t === 'rewind') { this.pause(); this.restart(); }
    else if (t === 'speed') this.speed = msg.value;
    else if (t === 'full') this.emit('full', { type: 'full', stop: msg.stop, arrays: [], unavailable: 'Full-size heatmaps need the server: run chainrule serve to see them.' });
    else if (['points', 'upload', 'export'].includes(t)) this.emit('error', { type: 'error', message: RECORDED });
  }

  close() { this.pause(); }
}
