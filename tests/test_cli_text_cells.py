"""Text in a joint is named by one lookup, the library's: `pidkit.pid` and `pidkit decompose` name
the same first text cell, with its index and value, each with the advice its user can follow. The
library said only "got dtype <U5"; the command said so for a .npy file."""

from __future__ import annotations

import json

import numpy as np
import pytest

import pidkit
from pidkit.cli import main

JOINT = [[[0.25, 0], [0, 0]], [[0, "0.25"], [0, 0.5]]]


def _cli_error(path, capsys):
    assert main(["decompose", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured.err
    return captured.err.rstrip("\n")


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (np.full((2, 2, 2), "0.125"), 'p[0, 0, 0] is the text "0.125"; save the joint as numbers '
                                      "(in Python: np.save(FILE, p.astype(float)))."),
        (np.array([[["a", "b"]]]),
         'p[0, 0, 0] is the text "a"; a joint p[y][t][s] holds only numbers (probabilities, or counts '
         "with --normalize); samples (labels y, t, s) are counted in Python: "
         "np.save(FILE, pidkit.joint_from_samples(y, t, s).counts); then decompose the counts with "
         "--normalize, which warns where the plug-in's bias is large "
         "(pidkit.estimate.pid_from_representations(y, t, s) gives bias-corrected atoms)."),
    ],
    ids=["numbers as text", "labels"],
)
def test_a_npy_of_text_names_its_first_cell_and_what_to_save(tmp_path, capsys, cells, message):
    path = tmp_path / "text.npy"
    np.save(path, cells)
    assert _cli_error(path, capsys) == (
        f"pidkit decompose: error: {path}: the joint must be an array of real numbers; {message}"
    )


def test_the_library_and_the_command_name_the_same_text_cell(tmp_path, capsys):
    path = tmp_path / "joint.json"
    path.write_text(json.dumps(JOINT), encoding="utf-8")
    with pytest.raises(TypeError) as raised:
        pidkit.pid(JOINT)
    named = 'p_yts must be an array of real numbers; p_yts[1, 0, 1] is the text "0.25"; '
    assert str(raised.value) == named + "convert p_yts to numbers, e.g. np.asarray(p_yts, dtype=float)."
    assert _cli_error(path, capsys) == (
        f"pidkit decompose: error: {path}: the joint must be an array of real numbers; p[1, 0, 1] is the "
        'text "0.25"; write it without quotes (0.25).')
