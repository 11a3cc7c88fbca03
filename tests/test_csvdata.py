"""Loading a learner's own CSV: every error names the file, the row and the column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from chainrule.csvdata import load_csv
from chainrule.errors import ChainruleError


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ChainruleError) as info:
        load_csv(path)
    assert info.value.exit_code == 2
    message = info.value.message
    assert str(path) in message
    assert "\n" not in message  # one paragraph
    return message


# --------------------------------------------------------------------------- good files

def test_plain_numeric_file(tmp_path):
    data = load_csv(write(tmp_path, "0.5,-1.25,0\n1e-3,2,1\n3,4,1\n"))
    np.testing.assert_array_equal(data.X, [[0.5, -1.25], [0.001, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(data.y, [0, 1, 1])
    assert data.X.dtype == np.float64 and data.y.dtype == np.int64
    assert (data.n, data.dim, data.classes, data.name) == (3, 2, 2, "data.csv")
    assert data.notices == [] and data.class_names == ["0", "1"]


def test_header_is_detected_and_skipped(tmp_path):
    data = load_csv(write(tmp_path, "x1,x2,x3,label\n1,2,3,0\n4,5,6,1\n"))
    np.testing.assert_array_equal(data.X, [[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(data.y, [0, 1])


@pytest.mark.parametrize("sep", [";", "\t", ","])
def test_separators_are_sniffed(tmp_path, sep):
    rows = ["a", "b", "class"], ["1.5", "-2", "0"], ["0", "7", "1"], ["2", "2", "2"]
    data = load_csv(write(tmp_path, "\n".join(sep.join(r) for r in rows) + "\n"))
    np.testing.assert_array_equal(data.X, [[1.5, -2], [0, 7], [2, 2]])
    np.testing.assert_array_equal(data.y, [0, 1, 2])


def test_blank_lines_comments_bom_spaces_and_crlf(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes("\ufeff# made by np.savetxt\r\n\r\n 1 , 2 , 0\r\n\r\n3,4,1\r\n".encode("utf-8"))
    data = load_csv(path)
    np.testing.assert_array_equal(data.X, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(data.y, [0, 1])


def test_quoted_cells(tmp_path):
    data = load_csv(write(tmp_path, '"x","y","label"\n"1","2","cat"\n"3","4","dog"\n'))
    np.testing.assert_array_equal(data.X, [[1, 2], [3, 4]])
    assert data.class_names == ["cat", "dog"]


# --------------------------------------------------------------------------- label remapping

def test_labels_one_to_k_are_shifted(tmp_path):
    data = load_csv(write(tmp_path, "0,0,1\n1,1,2\n2,2,3\n3,3,2\n"))
    np.testing.assert_array_equal(data.y, [0, 1, 2, 1])
    assert data.notices == ["labels {1, 2, 3} were mapped to {0, 1, 2}"]
    assert data.classes == 3 and data.class_names == ["1", "2", "3"]


def test_sparse_integer_labels_are_compacted(tmp_path):
    data = load_csv(write(tmp_path, "0,0,5\n1,1,0\n2,2,2\n3,3,5\n4,4,-1\n"))
    np.testing.assert_array_equal(data.y, [3, 1, 2, 3, 0])
    assert data.notices == ["labels {-1, 0, 2, 5} were mapped to {0, 1, 2, 3}"]


def test_string_labels_are_mapped_in_sorted_order(tmp_path):
    data = load_csv(write(tmp_path, "x,y,colour\n0,0,red\n1,1,blue\n2,2,red\n3,3,green\n"))
    np.testing.assert_array_equal(data.y, [2, 0, 2, 1])
    assert data.notices == ["labels {blue, green, red} were mapped to {0, 1, 2}"]
    assert data.class_names == ["blue", "green", "red"]


def test_integral_float_labels_are_accepted_with_notice(tmp_path):
    data = load_csv(write(tmp_path, "0,0,1.0\n1,1,0.0\n2,2,1.0\n"))
    np.testing.assert_array_equal(data.y, [1, 0, 1])
    assert data.notices == ["labels {0.0, 1.0} were mapped to {0, 1}"]


def test_zero_based_labels_have_no_notice(tmp_path):
    data = load_csv(write(tmp_path, "0,0,2\n1,1,0\n2,2,1\n"))
    np.testing.assert_array_equal(data.y, [2, 0, 1])
    assert data.notices == []


# --------------------------------------------------------------------------- errors

def test_missing_file(tmp_path):
    message = error_of(tmp_path / "nope.csv")
    assert "does not exist" in message and "--dataset csv:" in message


def test_folder(tmp_path):
    message = error_of(tmp_path)
    assert "is a folder" in message


@pytest.mark.parametrize("text", ["", "\n\n  \n", "# only a comment\n"])
def test_empty_file(tmp_path, text):
    message = error_of(write(tmp_path, text))
    assert "has no data" in message and "label column" in message


def test_not_utf8(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(b"1,2,0\n\xff\xfe,3,1\n")
    assert "UTF-8" in error_of(path)


def test_row_with_other_column_count(tmp_path):
    message = error_of(write(tmp_path, "x,y,label\n1,2,0\n3,4,1\n5,6\n"))
    assert "row 4 has 2 columns but row 1 has 3" in message
    assert "fix or delete row 4" in message


def test_row_with_extra_column_counts_blank_lines(tmp_path):
    message = error_of(write(tmp_path, "1,2,0\n\n3,4,1\n5,6,7,1\n"))
    assert "row 4 has 4 columns but row 1 has 3" in message


def test_non_numeric_feature_cell(tmp_path):
    message = error_of(write(tmp_path, "x,y,label\n1,2,0\n3,abc,1\n"))
    assert "row 3, column 2 is 'abc', which is not a number" in message


def test_header_not_on_first_row_is_a_bad_cell(tmp_path):
    message = error_of(write(tmp_path, "1,2,0\nx,y,label\n3,4,1\n"))
    assert "row 2, column 1 is 'x'" in message


def test_empty_feature_cell(tmp_path):
    message = error_of(write(tmp_path, "1,2,0\n3,,1\n"))
    assert "row 2, column 2 is empty" in message


def test_empty_cell_on_first_row_is_not_a_header(tmp_path):
    message = error_of(write(tmp_path, "1,,0\n3,4,1\n5,6,1\n"))
    assert "row 1, column 2 is empty" in message


def test_decimal_comma_gets_a_hint(tmp_path):
    message = error_of(write(tmp_path, "1,5;2,0;0\n3,5;4,0;1\n"))
    assert "row 1, column 1 is '1,5'" in message and "decimal comma" in message


@pytest.mark.parametrize("cell", ["nan", "NaN", "inf", "-Infinity"])
def test_nan_and_inf_cells(tmp_path, cell):
    message = error_of(write(tmp_path, f"1,2,0\n3,4,1\n5,{cell},1\n"))
    assert f"row 3, column 2 is '{cell}'" in message and "finite" in message


@pytest.mark.parametrize("text, found", [
    ("1,2,0\n", "only 1 data row"), ("x,y,label\n1,2,0\n", "only 1 data row after the header"),
    ("x,y,label\n", "no data rows after the header"),
])
def test_fewer_than_two_rows(tmp_path, text, found):
    message = error_of(write(tmp_path, text))
    assert found in message and "at least 2" in message


def test_fewer_than_two_columns(tmp_path):
    message = error_of(write(tmp_path, "1\n2\n3\n"))
    assert "row 1: found 1 column" in message and "label column" in message


def test_single_class(tmp_path):
    message = error_of(write(tmp_path, "1,2,1\n3,4,1\n5,6,1\n"))
    assert "column 3" in message and "only one class" in message and "'1'" in message


@pytest.mark.parametrize("label", ["0.5", "1.25", "nan", "inf"])
def test_non_integral_label(tmp_path, label):
    message = error_of(write(tmp_path, f"1,2,0\n3,4,1\n5,6,{label}\n"))
    assert f"row 3, column 3: the label '{label}' is not a whole number" in message


def test_empty_label(tmp_path):
    message = error_of(write(tmp_path, "1,2,0\n3,4,\n"))
    assert "row 2, column 3: the label is empty" in message


def test_mixed_text_and_number_labels(tmp_path):
    message = error_of(write(tmp_path, "1,2,0\n3,4,1\n5,6,cat\n"))
    assert "row 3, column 3: the label 'cat' is text" in message and "row 1" in message
