"""Memory: a run that cannot fit is refused before it starts, with a size that fits; the estimate is honest."""

from __future__ import annotations

import json
import textwrap

import pytest

from chainrule import memory
from chainrule.config import TrainConfig
from chainrule.errors import ChainruleError
from chainrule.training import train

from .conftest import assert_clean_error, invoke, run_cli

GB = 10**9


def test_a_million_hidden_units_on_the_reference_engine_is_refused(in_tmp, monkeypatch):
    monkeypatch.setattr(memory, "available", lambda: 24 * GB)
    r = invoke("train", "--hidden", "1000000", "--engine", "reference", "--json")
    flat = assert_clean_error(r, 2, "needs about", "GB of memory", "800 × 1000000", "--engine fast", "--hidden")
    assert json.loads(r.stdout)["error"]["option"] == "--hidden"
    assert "24.0 GB available" in flat
    assert not (in_tmp / "chainrule-out").exists()  # refused before anything was made


def test_the_suggestion_fits(monkeypatch):
    config = TrainConfig(hidden=(1_000_000, 10), engine="reference")
    with pytest.raises(ChainruleError) as info:
        memory.check(config, 800, 2, 2, have=8 * GB)
    suggested = info.value.message.split("--hidden ")[-1].rstrip(".")
    sizes = tuple(int(s) for s in suggested.split(","))
    assert len(sizes) == 2 and sizes[0] < 1_000_000
    smaller = TrainConfig(hidden=sizes, engine="reference")
    assert memory.check(smaller, 800, 2, 2, have=8 * GB) <= memory.HEADROOM * 8 * GB


def test_the_library_refuses_the_same_way(monkeypatch):
    monkeypatch.setattr(memory, "available", lambda: 2 * GB)
    with pytest.raises(ChainruleError, match="needs about .* of memory"):
        train(TrainConfig(hidden=(200_000,), engine="reference", iterations=1))


def test_unknown_memory_does_not_refuse(monkeypatch):
    monkeypatch.setattr(memory, "available", lambda: None)
    assert memory.check(TrainConfig(hidden=(10**7,)), 800, 2, 2) > 60 * GB


def test_available_reads_meminfo():
    have = memory.available()
    assert have is None or have > 10**7


MEASURE = textwrap.dedent("""\
    import json, resource, sys
    from chainrule.config import TrainConfig
    from chainrule.training import train
    from chainrule import memory
    engine = sys.argv[1]
    train(TrainConfig(hidden=(4,), points=10, iterations=2, engine=engine))  # imports, kernels
    base = int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) * 1024
    cfg = TrainConfig(hidden=(40000,), points=400, iterations=3, engine=engine, log_every=1)
    train(cfg)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"measured": peak - base, "estimate": sum(memory.estimate(cfg, 800, 2, 2, plots=False).values())}))
""")


@pytest.mark.parametrize("engine", ["reference", "fast"])
def test_the_estimate_covers_what_a_run_uses(tmp_path, engine):
    script = tmp_path / "measure.py"
    script.write_text(MEASURE)
    import subprocess
    import sys

    from .conftest import SRC

    out = subprocess.run([sys.executable, str(script), engine], capture_output=True, text=True, timeout=600,
                         env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    # never below what was used (a refusal must not be needed later), at most a few times above it
    assert got["measured"] <= got["estimate"] <= 4 * got["measured"] + 400 * 2**20, got
