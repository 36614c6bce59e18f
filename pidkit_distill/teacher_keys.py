"""The keys of a student's run that the teacher's run does not read, and why (no torch).

``pidkit-distill train-teacher`` hides them from its help and refuses or warns about them on its
command line without importing PyTorch; :func:`pidkit_distill.training.teacher.teacher_run_config`
is the run that does not read them.
"""

from __future__ import annotations

__all__ = ["TEACHER_KEYS", "unused_by_teacher"]

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
