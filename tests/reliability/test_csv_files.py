"""CSV files as learners make them: exact labels, one separator, quotes, huge cells, big files, bad scales."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chainrule.csvdata as csvdata
from chainrule.csvdata import load_csv
from chainrule.errors import ChainruleError

from .conftest import TINY_CSV, assert_clean_error, invoke

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def error_of(path: Path) -> str:
    with pytest.raises(ChainruleError) as info:
        load_csv(path)
    assert info.value.exit_code == 2 and "\n" not in info.value.message and len(info.value.message) < 1000
    assert str(path) in info.value.message
    return info.value.message


def both_readers(path: Path, monkeypatch):
    """The row-by-row reader's Dataset and the fast (numpy) reader's, for the same file."""
    slow = load_csv(path)
    monkeypatch.setattr(csvdata, "FAST_MIN_CHARS", 0)
    text = path.read_text(encoding="utf-8-sig")
    fast = csvdata._fast(path, text, csvdata._sniff(text))
    monkeypatch.undo()
    return slow, fast


features = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
labels = st.one_of(st.integers(-3, 3), st.integers(-10**25, 10**25))


@SETTINGS
@given(rows=st.lists(st.tuples(features, features, labels), min_size=2, max_size=40),
       sep=st.sampled_from([",", ";", "\t"]), header=st.booleans())
def test_any_numeric_file_reads_back_exactly(tmp_path, monkeypatch, rows, sep, header):
    keys = sorted({r[2] for r in rows})
    if len(keys) < 2 or (len(rows) >= 20 and len(keys) > len(rows) // 2):
        return
    path = tmp_path / "d.csv"
    lines = (["x1", "x2", "label"],) if header else ()
    path.write_text("\n".join(sep.join(map(str, cells)) for cells in (*lines, *[(repr(a), repr(b), c)
                                                                                for a, b, c in rows])) + "\n")
    for data in both_readers(path, monkeypatch):
        assert data is not None
        np.testing.assert_array_equal(data.X, [[a, b] for a, b, _ in rows])  # repr round-trips exactly
        assert data.y.tolist() == [keys.index(c) for _, _, c in rows]  # exact integers, never via float
        assert data.class_names == [str(k) for k in keys]


def test_labels_that_differ_in_the_23rd_digit_stay_apart(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("0.1,0\n0.2,99999999999999999999998\n0.3,99999999999999999999999\n0.4,0\n")
    data = load_csv(path)
    assert data.classes == 3 and data.y.tolist() == [0, 1, 2, 0]
    assert data.class_names == ["0", "99999999999999999999998", "99999999999999999999999"]


@SETTINGS
@given(cells=st.lists(st.text(alphabet="ab1.,;\t \"x#-e", max_size=6), min_size=3, max_size=3),
       n=st.integers(2, 6))
def test_any_text_is_read_or_refused_in_one_paragraph(tmp_path, cells, n):
    path = tmp_path / "d.csv"
    path.write_text("\n".join(",".join(cells) for _ in range(n)) + "\n0.5,1,0\n")
    try:
        data = load_csv(path)
    except ChainruleError as exc:
        assert exc.exit_code == 2 and "\n" not in exc.message and str(path) in exc.message
    else:
        assert data.X.shape[0] == len(data.y) >= 2 and np.all(np.isfinite(data.X))


def test_mixed_separators_are_refused(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("".join(f"0.{i},0.{i + 1};{i % 2}\n" for i in range(100)))
    message = error_of(path)
    assert "row 1" in message and "mixes two separators" in message


def test_a_feature_cell_with_another_separator(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("1,2,0\n3;4,5,1\n")
    assert "row 2, column 1" in error_of(path) and "mixes two separators" in error_of(path)


def test_an_unterminated_quote_is_named(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('1,2,0\n3,4,1\n5,"6,1\n7,8,0\n')
    message = error_of(path)
    assert "row 3" in message and "never closed" in message


def test_a_10_mb_cell(tmp_path):
    big = "9" * 10_000_000
    path = tmp_path / "d.csv"
    path.write_text(f"1,2,0\n3,4,1\n5,{big}x,1\n")
    message = error_of(path)
    assert "row 3, column 2" in message and "(10000001 characters)" in message
    path.write_text(f"1,2,0\n3,4,1\n5,6,{big}x\n")
    assert "row 3, column 3" in error_of(path)


@pytest.mark.parametrize("cell,words", [("1_000", ["without '_'", "1000"]), ("1e400", ["too large"])])
def test_numbers_python_reads_but_a_csv_should_not_have(tmp_path, cell, words):
    path = tmp_path / "d.csv"
    path.write_text(f"1,2,0\n3,{cell},1\n")
    message = error_of(path)
    assert "row 2, column 2" in message and all(w in message for w in words)


def test_the_fast_reader_agrees_on_a_large_file(tmp_path, monkeypatch):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30_000, 3)) * [1, 10, 0.1]
    y = rng.integers(0, 4, 30_000)
    path = tmp_path / "big.csv"
    with path.open("w") as f:
        f.write("a,b,c,label\n")
        np.savetxt(f, np.c_[X, y], fmt=["%.17g", "%.17g", "%.17g", "%d"], delimiter=",")
    assert path.stat().st_size > csvdata.FAST_MIN_CHARS
    fast = load_csv(path)  # the numpy reader is used for files this size
    np.testing.assert_array_equal(fast.X, X)
    np.testing.assert_array_equal(fast.y, y)
    path.write_text(path.read_text().replace("\n0.", "\n# a comment\n0.", 1))  # forces the row-by-row reader
    slow = load_csv(path)
    assert slow.X.shape == (29_999, 3) or slow.X.shape == (30_000, 3)


@pytest.mark.parametrize("labels_text,names", [("red blue", ["blue", "red"]), ("1.0 2.0", ["1.0", "2.0"])])
def test_the_fast_reader_with_text_and_decimal_labels(tmp_path, monkeypatch, labels_text, names):
    a, b = labels_text.split()
    path = tmp_path / "d.csv"
    path.write_text("".join(f"{i * 0.001},{i % 7},{a if i % 3 else b}\n" for i in range(9000)))
    slow, fast = both_readers(path, monkeypatch)
    assert fast is not None and fast.class_names == slow.class_names == names
    np.testing.assert_array_equal(fast.y, slow.y)
    assert fast.notices == slow.notices


# --------------------------------------------------------------------------- the data's scale

def csv_file(tmp_path: Path, X: np.ndarray, y: np.ndarray) -> Path:
    path = tmp_path / "d.csv"
    path.write_text("".join(",".join(map(repr, [*row, int(label)])) + "\n" for row, label in zip(X.tolist(), y)))
    return path


@pytest.mark.parametrize("scale", [1e300, 1e200])
def test_overflowing_features_are_blamed_not_the_step_size(tmp_path, scale):
    rng = np.random.default_rng(0)
    path = csv_file(tmp_path, rng.normal(size=(40, 2)) * scale, np.arange(40) % 2)
    r = invoke("train", *TINY_CSV, "--dataset", f"csv:{path}", "--out", tmp_path / "o", "--json")
    flat = assert_clean_error(r, 2, "iteration 0, before any update", "the data", "--standardize")
    assert "smaller --step-size" not in flat and not (tmp_path / "o").exists()
    r = invoke("train", *TINY_CSV, "--dataset", f"csv:{path}", "--out", tmp_path / "o", "--json", "--standardize")
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["config"]["standardize"] is True and any("standardized" in n for n in out["notes"])
    assert out["final_loss"] < out["initial_loss"]


def test_an_index_column_and_large_features_get_a_warning(tmp_path):
    rng = np.random.default_rng(0)
    X = np.c_[np.arange(60), rng.normal(size=60) * 3000]
    path = csv_file(tmp_path, X, np.arange(60) % 2)
    r = invoke("train", *TINY_CSV, "--dataset", f"csv:{path}", "--out", tmp_path / "o", "--step-size", "1e-9",
               "--json")
    assert r.exit_code == 0, r.stderr
    (warning,) = json.loads(r.stdout)["warnings"]
    assert "column 1 counts the rows 0, 1, 2" in warning and "column 2 reaches" in warning
    assert "--standardize" in warning


def test_divergence_on_badly_scaled_data_suggests_standardize(tmp_path):
    rng = np.random.default_rng(0)
    path = csv_file(tmp_path, rng.normal(size=(60, 2)) * 1e4, np.arange(60) % 2)
    r = invoke("train", *TINY_CSV, "--dataset", f"csv:{path}", "--out", tmp_path / "o", "--iterations", "300")
    assert_clean_error(r, 1, "diverged", "--standardize")


def test_a_loss_that_rises_gets_a_warning_line(tmp_path):
    args = ["train", "--points", "30", "--hidden", "16", "--iterations", "200", "--engine", "reference",
            "--step-size", "20", "--out", tmp_path / "o"]
    r = invoke(*args)
    assert r.exit_code == 0
    assert "warning: the loss rose from 0.6931 to" in " ".join(r.stdout.split())
    assert "--step-size 2" in r.stdout
