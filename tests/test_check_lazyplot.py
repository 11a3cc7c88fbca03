"""matplotlib in a checked script: free when unused, real (Agg, non-blocking) when used."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent('''
    import numpy as np
    import matplotlib.pyplot as plt
    X = np.random.randn(20, 2); y = (X[:, 0] > 0).astype(int)
    {use}
    W = 0.1 * np.random.randn(2, 2); b = np.zeros((1, 2))
    for i in range(10):
        scores = X.dot(W) + b
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        probs = e / e.sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(probs[range(20), y]))
        dscores = probs.copy()
        dscores[range(20), y] -= 1
        dscores /= 20
        dW = X.T.dot(dscores)
        db = dscores.sum(axis=0, keepdims=True)
        W -= 0.5 * dW
        b -= 0.5 * db
''')

PROBE = textwrap.dedent('''
    import sys, json
    from chainrule.check import check_script
    r = check_script(sys.argv[1])
    import matplotlib
    print(json.dumps({{"ok": r.ok, "pyplot": "matplotlib.pyplot" in sys.modules,
                      "backend": matplotlib.get_backend() if {loaded} else None}}))
''')


def run(tmp_path, use: str, loaded: bool) -> dict:
    import json

    f = tmp_path / "s.py"
    f.write_text(SCRIPT.format(use=use))
    out = subprocess.run([sys.executable, "-c", PROBE.format(loaded=loaded), str(f)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_unused_pyplot_is_never_imported(tmp_path):
    r = run(tmp_path, "pass", loaded=False)
    assert r["ok"] is True and r["pyplot"] is False


def test_used_pyplot_is_real_agg_and_show_does_not_block(tmp_path):
    r = run(tmp_path, "plt.scatter(X[:, 0], X[:, 1], c=y); plt.show()", loaded=True)
    assert r["ok"] is True and r["pyplot"] is True
    assert r["backend"].lower() == "agg"
