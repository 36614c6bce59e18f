"""``pidkit decompose`` names a file with a close name when the joint file it was given is missing.

``pidkit decompose jiont.npy`` said only "jiont.npy: no such file"; it now adds "Did you mean
'joint.npy'?" when the folder holds a file with a close name (difflib, as the command's other
suggestions), and says nothing more when none is close.
"""

from __future__ import annotations

import numpy as np
import pytest

import pidkit
from pidkit.cli import main


def _cli_error(argument: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["decompose", argument]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured.err
    return captured.err.rstrip("\n")


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("jiont.npy", "joint.npy"),
        ("JIONT.npy", "joint.npy"),  # case first, as the other suggestions
        ("joint.json", "joint.npy"),
        ("data/jont.json", "data/joint.json"),
    ],
)
def test_a_missing_file_names_the_closest_file_in_its_folder(typed, suggested, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    np.save("joint.npy", pidkit.examples.and_())
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "joint.json").write_text("[[[1]]]")
    (tmp_path / "notes.txt").write_text("")
    assert _cli_error(typed, capsys) == ("pidkit decompose: error: "
                                         f"{typed}: no such file. Did you mean {suggested!r}?")


def test_only_a_close_file_is_suggested(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "joint.npy").mkdir()  # a folder is no joint file
    (tmp_path / "results.csv").write_text("")
    (tmp_path / "jiont.csv").write_text("")  # no joint file, however close its name
    for other in ("stk.npy", "e.npy"):  # close by their suffixes alone
        np.save(other, pidkit.examples.and_())
    (tmp_path / "z0.json").write_text("[[[1]]]")
    assert _cli_error("jiont.npy", capsys) == "pidkit decompose: error: jiont.npy: no such file"
    assert _cli_error("nowhere/joint.npy", capsys) == ("pidkit decompose: error: "
                                                       "nowhere/joint.npy: no such file")
    np.save("jointt.npy", pidkit.examples.and_())
    suggested = _cli_error("jiont.npy", capsys)
    assert suggested == "pidkit decompose: error: jiont.npy: no such file. Did you mean 'jointt.npy'?"
