"""An array of four axes is read by its totals before it is given advice (walk t-466, H1). The
3-input AND p[y, x1, x2, x3] was told it was "a stack of 2 joints" and sent to
pidkit.bertschinger_batch, which (with normalize=True) returned PIDs of slices of x1. One joint of a
target and more sources sums to 1 as a whole; a stack has each p[k] sum to 1."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import pidkit
from pidkit import examples
from pidkit._joint_advice import axes_reading
from pidkit.cli import main

PREFIX = ("must be a 3-D array indexed {0}[y, t, s] (target, teacher, student); got 4-D with shape "
          "(2, 2, 2, 2). ")


def and_of_three() -> np.ndarray:
    """The 3-input AND, p[y, x1, x2, x3]: each input a fair bit, y = x1 and x2 and x3."""
    p = np.zeros((2, 2, 2, 2))
    for x1, x2, x3 in itertools.product((0, 1), repeat=3):
        p[x1 & x2 & x3, x1, x2, x3] = 1 / 8
    return p


def refusal(p: np.ndarray) -> str:
    with pytest.raises(ValueError) as refused:
        pidkit.pid(p)
    return str(refused.value)


def test_a_joint_of_three_sources_is_pointed_to_the_calls_that_take_them():
    p = and_of_three()
    assert refusal(p) == "p_yts " + PREFIX.format("p_yts") + (
        "It sums to 1 as a whole, not in each p_yts[k], so it reads as one joint p_yts[y, x1, x2, x3] of "
        "a target and 3 sources, not a stack of joints: pidkit decomposes a target and two sources. For "
        "all 3 sources, pidkit.i_gh(p_yts) and pidkit.i_prec(p_yts) give their redundancy, and dit the "
        "full lattice of atoms: dit.pid.PID_WB(dit.Distribution.from_ndarray(np.moveaxis(p_yts, 0, -1))) "
        "(dit puts the target last).")
    # The calls it names take the 4-D joint as it is. Each source's information is
    # I(Y; X_i) = h(1/8) - h(1/4) / 2; the three sources are the same channel from Y, so each is a
    # garbling of the others and I_prec is that information.
    h = lambda x: -x * np.log2(x) - (1 - x) * np.log2(1 - x)  # noqa: E731
    source_information = h(1 / 8) - 0.5 * h(1 / 4)
    assert pidkit.i_prec(p) == pytest.approx(source_information, abs=1e-9)
    assert pidkit.i_gh(p) == pytest.approx(0.034632, abs=1e-6)  # as the walk t-466 found it
    dit = pytest.importorskip("dit")
    lattice = dit.pid.PID_WB(dit.Distribution.from_ndarray(np.moveaxis(p, 0, -1)))
    # I_min's redundancy of the three sources is each source's information, h(1/8) - h(1/4)/2
    assert lattice.get_red(((0,), (1,), (2,))) == pytest.approx(source_information, abs=1e-9)


def test_a_stack_of_joints_keeps_its_advice():
    stack = np.stack([examples.and_(), examples.xor()])
    assert refusal(stack).endswith(
        PREFIX.format("p_yts") + "For a stack of 2 joints p[k, y, t, s], pass each p[k] (for BROJA, "
        "pidkit.bertschinger_batch(stack) solves the whole stack).")


@pytest.mark.parametrize(("p", "reading"), [
    (np.stack([examples.and_(), examples.xor()]), "stack"),
    (np.stack([examples.and_(), examples.xor()]).astype(np.float32), "stack"),  # totals off by ~1e-8
    (and_of_three(), "sources"),
    (and_of_three() * 8, "either"),  # counts: one table, or a stack of two
    (np.full((1, 2, 2, 2), 1 / 8), "one"),
    (np.full((2, 2, 2, 2, 2), 1 / 32), "sources"),
    (np.full((2, 2, 2, 2, 2), 1.0), ""),
    (examples.and_(), ""),
])
def test_the_reading_follows_the_totals(p, reading):
    assert axes_reading(p) == reading


def test_counts_that_could_be_either_get_both_readings():
    text = refusal(and_of_three() * 8)
    stack = text.index("For a stack of 2 joints p[k, y, t, s], pass each p[k]")
    sources = text.index("If it is one joint p_yts[y, x1, x2, x3] of a target and 3 sources: ")
    assert stack < sources


def test_a_joint_of_four_sources_is_told_the_same():
    assert "reads as one joint p_yts[y, x1, ..., x4] of a target and 4 sources" in refusal(
        np.full((2, 2, 2, 2, 2), 1 / 32))


def test_the_command_gives_the_same_reading_with_calls_a_shell_user_can_run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    np.save("and3.npy", and_of_three())
    assert main(["decompose", "and3.npy"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err == "pidkit decompose: error: and3.npy: the joint " + PREFIX.format("p") + (
        "It sums to 1 as a whole, not in each p[k], so it reads as one joint p[y, x1, x2, x3] of a target "
        "and 3 sources, not a stack of joints: pidkit decomposes a target and two sources. For all 3 "
        "sources, in Python, pidkit.i_gh(np.load('and3.npy')) and pidkit.i_prec(np.load('and3.npy')) give "
        "their redundancy, and dit the full lattice of atoms: "
        "dit.pid.PID_WB(dit.Distribution.from_ndarray(np.moveaxis(np.load('and3.npy'), 0, -1))) "
        "(dit puts the target last).\n")
    np.save("stack.npy", np.stack([examples.and_(), examples.xor()]))
    assert main(["decompose", "stack.npy"]) == 2
    assert "For a stack of 2 joints p[k, y, t, s]: pidkit decompose reads one joint per file" in (
        capsys.readouterr().err)
