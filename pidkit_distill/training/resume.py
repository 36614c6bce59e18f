"""The checkpoint a run continues (:func:`resume_point`): read whole, its configuration checked
against the run's (:func:`~pidkit_distill.training.checkpoint.check_resumable`) and its teacher
against the one ``teacher.source`` names now
(:func:`~pidkit_distill.training.teacher_files.check_resumed_teacher`).

A module of its own, apart from :mod:`~pidkit_distill.training.checkpoint`, whose ``safe_load``
the teacher files' reader imports; the check of the configuration and the loop both ask it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pidkit_distill.config import TrainConfig
from pidkit_distill.training.checkpoint import (
    check_resumable,
    python_resume_note,
    read_checkpoint,
)
from pidkit_distill.training.teacher_files import check_resumed_teacher

__all__ = ["resume_point"]


def resume_point(path: Path, config: TrainConfig, *, mmap: bool = False) -> dict[str, Any] | None:
    """The checkpoint at ``path`` that ``config`` continues, or ``None`` for a new run.

    Raises
    ------
    ValueError
        ``path`` exists but ``run.resume`` is false (a run folder is never overwritten), the
        file is not a checkpoint (cut off, empty, damaged, of another version: the message
        says to delete it to train the run from epoch 1, or to start a new run), the
        configuration changed
        (:func:`~pidkit_distill.training.checkpoint.check_resumable`), or ``teacher.source``
        names another file than the run was started with that does not hold the checkpoint's
        teacher
        (:func:`~pidkit_distill.training.teacher_files.check_resumed_teacher`).
    """
    if not path.exists():
        return None
    if not config.run.resume:
        refused = ValueError(
            f"run folder {str(path.parent)!r} already holds a checkpoint; pass run.resume=true "
            "(--resume) to continue it, or choose another run.name / run.out_dir"
        )
        refused.add_note(python_resume_note(resume=False))
        raise refused
    saved = read_checkpoint(path, mmap=mmap, fix=(
        f"the run cannot continue from it: delete {str(path)!r} and run again (with or without "
        "--resume) to train the run from epoch 1, or keep it and start a new run (another "
        "run.name)"))
    check_resumable(saved["config"], config, path)
    check_resumed_teacher(saved, config, path)
    return saved
