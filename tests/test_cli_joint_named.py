"""`pidkit decompose` names the joint it read as a shell user knows it (user walk t-351, finding 9).

Its refusals named the Python argument, 'joint.npy: p_yts sums to 4.0', which a command-line user
never typed; a table of counts was told only to pass --normalize; and a .csv that holds the joint
itself was given only the route for samples. A Python caller's messages still name ``p_yts``."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

import pidkit
from pidkit import examples
from pidkit.cli import main

AND = np.asarray(examples.catalogue()["and"], dtype=float)  # Y = T AND S, uniform T and S
AND_RED = (0.75 * math.log2(4 / 3) + 0.25 * math.log2(4)) - 0.5  # I(Y;T) = H(Y) - H(Y|T), in bits
AND_SYN = 0.5  # I(Y;T,S) - I(Y;T) = H(Y) - I(Y;T) for BROJA's AND, whose unique atoms are 0


def _error(capsys, argv: list[str]) -> str:
    """The one line the command prints on stderr, after its prefix, for a refused ``argv``."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured.err
    return captured.err.removeprefix("pidkit decompose: error: ").rstrip("\n")


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (np.full((2, 2, 2), 0.0625),
         "the joint sums to 0.5 (off by 0.5), not 1 (allowed: within 1e-09). Pass --normalize to rescale "
         "it, or fix the input."),
        (np.array([[[0.5, 0.75]], [[-0.25, 0.0]]]),
         "the joint has negative mass: -0.25 at index (1, 0, 0) (the only negative cell; 0.2 times the total "
         "positive mass); a probability mass function must be non-negative. Negatives within rounding, "
         "16 * eps = 3.55e-15 times the total, are read as 0; for larger rounding errors (a cell computed as "
         "1 - the sum of the others) save np.clip(p, 0, None) in its place, otherwise fix how the joint was "
         "computed."),
        (np.array([[[0.5, np.nan]]]), "the joint contains NaN at index (0, 0, 1); masses must be finite."),
        (np.full((2, 4), 0.125),
         "the joint must be a 3-D array indexed p[y, t, s] (target, teacher, student); got 2-D with shape "
         "(2, 4). Save one joint with three axes"),
    ],
    ids=["total", "negative", "nan", "2-D"],
)
def test_a_refused_npy_is_named_by_its_file_and_as_the_joint(tmp_path, monkeypatch, capsys, cells, message):
    monkeypatch.chdir(tmp_path)
    np.save("joint.npy", cells)
    error = _error(capsys, ["decompose", "joint.npy"])
    assert error.startswith(f"joint.npy: {message}"), error
    assert "p_yts" not in error


def test_a_refused_json_names_its_cells_as_p(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "joint.json").write_text("[[[0.5, 0.5]], [[0.5]]]", encoding="utf-8")
    assert _error(capsys, ["decompose", "joint.json"]) == (
        "joint.json: the joint is ragged: its nested sequences have different lengths (p[1][0] has 1 "
        "value(s) where p[0][0] has 2 value(s)), so it is not an array. Every row needs the same number "
        "of entries (pad missing cells with 0).")


def test_python_callers_are_still_told_the_argument_they_passed():
    with pytest.raises(ValueError, match=r"^p_yts sums to 4\.0 \(off by 3\), .* it looks like counts of "
                       r"samples: pidkit\.estimate\.correct_counts\(p_yts\) gives their bias-corrected "
                       r"atoms, and normalize=True rescales them"):
        pidkit.pid(AND * 4)
    with pytest.raises(ValueError, match=r"pass np\.clip\(p_yts, 0, None\), otherwise fix how p_yts was"):
        pidkit.pid(np.array([[[0.5, 0.75]], [[-0.25, 0.0]]]))


@pytest.mark.parametrize("counts", [np.array([[[30, 20]], [[0, 50]]]), [[[2.0, 0.0]], [[1.0, 1.0]]]],
                         ids=["integer npy", "whole floats in json"])
