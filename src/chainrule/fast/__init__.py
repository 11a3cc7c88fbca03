"""The fast engine: fused, row-blocked numba kernels with the reference's numbers.

``unsupported(config)`` says what a config needs that the fast engine lacks
(``None`` when it covers the run); ``run(config, X, y, params, rng, progress)``
trains and returns ``(params, history)`` exactly like
:func:`chainrule.training.run_reference`: same update order, same random
mini-batches, history logged before the update, :class:`DivergenceError` on a
NaN/inf loss.  Compiled code is cached on disk (numba ``cache=True``), so only
the first run on a machine pays the compile time.

float64 (default) reproduces the reference engine's logged losses to a
relative 1e-15 or so (tests demand 1e-9) and gives identical predictions.
float32 (``dtype="float32"``) is faster; on the learner's 3000-iteration run
its 30 logged losses stay within 5e-3 (relative) of float64 (measured 4.7e-3,
the gap grows slowly with training; ~1e-6 over the first 300 iterations) and
all 800 predictions agree.

Kernels: :mod:`chainrule.fast.fused` for the learner's shape (D=2 -> h ReLU
-> K=2: one fused sweep forward and one back per four rows, rows split into
fixed slices run in parallel), :mod:`chainrule.fast.generic` for everything
else (any depth, activation, loss), :mod:`chainrule.fast.common` for the
per-row pieces and the optimizers, :mod:`chainrule.fast.engine` for the
driver (chunks of ~1% of the iterations, logging, divergence, progress).
"""

from __future__ import annotations

from chainrule.fast.cache import ensure_fresh

ensure_fresh()

from chainrule.fast.engine import run, unsupported, warmup  # noqa: E402

__all__ = ["run", "unsupported", "warmup"]
