"""Shared helpers of the reliability tests: run a command, assert one clean paragraph."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chainrule.cli import app

SRC = str(Path(__file__).resolve().parents[2] / "src")
# a tiny reference-engine run: seconds, no compiled kernel needed
TINY = ["--points", "20", "--hidden", "8", "--iterations", "30", "--log-every", "10", "--engine", "reference"]
TINY_CSV = TINY[4:]  # a CSV decides its own points


def invoke(*args: str, env: dict | None = None):
    return CliRunner().invoke(app, [str(a) for a in args], env=env)


def assert_clean_error(result, code: int, *words: str) -> str:
    """Exit ``code``, stderr is one ``error:`` paragraph holding ``words``, no traceback anywhere."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    text = result.stderr
    assert text.startswith("error: "), text
    assert "Traceback" not in result.stdout and "Traceback" not in text
    assert text.strip().count("\n\n") == 0 and text.count("error:") == 1
    flat = " ".join(text.split())
    for w in words:
        assert w in flat, f"{w!r} not in {flat!r}"
    return flat


def json_error(result) -> dict:
    """The ``{"error": {...}}`` object a ``--json`` command printed on stdout."""
    body = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(body["error"]) >= {"code", "message"} and body["error"]["code"] == result.exit_code
    return body["error"]


def run_cli(args: list[str], cwd: Path, **kw) -> subprocess.CompletedProcess:
    """``python -m chainrule ARGS`` in a fresh process (this tree's sources first on the path)."""
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "chainrule", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=kw.pop("timeout", 300), **kw)


def files_under(folder: Path) -> list[str]:
    """Every file below ``folder`` (relative, sorted), hidden temporary files included."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() or p.is_symlink())


@pytest.fixture
def in_tmp(tmp_path, monkeypatch) -> Path:
    """Run in an empty folder, so the default ``chainrule-out/`` lands there."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
