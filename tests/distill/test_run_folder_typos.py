"""A typo in a run folder's name (``runs/rid-sed0`` for ``runs/rid-seed0``) is answered with the
folder meant by every loader of a run, as the report already answered it: load_run_teacher said
only ``run_dir '.../rid-sed0' is no folder``."""

from __future__ import annotations

import pytest

from pidkit_distill import load_run_teacher, load_student
from pidkit_distill.cli import main


@pytest.fixture()
def runs(tmp_path):
    """A sweep's folder of three run folders (their config.json only: what tells a run)."""
    for name in ("rid-seed0", "rid-seed1", "kd-seed0"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.json").write_text("{}")
    return tmp_path


@pytest.mark.parametrize("load", [load_run_teacher, load_student])
def test_a_misspelt_run_folder_is_answered_with_the_one_meant(runs, load):
    with pytest.raises(ValueError) as refused:
        load(runs / "rid-sed0")
    assert str(refused.value) == (
        f"run_dir {str(runs / 'rid-sed0')!r} does not exist; pass a run folder written by "
        f"train(config) or `pidkit-distill train`. Did you mean {str(runs / 'rid-seed0')!r}?")


@pytest.mark.parametrize("load", [load_run_teacher, load_student])
def test_a_name_close_to_none_is_refused_without_a_guess(runs, load):
    with pytest.raises(ValueError, match=r"does not exist; pass a run folder written by "
                                         r"train\(config\) or `pidkit-distill train`$"):
        load(runs / "colour")


def test_the_report_names_the_same_folder(runs, capsys):
    assert main(["report", str(runs / "rid-sed0")]) == 2
    assert capsys.readouterr().err.rstrip().endswith(
        f"Did you mean {str(runs / 'rid-seed0')!r}?")
