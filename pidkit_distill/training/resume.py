"""The checkpoint a run continues (:func:`resume_point`): read whole, its configuration checked
against the run's (:func:`~pidkit_distill.training.checkpoint.check_resumable`), its teacher
against the one ``teacher.source`` names now
(:func:`~pidkit_distill.training.teacher_files.check_resumed_teacher`), and the code and data it
was trained with against those of now
(:func:`~pidkit_distill.training.checkpoint_fit.changed_since`).

A module of its own, apart from :mod:`~pidkit_distill.training.checkpoint`, whose ``safe_load``
the teacher files' reader imports; the check of the configuration and the loop both ask it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pidkit_distill.config import AUDIT_RESUME_FREE_KEYS, TrainConfig
from pidkit_distill.data import DatasetBundle
from pidkit_distill.launcher_env import rank_from_env
from pidkit_distill.methods.base import get_method
from pidkit_distill.training.checkpoint import (
    check_resumable,
    python_resume_note,
    read_checkpoint,
    resume_changes,
    resume_refusal,
)
from pidkit_distill.training.checkpoint_fit import changed_since
from pidkit_distill.training.teacher_files import check_resumed_teacher

__all__ = ["audit_change_note", "finished_run_changes", "resume_point"]


def resume_point(path: Path, config: TrainConfig, *, mmap: bool = False,
                 data: DatasetBundle | None = None) -> dict[str, Any] | None:
    """The checkpoint at ``path`` that ``config`` continues, or ``None`` for a new run.

    ``data``: the run's data, where it is loaded (a registered data set in the check, any in
    the run), whose samples must be the ones the checkpoint records a fingerprint of.

    Raises
    ------
    ValueError
        ``path`` exists but ``run.resume`` is false (a run folder is never overwritten; the
        message advises ``--resume`` only where it would continue the run), the
        file is not a checkpoint (cut off, empty, damaged, of another version: the message
        says to delete it to train the run from epoch 1, or to start a new run), the
        configuration changed
        (:func:`~pidkit_distill.training.checkpoint.check_resumable`), or ``teacher.source``
        names another file than the run was started with that does not hold the checkpoint's
        teacher
        (:func:`~pidkit_distill.training.teacher_files.check_resumed_teacher`), or the code of
        a registered builder of ``model.student`` or ``model.teacher``, or the samples of the
        data set (``data``), are not those the run was trained with
        (:func:`~pidkit_distill.training.checkpoint_fit.changed_since`): the weights would
        continue in other networks, on other data.
    """
    if not path.exists():
        return None
    if not config.run.resume:
        _refuse_unasked(path, config, mmap=mmap)
    saved = read_checkpoint(path, mmap=mmap, fix=(
        f"the run cannot continue from it: delete {str(path)!r} and run again (with or without "
        "--resume) to train the run from epoch 1, or keep it and start a new run (another "
        "run.name)"))
    check_resumable(saved["config"], config, path)
    check_resumed_teacher(saved, config, path)
    # rank 0 wrote the fingerprints, and compares them: another process's builder may read
    # values of its own (its device), as the teacher's keys are rank 0's (adopt_model_fingerprint).
    # A checkpoint written before they were recorded holds none and resumes as it always did.
    if rank_from_env() == 0 and (changed := changed_since(saved, config, data=data)):
        # a teacher's run is named after its settings: no other name is the user's to give
        new_run = (f"delete {str(path.parent)!r} to train the teacher again"
                   if config.method.name == "teacher" else
                   "start a new run (another run.name)")
        raise ValueError(
            f"cannot resume {str(path)!r}: the code or data it was trained with changed since "
            f"its checkpoint was written: {changed}; its weights would go on in other networks "
            "or on other samples than they were trained in (a notebook's cell edited and run "
            "again, a module edited); restore the code (and data) the run was trained with, or "
            f"{new_run}")
    return saved


def _refuse_unasked(path: Path, config: TrainConfig, *, mmap: bool) -> None:
    """Refuse the checkpoint at ``path`` to a ``config`` without ``run.resume`` (a run folder is
    never overwritten), with the advice that holds for it: ``--resume`` where ``config`` may
    continue the run, and where it may not, why and what to do instead
    (:func:`~pidkit_distill.training.checkpoint.resume_refusal`, the comparison a resume makes),
    so that the advice is not ``--resume``, which would then be refused. A finished run (every
    epoch trained, or stopped early by ``run.early_stop``) is told so; where ``config`` differs
    from it in more than ``run.epochs``, the refusal names each changed key with both values
    (:func:`finished_run_changes`) and advises a folder of the new configuration's own (a sweep
    of ``method.params`` under one default run.name). A checkpoint that cannot be read is told
    by the resume that reads it whole."""
    folder = str(path.parent)
    try:
        saved = read_checkpoint(path, mmap=mmap)
    except (OSError, ValueError):
        saved = None
    if saved is not None and (finished := _finished(saved)) and (
            changes := finished_run_changes(saved["config"], config)):
        derived = ("; the default run.name, DATA-METHOD[-PRESET]-tt|ut|tp-sSEED, does not "
                   "tell these keys apart") if not config.run.name else ""
        raise ValueError(f"run folder {folder!r} holds a finished run ({finished}) of another "
                         f"configuration: {changes}. To train this configuration, give it a "
                         "folder of its own: another run.name (--run.name NAME) or "
                         f"run.out_dir{derived}")
    if saved is not None and finished:
        longer = ("a larger run.early_stop, or 0 (another run.name / run.out_dir; a resume "
                  "keeps run.early_stop)" if finished.startswith("stopped early") else
                  "a larger run.epochs (another run.name / run.out_dir; a resume keeps "
                  "run.epochs, which the schedule follows)")
        raise ValueError(f"run folder {folder!r} holds a finished run ({finished}): nothing is "
                         f"left to continue. To train longer, start another run with {longer}; "
                         "to train it again, choose another run.name / run.out_dir, or delete "
                         "the folder")
    refusal = None if saved is None else resume_refusal(saved["config"], config)
    if refusal is not None:
        raise ValueError(f"run folder {folder!r} already holds a checkpoint, of a run that "
                         f"run.resume=true (--resume) continues only as it was configured: "
                         f"{refusal}")
    refused = ValueError(f"run folder {folder!r} already holds a checkpoint; pass "
                         "run.resume=true (--resume) to continue it, or choose another run.name "
                         "/ run.out_dir")
    refused.add_note(python_resume_note(resume=False))
    raise refused


def finished_run_changes(saved_config: dict[str, Any], config: TrainConfig) -> str:
    """The keys in which ``config`` differs from the finished run saved with ``saved_config``,
    each as ``KEY OLD -> NEW`` (an entry of ``method.params`` or ``data.options`` by itself,
    with the method's value where one side leaves it at its default); ``""`` where none does
    but ``run.epochs``, whose change the refusal of a finished run advises on by itself (to
    train longer).

    Examples
    --------
    >>> from pidkit_distill import load_config
    >>> from pidkit_distill.config import config_to_dict
    >>> saved = config_to_dict(load_config(overrides=["method.name=kd", "run.epochs=3"]))
    >>> finished_run_changes(saved, load_config(overrides=[
    ...     "method.name=kd", "run.epochs=3", "method.params.temperature=2.5", "run.seed=1"]))
    'method.params.temperature 4.0 -> 2.5, run.seed 0 -> 1'
    >>> finished_run_changes(saved, load_config(overrides=["method.name=kd", "run.epochs=6"]))
    ''
    """
    old, new, changed = resume_changes(saved_config, config)
    if not [key for key in changed if key != "run.epochs"]:
        return ""
    shown = []
    for key in changed:
        if isinstance(old.get(key), dict) and isinstance(new.get(key), dict):
            before, after = _table_values(key, old), _table_values(key, new)
            shown += [f"{key}.{entry} {_shown(before, entry)} -> {_shown(after, entry)}"
                      for entry in sorted(before.keys() | after.keys())
                      if before.get(entry, _UNSET) != after.get(entry, _UNSET)]
        else:
            shown.append(f"{key} {_shown(old, key)} -> {_shown(new, key)}")
    return ", ".join(shown)


_UNSET = object()
"""A key or entry that one side of a comparison does not hold."""


def _shown(values: dict[str, Any], key: str) -> str:
    """``values[key]`` as a message shows it; ``(not set)`` where ``values`` lacks it."""
    return repr(values[key]) if key in values else "(not set)"


def _table_values(key: str, flat: dict[str, Any]) -> dict[str, Any]:
    """The entries of the table ``key`` of the flat configuration ``flat``: for
    ``method.params``, every parameter of the method as its preset and entries resolve them
    (so that a value left at its default is compared by the default's value); the entries as
    they are for another table, or a method that does not resolve them here."""
    entries = flat[key]
    if key != "method.params":
        return entries
    try:
        method = get_method(flat.get("method.name", ""))
        return method.make_params(preset=flat.get("method.preset") or None,
                                  **entries).to_dict()
    except (TypeError, ValueError):  # not registered here, or entries that it refuses
        return entries


def _finished(saved: dict[str, Any]) -> str:
    """``"epochs E of E"`` where the checkpoint ``saved`` holds every epoch of its run (its
    ``run.epochs``), ``"stopped early at epoch N of E"`` where ``run.early_stop`` ended it
    after epoch N; ``""`` where neither, or it does not say.

    Examples
    --------
    >>> run = {"config": {"run": {"epochs": 8}}, "epoch": 3}
    >>> _finished(run), _finished({**run, "validation": {"stopped_early_at": 3}})
    ('', 'stopped early at epoch 3 of 8')
    >>> _finished({**run, "epoch": 8})
    'epochs 8 of 8'
    """
    epochs = (saved.get("config") or {}).get("run", {}).get("epochs")
    done = saved.get("epoch")
    if not isinstance(epochs, int) or not isinstance(done, int):
        return ""
    if (saved.get("validation") or {}).get("stopped_early_at") is not None:
        return f"stopped early at epoch {done} of {epochs}"
    return f"epochs {done} of {epochs}" if done >= epochs else ""


def audit_change_note(path: Path, config: TrainConfig) -> str | None:
    """The note that ``config`` continues the run of the checkpoint ``path`` with another
    ``run.audit_every``, ``audit.bootstrap`` or ``audit.confidence`` than it was audited with
    (:data:`~pidkit_distill.config.AUDIT_RESUME_FREE_KEYS`, which a resume may change): each
    key with its value before and now, and the epoch from which the new values hold; ``None``
    where none changed, or the checkpoint cannot be read (the resume that reads it says why).

    Examples
    --------
    >>> import tempfile, torch
    >>> from pidkit_distill import load_config
    >>> from pidkit_distill.config import config_to_dict
    >>> path = Path(tempfile.mkdtemp()) / "checkpoint.pt"
    >>> saved = dict.fromkeys(["module", "student", "optimizers", "schedulers", "best_acc",
    ...                        "best_epoch", "history", "audit", "rng"])
    >>> torch.save({**saved, "format": 2, "epoch": 20, "config": config_to_dict(
    ...     load_config(overrides=["run.audit_every=10"]))}, path)
    >>> print(audit_change_note(path, load_config(overrides=["run.audit_every=5",
    ...                                                       "audit.bootstrap=0"])))
    resuming after epoch 20 with the audit changed from epoch 21 on: audit.bootstrap 40 -> 0, \
run.audit_every 10 -> 5 (the atoms stay comparable: these keys set when they are measured and \
their intervals, and each record of audit.jsonl holds its own audit.bootstrap and \
audit.confidence in its settings)
    >>> audit_change_note(path, load_config(overrides=["run.audit_every=10"])) is None
    True
    """
    try:
        saved = read_checkpoint(path, mmap=True)
    except (OSError, ValueError):
        return None
    old, new, _ = resume_changes(saved["config"], config)
    changed = [f"{key} {old[key]!r} -> {new[key]!r}" for key in sorted(AUDIT_RESUME_FREE_KEYS)
               if key in old and key in new and old[key] != new[key]]
    if not changed:
        return None
    epoch = saved["epoch"]
    return (f"resuming after epoch {epoch} with the audit changed from epoch {epoch + 1} on: "
            f"{', '.join(changed)} (the atoms stay comparable: these keys set when they are "
            "measured and their intervals, and each record of audit.jsonl holds its own "
            "audit.bootstrap and audit.confidence in its settings)")
