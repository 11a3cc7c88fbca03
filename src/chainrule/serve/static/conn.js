// The page's one WebSocket: JSON control messages out, JSON and binary frames in.
// Every TRAIN frame is acknowledged as soon as it is read (the server keeps at most two
// unacknowledged and drops the weights of the rest: the page always draws the newest).

import { decode } from './frames.js';

export class Connection {
  constructor(url) {
    this.url = url;
    this.handlers = new Map();
    this.queue = [];
    this.open = false;
    this.bytes = 0;
    this.frames = 0;
    this.connect();
  }

  connect() {
    const ws = new WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      this.open = true;
      for (const m of this.queue.splice(0)) ws.send(m);
      this.emit('open', {});
    };
    ws.onclose = (e) => {
      this.open = false;
      this.emit('close', { code: e.code, reason: e.reason });
    };
    ws.onmessage = (e) => {
      if (typeof e.data === 'string') {
        const msg = JSON.parse(e.data);
        this.emit(msg.type, msg);
        return;
      }
      const frame = decode(e.data);
      this.bytes += e.data.byteLength;
      this.frames += 1;
      if (frame.kind === 'train') this.send({ type: 'ack', seq: frame.seq });
      this.emit(frame.kind, frame);
    };
    this.ws = ws;
  }

  on(type, fn) {
    if (!this.handlers.has(type)) this.handlers.set(type, []);
    this.handlers.get(type).push(fn);
  }

  emit(type, msg) {
    for (const fn of this.handlers.get(type) || []) fn(msg);
  }

  send(msg) {
    const text = JSON.stringify(msg);
    if (this.open) this.ws.send(text);
    else this.queue.push(text);
  }

  close() {
    this.ws.close();
  }
}
