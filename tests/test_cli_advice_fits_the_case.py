"""Refusals whose advice fits the case they refuse: a joint of records (a structured dtype) is told
to pass or save the field that holds the numbers, which no conversion finds (it was told
'np.asarray(..., dtype=float)', which raises, and on the command line '... or p.real for complex
numbers'); a limit on the vertices set below the default, on a joint the default lets through, is
told so (it was told to enumerate anyway, 'hours and gigabytes'); Ctrl-C before the command line
is read is one line, as after it."""

from __future__ import annotations

import numpy as np
import pytest

import pidkit
from pidkit import cli, examples
from pidkit.cli import main

RECORDS = np.zeros((2, 2, 2), dtype=[("p", float), ("n", int)])


def _refusal(capsys, argv: list[str]) -> str:
    assert main(["decompose", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured.err
    return captured.err.removeprefix("pidkit decompose: error: ").rstrip("\n")


def test_records_are_told_to_pass_the_field_that_holds_the_numbers():
    with pytest.raises(TypeError) as error:
        pidkit.pid(RECORDS)
    assert str(error.value) == (
        "p_yts must be an array of real numbers; got dtype [('p', '<f8'), ('n', '<i8')]. Its cells are "
        "records of the fields 'p', 'n', not numbers: pass the field that holds the numbers, such as "
        "p_yts['p'].")
    with pytest.raises(TypeError):  # the conversion the old advice gave
        np.asarray(RECORDS, dtype=float)
    joint = np.zeros((2, 2, 2), dtype=[("p", float), ("n", int)])
    joint["p"] = examples.xor()
    assert pidkit.pid(joint["p"]).syn == pytest.approx(1.0, abs=1e-9)  # the advice, followed


@pytest.mark.parametrize(("dtype", "advice"), [
    ([("p", float), ("n", int)],
     "Its cells are records, not numbers: save the one of its fields 'p', 'n' that holds the joint in its "
     "place (in Python, for the field 'p': np.save(FILE, p['p']))."),
    ([("p", float)],
     "Its cells are records, not numbers: save the field 'p' in its place (in Python: np.save(FILE, "
     "p['p']))."),
    ("V8", "Its cells are raw bytes (numpy's void dtype). Save real numbers in it: probabilities, or counts "
           "with --normalize."),
    (complex, "Save real numbers in it: probabilities, or counts with --normalize (in Python: np.save(FILE, "
              "p.real), if the imaginary parts are rounding noise)."),
    (bool, "Save real numbers in it: probabilities, or counts with --normalize (in Python: np.save(FILE, "
           "p.astype(float)))."),
], ids=["records", "one-field", "void", "complex", "bool"])
def test_a_npy_joint_of_no_numbers_is_told_what_fits_its_dtype(tmp_path, monkeypatch, capsys, dtype, advice):
    monkeypatch.chdir(tmp_path)
    joint = np.zeros((2, 2, 2), dtype=dtype)
    np.save("joint.npy", joint)
    assert _refusal(capsys, ["joint.npy"]) == (
        f"joint.npy: the joint must be an array of real numbers; got dtype {joint.dtype}. {advice}")


def test_a_limit_below_the_default_is_told_that_the_default_lets_the_joint_through(tmp_path, monkeypatch,
                                                                                  capsys):
    monkeypatch.chdir(tmp_path)
    np.save("joint.npy", np.random.default_rng(0).dirichlet(np.ones(8)).reshape(2, 2, 2))
    assert _refusal(capsys, ["joint.npy", "--measure", "gh", "--max-vertices", "5"]) == (
        "joint.npy: --measure gh on this 2x2x2 joint: the polytope of I_GH has 8 facets in dimension 3, so "
        "up to 12 vertices to enumerate exactly (McMullen's bound), more than --max-vertices 5, the limit "
        "given; the default, --max-vertices 300000 (set at about a minute's enumeration on 2 cores), lets it "
        "through: pass --max-vertices 12 or more, or leave the limit out.")
    for options in (["--max-vertices", "12"], []):  # the advice, followed
        assert main(["decompose", "joint.npy", "--measure", "gh", *options]) == 0
        capsys.readouterr()


def test_a_limit_below_the_default_on_a_joint_past_it_keeps_the_advice_for_large_joints():
    p = np.random.default_rng(0).dirichlet(np.ones(36)).reshape(4, 3, 3)  # bound 4,440,150 > 300,000
    with pytest.raises(ValueError) as error:
        pidkit.pid(p, measure="gh", max_vertices=5)
    assert str(error.value).endswith("or pass max_vertices=None to enumerate anyway (this can take minutes "
                                     "to hours; Ctrl-C stops it).")


def test_ctrl_c_before_the_command_is_read_is_one_line(monkeypatch, capsys):
    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "get_parser", interrupted)
    assert main(["examples"]) == 130
    assert capsys.readouterr().err == "pidkit: interrupted\n"
