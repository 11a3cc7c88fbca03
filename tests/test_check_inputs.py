"""Inputs as learners have them (issue 11, item 3): notebooks, exported notebooks, a BOM, helper modules, Python 2."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from chainrule.check import check_script
from chainrule.check.source import find_py2_prints, load_script
from chainrule.errors import ChainruleError

NET = '''import numpy as np
np.random.seed(0)
X = np.random.randn(30, 2); y = (X[:, 0] > 0).astype(int)
W = 0.1 * np.random.randn(2, 2); b = np.zeros((1, 2))
for i in range(10):
    s = X @ W + b
    e = np.exp(s - s.max(axis=1, keepdims=True)); p = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(30), y]).mean()
    ds = p.copy(); ds[np.arange(30), y] -= 1; ds /= 30
    dW = X.T @ ds
    db = ds.sum(axis=0, keepdims=True)
    W -= 0.5 * dW
    b -= 0.5 * db
'''


def notebook(cells: list[tuple[str, str]]) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                       "cells": [{"cell_type": t, "metadata": {}, "source": src, **({"outputs": [],
                                                                                     "execution_count": None}
                                                                                    if t == "code" else {})}
                                 for t, src in cells]})


def test_notebook_lines_are_cell_and_line(tmp_path):
    head, loop = NET.split("for i in range(10):\n")
    loop = "for i in range(10):\n" + loop.replace("db = ds.sum(axis=0, keepdims=True)", "db = ds.sum(axis=1, keepdims=True)")
    nb = notebook([("markdown", "# My net"), ("code", "%matplotlib inline\n!pip install numpy\n" + head),
                   ("markdown", "Training:"), ("code", loop)])
    p = tmp_path / "net.ipynb"
    p.write_text(nb)
    r = check_script(p)
    assert not r.ok
    assert r.culprit == {"file": "net.ipynb", "line": 7, "cell": 4, "code": "db = ds.sum(axis=1, keepdims=True)"}
    assert any("IPython-only lines skipped" in n and "cell 2, line 1" in n for n in r.notes)


def test_bash_cell_is_skipped(tmp_path):
    nb = notebook([("code", "%%bash\necho hello\nexit 1"), ("code", NET)])
    p = tmp_path / "n.ipynb"
    p.write_text(nb)
    assert check_script(p).ok


def test_exported_notebook_with_magics_and_bom(tmp_path):
    text = "\ufeff# -*- coding: utf-8 -*-\nget_ipython().run_line_magic('matplotlib', 'inline')\n%load_ext autoreload\n" \
           "# Gewichte für das Netz\n" + NET
    p = tmp_path / "export.py"
    p.write_bytes(text.encode("utf-8"))
    r = check_script(p)
    assert r.ok and any("get_ipython()" in n for n in r.notes)


def test_helper_module_beside_the_script(tmp_path):
    (tmp_path / "grads.py").write_text(textwrap.dedent('''
        import numpy as np
        def softmax_grad(p, y):
            ds = p.copy()
            ds[np.arange(len(y)), y] -= 1
            return ds / len(y) / 2
    '''))
    main = NET.replace("ds = p.copy(); ds[np.arange(30), y] -= 1; ds /= 30", "ds = softmax_grad(p, y)")
    p = tmp_path / "main.py"
    p.write_text("from grads import softmax_grad\n" + main)
    out = subprocess.run([sys.executable, "-m", "chainrule", "check", str(p), "--json"], capture_output=True,
                         text=True, cwd=str(tmp_path.parent))
    data = json.loads(out.stdout)
    assert out.returncode == 1 and data["culprit"]["file"] == "grads.py" and data["culprit"]["line"] == 6


def test_python2_print_over_two_lines_keeps_its_arguments(tmp_path):
    text = 'import numpy as np\nloss = 1.0\nprint "iteration", 3, \\\n      "loss:", loss\n'
    assert find_py2_prints(text)[0][2] == 'print("iteration", 3, "loss:", loss)'
    p = tmp_path / "py2.py"
    p.write_text(text)
    with pytest.raises(ChainruleError) as e:
        load_script(p)
    assert 'print("iteration", 3, "loss:", loss)' in e.value.message and "line 3" in e.value.message
    paren = 'print "a", (1 +\n       2)\n'
    assert find_py2_prints(paren)[0][2] == 'print("a", (1 + 2))'


def test_seed_message_pasted_from_the_forum_is_refused_clearly(tmp_path):
    from pathlib import Path

    seed = Path("/work/shared/seed/000_58b23a3ec7530ea2.txt")
    if not seed.exists():
        pytest.skip("the learner's message is not on this machine")
    code = seed.read_text().split("```")[1]
    p = tmp_path / "learner.py"
    p.write_text(code)
    with pytest.raises(ChainruleError) as e:
        check_script(p)
    assert "Python 2 print statement" in e.value.message and "lost its indentation" in e.value.message


def test_json_error_on_stdout(tmp_path):
    p = tmp_path / "nothing.py"
    p.write_text("import numpy as np\nx = np.ones(3)\n")
    out = subprocess.run([sys.executable, "-m", "chainrule", "check", str(p), "--json"], capture_output=True, text=True)
    assert out.returncode == 2
    assert "no training loop found" in json.loads(out.stdout)["error"]["message"]


def test_help_syntax_in_a_cell_is_skipped_and_context_lines_name_their_cell(tmp_path):
    """``np.zeros?`` is IPython's help, not a syntax error; the listing numbers lines inside their cell."""
    head, loop = NET.split("for i in range(10):\n")
    nb = tmp_path / "help.ipynb"
    nb.write_text(notebook([("code", head + "np.zeros?\n"), ("markdown", "# train"),
                            ("code", "for i in range(10):\n" + loop)]))
    res = check_script(nb)
    assert res.ok and any("`np.zeros?` (cell 1, line 5)" in n for n in res.notes)
    out = subprocess.run([sys.executable, "-m", "chainrule", "check", str(nb)], capture_output=True, text=True,
                         env={**__import__("os").environ, "COLUMNS": "120"})
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    at = lines.index("── cell 3")
    assert lines[at + 1].split() == ["1", "for", "i", "in", "range(10):"]
    assert any(ln.startswith("✓    8  W -= 0.5 * dW") for ln in lines)


@pytest.mark.parametrize("name, data, words", [
    ("notes.txt", b"hello\n", "not a Python script (.py) or a Jupyter notebook (.ipynb)"),
    ("garbage.py", b"\x00\xff binary", "not a text file (it holds binary data: a NUL byte at byte 0)"),
])
def test_files_that_are_not_scripts_are_refused_clearly(tmp_path, name, data, words):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ChainruleError, match=r"\(") as exc:
        load_script(path)
    assert words in exc.value.message and exc.value.file == str(path)
    out = subprocess.run([sys.executable, "-m", "chainrule", "check", str(path)], capture_output=True, text=True)
    assert out.returncode == 2 and out.stderr.startswith("error: ") and "Traceback" not in out.stderr


def test_a_syntax_error_keeps_its_caret_under_the_line(tmp_path):
    path = tmp_path / "syn.py"
    path.write_text("import numpy as np\nx = (\n")
    out = subprocess.run([sys.executable, "-m", "chainrule", "check", str(path)], capture_output=True, text=True)
    lines = out.stderr.splitlines()
    assert out.returncode == 2 and "syn.py, line 2: syntax error" in lines[0]
    code = lines.index("    x = (")
    assert lines[code + 1] == "        ^"  # under the bracket that was never closed
