"""The fast engine: compiled kernels and a BLAS path with the reference's numbers.

``unsupported(config)`` says what a config needs that the fast engine lacks
(``None`` when it covers the run); ``run(config, X, y, params, rng, progress)``
trains and returns ``(params, history)`` exactly like
:func:`chainrule.training.run_reference`: same update order, same random
mini-batches, history logged before the update, :class:`DivergenceError` on a
NaN/inf loss.  :class:`Session` trains a few iterations at a time and hands
out the weights in between (the live page); ``run`` is a loop over one.

Paths (:mod:`chainrule.fast.plan` picks one per config, from its shape):
:mod:`~chainrule.fast.tiled` for the learner's shape on the full batch (D=2 ->
h ReLU -> K=2: rows sorted into spatial tiles once, see
:mod:`~chainrule.fast.tiles`; a unit on or off for a whole tile costs a few
sums instead of per-row work); :mod:`~chainrule.fast.fused` for that shape with
mini-batches; :mod:`~chainrule.fast.generic` (the *rows* kernel) for narrow
networks and small batches, a whole chunk of iterations per compiled call;
:mod:`~chainrule.fast.blas` for wide layers and big batches, numpy's BLAS
and SIMD ``tanh``/``exp`` into preallocated buffers.  The tiled and rows
kernels are compiled ahead of time (:mod:`~chainrule.fast.aot`, once per
machine, one module per kernel and dtype), so a warm run never imports
numba; the BLAS path needs no compiler at all.

float64 (default) reproduces the reference engine's losses to about 1e-15
relative (tests demand 1e-12 on every ``chainrule bench --arch`` network) and
gives identical predictions.  float32 (``dtype="float32"``) is faster; its 30
logged losses over the learner's 3000 iterations stay within 1.2e-2
(relative) of float64 (float32 rounding moves the trajectory a little and
the gap grows slowly with training; ~5e-6 over the first 300 iterations) and
all 800 predictions agree.
"""

from __future__ import annotations

from chainrule.fast.cache import ensure_fresh

ensure_fresh()

from chainrule.fast.engine import ensure_built, run, unsupported, warmup  # noqa: E402
from chainrule.fast.session import Session  # noqa: E402

__all__ = ["Session", "ensure_built", "run", "unsupported", "warmup"]
