"""The notebook's training cell: the learner's whole script, runnable with numpy alone."""

from __future__ import annotations

from chainrule.learner import SOURCE

_ACCURACY = '''
hidden_layer = np.maximum(0, np.dot(X, W) + b)
scores = np.dot(hidden_layer, W2) + b2
print("training accuracy:", np.mean(np.argmax(scores, axis=1) == y))
'''


def training_code(seed: int = 0) -> str:
    """``np.random.seed(seed)``, then the learner's script (no matplotlib), then the accuracy.

    It prints the same losses as ``chainrule train --seed SEED`` (to 1e-9).
    """
    body = "\n".join(line for line in SOURCE.splitlines() if "matplotlib" not in line)
    return (f"# Your script, as you wrote it (Python 3), on the full data. It takes a few seconds.\n"
            f"import numpy as np\nnp.random.seed({seed})\n" + body.replace("import numpy as np\n", "", 1)
            + "\n" + _ACCURACY)
