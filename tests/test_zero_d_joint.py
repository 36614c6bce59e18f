"""A joint of no axes (a NumPy scalar, a 0-D array) is refused like any joint of the wrong number of
axes, naming the argument and its 0 axes (walk t-494: it raised IndexError from the advice for
arrays of more than three axes, and the command line printed a traceback and exited 1).

One number (a 0-D array, or an array of one cell) is told what a joint is and where one comes
from, not to reshape it (t-500: "Reshape it" was the advice for a single number too)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import pidkit
from pidkit.cli import main

CALLS = {
    "pid": pidkit.pid,
    "bertschinger": pidkit.bertschinger,
    "i_mmi": pidkit.i_mmi,
    "co_information": pidkit.co_information,
    "pid gh": lambda p: pidkit.pid(p, measure="gh"),
}


WHAT_A_JOINT_IS = (
    "not a joint: a joint is a table holding, for every y, t and s, the probability p_yts[y, t, s] "
    "that the target is y, the teacher t and the student s together. Build it from samples with "
    "pidkit.joint_from_samples(y, t, s), or start from a worked one in pidkit.examples "
    "(pidkit.examples.and_() is the joint of Y = T AND S).")


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
@pytest.mark.parametrize(("joint", "got"), [
    (np.array([0.5, 0.5]), "1-D with shape (2,)"),
    (np.full((2, 2), 0.25), "2-D with shape (2, 2)"),
])
def test_a_joint_of_fewer_than_three_axes_is_refused_naming_p_yts(call, joint, got):
    with pytest.raises(ValueError, match=re.escape(
            f"p_yts must be a 3-D array indexed p_yts[y, t, s] (target, teacher, student); got {got}. "
            "Reshape it, or build it from samples with pidkit.joint_from_samples(y, t, s).")):
        call(joint)


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
@pytest.mark.parametrize(("joint", "got"), [
    (np.float64(0.5), "0-D with shape (). It holds one number, 0.5"),
    (np.array(1.0), "0-D with shape (). It holds one number, 1"),
    (np.array([0.25]), "1-D with shape (1,). It holds one number, 0.25"),
    (np.array([[3]]), "2-D with shape (1, 1). It holds one number, 3"),
])
def test_one_number_is_told_what_a_joint_is_not_to_reshape_it(call, joint, got):
    with pytest.raises(ValueError, match=re.escape(
            "p_yts must be a 3-D array indexed p_yts[y, t, s] (target, teacher, student); "
            f"got {got}, {WHAT_A_JOINT_IS}")) as refused:
        call(joint)
    assert "Reshape" not in str(refused.value)


def test_the_worked_joint_the_refusal_names_is_one():
    assert pidkit.examples.and_().shape == (2, 2, 2)


def test_the_command_line_refuses_a_saved_scalar_in_one_line_with_exit_code_2(tmp_path, capsys):
    path = tmp_path / "scalar.npy"
    np.save(path, np.array(0.5))
    assert main(["decompose", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(
        f"pidkit decompose: error: {path}: the joint must be a 3-D array indexed p[y, t, s] (target, "
        "teacher, student); got 0-D with shape (). It holds one number, 0.5, not a joint: a joint is a "
        "table holding, for every y, t and s, the probability p[y, t, s] that the target is y, the "
        "teacher t and the student s together. Save one joint with three axes")
    assert captured.err.endswith("; or decompose a worked one: pidkit decompose --example and.\n")
    assert "pidkit.examples" not in captured.err  # the library's advice in Python, replaced

