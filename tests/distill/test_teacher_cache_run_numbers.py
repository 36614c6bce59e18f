"""A cached teacher is keyed by the run settings that change its numbers (finding 4 of t-334):
``run.threads`` where set (torch's own count on the CPU where it is 0, t-457), a GPU, and
``run.amp`` on one. A teacher trained with one thread was reused by a run with two, so a
student's numbers hung on which run cached its teacher first, where docs/distill.md promises
that the same seed and the same ``run.threads`` reproduce a run bit for bit. The default
settings on a GPU keep the folder they always had."""

from __future__ import annotations

import pytest
import torch
from tiny_runs import tiny

from pidkit_distill import load_config, train_teacher
from pidkit_distill.config import config_to_dict
from pidkit_distill.data import describe_dataset
from pidkit_distill.training.teacher import check_cached_teacher, read_teacher_file
from pidkit_distill.training.teacher_sources import teacher_run_config

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _name(*overrides: str) -> str:
    return teacher_run_config(load_config(overrides=["data.name=digits", *overrides])).run.name


def test_each_thread_count_has_a_teacher_of_its_own_torchs_own_count_included():
    before = "teacher-digits-digits-teacher-s0-e30-1a80e5c4"  # the default's folder before t-457
    names = {_name(f"run.threads={n}") for n in (1, 2, 4)}
    assert len(names) == 3 and before not in names
    # run.threads=0: the count torch uses (one here: one_torch_thread)
    assert _name() == _name("run.threads=0") == _name("run.device=cpu") == _name("run.threads=1")


def test_a_gpu_and_bf16_autocast_on_it_are_other_teachers(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    cpu = _name()
    assert _name("run.amp=true") == _name("run.device=cpu", "run.amp=true") == cpu  # no effect
    gpu = _name("run.device=cuda")
    assert gpu != cpu and _name("run.device=cuda:1") == gpu  # one kind of device, any index
    assert _name("run.device=cuda", "run.amp=true") not in (cpu, gpu)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert _name() == gpu  # auto trains on the GPU where there is one
    assert _name("run.device=cpu") == cpu


def test_a_teacher_trained_with_one_thread_is_not_reused_by_a_run_with_two(tmp_path, capsys):
    def trained(out_dir, threads):
        config = tiny(out_dir, "teacher.source=trained", "teacher.epochs=2",
                      f"run.threads={threads}")
        return train_teacher(config)

    one = trained(tmp_path / "shared", 1)
    capsys.readouterr()
    two = trained(tmp_path / "shared", 2)
    assert "training the teacher" in capsys.readouterr().out
    assert two != one and two.is_file()
    # the same command in a folder with nothing cached gives the same teacher, bit for bit
    fresh = trained(tmp_path / "fresh", 2)
    assert fresh.parent.name == two.parent.name
    ours, theirs = read_teacher_file(two)["model"], read_teacher_file(fresh)["model"]
    assert all(torch.equal(ours[k], theirs[k]) for k in ours)
    assert torch.get_num_threads() == 1  # given back to the caller


def test_a_teacher_cached_with_other_threads_before_the_key_is_refused_saying_which(tmp_path):
    # an older version wrote a two-thread teacher into the default settings' folder
    config = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1", "run.threads=2")
    path = train_teacher(config)
    default = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1", "run.threads=0")
    saved = read_teacher_file(path)
    assert saved["config"]["run"]["threads"] == 2
    assert config_to_dict(default)["run"]["threads"] == 0  # torch's own count: one here
    with pytest.raises(ValueError) as err:
        check_cached_teacher(saved, path, config=default, spec=describe_dataset("synthetic"),
                             sizes_known=False)
    assert (f"teacher file {str(path)!r} was trained with 2 CPU threads, but this run has "
            "1 CPU thread, which gives a teacher other numbers (a version before this one "
            "reused a teacher whatever these were); it is the teacher cached for these "
            f"settings: delete {path.parent} to train it again, or pass --teacher {path} to "
            "use it as it is") == str(err.value)
