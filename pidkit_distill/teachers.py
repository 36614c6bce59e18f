"""The teacher a run was distilled from, back as a model: :func:`load_run_teacher`.

A run records its teacher in its ``summary.json``
(:data:`~pidkit_distill.run_folders.files.TEACHER_USED`): the teacher file it read, with the file's
SHA-256, or the seed of an untrained teacher. The teacher is built again by name
(:func:`~pidkit_distill.models.build_model`) for the sizes recorded, so the data set is not
needed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch
from torch import nn

from pidkit_distill.models import build_model
from pidkit_distill.run_folders.files import FAILED, TEACHER_USED, read_summary, train_failure
from pidkit_distill.run_folders.records import RunRecords
from pidkit_distill.run_folders.search import did_you_mean_run_folder
from pidkit_distill.run_folders.summary import RunSummary
from pidkit_distill.students import WRITTEN_BY_TRAIN, run_folder_path, unregistered_model_refusal
from pidkit_distill.training.teacher import seeded_teacher
from pidkit_distill.training.teacher_files import read_teacher_file
from pidkit_distill.training.teacher_records import file_sha256

__all__ = ["load_run_teacher"]


def load_run_teacher(run_dir: str | bytes | os.PathLike[str] | RunRecords | RunSummary) -> nn.Module:
    """The teacher that the run in ``run_dir`` was distilled from, as its ``summary.json``
    records it, in eval mode with ``requires_grad`` off.

    A teacher file (the cached ``teacher.pt`` of ``teacher.source = "trained"``, or the file
    ``teacher.source`` named) is looked for where the record says, from the run folder first
    (a ``run.out_dir`` moved or copied whole keeps its cached teachers beside its runs), then at
    its absolute path; it must be the very file the run read (its SHA-256). An untrained
    teacher is built again from its seed. This is the teacher to audit the run's student with
    (:func:`~pidkit_distill.audit_networks`): another cached teacher of the same data set
    (other ``teacher.epochs`` or ``run.threads``) gives other atoms.

    Parameters
    ----------
    run_dir : str, bytes, path, RunSummary or RunRecords
        A run folder written by ``pidkit-distill train`` or :func:`~pidkit_distill.train`,
        or the ``RunSummary`` that ``train`` returned or the ``RunRecords`` of
        :func:`~pidkit_distill.load_runs`, for their folder.

    Returns
    -------
    torch.nn.Module
        The teacher, on the CPU (``.to(device)`` moves it).

    Raises
    ------
    ValueError
        ``run_dir`` is no run folder, or its ``summary.json`` records no teacher (a run
        written by a version before runs recorded it, a run whose train has not ended yet, a
        teacher's own run folder); the teacher file is gone, or is another file now (trained
        again, replaced); the teacher's model is one of your own not registered in this
        process.
    TypeError
        ``run_dir`` is none of a path, a ``RunSummary`` and a ``RunRecords``.

    Examples
    --------
    >>> import tempfile
    >>> import torch
    >>> from pidkit_distill import load_config, load_run_teacher, train
    >>> out = tempfile.mkdtemp()
    >>> cfg = load_config(overrides=[
    ...     "data.name=synthetic", "data.options.n_train=64", "data.options.n_test=32",
    ...     "model.teacher=synthetic-teacher", "model.student=synthetic-student",
    ...     "teacher.source=trained", "teacher.epochs=1", "run.epochs=1", "run.audit_every=0",
    ...     f"run.out_dir={out}", "run.name=doc"])
    >>> summary = train(cfg)                                      # doctest: +ELLIPSIS
    training the teacher synthetic-teacher for 1 epochs -> ...teacher.pt
    [teacher] epoch 1/1 ...
    [bas] epoch 1/1 ...
    >>> teacher = load_run_teacher(summary.run_dir)
    >>> teacher.training, teacher(torch.zeros(5, 32)).shape   # 32 inputs, 4 classes
    (False, torch.Size([5, 4]))
    """
    path = _folder_of(run_dir)
    summary = read_summary(path)
    record = summary.get(TEACHER_USED)
    if not isinstance(record, dict):
        raise ValueError(_no_record(path, summary))
    model = record.get("model")
    # values of the JSON file, checked next to be ints
    sizes: dict[str, Any] = {"num_classes": record.get("num_classes"),
                             "in_channels": record.get("in_channels")}
    if not isinstance(model, str) or not all(isinstance(n, int) for n in sizes.values()):
        raise ValueError(f"run_dir {str(path)!r}: its summary.json's {TEACHER_USED!r} is no "
                         f"record of a teacher (no model name and sizes: {record!r}); the file "
                         "is damaged")
    try:
        if "file" not in record:
            teacher = seeded_teacher(model, int(record.get("seed", 0)), **sizes)
        else:
            with torch.random.fork_rng(devices=[]):  # building draws initial weights
                teacher = build_model(model, **sizes)
            teacher.load_state_dict(read_teacher_file(_teacher_file(path, record))["model"])
    except (TypeError, ValueError, RuntimeError) as err:
        if refusal := unregistered_model_refusal(path, "teacher", model, err,
                                                 again="load_run_teacher"):
            raise ValueError(refusal) from None
        if isinstance(err, ValueError):  # the file's own refusal (read_teacher_file)
            raise
        detail = " ".join(str(err).split())
        raise ValueError(f"run_dir {str(path)!r}: its teacher model.teacher={model!r} cannot be "
                         f"built for {sizes} and given its recorded weights: {detail[:300]} (a "
                         "model of your own: run the code that registers it first)") from None
    teacher.eval()
    teacher.requires_grad_(False)
    return teacher


def _folder_of(run_dir: Any) -> Path:
    """The run folder ``run_dir`` names (:func:`~pidkit_distill.students.run_folder_path`),
    which must be a folder: one that does not exist (a typo) is refused with the closest that
    does (:func:`~pidkit_distill.run_folders.search.did_you_mean_run_folder`).

    Examples
    --------
    >>> _folder_of("/nonexistent/rid-seed0")
    Traceback (most recent call last):
    ...
    ValueError: run_dir '/nonexistent/rid-seed0' does not exist; pass a run folder written by \
