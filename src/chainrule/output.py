"""Writing files the user asked for, never overwriting without ``--force``."""

from __future__ import annotations

from pathlib import Path

from chainrule.errors import ChainruleError


def ensure_writable(path: str | Path, force: bool, option: str = "--out") -> Path:
    """Return ``path`` as a Path, refusing if it exists and ``force`` is false.

    Creates the parent folder.  Raises :class:`ChainruleError` (exit 2) naming the
    file and the way out (``--force`` or another ``option``).
    """
    p = Path(path)
    if p.exists() and not force:
        raise ChainruleError(
            f"{p} already exists and chainrule does not overwrite files you have. "
            f"Pass --force to replace it, or choose another path with {option}."
        )
    if p.exists() and p.is_dir():
        raise ChainruleError(f"{p} is a folder, not a file; choose a file path with {option}.")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ChainruleError(f"Cannot create the folder {p.parent}: {exc.strerror}. "
                             f"Choose another place with {option}.") from None
    return p


def write_bytes(path: str | Path, data: bytes, force: bool, option: str = "--out") -> Path:
    p = ensure_writable(path, force, option)
    p.write_bytes(data)
    return p


def write_text(path: str | Path, text: str, force: bool, option: str = "--out") -> Path:
    p = ensure_writable(path, force, option)
    p.write_text(text, encoding="utf-8")
    return p
