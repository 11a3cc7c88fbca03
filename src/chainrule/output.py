"""Every file chainrule writes goes through here: checked first, written whole or not at all.

The rules (the README's "safe writes"):

* **check before the work** (:func:`check_target`): a file that exists is
  refused without ``force``; a folder in the way is refused; a symbolic link
  is refused (chainrule never writes through one: with ``force`` the link
  itself is replaced and its target is left alone); the folder is created
  and *probed* with a throw-away file, so a read-only disk, a missing
  permission or a name that is too long is found before training, not after;
* **write atomically** (:func:`write_bytes`, :func:`write_files`): into a
  temporary file in the destination folder, ``fsync``, then ``os.replace``
  (or, without ``force``, a hard link that fails if the name was taken
  meanwhile); :func:`write_files` writes every temporary file before it
  renames any, so a full disk leaves none of them;
* **explain failures** (:func:`os_error`): disk full, read-only, permission,
  name too long become one paragraph with exit code 2 naming the file and the
  option to change; nothing partial is left behind.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Mapping, Optional

from chainrule.errors import ChainruleError

TEMP_PREFIX = ".chainrule-"  # temporary files: short names, so a long final name still fits
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS}


def check_target(path: str | Path, force: bool, option: str = "--out") -> Path:
    """Refuse ``path`` now if it cannot be written later; create and probe its folder.

    Returns ``path`` with ``~`` expanded.  Raises :class:`ChainruleError`
    (exit 2) naming the file and the way out (``--force`` or another ``option``).
    """
    p = Path(path).expanduser()
    _check_name(p, option)
    kind = _kind(p, option)
    if kind == "link":
        if not force:
            raise ChainruleError(
                f"{p} is a symbolic link (to {os.readlink(p)}) and chainrule never writes through a link. "
                f"Pass --force to replace the link itself (its target is left alone), or choose another "
                f"path with {option}.", file=str(p), option=option)
    elif kind == "folder":
        raise ChainruleError(f"{p} is a folder, not a file; choose a file path with {option}.",
                             file=str(p), option=option)
    elif kind == "file" and not force:
        raise ChainruleError(
            f"{p} already exists and chainrule does not overwrite files you have. "
            f"Pass --force to replace it, or choose another path with {option}.", file=str(p), option=option)
    probe_folder(p.parent, option)
    return p


ensure_writable = check_target  # the older name, used by explain and the plots


def probe_folder(folder: str | Path, option: str = "--out") -> list[Path]:
    """Create ``folder`` (and its parents) and prove it is writable with a throw-away file.

    Returns the folders created (deepest first); they are removed again if the probe fails.
    """
    d = Path(folder).expanduser()
    created = make_folder(d, option)
    try:
        fd, tmp = _temp_in(d)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        remove_folders(created)
        raise os_error(exc, d / "x", option, folder=True) from None
    return created


def make_folder(folder: Path, option: str = "--out") -> list[Path]:
    """``mkdir -p folder``; the folders that did not exist before, deepest first (for clean-up)."""
    missing = []
    p = folder
    while _kind(p, option) is None and p != p.parent:
        missing.append(p)
        p = p.parent
    if _kind(p, option) not in ("folder", None):
        raise ChainruleError(f"{p} is a file, so chainrule cannot create the folder {folder} inside it. "
                             f"Choose another folder with {option}.", file=str(p), option=option)
    for d in reversed(missing):
        try:
            os.mkdir(d)
        except FileExistsError:
            continue
        except OSError as exc:
            remove_folders([m for m in missing if m.exists()])
            raise os_error(exc, d, option, folder=True) from None
    return missing


def remove_folders(folders: list[Path]) -> None:
    """Remove folders that chainrule created, deepest first, if they are (still) empty."""
    for d in folders:
        try:
            d.rmdir()
        except OSError:
            pass


def write_bytes(path: str | Path, data: bytes, force: bool, option: str = "--out") -> Path:
    """Write ``data`` to ``path`` atomically (checked as :func:`check_target`)."""
    return write_files({Path(path): data}, force, option)[0]


def write_text(path: str | Path, text: str, force: bool, option: str = "--out") -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return write_bytes(path, text.encode("utf-8"), force, option)


def write_files(files: Mapping[Path, bytes], force: bool, option: str = "--out") -> list[Path]:
    """Write several files, all or none: every temporary file first, then the renames.

    A full disk, a read-only folder or a refused name leaves no file of this
    call behind (and none of the user's replaced).  Returns the paths written.
    """
    targets = [check_target(p, force, option) for p in files]
    temps: list[tuple[str, Path]] = []
    committed: list[Path] = []
    try:
        for target, data in zip(targets, files.values()):
            temps.append((_write_temp(target.parent, data, target, option), target))
        for tmp, target in temps:
            _commit(tmp, target, force, option)
            committed.append(target)
        _sync_folders({t.parent for t in targets})
    except BaseException:
        if not force:  # these names were free before this call: leave them free again
            for target in committed:
                _unlink_quietly(str(target))
        raise
    finally:
        for tmp, _ in temps:
            _unlink_quietly(tmp)
    return targets


def os_error(exc: OSError, path: Path, option: str = "--out", folder: bool = False) -> ChainruleError:
    """One paragraph (exit 2) for an OSError while writing ``path``: what happened and what to do."""
    place = path.parent if folder or exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM) else path
    todo = f"Choose another place with {option}."
    why = {
        errno.ENOSPC: f"the disk is full. Nothing was written; free some space or choose another folder "
                      f"with {option}.",
        errno.EDQUOT: f"your disk quota is used up. Nothing was written; free some space or choose "
                      f"another folder with {option}.",
        errno.EROFS: f"it is on a read-only file system. {todo}",
        errno.EACCES: f"permission denied (you may not write in {place}). {todo}",
        errno.EPERM: f"the operation is not permitted there. {todo}",
        errno.ENAMETOOLONG: f"the name is too long for this file system ({len(path.name)} characters; most "
                            f"allow at most 255). Choose a shorter name with {option}.",
        errno.ENOTDIR: f"a part of the path is a file, not a folder. {todo}",
    }.get(exc.errno, f"{exc.strerror or exc}. {todo}")
    what = f"into the folder {place}" if place != path else str(path)
    return ChainruleError(f"Cannot write {what}: {why}", file=str(path), option=option)


# --------------------------------------------------------------------------- internals

def _kind(p: Path, option: str) -> Optional[str]:
    """``"link"``, ``"folder"``, ``"file"`` or None (nothing there); a name too long is an error."""
    try:
        if os.path.islink(p):
            return "link"
        st = os.stat(p)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ENOTDIR:
            return None
        raise os_error(exc, p, option) from None
    return "folder" if stat.S_ISDIR(st.st_mode) else "file"


def _check_name(p: Path, option: str) -> None:
    try:
        limit = os.pathconf(p.parent if p.parent.exists() else ".", "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255
    if len(os.fsencode(p.name)) > limit:
        raise os_error(OSError(errno.ENAMETOOLONG, "File name too long"), p, option)


def _temp_in(folder: Path) -> tuple[int, str]:
    import tempfile

    return tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".tmp", dir=folder)


def _write_temp(folder: Path, data: bytes, target: Path, option: str) -> str:
    """``data`` in a new temporary file of ``folder``, flushed to the disk; its path."""
    try:
        fd, tmp = _temp_in(folder)
    except OSError as exc:
        raise os_error(exc, target, option) from None
    try:
        try:
            os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; a written file gets the usual mode
            view = memoryview(data)
            while view:
                view = view[_write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        _unlink_quietly(tmp)
        raise os_error(exc, target, option) from None
    return tmp


def _write(fd: int, data: memoryview) -> int:
    return os.write(fd, data)


def _commit(tmp: str, target: Path, force: bool, option: str) -> None:
    """Rename ``tmp`` to ``target``: replacing it (``force``), or only if the name is still free."""
    try:
        if force:
            os.replace(tmp, target)  # replaces a symbolic link itself, never its target
            return
        try:
            os.link(tmp, target)  # fails if someone created the file since check_target
        except FileExistsError:
            raise ChainruleError(f"{target} appeared while chainrule was working and was not overwritten. "
                                 f"Pass --force to replace it, or choose another path with {option}.",
                                 file=str(target), option=option) from None
        except OSError as exc:
            if exc.errno not in _NO_LINKS:
                raise
            if os.path.lexists(target):
                raise ChainruleError(f"{target} already exists and was not overwritten. Pass --force "
                                     f"to replace it.", file=str(target), option=option) from None
            os.replace(tmp, target)  # a file system without hard links
    except OSError as exc:
        raise os_error(exc, target, option) from None


def _sync_folders(folders: set[Path]) -> None:
    for d in folders:
        try:
            fd = os.open(d, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


_UMASK: Optional[int] = None


def _umask() -> int:
    global _UMASK
    if _UMASK is None:
        _UMASK = os.umask(0o022)
        os.umask(_UMASK)
    return _UMASK
