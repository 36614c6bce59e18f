"""The runs beside a resume that found no checkpoint, where the run beside it read another teacher
file (review of task 297's notice): a resume may name another file than the run was started with
only where it holds the run's teacher (``check_resumed_teacher``), so the notice's advice to
continue the run restores the run's own ``teacher.source``, which always resumes it. Before, a
run of ``t0.pt`` beside a resume of ``--seed 1 --teacher t1.pt`` was offered with ``--run.seed
0`` alone, a command that the teacher check then refused."""

from __future__ import annotations

import json

from pidkit_distill import load_config
from pidkit_distill.config import config_to_dict
from pidkit_distill.training.resume_neighbours import runs_beside, runs_beside_advice


def _stopped_run(out, name, config) -> None:
    """A run folder ``name`` under ``out`` as a run of ``config`` stopped after an epoch leaves it
    (its ``config.json`` and a ``checkpoint.pt``)."""
    (out / name).mkdir()
    (out / name / "config.json").write_text(json.dumps(config_to_dict(config)))
    (out / name / "checkpoint.pt").write_bytes(b"")


def test_another_teacher_file_is_restored_by_the_advice(tmp_path):
    _stopped_run(tmp_path, "digits-bas-tp-s0",
                 load_config(overrides=["teacher.source='/data/t0.pt'"]))
    resume = load_config(overrides=["run.seed=1", "teacher.source='/data/t1.pt'"])
    assert runs_beside(resume, tmp_path / "digits-bas-tp-s1") == [
        (tmp_path / "digits-bas-tp-s0",
         {"run.seed": (0, 1), "teacher.source": ("/data/t0.pt", "/data/t1.pt")})]
    assert runs_beside_advice(resume, tmp_path / "digits-bas-tp-s1") == (
        "; beside it, 'digits-bas-tp-s0' holds a run that differs in run.seed (0 there, 1 now), "
        "teacher.source ('/data/t0.pt' there, '/data/t1.pt' now): to continue it, pass "
        "--run.name digits-bas-tp-s0 --run.seed 0 --teacher.source /data/t0.pt with --resume "
        "(run.name='digits-bas-tp-s0', run.seed=0, teacher.source='/data/t0.pt' in Python or a "
        "--config file)")


def test_the_same_teacher_file_is_no_difference(tmp_path):
    teacher = "teacher.source='/data/t0.pt'"
    _stopped_run(tmp_path, "digits-bas-tp-s0", load_config(overrides=[teacher]))
    resume = load_config(overrides=["run.seed=1", teacher])
    assert runs_beside(resume, tmp_path / "digits-bas-tp-s1") == [
        (tmp_path / "digits-bas-tp-s0", {"run.seed": (0, 1)})]
