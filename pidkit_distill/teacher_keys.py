"""The teacher's keys (no torch): those of a student's run that the teacher's run does not read,
and why; and the record of which teacher file a run read.

``pidkit-distill train-teacher`` hides the unread keys from its help and refuses or warns about
them on its command line without importing PyTorch;
:func:`pidkit_distill.training.teacher.teacher_run_config` is the run that does not read them.
A relative ``teacher.source`` names a file from the folder the run is trained in, which the
configuration does not say: :func:`teacher_file_now` is the file it names there, which a run's
``config.json`` records as :data:`TEACHER_FILE` (the report tells teachers apart by it).
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["TEACHER_FILE", "TEACHER_KEYS", "teacher_file_now", "unused_by_teacher"]

# The key of a run's configuration (config.json) that records the teacher file it read
# (teacher_file_now): written, never read as a setting.
TEACHER_FILE = "run.teacher_file"

# The student's keys that have a teacher's counterpart, which the teacher's run reads instead.
TEACHER_KEYS = {"run.epochs": "teacher.epochs", "run.seed": "teacher.seed",
                "optim.lr": "teacher.lr"}

# Why the teacher's run (teacher_run_config) does not read the other keys of a student's run;
# a key ending in "." stands for its whole section.
_UNUSED_BY_TEACHER = {
    "model.student": "the teacher is model.teacher",
    "teacher.source": "the teacher is trained, or the one trained before with the same "
                      "settings is reused",
    "method.": "the teacher trains with cross-entropy alone",
    "audit.": "the teacher's run has no audit",
    "run.audit_every": "the teacher's run has no audit",
    "run.name": "the teacher's run folder is named by its settings "
                "(teacher-DATA-MODEL-sSEED-eEPOCHS-HASH)",
    "run.resume": "an interrupted teacher's run is always resumed",
    "run.stop_after": "the teacher's run trains teacher.epochs epochs",
}


def unused_by_teacher(key: str) -> str | None:
    """Why the teacher's run (:func:`~pidkit_distill.training.teacher.teacher_run_config`) does
    not read the config key ``key``, or ``None`` when it does.

    Examples
    --------
    >>> unused_by_teacher("run.epochs")
    "it is the student's; the teacher's is teacher.epochs"
    >>> unused_by_teacher("method.params.lam")
    'the teacher trains with cross-entropy alone'
    >>> unused_by_teacher("data.batch_size") is None
    True
    """
    if key in TEACHER_KEYS:
        return f"it is the student's; the teacher's is {TEACHER_KEYS[key]}"
    return next((why for k, why in _UNUSED_BY_TEACHER.items()
                 if key == k or (k.endswith(".") and key.startswith(k))), None)


def teacher_file_now(source: Any) -> str | None:
    """The file that the ``teacher.source`` ``source`` names from the current folder: its
    absolute path (``~`` the home folder, links followed), where it is a file; ``None`` for
    ``trained`` and ``untrained``, and where no file is there.

    The same file however it is spelt (relative, absolute, through a link) has one such path;
    a relative name (``teacher.pt``) has one for each folder that holds a file of that name.

    Examples
    --------
    >>> import tempfile
    >>> folder = os.path.realpath(tempfile.mkdtemp())
    >>> file, link = os.path.join(folder, "t.pt"), os.path.join(folder, "link.pt")
    >>> open(file, "wb").close(); os.symlink(file, link)
    >>> teacher_file_now(link) == teacher_file_now(folder + "/./t.pt") == file
    True
    >>> teacher_file_now("untrained"), teacher_file_now("missing.pt")
    (None, None)
    """
    if not isinstance(source, str) or source in ("trained", "untrained"):
        return None
    path = os.path.realpath(os.path.expanduser(source))
    return path if os.path.isfile(path) else None
