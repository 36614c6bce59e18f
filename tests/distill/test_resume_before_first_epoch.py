"""``--resume`` of a run killed before its first epoch ended (task 278): a run killed while it
trained its teacher leaves its own folder holding only its lock, and the same command with
``--resume`` was told "run folder '...' holds no checkpoint: this run starts at epoch 1; to
continue a run, set run.out_dir and run.name to its folder", sending the user to look for
another folder where this one is the run's. It now says what happened to the run."""

from __future__ import annotations

import json

import pytest
from tiny_runs import tiny

from pidkit_distill.config import config_to_dict
from pidkit_distill.training import check_config


@pytest.mark.parametrize("left", [".lock", "config.json"])
def test_a_folder_made_by_a_stopped_run_is_said_to_be_its_own(tmp_path, left):
    config = tiny(tmp_path, "run.name=r", "run.resume=true")
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / left).write_text(json.dumps(config_to_dict(config)) if left == "config.json"
                                       else "")
    checked = check_config(config)
    assert not checked.resume
    assert checked.notices == (
        f"notice: run.resume is set, but run folder '{tmp_path}/r' holds no checkpoint and no "
        "epoch: the run that made it stopped before its first epoch ended (as it trained its "
        "teacher, say), so this run starts at epoch 1",)


def test_a_folder_that_no_run_made_keeps_the_advice_to_look_elsewhere(tmp_path):
    (tmp_path / "r").mkdir()
    assert check_config(tiny(tmp_path, "run.name=r", "run.resume=true")).notices == (
        f"notice: run.resume is set, but run folder '{tmp_path}/r' holds no checkpoint: this "
        "run starts at epoch 1; to continue a run, set run.out_dir and run.name to its folder",)
