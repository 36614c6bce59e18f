"""`pidkit decompose` tells a joint file of the wrong number of axes what to save, not to reshape
in Python."""

from __future__ import annotations

import numpy as np
import pytest

from pidkit.cli import main

ADVICE = (
    "Save one joint with three axes (a .npy array of shape (n_y, n_t, n_s), or a .json list nested "
    "three deep, p[y][t][s]); samples (labels y, t, s) are counted in Python: "
    "np.save(FILE, pidkit.joint_from_samples(y, t, s).counts); then decompose the counts with "
    "--normalize, which warns where the plug-in's bias is large "
    "(pidkit.estimate.pid_from_representations(y, t, s) gives bias-corrected atoms)."
)


@pytest.mark.parametrize(
    ("name", "shape"), [("flat.json", "1-D with shape (2,)"), ("table.npy", "2-D with shape (2, 2)")]
)
def test_a_joint_of_the_wrong_axes_is_told_what_to_save(tmp_path, capsys, name, shape):
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text("[0.5, 0.5]", encoding="utf-8")
    else:
        np.save(path, np.full((2, 2), 0.25))
    assert main(["decompose", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "pidkit decompose: error: "
        f"{path}: the joint must be a 3-D array indexed p[y, t, s] (target, teacher, "
        f"student); got {shape}. {ADVICE}\n"
    )


def test_counts_are_still_told_to_pass_normalize(tmp_path, capsys):
    path = tmp_path / "counts.json"
    path.write_text("[[[1, 0], [0, 0]], [[0, 0], [0, 3]]]", encoding="utf-8")
    assert main(["decompose", str(path)]) == 2
    assert ("Its cells are whole numbers, so it looks like counts of samples: pass --normalize to rescale "
            "them into probabilities, whose atoms are the plug-in estimate (biased by the sampling: in "
            "Python, pidkit.estimate.correct_counts of the loaded counts gives bias-corrected atoms), or "
            "fix the input.") in capsys.readouterr().err
