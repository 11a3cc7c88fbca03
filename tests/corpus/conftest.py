"""The corpus tests: its folder is importable (catalog, proof, ...) and the check marker exists."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "corpus_check: runs `chainrule check` on the corpus (on with CHAINRULE_CORPUS_CHECK=1 "
        "or once chainrule.check.ENGINE_VERSION >= 2)",
    )
