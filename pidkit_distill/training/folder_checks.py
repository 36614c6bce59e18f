"""The run folder as :func:`~pidkit_distill.training.check_config` judges it beside its checks: a
run done, given again, refused before its networks are built (:func:`rerun_folder`), and the
notice of a resume that finds nothing to continue (:func:`nothing_to_resume`)."""

from __future__ import annotations

from pathlib import Path

from pidkit_distill.config import TrainConfig
from pidkit_distill.data import DatasetBundle
from pidkit_distill.registry import BUILTIN_NAMES, WRN_NAME, registry_key
from pidkit_distill.training.checkpoint import read_checkpoint, resume_changes
from pidkit_distill.training.resume_neighbours import runs_beside_advice
from pidkit_distill.training.rundir import LOCK_FILE, run_dir_of
from pidkit_distill.training.teacher import teacher_file_of

__all__ = ["UNCHECKED_KEYS", "nothing_to_resume", "rerun_folder"]

# the keys that no check after check_devices reads (run.threads and run.device name the cached
# teacher's folder): the run folder's own, and how the run goes
UNCHECKED_KEYS = frozenset({"run.resume", "run.out_dir", "run.name", "run.stop_after",
                            "run.progress", "run.print_every", "run.checkpoint_every",
                            "run.join_timeout"})


def rerun_folder(config: TrainConfig, teacher_data: DatasetBundle | None) -> Path | None:
    """The run folder of ``config``, without ``run.resume``, where it holds a checkpoint of
    ``config``: a run done, given again, whose folder check_config judges (and refuses) before
    the networks are built, since the checks between passed when that run was checked. They
    did where the configurations are the same in every key but :data:`UNCHECKED_KEYS`, their
    names are the package's own (a user's code may have changed since), and the teacher is
    untrained or the cached file, not written since the checkpoint (a teacher file is judged
    before the folder).

    Parameters
    ----------
    config : TrainConfig
        The configuration, its models resolved, its data and ``run.out_dir`` checked.
    teacher_data : DatasetBundle or None
        The teacher's data where the check loaded it (it names a cached teacher's folder).

    Returns
    -------
    Path or None
        The run folder; ``None`` for every other configuration, whose checks keep their order
        (the networks' before the folder's).
    """
    own = all(registry_key(name) in BUILTIN_NAMES[kind]
              or (kind == "model" and WRN_NAME.match(registry_key(name)) is not None)
              for kind, name in (("dataset", config.data.name), ("method", config.method.name),
                                 ("model", config.model.teacher), ("model", config.model.student)))
    if config.run.resume or not own:
        return None
    run_dir, teacher = run_dir_of(config), teacher_file_of(config, data=teacher_data)
    checkpoint = run_dir / "checkpoint.pt"
    if not checkpoint.is_file() or (teacher is not None and (
            config.teacher.source != "trained" or not teacher.is_file()
            or teacher.stat().st_mtime > checkpoint.stat().st_mtime)):
        return None
    try:
        old, new, _ = resume_changes(read_checkpoint(checkpoint, mmap=True)["config"], config)
    except (OSError, ValueError, MemoryError):  # not read here: the checks at the end say why
        return None
    kept = [{key: value for key, value in flat.items() if key not in UNCHECKED_KEYS}
            for flat in (old, new)]
    return run_dir if kept[0] == kept[1] else None


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
