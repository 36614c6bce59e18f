"""A joint piped into ``pidkit decompose -`` is told to save its fix where it came from,
``np.save(sys.stdout.buffer, ...)``, as the refusals of a corrupt piped .npy already were; a joint
file is told ``np.save(FILE, ...)``. The advice for a dtype or shape the command cannot read said
``np.save(FILE, ...)`` for a piped joint too, which names no file the user has.
"""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest

import pidkit
from pidkit.cli import main

XOR = np.array([[[0.25, 0], [0, 0.25]], [[0, 0.25], [0.25, 0]]])
T, S = np.repeat([0, 0, 1, 1], 5), np.repeat([0, 1, 0, 1], 5)
SAMPLES = {"y": T ^ S, "t": T, "s": S}  # every (t, s) five times, y = t xor s: the joint is XOR's

RECORDS = np.zeros((2, 2, 2), dtype=[("p", float)])
RECORDS["p"] = XOR

SAMPLES_ADVICE = (
    "samples (labels y, t, s) are counted in Python: np.save({to}, pidkit.joint_from_samples(y, t, s)"
    ".counts); then decompose the counts with --normalize, which warns where the plug-in's bias is large "
    "(pidkit.estimate.pid_from_representations(y, t, s) gives bias-corrected atoms)."
)
# (the joint read, what the command says after naming it, with {to} where np.save writes)
CASES = {
    "records": (RECORDS, "the joint must be an array of real numbers; got dtype [('p', '<f8')]. Its cells "
                         "are records, not numbers: save the field 'p' in its place (in Python: "
                         "np.save({to}, p['p']))."),
    "complex": (XOR + 0j, "the joint must be an array of real numbers; got dtype complex128. Save real "
                          "numbers in it: probabilities, or counts with --normalize (in Python: "
                          "np.save({to}, p.real), if the imaginary parts are rounding noise)."),
    "number-text": (XOR.astype(str), "the joint must be an array of real numbers; p[0, 0, 0] is the text "
                                     "\"0.25\"; save the joint as numbers (in Python: "
                                     "np.save({to}, p.astype(float)))."),
    "label-text": (np.array([[["a", "b"]]]), "the joint must be an array of real numbers; p[0, 0, 0] is the "
                                             "text \"a\"; a joint p[y][t][s] holds only numbers "
                                             "(probabilities, or counts with --normalize); "
                                             + SAMPLES_ADVICE),
    "two-axes": (XOR[0], "the joint must be a 3-D array indexed p[y, t, s] (target, teacher, student); got "
                         "2-D with shape (2, 2). Save one joint with three axes (a .npy array of shape (n_y, "
                         "n_t, n_s), or a .json list nested three deep, p[y][t][s]); " + SAMPLES_ADVICE),
}


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _refusal(capsys, path: str) -> str:
    assert main(["decompose", path]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured.err
    return captured.err.removeprefix("pidkit decompose: error: ").rstrip("\n")


def _pipe(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def _saved_expression(advice: str, to: str) -> str:
    """What the advice's ``np.save(to, ...)`` saves: its second argument, up to the closing parenthesis."""
    start = advice.index(f"np.save({to}, ") + len(f"np.save({to}, ")
    depth = 0
    for end, character in enumerate(advice[start:], start):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth < 0:
            return advice[start:end]
    raise AssertionError(f"no closing parenthesis in {advice!r}")


@pytest.mark.parametrize("case", CASES)
def test_a_piped_joint_is_told_to_save_to_standard_output(capsys, monkeypatch, case):
    joint, said = CASES[case]
    _pipe(monkeypatch, _npy_bytes(joint))
    advice = _refusal(capsys, "-")
    assert advice == "standard input: " + said.format(to="sys.stdout.buffer")
    if case == "label-text":
        return  # labels are no joint: the advice counts samples, as two-axes checks
    # the advice, followed: what it saves, piped in again, is XOR's joint (1 bit of synergy); the
    # samples' counts are decomposed with --normalize, as the advice says
    fixed = eval(_saved_expression(advice, "sys.stdout.buffer"), {"p": joint, "pidkit": pidkit, **SAMPLES})
    _pipe(monkeypatch, _npy_bytes(fixed))
    assert main(["decompose", "-", *(["--normalize"] if case == "two-axes" else [])]) == 0
    assert "Syn(Y:T,S)    1.000000" in capsys.readouterr().out


@pytest.mark.parametrize("case", CASES)
def test_a_joint_file_is_told_to_save_to_a_file(tmp_path, monkeypatch, capsys, case):
    joint, said = CASES[case]
    monkeypatch.chdir(tmp_path)
    np.save("joint.npy", joint)
    assert _refusal(capsys, "joint.npy") == "joint.npy: " + said.format(to="FILE")
