"""The fast engine: tiled and fused numba kernels with the reference's numbers.

``unsupported(config)`` says what a config needs that the fast engine lacks
(``None`` when it covers the run); ``run(config, X, y, params, rng, progress)``
trains and returns ``(params, history)`` exactly like
:func:`chainrule.training.run_reference`: same update order, same random
mini-batches, history logged before the update, :class:`DivergenceError` on a
NaN/inf loss.  Compiled code is kept on disk (the ahead-of-time module, and
numba's ``cache=True`` for the JIT kernels), so only the first run on a
machine pays the compile time.

float64 (default) reproduces the reference engine's logged losses to a
relative 1e-14 or so (tests demand 1e-9) and gives identical predictions.
float32 (``dtype="float32"``) is faster (about 0.25 against 0.4 ms per
iteration on the learner's network); its 30 logged losses over the learner's
3000 iterations stay within 1.2e-2 (relative) of float64 (measured 1.1e-2 with
the tiled kernel, 5.6e-3 with the generic one: float32 rounding moves the
trajectory a little and the gap grows slowly with training; ~5e-6 over the
first 300 iterations) and all 800 predictions agree.

Kernels: :mod:`chainrule.fast.tiled` for the learner's shape trained on the
full batch (D=2 -> h ReLU -> K=2: rows sorted into spatial tiles once, see
:mod:`chainrule.fast.tiles`; a unit that is on or off for a whole tile costs
a few sums instead of per-row work), compiled ahead of time by
:mod:`chainrule.fast.aot` so that a warm run does not even import numba;
:mod:`chainrule.fast.fused` for that shape with mini-batches (four rows at a
time, threaded); :mod:`chainrule.fast.generic` for everything else (any
depth, activation, loss); :mod:`chainrule.fast.common` for the per-row pieces
and the optimizers; :mod:`chainrule.fast.engine` for the driver (chunks of ~1%
of the iterations, logging, divergence, progress).
"""

from __future__ import annotations

from chainrule.fast.cache import ensure_fresh

ensure_fresh()

from chainrule.fast.engine import ensure_built, run, unsupported, warmup  # noqa: E402
from chainrule.fast.session import Session  # noqa: E402

__all__ = ["Session", "ensure_built", "run", "unsupported", "warmup"]
