// The decision boundary from the streamed weights: the network's forward pass on a grid.
//
// This is the one place the page does arithmetic: to redraw the boundary at 30+ frames a
// second without asking the server. The same layers as chainrule.network.MLP: every hidden
// layer is  act(X·W + b), the last is  X·W + b; the colour is the softmax of the scores.

const ACT = {
  relu: (z) => (z > 0 ? z : 0),
  leaky_relu: (z) => (z > 0 ? z : 0.01 * z),
  tanh: Math.tanh,
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
};

/** Cell i: the class with the highest score, and its softmax probability (the tint). */
function classify(scores, K, cls, conf, i) {
  let best = 0;
  for (let k = 1; k < K; k++) if (scores[k] > scores[best]) best = k;
  let e = 0;
  for (let k = 0; k < K; k++) e += Math.exp(scores[k] - scores[best]);
  cls[i] = best;
  conf[i] = 1 / e;
}

export class Boundary {
  constructor() {
    this.res = 64; // grid cells per side; adapted to keep a redraw under ~12 ms
    this.scratch = [];
  }

  /** Predicted class and confidence at each cell centre of the box [x0,x1]×[y0,y1] (y up). */
  compute(params, activation, box) {
    const t0 = performance.now();
    const G = this.res, n = G * G;
    const K = params[params.length - 1].fanOut;
    const cls = new Uint8Array(n), conf = new Float32Array(n);
    const act = ACT[activation] || ACT.relu;
    const widths = params.map((p) => p.fanOut);
    if (this.scratch.length !== widths.length || this.scratch.some((s, i) => s.length !== widths[i])) {
      this.scratch = widths.map((w) => new Float32Array(w));
    }
    if (params.length === 2 && params[0].fanIn === 2) return this.done(this.oneHidden(params, act, box, cls, conf), t0);
    const L = params.length, first = params[0];
    const fo0 = first.fanOut, W0 = first.W, b0 = first.b, D = first.fanIn;
    for (let r = 0; r < G; r++) {
      const yy = box.y1 - (r + 0.5) * (box.y1 - box.y0) / G;
      for (let c = 0; c < G; c++) {
        const xx = box.x0 + (c + 0.5) * (box.x1 - box.x0) / G;
        // layer 1 (D = 2 inputs): z_j = x·W[0,j] + y·W[1,j] + b_j
        let out = this.scratch[0];
        if (D === 2) {
          for (let j = 0; j < fo0; j++) out[j] = xx * W0[j] + yy * W0[fo0 + j] + b0[j];
        } else {
          for (let j = 0; j < fo0; j++) out[j] = b0[j];
        }
        if (L > 1) for (let j = 0; j < fo0; j++) out[j] = act(out[j]);
        for (let l = 1; l < L; l++) {
          const p = params[l], W = p.W, fo = p.fanOut, fi = p.fanIn, inp = out;
          out = this.scratch[l];
          for (let j = 0; j < fo; j++) out[j] = p.b[j];
          for (let i = 0; i < fi; i++) {
            const a = inp[i];
            if (a === 0) continue; // a ReLU that did not fire adds nothing
            const row = i * fo;
            for (let j = 0; j < fo; j++) out[j] += a * W[row + j];
          }
          if (l < L - 1) for (let j = 0; j < fo; j++) out[j] = act(out[j]);
        }
        classify(out, K, cls, conf, r * G + c);
      }
    }
    return this.done({ G, cls, conf, K }, t0);
  }

  done(grid, t0) {
    grid.ms = performance.now() - t0;
    this.adapt(grid.ms);
    return grid;
  }

  adapt(ms) { // finer when there is time to spare, coarser when a redraw takes too long
    if (ms > 12 && this.res > 24) this.res = Math.max(24, Math.round(this.res * 0.8));
    else if (ms < 4 && this.res < 96) this.res = Math.min(96, this.res + 8);
  }

  /** The learner's shape (2 inputs, one hidden layer): along a row of cells each unit's
   *  pre-activation z = x·W[0,j] + y·W[1,j] + b[j] grows by dx·W[0,j], so one add per unit. */
  oneHidden(params, act, box, cls, conf) {
    const G = this.res, [p0, p1] = params, h = p0.fanOut, K = p1.fanOut;
    if (!this.z || this.z.length !== h) { this.z = new Float64Array(h); this.dz = new Float64Array(h); }
    const z = this.z, dz = this.dz, W1 = p1.W, relu = act === ACT.relu;
    const cols = Array.from({ length: K }, (_, k) => Float64Array.from({ length: h }, (_, j) => W1[j * K + k]));
    const [c0, c1] = cols, s = new Float64Array(K), dx = (box.x1 - box.x0) / G;
    for (let r = 0; r < G; r++) {
      const yy = box.y1 - (r + 0.5) * (box.y1 - box.y0) / G, x0 = box.x0 + 0.5 * dx;
      for (let j = 0; j < h; j++) { z[j] = x0 * p0.W[j] + yy * p0.W[h + j] + p0.b[j]; dz[j] = dx * p0.W[j]; }
      for (let c = 0; c < G; c++) {
        for (let k = 0; k < K; k++) s[k] = p1.b[k];
        if (K === 2 && relu) {
          let s0 = s[0], s1 = s[1];
          for (let j = 0; j < h; j++) { const v = z[j]; if (v > 0) { s0 += v * c0[j]; s1 += v * c1[j]; } z[j] = v + dz[j]; }
          s[0] = s0; s[1] = s1;
        } else {
          for (let j = 0; j < h; j++) {
            const v = z[j], a = act(v);
            if (a !== 0) for (let k = 0; k < K; k++) s[k] += a * cols[k][j];
            z[j] = v + dz[j];
          }
        }
        classify(s, K, cls, conf, r * G + c);
      }
    }
    return { G, cls, conf, K };
  }
}

/** Paint a computed grid into an ImageData-backed canvas (tinted by confidence). */
export function paint(grid, rgb, target) {
  const { G, cls, conf, K } = grid;
  if (target.width !== G) { target.width = G; target.height = G; }
  const ctx = target.getContext('2d');
  const img = ctx.createImageData(G, G);
  const floor = 1 / K;
  for (let i = 0; i < G * G; i++) {
    const [r, g, b] = rgb[cls[i] % rgb.length];
    const t = 0.08 + 0.34 * Math.min(1, (conf[i] - floor) / (1 - floor + 1e-9)); // tint strength
    img.data[4 * i] = 255 + (r - 255) * t;
    img.data[4 * i + 1] = 255 + (g - 255) * t;
    img.data[4 * i + 2] = 255 + (b - 255) * t;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}
