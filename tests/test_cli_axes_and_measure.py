"""`pidkit decompose --axes ORDER` reads a joint saved in another axis order (dit and many papers put
the target last), and `--measure` refuses a measure in the library's words (walk t-466, M2 and L5):
`--axes` did not exist, so a target-last AND was decomposed with T as the target and no warning, and
`--measure imin` did not say that dit computes I_min, which pid(..., measure="I_min") does."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import pidkit
from pidkit import examples
from pidkit.cli import main

H_QUARTER = -0.25 * np.log2(0.25) - 0.75 * np.log2(0.75)
AND = {"red": H_QUARTER - 0.5, "uni_t": 0.0, "uni_s": 0.0, "syn": 0.5}
"""BROJA's atoms of AND: Red = I(Y;T) = h(1/4) - h(1/2)/2 = 0.311278, Syn = I(Y;T,S) - I(Y;T) = 1/2."""


def _decompose(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["decompose", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_the_and_saved_target_last_gives_ands_atoms_with_axes_tsy(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    np.save("and_tsy.npy", np.moveaxis(examples.and_(), 0, 2))  # p[t, s, y]
    status, out, _ = _decompose(capsys, "and_tsy.npy", "--axes", "tsy", "--json")
    atoms = json.loads(out)
    assert status == 0
    assert {name: atoms[name] for name in AND} == pytest.approx(AND, abs=1e-6)
    assert round(atoms["red"], 6) == 0.311278
    # without --axes the same file is read as p[y, t, s]: another decomposition
    status, out, _ = _decompose(capsys, "and_tsy.npy", "--json")
    assert status == 0 and json.loads(out)["syn"] == pytest.approx(0.188722, abs=1e-6)


@pytest.mark.parametrize("order", ["yts", "yst", "tys", "tsy", "syt", "sty"])
def test_every_order_reads_the_same_joint(tmp_path, monkeypatch, capsys, order):
    monkeypatch.chdir(tmp_path)
    p = np.random.default_rng(3).dirichlet(np.ones(24)).reshape(2, 3, 4)  # p[y, t, s]
    saved = np.transpose(p, ["yts".index(axis) for axis in order])  # saved[axes in order]
    (tmp_path / "joint.json").write_text(json.dumps(saved.tolist()), encoding="utf-8")
    status, out, _ = _decompose(capsys, "joint.json", "--axes", order.upper(), "--json")
    expected = pidkit.pid(p)
    assert status == 0
    assert json.loads(out)["uni_t"] == pytest.approx(expected.uni_t, abs=1e-8)
    assert json.loads(out)["i_yts"] == pytest.approx(expected.i_yts, abs=1e-12)


@pytest.mark.parametrize("order", ["xyz", "ty", "ytss", "yyt", ""])
def test_an_order_that_is_no_permutation_is_one_line_naming_axes_and_the_fix(capsys, order):
    status, out, err = _decompose(capsys, "--example", "and", "--axes", order)
    assert status == 2 and out == "" and err.count("\n") == 1
    assert err == ("pidkit decompose: error: argument --axes: expected a permutation of the letters y, t "
                   "and s naming the file's axes in order, e.g. --axes tsy for a joint saved p[t, s, y] "
                   f"(dit's order, target last); got {order!r}; see 'pidkit decompose --help'\n")


def test_an_example_takes_no_axes(capsys):
    status, _, err = _decompose(capsys, "--example", "and", "--axes", "tsy")
    assert status == 2
    assert err == ("pidkit decompose: error: --axes names the axes of a joint file; --example and is "
                   "p[y, t, s] already. Drop --axes.\n")


@pytest.mark.parametrize(("typed", "api"), [("imin", "I_min"), ("IMin", "I_min"), ("ccs", "ccs"),
                                            ("Blackwell", "blackwell"), ("ghh", "ghh")])
def test_a_measure_is_refused_in_the_apis_words(capsys, typed, api):
    with pytest.raises(ValueError) as refused:
        pidkit.pid(examples.and_(), measure=api)
    python = str(refused.value)
    status, out, err = _decompose(capsys, "--example", "and", "--measure", typed)
    assert status == 2 and out == ""
    # the API's sentence, its keyword written as the option (the command reads names in any case)
    words = re.sub(r"measure='(\w+)'", r"--measure \1", python).replace(repr(api), repr(typed.lower()))
    assert err == f"pidkit decompose: error: --{words}\n"


def test_imin_points_to_dit_on_the_command_line_too(capsys):
    _, _, err = _decompose(capsys, "--example", "and", "--measure", "imin")
    assert err.endswith("got 'imin'. pidkit does not compute Williams & Beer's I_min; dit does: "
                        "dit.pid.PID_WB.\n")
    assert main(["check", "theorem-3.1", "--measure", "blackwell"]) == 2
    assert capsys.readouterr().err.endswith("got 'blackwell'. 'blackwell' is pidkit's --measure prec "
                                            "(Kolchinsky's Blackwell redundancy I_prec).\n")
