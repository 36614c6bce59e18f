"""A bool among a joint's numbers is refused, naming its cell (pidkit._validate, pidkit.cli).

numpy reads ``[[[True, 0.5], ...]]`` as ``[[[1.0, 0.5], ...]]``: the joint was decomposed as if the
user had written 1.0. Nested lists and object arrays are now searched for the first bool, as for
the first text cell; a numeric numpy array is not searched (it holds no bool).
"""

from __future__ import annotations

import json
from unittest import mock

import numpy as np
import pytest

import pidkit
from pidkit.cli import main

_MASS_FIX = "write the probability it stands for as a number (or a count, with normalize=True)."
_LIST = [[[0.25, 0.0], [0.25, 0.25]], [[0.0, True], [0.0, 0.0]]]
_OBJECT = np.array([[[0.5, 0.0], [0.0, 0.0]], [[False, 0.0], [0.0, 0.5]]], dtype=object)


@pytest.mark.parametrize(
    ("joint", "cell"),
    [
        (_LIST, "p_yts[1, 0, 1] is the bool True, which numpy would read as 1.0"),
        (_OBJECT, "p_yts[1, 0, 0] is the bool False, which numpy would read as 0.0"),
        ([[[1, 0], [2, np.True_]], [[0, 0], [0, 3]]],
         "p_yts[0, 1, 1] is the bool True, which numpy would read as 1.0"),
        ([np.array([[0.5, 0.5], [0.0, 0.0]]), [[0, 0], [np.False_, 0]]],
         "p_yts[1, 1, 0] is the bool False, which numpy would read as 0.0"),
    ],
    ids=["list", "object array", "numpy bool in int list", "list of array and list"],
)
@pytest.mark.parametrize("solve", [pidkit.pid, pidkit.bertschinger], ids=["pid", "bertschinger"])
def test_a_bool_among_numbers_is_refused_naming_its_cell(solve, joint, cell):
    with pytest.raises(TypeError) as refused:
        solve(joint, normalize=True)
    assert str(refused.value) == f"p_yts must be an array of real numbers; {cell}; {_MASS_FIX}"


def test_the_batch_names_the_joint_and_the_cell():
    with pytest.raises(TypeError) as refused:
        pidkit.bertschinger_batch([pidkit.examples.and_(), _LIST], normalize=True)
    assert str(refused.value) == (
        "joint 1: ps[1] must be an array of real numbers; ps[1][1, 0, 1] is the bool True, which numpy "
        f"would read as 1.0; {_MASS_FIX}"
    )


def test_only_nested_sequences_are_searched_for_a_bool():
    joint = pidkit.examples.and_()
    with mock.patch("pidkit._validate.first_bool_cell", return_value=None) as search:
        pidkit.pid(joint)
        assert search.call_count == 0  # a numeric array holds no bool: not walked cell by cell
        pidkit.pid(joint.tolist())
        assert search.call_count == 1


def test_a_bool_in_a_covariance_is_refused_too():
    with pytest.raises(TypeError) as refused:
        pidkit.gaussian_pid([[1.0, 0.5, 0.0], [0.5, True, 0.0], [0.0, 0.0, 1.0]], (1, 1, 1))
    assert str(refused.value) == (
        "cov must be an array of real numbers; cov[1, 1] is the bool True, which numpy would read as 1.0; "
        "write the number it stands for."
    )


def test_the_command_names_a_json_true_among_numbers(tmp_path, capsys):
    path = tmp_path / "joint.json"
    path.write_text(json.dumps(_LIST), encoding="utf-8")
    assert main(["decompose", str(path), "--normalize"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured.err
    assert captured.err == (
        "pidkit decompose: error: "
        f"{path}: the joint must be an array of real numbers; p[1, 0, 1] is the bool true, "
        "which numpy would read as 1.0; write the probability it stands for as a number, not true or "
        "false (or a count, with --normalize).\n"
    )
