"""The record of which teacher a run was distilled from, in its ``summary.json``
(:data:`~pidkit_distill.run_folders.files.TEACHER_USED`): :func:`teacher_record` makes it,
:func:`teacher_recorded` writes it, and :func:`~pidkit_distill.load_run_teacher` reads it back.

A run's ``config.json`` says ``teacher.source = "trained"``, but not which cached ``teacher.pt``
that was: ``run.out_dir`` may hold several teachers of one data set (other ``teacher.epochs``,
``run.threads``), each giving its own audit of the same student. The record names the file (and
its SHA-256, so that a file trained again or replaced since is told apart) or, for an untrained
teacher, its seed. A run whose first train was interrupted before it wrote ``summary.json``
records its teacher when a resume ends it, where the file ``teacher.source`` names then (the
seed, for an untrained teacher) holds the checkpoint's teacher tensor for tensor.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from torch import nn

from pidkit.command_line import one_line
from pidkit_distill.config import TrainConfig
from pidkit_distill.run_folders.files import TEACHER_USED, read_summary
from pidkit_distill.signals import interrupts_deferred
from pidkit_distill.training.model_checks import models_resolved
from pidkit_distill.training.rundir import RunFolder
from pidkit_distill.training.runtime import Runtime
from pidkit_distill.training.teacher import seeded_teacher
from pidkit_distill.training.teacher_files import first_other_tensor, read_teacher_file
from pidkit_distill.training.teacher_sources import teacher_file_of

__all__ = ["TeacherRecording", "file_sha256", "teacher_record", "teacher_recorded"]

_CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    """The SHA-256 of the file ``path``, in hex.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "t.pt"
    >>> _ = path.write_bytes(b"abc")
    >>> file_sha256(path)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def teacher_record(config: TrainConfig, file: Path | None, *, num_classes: int, in_channels: int,
                   run_dir: Path) -> dict[str, Any]:
    """The record (:data:`~pidkit_distill.run_folders.files.TEACHER_USED`) of the teacher that the run
    of ``config`` in the folder ``run_dir`` read from ``file`` (``None``: untrained), built for
    ``num_classes`` classes and ``in_channels`` input channels.

    Examples
    --------
    >>> from pidkit_distill import load_config
    >>> config = load_config(overrides=["teacher.source=untrained", "teacher.seed=4"])
    >>> teacher_record(config, None, num_classes=10, in_channels=1, run_dir=Path("runs/x"))
    {'source': 'untrained', 'model': 'digits-teacher', 'num_classes': 10, 'in_channels': 1, \
'seed': 4}
    """
    source = config.teacher.source
    record: dict[str, Any] = {
        "source": source if source in ("trained", "untrained") else "file",
        "model": models_resolved(config, teacher_only=True).model.teacher,
        "num_classes": num_classes, "in_channels": in_channels}
    if file is None:
        record["seed"] = config.teacher.seed
        return record
    absolute = os.path.realpath(file)
    record.update(file=absolute, file_from_run=os.path.relpath(absolute, os.path.realpath(run_dir)),
                  sha256=file_sha256(Path(absolute)))
    if source == "trained":  # the folder teacher-DATA-MODEL-sSEED-eEPOCHS-HASH
        record["cache_key"] = Path(absolute).parent.name.rsplit("-", 1)[-1]
    return record


