"""A missing cell (``None``, a JSON ``null``) is named as missing, with what to write there, and a
bool among ``dims`` is told what dims are (task 264.2).

Both said only what they found: 'p_yts[0, 0, 1] is None (NoneType).' and 'dims must hold integers;
got (True, 1, 1).'.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import pidkit
from pidkit.cli import main

_PYTHON_FIX = ("Write the probability it holds as a number: 0 for a mass that is zero (or a count, with "
               "normalize=True).")
_LIST = [[[0.5, None], [0.25, 0.25]]]


@pytest.mark.parametrize(
    ("joint", "cell"),
    [
        (_LIST, "p_yts[0, 0, 1]"),
        (np.array([[[0.25, 0.25], [0.25, 0.0]], [[0.0, 0.0], [None, 0.25]]], dtype=object), "p_yts[1, 1, 0]"),
        ([[[0.5, 0.0], [0.25, 0.25]], [[0.0, 0.0], (0.0, None)]], "p_yts[1, 1, 1]"),
    ],
    ids=["list", "object array", "tuple row"],
)
def test_a_missing_cell_of_a_joint_says_what_to_write(joint, cell):
    with pytest.raises(TypeError) as refused:
        pidkit.pid(joint)
    assert str(refused.value) == (
        f"p_yts must be an array of real numbers; {cell} is None: the cell is missing. {_PYTHON_FIX}")


def test_a_missing_entry_of_a_covariance_says_what_to_write():
    with pytest.raises(TypeError) as refused:
        pidkit.gaussian_pid([[1.0, None, 0.0], [None, 1.0, 0.0], [0.0, 0.0, 1.0]], (1, 1, 1))
    assert str(refused.value) == (
        "cov must be an array of real numbers; cov[0, 1] is None: the entry is missing. Write the number "
        "it stands for (estimate it first if it is unknown).")


@pytest.mark.parametrize(
    ("cells", "where"),
    [(_LIST, "p[0, 0, 1]"), ([[[0.5, None], [0.25, True]]], "p[0, 0, 1]")],
    ids=["null", "null before a true"],
)
def test_the_command_names_a_json_null_as_the_file_writes_it(tmp_path, capsys, cells, where):
    path = tmp_path / "joint.json"
    path.write_text(json.dumps(cells), encoding="utf-8")
    assert main(["decompose", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == (
        "pidkit decompose: error: "
        f"{path}: the joint must be an array of real numbers; {where} is null: the cell is "
        "missing. Write the probability it holds as a number: 0 for a mass that is zero (or a count, "
        "with --normalize).\n")


def test_a_json_true_before_a_null_is_still_named_as_a_bool(tmp_path, capsys):
    path = tmp_path / "joint.json"
    path.write_text(json.dumps([[[0.5, True], [0.25, None]]]), encoding="utf-8")
    assert main(["decompose", str(path)]) == 2
    assert "p[0, 0, 1] is the bool true, which numpy would read as 1.0" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("dims", "entry"),
    [((True, 1, 1), "dims[0] is the bool True"), ([1, np.False_, 2], "dims[1] is the bool False")],
    ids=["bool", "numpy bool"],
)
def test_a_bool_among_dims_is_told_what_dims_are(dims, entry):
    with pytest.raises(TypeError) as refused:
        pidkit.gaussian_pid(np.eye(3 if entry.startswith("dims[0]") else 4), dims)
    assert str(refused.value) == (
        f"dims must hold integers, the sizes of Y, T and S (e.g. dims=(1, 3, 2)); {entry}, not a size; "
        f"got {dims!r}.")


def test_a_float_among_dims_keeps_its_message():
    with pytest.raises(TypeError) as refused:
        pidkit.gaussian_pid(np.eye(3), (1.0, 1, 1))
    assert str(refused.value) == "dims must hold integers; got (1.0, 1, 1)."
