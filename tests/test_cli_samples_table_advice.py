"""`pidkit decompose` on a text table whose first row is a header (user walk t-373, finding 4).

A .csv of samples under a header such as ``y,t,s`` was told to np.loadtxt it as the joint's numbers,
which fails on the header. A header shows samples, so the refusal gives only the route through
pidkit.joint_from_samples, picking y, t and s by their columns' names, and that route's Python line
runs as given. A table whose first row is numbers is still given both routes."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import pidkit
from pidkit.cli import main

AND_RED = (0.75 * math.log2(4 / 3) + 0.25 * math.log2(4)) - 0.5  # I(Y;T) = H(Y) - H(Y|T), in bits
AND_SYN = 0.5  # I(Y;T,S) - I(Y;T) for BROJA's AND, whose unique atoms are 0
AND_ROWS = [(t & s, t, s) for t in (0, 1) for s in (0, 1)]  # (y, t, s): Y = T AND S, uniform T and S
YTS = (("y", "y"), ("t", "t"), ("s", "s"))
"""A header's columns: (its name, the field of a sample it holds)."""
HEADER_ADVICE = (
    "{name}: expected a .npy array or a .json nested list p[y][t][s]; its first row, {row!r}, is a "
    "header, not numbers, as in a table of samples (one row of labels per sample): count them into a "
    "table (in Python: {route}){where}, and decompose the counts with --normalize, which warns where "
    "the plug-in's bias is large (pidkit.estimate.pid_from_representations(y, t, s) gives "
    "bias-corrected atoms)")


def _error(capsys, argv: list[str]) -> str:
    """The one line the command prints on stderr, after its prefix, for a refused ``argv``."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured.err
    return captured.err.removeprefix("pidkit decompose: error: ").rstrip("\n")


def _assert_decomposes_as_and(capsys, name: str) -> None:
    """``name``, counts, decomposes with --normalize as BROJA's AND: its closed-form redundancy and
    synergy, no unique atoms."""
    assert main(["decompose", name, "--normalize", "--json"]) == 0
    decomposed = json.loads(capsys.readouterr().out)
    assert decomposed["red"] == pytest.approx(AND_RED, abs=1e-7)
    assert decomposed["syn"] == pytest.approx(AND_SYN, abs=1e-7)
    assert abs(decomposed["uni_t"]) < 1e-7 and abs(decomposed["uni_s"]) < 1e-7


@pytest.mark.parametrize(
    ("preamble", "columns", "delimiter", "skip", "usecols", "split"),
    [("", YTS, ",", 1, (0, 1, 2), ", delimiter=','"),  # the finding's file
     ("# AND gate\n\n", (("t", "t"), ("s", "s"), ("y", "y")), ",", 3, (2, 0, 1), ", delimiter=','"),
     ("", (("id", "id"), ('"Target"', "y"), ('"Student"', "s"), ('"Teacher"', "t")), "\t", 1, (1, 3, 2),
      ", delimiter='\\t'"),
     ("", YTS, " ", 1, (0, 1, 2), "")],
    ids=["y,t,s", "comments then t,s,y", "named columns among others, tabs", "white space"],
)
def test_a_header_gives_the_samples_route_and_its_line_runs(
    tmp_path, monkeypatch, capsys, preamble, columns, delimiter, skip, usecols, split
):
    monkeypatch.chdir(tmp_path)
    header = delimiter.join(name for name, _ in columns)
    samples = [dict(zip("yts", row, strict=True)) | {"id": index} for index, row in enumerate(AND_ROWS)]
    rows = [delimiter.join(str(sample[field]) for _, field in columns) for sample in samples]
    (tmp_path / "samples.csv").write_text(preamble + "\n".join([header, *rows]) + "\n")
    route = (f"y, t, s = np.loadtxt('samples.csv'{split}, skiprows={skip}, usecols={usecols}, dtype=str, "
             "ndmin=2, unpack=True); "
             "np.save('samples-counts.npy', pidkit.joint_from_samples(y, t, s).counts)")
    error = _error(capsys, ["decompose", "samples.csv"])
    assert error == HEADER_ADVICE.format(name="samples.csv", row=header, route=route, where="")
    exec(route, {"np": np, "pidkit": pidkit})  # the line the message gives
    _assert_decomposes_as_and(capsys, "samples-counts.npy")


def test_a_header_without_the_labels_names_asks_for_their_columns(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs.csv").write_text("a,b,c,d\n" + "".join(f"9,{t},{s},{y}\n" for y, t, s in AND_ROWS))
    error = _error(capsys, ["decompose", "runs.csv"])
    placeholders = "(COLUMN_Y, COLUMN_T, COLUMN_S)"
    route = error[error.index("(in Python: ") + len("(in Python: "):error.rindex(")), with")] + ")"
    assert route.endswith(f"usecols={placeholders}, dtype=str, ndmin=2, unpack=True); "
                          "np.save('runs-counts.npy', pidkit.joint_from_samples(y, t, s).counts)")
    assert error == HEADER_ADVICE.format(name="runs.csv", row="a,b,c,d", route=route, where=(
        ", with COLUMN_Y, COLUMN_T and COLUMN_S the columns of y, t and s, counted from 0"))
    exec(route.replace(placeholders, "(3, 1, 2)"), {"np": np, "pidkit": pidkit})
    _assert_decomposes_as_and(capsys, "runs-counts.npy")


def test_a_first_row_of_numbers_cut_off_by_the_sniffed_bytes_is_still_numbers(tmp_path, monkeypatch, capsys):
    # 683 fields of "0.5e1," fill 4098 bytes: the first 4096 end in "0.5e", no number on its own
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wide.csv").write_text(",".join(["0.5e1"] * 1000) + "\n")
    error = _error(capsys, ["decompose", "wide.csv"])
    assert "header" not in error and "for a table of the joint's numbers" in error


def test_the_samples_route_keeps_a_samples_npy_of_the_same_stem_and_warns_of_the_plugin_bias(
    tmp_path, monkeypatch, capsys
):
    # walk t-422, findings 3 and 6: the recipe saved the joint's .p to samples.npy, over the user's own
    # samples there, and that plug-in decomposed in silence: Syn 1.35 bits on independent labels
    monkeypatch.chdir(tmp_path)
    labels = np.random.default_rng(0).integers(0, 10, (300, 3))  # y, t, s independent: every atom is 0
    np.save("samples.npy", labels)
    np.savetxt("samples.csv", labels, fmt="%d", delimiter=",", header="y,t,s", comments="")
    error = _error(capsys, ["decompose", "samples.csv"])
    exec(error[error.index("(in Python: ") + len("(in Python: "):error.index(")), and")] + ")",
         {"np": np, "pidkit": pidkit})
    assert np.array_equal(np.load("samples.npy"), labels)
    counts = np.load("samples-counts.npy")
    assert counts.sum() == 300 and counts.shape == (10, 10, 10)
    assert main(["decompose", "samples-counts.npy", "--normalize"]) == 0
    warned = capsys.readouterr().err
    assert warned.startswith("pidkit decompose: warning: plug-in atoms: the expected plug-in bias of "
                             "I(Y;T,S) with 300 samples over 1000 cells is ")
