"""A cached teacher is keyed by the number of processes that trained it (torchrun's
``WORLD_SIZE``), and by ``run.sync_bn`` where it acts (more than one process). Under torchrun
every process trains the teacher on its share of each global batch: a BatchNorm layer
normalises each share by its own statistics unless ``run.sync_bn``, and even with it the
gradient is summed in another order than one process sums it. A teacher of two processes was
reused by a run of one ("reusing the teacher ... trained before with the same settings")."""

from __future__ import annotations

import pytest
import torch
from tiny_runs import TINY, tiny, torchrun_command

from pidkit_distill import load_config, train_teacher
from pidkit_distill.data import describe_dataset
from pidkit_distill.training.teacher import check_cached_teacher, read_teacher_file
from pidkit_distill.training.teacher_sources import teacher_run_config

pytestmark = pytest.mark.usefixtures("one_torch_thread")

STUDENTS_ONLY = {"model.student", "teacher.source", "run.audit_every"}
"""Keys of TINY that train-teacher warns it does not read."""


def _name(*overrides: str) -> str:
    return teacher_run_config(load_config(overrides=["data.name=digits", *overrides])).run.name


def test_each_number_of_processes_has_a_teacher_and_sync_bn_counts_where_it_acts(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    default = _name()  # one process, on torch's one thread (one_torch_thread)
    assert _name("run.sync_bn=true") == default  # one process: sync_bn does nothing
    monkeypatch.setenv("WORLD_SIZE", "2")
    two, two_synced = _name(), _name("run.sync_bn=true")
    monkeypatch.setenv("WORLD_SIZE", "4")
    four = _name()
    assert len({default, two, two_synced, four}) == 4


def test_a_teacher_of_two_processes_is_not_reused_by_one(tmp_path, capsys):
    teachers = [item for item in TINY if item.split("=")[0] not in STUDENTS_ONLY]
    proc = torchrun_command("train-teacher", tmp_path / "nothing.py", "",
                            [*teachers, "teacher.epochs=1", f"run.out_dir={tmp_path}"])
    assert proc.returncode == 0, proc.stderr[-3000:]
    (two,) = tmp_path.glob("teacher-*/teacher.pt")
    assert read_teacher_file(two)["run_numbers"] == {"threads": 1, "processes": 2}

    config = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1")
    one = train_teacher(config)
    assert "training the teacher" in capsys.readouterr().out
    assert one.parent != two.parent and one.parent.parent == two.parent.parent
    # BatchNorm of each process's share: another teacher, not a rounding apart
    ours, theirs = read_teacher_file(one)["model"], read_teacher_file(two)["model"]
    assert max((ours[k].double() - theirs[k].double()).abs().max() for k in ours
               if ours[k].is_floating_point()) > 1e-3
    # and a copy of it where one process looks is refused, naming both counts
    with pytest.raises(ValueError, match=r"was trained with 2 torchrun processes, but this run "
                                         r"has one process \(no torchrun\), which gives a "
                                         r"teacher other numbers"):
        check_cached_teacher(read_teacher_file(two), two, config=config,
                             spec=describe_dataset("synthetic"), sizes_known=False)
    assert torch.get_num_threads() == 1