def test_counts_are_called_counts_and_normalize_decomposes_them(tmp_path, monkeypatch, capsys, counts):
    monkeypatch.chdir(tmp_path)
    total = float(np.sum(counts))
    if isinstance(counts, np.ndarray):
        path = "counts.npy"
        np.save(path, counts)
    else:
        path = "counts.json"
        (tmp_path / path).write_text(json.dumps(counts), encoding="utf-8")
    assert _error(capsys, ["decompose", path]) == (
        f"{path}: the joint sums to {total!r} (off by {total - 1:g}), not 1 (allowed: within 1e-09). Its "
        "cells are whole numbers, so it looks like counts of samples: pass --normalize to rescale them into "
        "probabilities, whose atoms are the plug-in estimate (biased by the sampling: in Python, "
        "pidkit.estimate.correct_counts of the loaded counts gives bias-corrected atoms), or fix the input.")
    assert main(["decompose", path, "--normalize", "--json"]) == 0
    decomposed = json.loads(capsys.readouterr().out)
    expected = pidkit.pid(np.asarray(counts, dtype=float) / total)  # the probabilities the counts give
    assert decomposed["red"] == pytest.approx(expected.red, abs=1e-9)
    assert decomposed["syn"] == pytest.approx(expected.syn, abs=1e-9)


def test_a_total_of_fractions_is_not_called_counts(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    np.save("joint.npy", np.array([[[1.5, 0.5]]]))
    error = _error(capsys, ["decompose", "joint.npy"])
    assert "counts" not in error and error.endswith("Pass --normalize to rescale it, or fix the input.")


@pytest.mark.parametrize(
    ("name", "delimiter", "load"),
    [("and.csv", ",", "np.loadtxt('and.csv', delimiter=',')"),
     ("and.tsv", "\t", "np.loadtxt('and.tsv', delimiter='\\t')"),
     ("and.txt", " ", "np.loadtxt('and.txt')")],
)
def test_a_text_table_of_the_joint_is_told_how_to_save_it_and_the_route_works(
    tmp_path, monkeypatch, capsys, name, delimiter, load
):
    monkeypatch.chdir(tmp_path)
    np.savetxt(name, AND.reshape(2, 4), delimiter=delimiter)  # rows y, columns (t, s): the finding's 2x4
    error = _error(capsys, ["decompose", name])
    route = f"np.save('and.npy', {load}.reshape(n_y, n_t, n_s))"
    assert error == (
        f"{name}: expected a .npy array or a .json nested list p[y][t][s]; for a table of the joint's "
        f"numbers, save them with three axes and decompose that file (in Python: {route}); for samples "
        "(one row of labels y, t, s per sample), count them in Python with "
        "pidkit.joint_from_samples(y, t, s).counts, np.save that and decompose the counts with "
        "--normalize, which warns where the plug-in's bias is large "
        "(pidkit.estimate.pid_from_representations(y, t, s) gives bias-corrected atoms)")
    exec(route.replace("n_y, n_t, n_s", "2, 2, 2"), {"np": np})  # the line the message gives
    assert main(["decompose", "and.npy", "--json"]) == 0
    decomposed = json.loads(capsys.readouterr().out)
    assert decomposed["red"] == pytest.approx(AND_RED, abs=1e-7)
    assert decomposed["syn"] == pytest.approx(AND_SYN, abs=1e-7)
    assert abs(decomposed["uni_t"]) < 1e-7 and abs(decomposed["uni_s"]) < 1e-7


def test_a_table_in_a_folder_is_saved_beside_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    np.savetxt("data/joint.csv", AND.reshape(2, 4), delimiter=",")
    error = _error(capsys, ["decompose", "data/joint.csv"])
    assert re.search(r"np\.save\('data/joint\.npy', np\.loadtxt\('data/joint\.csv', delimiter=','\)", error)
