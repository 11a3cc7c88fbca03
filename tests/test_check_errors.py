"""Scripts that cannot be analysed: a clear message with the line, exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainrule.check import check_script
from chainrule.errors import ChainruleError

CORPUS = Path(__file__).parent / "check" / "corpus"


def err(tmp_path, text, **kw) -> ChainruleError:
    p = tmp_path / "s.py"
    p.write_text(text)
    with pytest.raises(ChainruleError) as e:
        check_script(p, **kw)
    assert e.value.exit_code == 2
    return e.value


def test_python2_print_shows_python3_line(tmp_path):
    e = err(tmp_path, "import numpy as np\nx = 1\nprint \"i:\", x\n")
    assert "line 3" in e.message and 'print("i:", x)' in e.message


def test_forum_paste_lost_indentation(tmp_path):
    text = "import numpy as np\ndef f(a):\nreturn a\n"
    e = err(tmp_path, text)
    assert "line 3" in e.message and "indentation" in e.message


def test_syntax_error(tmp_path):
    e = err(tmp_path, "import numpy as np\nW = np.zeros((2,2)\nfor i in range(3):\n    W += 1\n")
    assert "line 2" in e.message or "line 3" in e.message


def test_no_loop_mentions_class(tmp_path):
    e = err(tmp_path, "import numpy as np\nclass Net:\n    def step(self):\n        self.W -= 1\n")
    assert "no training loop" in e.message and "class" in e.message


def test_crash_before_loop(tmp_path):
    e = err(tmp_path, "import numpy as np\nW = np.zeros((2, 3))\nV = np.dot(W, W)\nfor i in range(3):\n"
                      "    dW = W * 2\n    W -= 0.1 * dW\n")
    assert "line 3" in e.message and "before reaching its training loop" in e.message


def test_timeout_before_loop(tmp_path):
    e = err(tmp_path, "import numpy as np\nimport time\ntime.sleep(5)\nW = np.ones((2, 2))\n"
                      "for i in range(3):\n    dW = 2 * W\n    W -= 0.1 * dW\n", timeout=0.5)
    assert "0.5 s" in e.message


def test_no_loss(tmp_path):
    e = err(tmp_path, "import numpy as np\nW = np.ones((2, 2))\nfor i in range(3):\n    dW = 2 * W\n    W -= 0.1 * dW\n")
    assert "no loss found" in e.message


def test_iteration_option_and_seed():
    from chainrule.check import check_script as cs
    r3 = cs(CORPUS / "ok_cs231n.py", iteration=3, seed=1)
    assert r3.ok and not r3.kinks  # b != 0 after the first update: no exact kinks
