"""Safe writes: atomic, never through a symbolic link, every OS failure one paragraph with nothing left behind."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import uuid
from pathlib import Path

import pytest

import chainrule.output as output
from chainrule.errors import ChainruleError

from .conftest import TINY, assert_clean_error, files_under, invoke, json_error


def error_of(call, *args, **kwargs) -> ChainruleError:
    with pytest.raises(ChainruleError) as info:
        call(*args, **kwargs)
    assert info.value.exit_code == 2 and "\n" not in info.value.message
    return info.value


# --------------------------------------------------------------------------- symbolic links

def test_a_dangling_link_is_not_followed(tmp_path):
    outside = tmp_path / "outside.png"
    out = tmp_path / "out"
    out.mkdir()
    (out / "loss.png").symlink_to(outside)
    r = invoke("train", *TINY, "--out", out)
    assert_clean_error(r, 2, "symbolic link", "--force")
    assert not outside.exists() and files_under(out) == ["loss.png"]


def test_force_replaces_the_link_itself_never_its_target(tmp_path):
    victim = tmp_path / "victim.png"
    victim.write_bytes(b"precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "loss.png").symlink_to(victim)
    r = invoke("train", *TINY, "--out", out, "--force")
    assert r.exit_code == 0, r.stderr
    assert victim.read_bytes() == b"precious"
    assert not (out / "loss.png").is_symlink() and (out / "loss.png").read_bytes().startswith(b"\x89PNG")


def test_write_bytes_and_links(tmp_path):
    target = tmp_path / "target.txt"
    target.write_text("keep")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    assert "symbolic link" in error_of(output.write_text, link, "new", False).message
    output.write_text(link, "new", True)
    assert target.read_text() == "keep" and link.read_text() == "new" and not link.is_symlink()


# --------------------------------------------------------------------------- atomic, all or nothing

def test_written_files_get_the_usual_mode_and_no_temporary_file_stays(tmp_path):
    old = os.umask(0o022)
    try:
        path = output.write_bytes(tmp_path / "a.bin", b"x" * 1000, False)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert files_under(tmp_path) == ["a.bin"]


def test_a_full_disk_midway_leaves_none_of_the_files(tmp_path, monkeypatch):
    calls = []

    def full_after_first_file(fd, data):
        calls.append(len(data))
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return os.write(fd, data)

    monkeypatch.setattr(output, "_write", full_after_first_file)
    files = {tmp_path / "one.png": b"1" * 10, tmp_path / "two.png": b"2" * 10}
    err = error_of(output.write_files, files, False)
    assert "disk is full" in err.message and "two.png" in err.message
    assert files_under(tmp_path) == []


def test_force_keeps_the_old_files_when_the_disk_fills(tmp_path, monkeypatch):
    (tmp_path / "one.png").write_bytes(b"old one")
    (tmp_path / "two.png").write_bytes(b"old two")
    calls = []

    def full_on_second(fd, data):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return os.write(fd, data)

    monkeypatch.setattr(output, "_write", full_on_second)
    error_of(output.write_files, {tmp_path / "one.png": b"new", tmp_path / "two.png": b"new"}, True)
    assert (tmp_path / "one.png").read_bytes() == b"old one" and (tmp_path / "two.png").read_bytes() == b"old two"
    assert files_under(tmp_path) == ["one.png", "two.png"]


def test_a_file_that_appears_meanwhile_is_not_overwritten(tmp_path, monkeypatch):
    path = tmp_path / "report.md"
    real = output._write_temp

    def someone_writes_it_meanwhile(*args):
        path.write_text("theirs")
        return real(*args)

    monkeypatch.setattr(output, "_write_temp", someone_writes_it_meanwhile)
    assert "appeared" in error_of(output.write_text, path, "mine", False).message
    assert path.read_text() == "theirs" and files_under(tmp_path) == ["report.md"]


# --------------------------------------------------------------------------- each OS failure: exit 2, one paragraph

@pytest.mark.parametrize("code,words", [
    (errno.ENOSPC, ["disk is full", "--out"]),
    (errno.EROFS, ["read-only"]),
    (errno.EACCES, ["permission denied"]),
    (errno.ENAMETOOLONG, ["too long"]),
    (errno.EDQUOT, ["quota"]),
])
def test_train_write_failures_are_one_paragraph_and_leave_nothing(in_tmp, monkeypatch, code, words):
    def failing(fd, data):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(output, "_write", failing)
    r = invoke("train", *TINY, "--json")
    assert_clean_error(r, 2, *words)
    assert json_error(r)["code"] == 2
    assert files_under(in_tmp) == []
    assert not (in_tmp / "chainrule-out").exists()


@pytest.mark.parametrize("code,words", [(errno.EROFS, ["read-only"]), (errno.EACCES, ["permission denied"])])
def test_an_unwritable_folder_is_found_before_training(tmp_path, monkeypatch, code, words):
    import chainrule.cli.train_run as tr

    def refused(folder):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(output, "_temp_in", refused)
    monkeypatch.setattr(tr, "train", lambda *a, **k: pytest.fail("trained before finding out"))
    assert_clean_error(invoke("train", *TINY, "--out", tmp_path / "o"), 2, *words)
    assert not (tmp_path / "o").exists()


def test_a_300_character_name(tmp_path):
    long_name = "r" * 300
    r = invoke("train", *TINY, "--out", tmp_path / long_name)
    assert_clean_error(r, 2, "too long", "--out")
    r = invoke("explain", "--no-train", "--out", tmp_path / (long_name + ".md"))
    assert_clean_error(r, 2, "too long")
    assert files_under(tmp_path) == []


def test_a_parent_that_is_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    err = error_of(output.check_target, tmp_path / "file" / "sub" / "report.md", False)
    assert "is a file" in err.message


# --------------------------------------------------------------------------- a real tiny disk, if this machine lets us mount one

@pytest.fixture
def tmpfs(tmp_path):
    """Mount a tmpfs (root only; skipped elsewhere): yields a function(size, ro) -> folder."""
    mounted = []

    def mount(size: str, read_only: bool = False) -> Path:
        d = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
        d.mkdir()
        opts = f"size={size}" + (",ro" if read_only else "")
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(d)], capture_output=True)
        if r.returncode != 0:
            pytest.skip("cannot mount a tmpfs here (needs root): " + r.stderr.decode(errors="replace").strip())
        mounted.append(d)
        return d

    yield mount
    for d in mounted:
        subprocess.run(["umount", str(d)], capture_output=True)


def test_a_really_full_disk(tmpfs):
    disk = tmpfs("48k")
    r = invoke("train", *TINY, "--out", disk / "run")
    assert_clean_error(r, 2, "disk is full")
    assert files_under(disk) == []  # no truncated PNG, no 0-byte file, no temporary file


def test_a_really_read_only_disk(tmpfs):
    disk = tmpfs("1m", read_only=True)
    assert_clean_error(invoke("train", *TINY, "--out", disk / "run"), 2, "read-only")
    assert_clean_error(invoke("explain", "--no-train", "--out", disk / "r.md"), 2, "read-only")
