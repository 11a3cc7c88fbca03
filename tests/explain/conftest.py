from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def report():
    """The default walkthrough (tiny 4,3,2, seed 0), without training."""
    from chainrule.explain import build_report

    return build_report(train=False)
