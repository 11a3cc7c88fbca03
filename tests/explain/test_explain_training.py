"""Section 4: the full default network, trained (slow: ~15 s with the reference engine)."""

from __future__ import annotations

import pytest

from chainrule.plots import PNG_SIGNATURE


@pytest.mark.slow
def test_training_section():
    from chainrule.explain import build_training

    t = build_training(seed=0)
    # logged every 100 iterations, plus the end of training: the plot and the text agree
    assert t.iterations[0] == 0 and t.iterations[-2] == 2900 and t.iterations[-1] == 3000
    assert len(t.losses) == 31 and t.losses[-1] == t.final_loss
    assert t.losses[0] == pytest.approx(0.693, abs=0.01)
    assert t.final_loss < t.losses[0] and t.train_accuracy > 0.9
    assert t.loss_png.startswith(PNG_SIGNATURE) and t.boundary_png.startswith(PNG_SIGNATURE)
