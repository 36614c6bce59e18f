"""A joint of no axes (a NumPy scalar, a 0-D array) is refused like any joint of the wrong number of
axes, naming the argument and its 0 axes (walk t-494: it raised IndexError from the advice for
arrays of more than three axes, and the command line printed a traceback and exited 1)."""

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


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
@pytest.mark.parametrize(("joint", "got"), [
    (np.float64(0.5), "0-D with shape ()"),
    (np.array(1.0), "0-D with shape ()"),
    (np.array([0.5, 0.5]), "1-D with shape (2,)"),
    (np.full((2, 2), 0.25), "2-D with shape (2, 2)"),
])
def test_a_joint_of_fewer_than_three_axes_is_refused_naming_p_yts(call, joint, got):
    with pytest.raises(ValueError, match=re.escape(
            f"p_yts must be a 3-D array indexed p_yts[y, t, s] (target, teacher, student); got {got}. "
            "Reshape it, or build it from samples with pidkit.joint_from_samples(y, t, s).")):
        call(joint)


def test_the_command_line_refuses_a_saved_scalar_in_one_line_with_exit_code_2(tmp_path, capsys):
    path = tmp_path / "scalar.npy"
    np.save(path, np.array(0.5))
    assert main(["decompose", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(
        f"pidkit decompose: error: {path}: the joint must be a 3-D array indexed p[y, t, s] (target, "
        "teacher, student); got 0-D with shape (). Save one joint with three axes")