train(config) or `pidkit-distill train`
    """
    path = run_folder_path(run_dir)
    if not path.exists():
        raise ValueError(f"run_dir {str(path)!r} does not exist; pass a run folder "
                         f"{WRITTEN_BY_TRAIN}{did_you_mean_run_folder(path)}")
    if not path.is_dir():
        raise ValueError(f"run_dir {str(path)!r} is no folder; pass a run folder "
                         f"{WRITTEN_BY_TRAIN}")
    return path


def _no_record(path: Path, summary: dict[str, Any]) -> str:
    """Why the run folder ``path``, whose ``summary.json`` holds ``summary``, gives no teacher."""
    named = f"run_dir {str(path)!r}"
    if summary.get("method") == "teacher":
        return (f"{named} is a teacher's own run folder, distilled from no teacher; "
                "load_student(run_dir) gives the teacher it trained")
    failure = train_failure(path)
    if failure is not None and failure["before_training"] and "epochs_done" not in summary:
        return (f"{named}: the run failed before training started (summary.json "
                f"{FAILED}.before_training), so no teacher was used: {failure['message']}; do "
                "what its error says, rerun its command, then call load_run_teacher again")
    if not summary:
        return _no_summary(path, named)
    again = ("rerun the run's train command with --resume (run.resume=true; a complete run "
             "trains no epoch again), which records it where the file teacher.source names "
             "holds the checkpoint's teacher" if (path / "checkpoint.pt").is_file() else
             "train the run again to have it recorded")
    return (f"{named}: its summary.json does not record the teacher the run was distilled from "
            f"(no {TEACHER_USED!r}): it was written by a version before runs recorded it, or "
            "its first train was interrupted and the resume that ended it found another teacher "
            f"than the checkpoint's in the file teacher.source names; {again}, or load the "
            "teacher you know it used (load_student(TEACHER_RUN_DIR) for a teacher's run "
            "folder)")


def _no_summary(path: Path, named: str) -> str:
    """Why the folder ``path`` (``named`` in a message), which holds no ``summary.json`` that
    can be read, gives no teacher: a report's folder, a folder of run folders, or a run whose
    train has not ended."""
    if (path / "report.md").is_file():
        return (f"{named} is a report's folder (report.md and its figures), written by "
                "`pidkit-distill report`; pass the folder of one of the runs it reports on")
    runs = sorted(folder.name for folder in path.iterdir() if folder.is_dir() and any(
        (folder / name).is_file() for name in ("summary.json", "config.json")))
    if runs:
        shown = ", ".join(repr(str(path / name)) for name in runs[:2])
        more = f" and {len(runs) - 2} more" if len(runs) > 2 else ""
        return (f"{named} is a folder of run folders ({shown}{more}), not a run folder; pass "
                "one of them")
    return (f"{named} holds no summary.json (or none that can be read): its train has not "
            "ended (it was interrupted, killed, or is still running), or it is no run "
            "folder; let the run end (resume it), then call load_run_teacher again")


def _teacher_file(path: Path, record: dict[str, Any]) -> Path:
    """The teacher file that the record ``record`` of the run folder ``path`` names: from the
    folder first, then by its absolute path; refused where neither is there, or where it is
    another file than the run read (its SHA-256)."""
    places = [path / str(record.get("file_from_run")), Path(str(record.get("file")))]
    found = next((place for place in places if place.is_file()), None)
    if found is None:
        raise ValueError(f"run_dir {str(path)!r}: the teacher file the run was distilled from, "
                         f"{record.get('file')!r}, is gone (deleted, or moved without the run "
                         "folder); restore it, or train the run again")
    if file_sha256(found) != record.get("sha256"):
        raise ValueError(f"run_dir {str(path)!r}: the teacher file {str(found)!r} is not the one "
                         "the run was distilled from (its SHA-256 differs from the one the run "
                         "recorded: the teacher was trained again or the file replaced since); "
                         "restore the file the run read, or train the run again")
    return found