class TeacherRecording:
    """The teacher record that :func:`teacher_recorded` writes: the one ``summary.json`` held
    as the train started (a resumed run's teacher is its checkpoint's, read from the file its
    first train recorded), replaced by :meth:`keep` where the train reads its teacher; where
    it held none, a resumed run's (:meth:`keep_resumed`).

    Parameters
    ----------
    config : TrainConfig
        The run's configuration.
    run_dir : Path
        Its folder.
    is_main : bool
        Whether this process writes the folder (rank 0); the others record nothing.
    """

    def __init__(self, config: TrainConfig, run_dir: Path, *, is_main: bool) -> None:
        self.config, self.run_dir, self.is_main = config, run_dir, is_main
        held = read_summary(run_dir).get(TEACHER_USED) if is_main else None
        self.record: dict[str, Any] | None = held if isinstance(held, dict) else None
        self._resumed: tuple[nn.Module, Any] | None = None

    def keep(self, file: Path | None, bundle: Any) -> None:
        """Record the teacher read from ``file`` (``None``: untrained) for the teacher's data
        ``bundle`` (:func:`~pidkit_distill.training.load_teacher`'s ``resolved``)."""
        if self.is_main:
            self.record = teacher_record(self.config, file, num_classes=bundle.num_classes,
                                         in_channels=int(bundle.input_shape[0]),
                                         run_dir=self.run_dir)

    def keep_resumed(self, teacher: nn.Module, data: Any) -> None:
        """Record, as the train ends, the teacher of a resumed run whose ``summary.json``
        records none (its first train was interrupted before it wrote one): ``teacher``, the
        module the checkpoint's weights are read into, for the teacher's data ``data`` (its
        ``num_classes`` and ``input_shape``). It is recorded only where the file
        ``teacher.source`` names now (for ``"untrained"``, its seed) holds those very weights,
        so that an older run folder's teacher, trained again or replaced since, is never
        recorded in its place."""
        if self.is_main and self.record is None:
            self._resumed = (teacher, data)

    def resumed_record(self) -> dict[str, Any] | None:
        """The record of the teacher :meth:`keep_resumed` was given, where its weights are
        those of the teacher ``teacher.source`` names; ``None`` otherwise, or where none was
        given."""
        if self._resumed is None:
            return None
        teacher, data = self._resumed
        sizes = {"num_classes": data.num_classes, "in_channels": int(data.input_shape[0])}
        try:
            file = teacher_file_of(self.config)
            if file is None:
                model = models_resolved(self.config, teacher_only=True).model.teacher
                weights = seeded_teacher(model, self.config.teacher.seed, **sizes).state_dict()
            else:
                weights = read_teacher_file(file)["model"]
        except (OSError, ValueError, RuntimeError, MemoryError):  # gone, damaged, other shapes
            return None
        if first_other_tensor(weights, teacher.state_dict()) is not None:
            return None
        return teacher_record(self.config, file, run_dir=self.run_dir, **sizes)


@contextmanager
def teacher_recorded(config: TrainConfig, run_dir: Path,
                     runtime: Runtime) -> Iterator[TeacherRecording]:
    """A :class:`TeacherRecording` for the train of ``config`` in ``run_dir``, whose record is
    written into ``summary.json`` as the block ends, however it ends (the run ended, failed or
    was interrupted): beside what the file holds, never into a folder without one (a train
    that stopped before it wrote any: its first train killed or interrupted, whose resume
    records the teacher the checkpoint holds, :meth:`TeacherRecording.keep_resumed`). A write
    that fails (a full disk) is said in a line on stderr; the block's own error, if any, is
    what is raised.

    Examples
    --------
    >>> import json, tempfile
    >>> from pidkit_distill import load_config
    >>> from pidkit_distill.training import Runtime
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "summary.json").write_text('{"epochs_done": 1}')
    >>> config = load_config(overrides=["teacher.source=untrained"])
    >>> bundle = type("Data", (), {"num_classes": 10, "input_shape": (1, 8, 8)})
    >>> with teacher_recorded(config, folder, Runtime.single()) as recording:
    ...     recording.keep(None, bundle)
    >>> json.loads((folder / "summary.json").read_text())  # doctest: +NORMALIZE_WHITESPACE
    {'epochs_done': 1, 'teacher_used': {'source': 'untrained', 'model': 'digits-teacher',
    'num_classes': 10, 'in_channels': 1, 'seed': 0}}
    """
    recording = TeacherRecording(config, run_dir, is_main=runtime.is_main)
    try:
        yield recording
    finally:
        summary = read_summary(run_dir) if recording.is_main else {}
        if recording.record is None and summary:
            recording.record = recording.resumed_record()
        if recording.record is not None and summary \
                and summary.get(TEACHER_USED) != recording.record:
            with interrupts_deferred():
                try:
                    RunFolder(run_dir).write_json(
                        "summary.json", {**summary, TEACHER_USED: recording.record})
                except OSError as err:
                    print(f"note: the teacher the run was distilled from is not recorded in its "
                          f"summary.json: {one_line(err)}", file=sys.stderr, flush=True)
