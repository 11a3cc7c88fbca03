"""Where a training run's files go: numbered run folders and ``run.json``, written safely.

By default every ``chainrule train`` gets a new folder, as in Ultralytics
(``runs/train``, ``runs/train2``, …): ``chainrule-out/train``, then
``chainrule-out/train2``, ``train3``, … (the number after the highest one
there, so the numbers follow the order of the runs).  The folder is created
with ``os.mkdir``, which fails if another run took the name a moment before;
then the next number is tried.  An explicit ``--out DIR`` is used exactly,
and files in it are replaced only with ``--force``.

``run.json`` holds what the run was and what it gave: the config, the logged
history, final loss and accuracy, notes, seconds, the chainrule version, and
whether it was interrupted.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Mapping

from chainrule.output import os_error, probe_folder, remove_folders, write_files

DEFAULT_ROOT = Path("chainrule-out")
RUN_NAME = "train"
RUN_JSON = "run.json"
_NUMBERED = re.compile(rf"{RUN_NAME}(\d*)")


def next_number(root: Path) -> int:
    """1 for ``train`` if ``root`` holds no run yet, else the highest number there plus one."""
    numbers = [int(m.group(1) or 1) for entry in _entries(root) if (m := _NUMBERED.fullmatch(entry))]
    return max(numbers, default=0) + 1


def folder_name(number: int) -> str:
    """``train``, ``train2``, ``train3``, …"""
    return RUN_NAME if number == 1 else f"{RUN_NAME}{number}"


def new_run_folder(root: Path = DEFAULT_ROOT, option: str = "--out") -> tuple[Path, list[Path]]:
    """Create the next run folder under ``root``; returns it and every folder created (for clean-up)."""
    root = Path(root).expanduser()
    created = probe_folder(root, option)
    number = next_number(root)
    for _ in range(10_000):
        path = root / folder_name(number)
        try:
            os.mkdir(path)
            return path, [path, *created]
        except FileExistsError:  # another run took it just now
            number += 1
        except OSError as exc:
            remove_folders(created)
            raise os_error(exc, path, option, folder=True) from None
    raise os_error(OSError(17, "too many runs"), root / folder_name(number), option)  # pragma: no cover


def record(result, files: list[str]) -> dict:
    """The content of ``run.json`` for a :class:`chainrule.training.TrainResult`."""
    from chainrule import __version__

    body = {"chainrule_version": __version__, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            **result.to_json(), "files": files}
    return body


def write_run(folder: Path, result, pngs: Mapping[str, bytes], force: bool, option: str = "--out") -> list[Path]:
    """Write the plots and ``run.json`` into ``folder``, all or none; the paths written."""
    names = [*pngs, RUN_JSON]
    text = json.dumps(record(result, names), indent=2, allow_nan=True) + "\n"
    files = {folder / name: png for name, png in pngs.items()}
    files[folder / RUN_JSON] = text.encode("utf-8")
    return write_files(files, force, option)


def _entries(root: Path) -> list[str]:
    try:
        return os.listdir(root)
    except OSError:
        return []
