"""explain SCRIPT's forward formula of a squared-error loss names the script's difference and its real factor.

Before: every squared error was written ``L = ½ Σ (Y − D)²`` with D the script's *difference* (so
``residual = pred - Y`` read ``(Y − residual)²``), whatever the loss's factor (1, 1/N, 1/(2N), 1/(N·K)).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from chainrule.check.analysis import analyse
from chainrule.check.narrate.forward import Forward
from chainrule.check.narrate.symbols import forward_formula

BODY = '''import numpy as np
rng = np.random.default_rng(1)
X = rng.standard_normal((30, 3))
Y = rng.standard_normal((30, 2))
W = np.zeros((3, 2))
for it in range(3):
    pred = X @ W
    residual = pred - Y
    loss = LOSS
    grad = X.T @ residual * FACTOR
    W -= 0.1 * grad
'''


def _loss_formula(tmp_path: Path, loss: str, factor: str) -> tuple[str, str]:
    path = tmp_path / "mse.py"
    path.write_text(BODY.replace("LOSS", loss).replace("FACTOR", factor))
    a = analyse(str(path))
    assert a.culprit is None  # the script is right: the gradient matches the loss
    fw = Forward(a)
    item = next(it for it in fw.items if it.kind == "mse" and np.size(it.node.value) == 1 and it.node is a.graph.loss)
    return forward_formula(fw, item)


@pytest.mark.parametrize("loss, factor, latex, text", [
    ("0.5 * np.mean(np.sum(residual ** 2, axis=1))", "(1 / 30)", r"\frac{1}{2N}\sum", "1/(2·N) Σ"),  # ½ · (1/30) Σ
    ("np.mean(residual ** 2)", "(2 / 60)", r"\frac{1}{NK}\sum", "1/(N·K) Σ"),  # mean over 30·2 entries
    ("np.sum(residual ** 2)", "2", r"L = \sum", "L = Σ"),
    ("0.5 * np.sum(residual ** 2)", "1", r"\frac{1}{2}\sum", "1/2 Σ"),
])
def test_squared_error_factor_and_difference(tmp_path, loss, factor, latex, text):
    lat, txt = _loss_formula(tmp_path, loss, factor)
    assert latex in lat and text in txt, (lat, txt)
    assert "residual" in lat and "Y -" not in lat  # the difference itself is squared, not Y minus it
