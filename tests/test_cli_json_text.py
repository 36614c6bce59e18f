"""`pidkit decompose FILE.json` names a string in the joint, where it is and how to fix it."""

from __future__ import annotations

import json

import pytest

from pidkit.cli import main


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("a", 'p[1, 0, 1] is the text "a"; a joint p[y][t][s] holds only numbers '
              "(probabilities, or counts with --normalize)."),
        ("0.25", 'p[1, 0, 1] is the text "0.25"; write it without quotes (0.25).'),
    ],
)
def test_text_in_a_json_joint_is_named_with_its_place(tmp_path, capsys, cell, message):
    path = tmp_path / "joint.json"
    path.write_text(json.dumps([[[0.25, 0], [0, 0]], [[0, cell], [0, 0.5]]]), encoding="utf-8")
    assert main(["decompose", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ("pidkit decompose: error: "
                            f"{path}: the joint must be an array of real numbers; {message}\n")


def test_a_json_joint_of_numbers_still_decomposes(tmp_path, capsys):
    path = tmp_path / "joint.json"
    path.write_text("[[[0.25, 0], [0, 0]], [[0, 0], [0, 0.75]]]", encoding="utf-8")
    assert main(["decompose", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["red"] == pytest.approx(0.811278, abs=1e-6)
