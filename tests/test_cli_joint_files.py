"""`pidkit decompose` tells a user what to do with a joint file it cannot read as one: an empty
file, an .npz archive, a .json file whose value is no list, a joint of true/false, complex numbers
or dates. They were told 'not a .npy file (no NumPy header)' or 'not valid JSON (Expecting value:
line 1 column 1 (char 0))' for an empty file, 'expected a .npy array or a .json nested list' for an
.npz, 'got dict {'p': 1}.' (Python's repr and no advice) for an object, and 'Convert it with
np.asarray(..., dtype=float).' (Python) for a joint of booleans."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from pidkit import examples
from pidkit.cli import main

NOT_A_LIST = (
    ", not a joint; a .json joint holds the nested list p[y][t][s] itself, "
    "e.g. [[[0.5, 0], [0, 0]], [[0, 0], [0, 0.5]]]"
)


def decompose_error(tmp_path, monkeypatch, capsys, name):
    """The one line `pidkit decompose NAME` prints, run in ``tmp_path``."""
    monkeypatch.chdir(tmp_path)
    assert main(["decompose", name]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured.err
    return captured.err.removeprefix("pidkit decompose: error: ").rstrip("\n")


@pytest.mark.parametrize(
    ("name", "how"),
    [("joint.npy", "np.save(FILE, p) in Python"), ("joint.json", "the nested list p[y][t][s]")],
)
def test_an_empty_file_is_called_empty(tmp_path, monkeypatch, capsys, name, how):
    (tmp_path / name).write_bytes(b"")
    assert decompose_error(tmp_path, monkeypatch, capsys, name) == (
        f"{name}: the file is empty (0 bytes); write the joint into it: {how}"
    )


@pytest.mark.parametrize(
    ("arrays", "held", "index"),
    [({"p": examples.xor()}, "'p'", "'p'"), ({"a": 1, "b": 2}, "'a', 'b'", "NAME")],
)
def test_an_npz_archive_is_told_how_to_save_its_joint_alone(tmp_path, monkeypatch, capsys, arrays, held,
                                                            index):
    np.savez(tmp_path / "joints.npz", **arrays)
    error = decompose_error(tmp_path, monkeypatch, capsys, "joints.npz")
    assert error == (
        "joints.npz: pidkit decompose reads one joint from a .npy or .json file, not an .npz archive (it "
        f"holds {held}): save the joint alone (in Python: np.save('joint.npy', "
        f"np.load('joints.npz')[{index}])) and decompose that file"
    )
    if index != "NAME":  # the line it gives runs, and the file it writes decomposes
        exec(re.search(r"in Python: (.*)\) and decompose", error).group(1), {"np": np})
        assert main(["decompose", "joint.npy"]) == 0
        assert "Syn(Y:T,S)    1.000000" in capsys.readouterr().out
    # a file named .npz that is no archive is refused as a file of any other kind
    (tmp_path / "joints.npz").write_bytes(b"not a zip archive")
    assert decompose_error(tmp_path, monkeypatch, capsys, "joints.npz") == (
        "joints.npz: expected a .npy array or a .json nested list p[y][t][s]"
    )


@pytest.mark.parametrize(
    ("value", "held"),
    [
        ({"p": [[[1]]]},
         f"an object, {{\"p\": [[[1]]]}}{NOT_A_LIST} (its key 'p' holds a list: write that list alone)"),
        ("0.5", f'a string, "0.5"{NOT_A_LIST}'),
        (0.5, f"a number, 0.5{NOT_A_LIST}"),
        (None, f"null{NOT_A_LIST}"),
        (True, f"true{NOT_A_LIST}"),
    ],
    ids=["object", "string", "number", "null", "true"],
)
def test_a_json_value_that_is_no_list_is_told_what_a_joint_file_holds(tmp_path, monkeypatch, capsys, value,
                                                                      held):
    (tmp_path / "joint.json").write_text(json.dumps(value), encoding="utf-8")
    assert decompose_error(tmp_path, monkeypatch, capsys, "joint.json") == f"joint.json: holds {held}"


@pytest.mark.parametrize(
    ("name", "cells", "advice"),
    [
        ("joint.json", [[[True, False]]],
         "got dtype bool (type list). Write numbers in its cells, not true or false: probabilities, or "
         "counts with --normalize."),
        ("joint.npy", np.ones((2, 2, 2), dtype=bool),
         "got dtype bool. Save real numbers in it: probabilities, or counts with --normalize (in Python: "
         "np.save(FILE, p.astype(float)))."),
        ("joint.npy", np.ones((2, 2, 2), dtype=complex) / 8, "got dtype complex128. Save real numbers in it"),
    ],
    ids=["json of true/false", "npy of bool", "npy of complex"],
)
def test_a_joint_of_no_numbers_is_told_what_to_write(tmp_path, monkeypatch, capsys, name, cells, advice):
    if name.endswith(".npy"):
        np.save(tmp_path / name, cells)
    else:
        (tmp_path / name).write_text(json.dumps(cells), encoding="utf-8")
    error = decompose_error(tmp_path, monkeypatch, capsys, name)
    assert error.startswith(f"{name}: the joint must be an array of real numbers; {advice}"), error
    assert "np.asarray" not in error
