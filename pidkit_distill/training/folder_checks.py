"""The run folder as :func:`~pidkit_distill.training.check_config` judges it beside its checks:
the notice of a resume that finds nothing to continue (:func:`nothing_to_resume`)."""

from __future__ import annotations

from pathlib import Path

from pidkit_distill.config import TrainConfig
from pidkit_distill.starting_runs import started_run_of
from pidkit_distill.training.resume_neighbours import runs_beside_advice
from pidkit_distill.training.rundir import LOCK_FILE

__all__ = ["is_init_run", "nothing_to_resume"]


def is_init_run(run_dir: Path) -> bool:
    """``run_dir`` is the ``RUN.METHOD-init`` run that a method starts from (TED: BAS), which
    sets ``run.resume`` whether or not it has a checkpoint yet."""
    return started_run_of(run_dir.name) is not None


def nothing_to_resume(config: TrainConfig, run_dir: Path) -> str:
    """The notice that ``run.resume`` found no checkpoint in ``run_dir``, which logs no epoch:
    the run starts anew. Where a run made the folder (its lock or ``config.json`` is there), it
    stopped before its first epoch ended (killed while its teacher trained); else the folder
    may not be the run's (a relative ``run.out_dir`` from another current folder named
    another folder, a changed option that names the folder: the runs beside it that the user
    may have meant are named, with what continues each)."""
    named = repr(str(run_dir.absolute()))
    if any((run_dir / name).is_file() for name in (LOCK_FILE, "config.json")):
        return (f"notice: run.resume is set, but run folder {named} holds no checkpoint and no "
                "epoch: the run that made it stopped before its first epoch ended (as it "
                "trained its teacher, say), so this run starts at epoch 1")
    relative = "" if run_dir.is_absolute() else (
        f" (run.out_dir={config.run.out_dir!r} is relative: it is taken from the current "
        f"folder, {str(Path.cwd())!r})")
    return (f"notice: run.resume is set, but run folder {named} holds no "
            f"checkpoint: this run starts at epoch 1{relative}; to continue a run, set "
            "run.out_dir and run.name to its folder" + runs_beside_advice(config, run_dir))
