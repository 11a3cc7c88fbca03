"""CI proves a fresh machine; the test extras install what the tests need; kernel builds leave no litter."""

from __future__ import annotations

import re
import subprocess
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def quickstart() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = text.split("## Quickstart", 1)[1].split("```", 2)[1]
    return [line for line in block.splitlines()[1:] if line.strip()]


def test_quickstart_is_two_commands_and_ci_runs_the_second():
    first, second = quickstart()
    assert first == "pip install . && chainrule explain"
    assert second == "pip install '.[test]' && python -m pytest"
    script = (ROOT / ".ci" / "run").read_text()
    extracted = subprocess.run(["bash", "-c", script.split("test_cmd=", 1)[1].split("\n", 1)[0].strip("$()")],
                               cwd=ROOT, capture_output=True, text=True)
    assert extracted.stdout.strip() == second


def test_ci_makes_its_own_virtual_environment():
    script = (ROOT / ".ci" / "run").read_text()
    assert re.search(r'"\$python" -m venv "\$venv"', script) and "system-site-packages" not in script
    assert "unset PYTHONPATH" in script and "PYTHONNOUSERSITE=1" in script
    assert script.index('source "$venv/bin/activate"') < script.index('eval "$test_cmd"')
    assert "mktemp -d" in script and "trap 'rm -rf" in script
    assert subprocess.run(["bash", "-n", str(ROOT / ".ci" / "run")]).returncode == 0


def test_test_extras_have_scikit_learn_not_torch():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["test"]
    names = {re.split(r"[<>=\[; ]", e, maxsplit=1)[0].lower() for e in extras}
    assert {"pytest", "hypothesis", "playwright", "scikit-learn"} <= names and "torch" not in names


def test_the_kernel_build_keeps_pycc_scratch_folders_inside_its_own(monkeypatch, tmp_path):
    """numba.pycc makes temp folders (temp.c, temp.o) in the system temp dir; they must end in ours."""
    from chainrule.fast import aot

    seen = []

    def fake_compile(cc):
        scratch = Path(tempfile.mkdtemp())  # what pycc's compiler test does
        (scratch / "temp.c").write_text("int main(void) { return 0; }")
        seen.append(scratch)

    monkeypatch.setattr(aot, "_compile", fake_compile)
    out = tmp_path / "build"
    out.mkdir()
    system_tmp = tempfile.gettempdir()
    built = aot._build_into(out, "tiled", "float64")
    assert built.parent == out and built.name.startswith("_chainrule_tiled")
    assert seen and seen[0].is_relative_to(out) and tempfile.gettempdir() == system_tmp
